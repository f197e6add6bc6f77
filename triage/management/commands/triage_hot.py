"""Print the hot issues of a message file (the shipped 留言 CSV or any UTF-8 CSV with id,text[,title,time,likes])."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from triage import hot

DEFAULT = Path(__file__).resolve().parents[2] / "data" / "messages_with_support.csv"


class Command(BaseCommand):
    help = "Cluster a message file into issues (same place, same problem) and print the hottest."

    def add_arguments(self, parser):
        parser.add_argument("--input", type=Path, default=DEFAULT, help="UTF-8 CSV (default: the shipped messages)")
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--start", help="first day (YYYY-MM-DD) of the period; default: the file's first")
        parser.add_argument("--end", help="last day (YYYY-MM-DD) of the period; default: the file's last")
        parser.add_argument(
            "--similar", type=float, default=0.7, help="cosine linking two messages without a shared place"
        )
        parser.add_argument("--show", type=int, default=3, help="messages printed per issue")

    def handle(self, *args, **options):
        from rich.console import Console

        console = Console(stderr=True)
        path: Path = options["input"]
        if not path.exists():
            raise CommandError(f"--input: no file {path}")
        with console.status(f"reading {path.name}"):
            try:
                messages = hot.read_messages(path)
            except (UnicodeDecodeError, ValueError) as exc:
                raise CommandError(f"--input: {path} is not a UTF-8 message CSV ({exc})") from exc
        start = _day(options["start"], "--start")
        end = _day(options["end"], "--end")
        if start:
            messages = [m for m in messages if m.at >= start]
        if end:
            end += dt.timedelta(days=1)
            messages = [m for m in messages if m.at < end]
        with console.status(f"clustering {len(messages):,} messages"):
            issues = hot.hot_issues(messages, start=start, end=end, top=options["top"], similar=options["similar"])
        out = self.stdout
        out.write(f"{len(messages):,} messages; the {len(issues)} hottest issues (heat, messages, support, span):")
        for n, issue in enumerate(issues, start=1):
            p = issue.parts
            out.write(
                f"\n{n}. {issue.label}  heat {issue.heat}  · {p['messages']} messages · support {p['support']}"
                f" · {p['span_days']} days · {issue.first:%Y-%m-%d}–{issue.last:%Y-%m-%d} · growth ×{p['growth']}"
            )
            for m in issue.messages[: options["show"]]:
                out.write(f"   {m.id} {m.at:%Y-%m-%d} 👍{m.support:g} {m.title[:60]}")


def _day(value: str | None, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time.min)
    except ValueError as exc:
        raise CommandError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from exc
