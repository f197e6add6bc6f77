import datetime as dt
import shutil
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from command.report import do_generate_monthly_report, previous_month
from territory.models import Division


class Command(BaseCommand):
    help = "Generate the monthly statistics report (.docx) and tables (.xlsx) of a district, street or community."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: the month before this one)")
        parser.add_argument("--scope", help="division code (default: every district)")
        parser.add_argument("--output", type=Path, help="also copy the files into this folder")

    def handle(self, *args, **options):
        try:
            month = (
                dt.date.fromisoformat(options["month"] + "-01")
                if options["month"]
                else previous_month(timezone.localdate())
            )
        except ValueError:
            raise CommandError(f"--month: {options['month']!r} is not a month like 2026-10") from None
        scopes = (
            Division.objects.filter(code=options["scope"])
            if options["scope"]
            else Division.objects.filter(level="district")
        )
        if not scopes:
            raise CommandError(f"--scope: no division with code {options['scope']!r}")
        for scope in scopes:
            try:
                report = do_generate_monthly_report(month, scope, acting_user="monthly_report")
            except ValidationError as exc:
                raise CommandError("; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items())) from None
            self.stdout.write(
                f"{scope.name} {month:%Y-%m}: {report.figures['reported']} cases, built in {report.seconds:.1f} s"
            )
            if options["output"]:
                options["output"].mkdir(parents=True, exist_ok=True)
                for kind in ("docx", "xlsx"):
                    target = options["output"] / f"{scope.code}-{month:%Y-%m}.{kind}"
                    with getattr(report, kind).open("rb") as src, target.open("wb") as dst:
                        shutil.copyfileobj(src, dst)
                    self.stdout.write(f"  {target}")
