"""Work the clock hands to the worker because it takes seconds to minutes (it would hold up the deadline sweep)."""

from __future__ import annotations

from django_tasks import task


@task()
def monthly_reports() -> list[str]:
    from command.report import generate_due_reports

    return [f"{r.scope_code} {r.month:%Y-%m}" for r in generate_due_reports()]


@task()
def forecasts() -> int:
    from command.snapshots import refresh_forecasts

    return refresh_forecasts()
