"""Index cases written without the intake (the demo's history, imports) for the duplicate search, and store their
candidates. Already indexed cases are skipped, so it can run again at any time."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cases.models import Case
from triage import duplicates


class Command(BaseCommand):
    help = "Index recent cases for the duplicate search and store their duplicate candidates."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--since",
            type=float,
            default=None,
            metavar="DAYS",
            help="index the cases of the last DAYS days (default: the duplicate window, DUPLICATES_WINDOW_DAYS)",
        )

    def handle(self, *args, **options) -> None:
        days = options["since"] if options["since"] is not None else settings.DUPLICATES_WINDOW_DAYS
        since = timezone.now() - dt.timedelta(days=days)
        total = Case.objects.filter(created_at__gte=since).count()
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            disable=options["verbosity"] < 1,
        ) as progress:
            task = progress.add_task("index cases", total=total)
            indexed = duplicates.index_cases(since, progress=lambda n: progress.advance(task, n))
            progress.update(task, completed=total)
            task = progress.add_task("find candidates", total=None)
            stored = duplicates.candidates_in_bulk(since, progress=lambda n: progress.advance(task, n))
        if options["verbosity"] >= 1:
            self.stdout.write(f"indexed {indexed:,} cases, stored {stored:,} duplicate candidates")
