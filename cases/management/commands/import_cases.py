from django.core.management.base import CommandError

from cases.bulk import CASE_COLUMNS, do_import_cases
from core.management.base import ActingCommand
from core.tabular import FileError, read_rows


class Command(ActingCommand):
    help = (
        "Import cases from .csv or .xlsx (columns description and lon+lat or community_code; optional "
        "category_code (empty: the triage classifier suggests it), address, reporter_name, reporter_phone, "
        "urgency, external_ref, title). Every row goes through the intake. Nothing is written if any row is bad, "
        "unless --skip-bad."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file")
        parser.add_argument("--encoding", default="utf-8")
        parser.add_argument("--skip-bad", action="store_true")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        try:
            rows = read_rows(self.existing_file(options["file"]), encoding=options["encoding"], required=CASE_COLUMNS)
        except FileError as exc:
            raise CommandError(f"{options['file']}: {exc}") from None
        report = do_import_cases(
            rows, acting_user=self.acting_user(options), skip_bad=options["skip_bad"], dry_run=options["dry_run"]
        )
        self.stdout.write(report.as_text())
        if report.problems and not options["skip_bad"]:
            raise CommandError(f"{report.bad_rows} bad row(s); nothing imported")
