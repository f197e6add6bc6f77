from typing import TextIO, cast

from django.core.management.base import CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.management.base import ActingCommand
from core.tabular import FileError
from registry.importers import KINDS, do_import, read_file


class Command(ActingCommand):
    help = (
        "Import people, houses, organisations or places from .xlsx or .csv (columns as in the template the import "
        "page offers; English keys or the Chinese GB/T 31000 names). Nothing is written if any row is bad, unless "
        "--skip-bad; --dry-run only checks. Exits non-zero with the row report when rows are bad."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file")
        parser.add_argument("--encoding", default="utf-8", help="of a .csv file, e.g. gb18030")
        parser.add_argument("--skip-bad", action="store_true", help="import the good rows, report the bad ones")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, **options):
        path = self.existing_file(options["file"])
        console = Console(file=cast(TextIO, self.stderr), force_terminal=False)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=options["verbosity"] < 1,
        ) as progress:
            reading = progress.add_task(f"reading {path.name}", total=None)
            try:
                with path.open("rb") as fh:
                    rows, digest = read_file(options["kind"], fh, name=path.name, encoding=options["encoding"])
            except FileError as exc:
                raise CommandError(f"{path}: {exc}") from None
            progress.update(reading, total=len(rows), completed=len(rows))

            def step(label: str, total: int):
                task = progress.add_task(label, total=total)
                return lambda n: progress.advance(task, n)

            report = do_import(
                options["kind"],
                rows,
                acting_user=self.acting_user(options),
                skip_bad=options["skip_bad"],
                dry_run=options["dry_run"],
                file_name=path.name,
                file_sha256=digest,
                progress=step,
            )
        self.stdout.write(report.as_text())
        if report.problems and not options["skip_bad"]:
            raise CommandError(f"{report.bad_rows} bad row(s); nothing imported")
