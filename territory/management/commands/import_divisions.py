from django.core.management.base import CommandError

from core.management.base import ActingCommand
from core.tabular import FileError, read_rows
from territory.importers import DIVISION_COLUMNS, do_import_divisions


class Command(ActingCommand):
    help = (
        "Import divisions from .csv or .xlsx (columns code, name, kind, parent_code; optional geometry as "
        "GeoJSON text). Nothing is written if any row is bad, unless --skip-bad."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file")
        parser.add_argument("--encoding", default="utf-8", help="CSV text encoding (e.g. gb18030)")
        parser.add_argument("--skip-bad", action="store_true", help="import the good rows and report the bad ones")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, **options):
        try:
            rows = read_rows(
                self.existing_file(options["file"]), encoding=options["encoding"], required=DIVISION_COLUMNS
            )
        except FileError as exc:
            raise CommandError(f"{options['file']}: {exc}") from None
        report = do_import_divisions(
            rows, acting_user=self.acting_user(options), skip_bad=options["skip_bad"], dry_run=options["dry_run"]
        )
        self.stdout.write(report.as_text())
        if report.problems and not options["skip_bad"]:
            raise CommandError(f"{report.bad_rows} bad row(s); nothing imported")
