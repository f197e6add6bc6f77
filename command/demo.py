"""Demo data of the command centre, called by `seed_demo` after the case history: the fact table, a morning of
patrol check-ins by grid workers, the forecasts and the monthly reports of the last two months."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone

from cases.models import Case
from command import facts
from command.models import CaseFact, MonthlyReport, StaffCheckIn
from command.report import do_generate_monthly_report, previous_month, shift_months
from core import audit
from territory.models import Division, GridAssignment

PATROLLING_SHARE = 0.3
ACTOR = "seed_demo"


def seed_command(
    district: Division, *, seed: int = 0, progress: Callable[[str, int], Callable[[], None]] | None = None
) -> None:
    if CaseFact.objects.count() != Case.objects.count():
        facts.rebuild()
    else:
        facts.refresh()
    seed_patrols(district, seed=seed)
    if CaseFact.objects.filter(territory_code__startswith=district.code).exists():
        from command.snapshots import refresh_forecasts

        refresh_forecasts()
        last = previous_month(timezone.localdate())
        months = [shift_months(last, -1), last]
        step = progress("monthly reports", len(months)) if progress else None
        for month in months:
            if not MonthlyReport.objects.filter(month=month, scope_code=district.code).exists():
                do_generate_monthly_report(month, district, acting_user=ACTOR)
            if step:
                step()


@transaction.atomic
def seed_patrols(district: Division, *, seed: int = 0, now: dt.datetime | None = None) -> int:
    """This morning's patrol of about a third of the grid workers: a walk through their grid every 10 minutes."""
    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=8, minute=30, second=0, microsecond=0)
    if now <= start or StaffCheckIn.objects.filter(at__gte=start, territory_code__startswith=district.code).exists():
        return 0
    rng = np.random.default_rng(seed)
    duties = list(
        GridAssignment.objects.filter(grid__code__startswith=district.code, end_date__isnull=True, role="full_time")
        .select_related("user", "grid")
        .order_by("grid__code")
    )
    rows: list[StaffCheckIn] = []
    for duty in duties:
        if rng.random() > PATROLLING_SHARE or not duty.grid.geometry:
            continue
        polygon = shapely.geometry.shape(duty.grid.geometry)
        rows += _walk(duty, polygon, start, min(now, start + dt.timedelta(hours=3)), rng)
    StaffCheckIn.objects.bulk_create(rows, batch_size=1000)
    audit.record(
        "command.seed_patrols",
        actor=ACTOR,
        object_type="command.staffcheckin",
        object_id="*",
        after={"check_ins": len(rows), "workers": len({r.user_id for r in rows}), "from": start.isoformat()},
    )
    return len(rows)


def _walk(
    duty: Any, polygon: Any, start: dt.datetime, end: dt.datetime, rng: np.random.Generator
) -> list[StaffCheckIn]:
    minx, miny, maxx, maxy = polygon.bounds
    point = polygon.representative_point()
    x, y = point.x, point.y
    step = max(maxx - minx, maxy - miny) / 12
    at = start + dt.timedelta(minutes=float(rng.uniform(0, 40)))
    out = []
    while at < end:
        out.append(
            StaffCheckIn(
                user=duty.user,
                at=at,
                lon=round(x, 6),
                lat=round(y, 6),
                accuracy_m=float(rng.uniform(5, 30)),
                kind=StaffCheckIn.Kind.PATROL,
                grid_code=duty.grid.code,
                territory_code=duty.grid.code,
            )
        )
        for _ in range(10):
            nx, ny = x + rng.normal(0, step), y + rng.normal(0, step)
            if polygon.contains(shapely.Point(nx, ny)):
                x, y = nx, ny
                break
        at += dt.timedelta(minutes=float(rng.uniform(8, 14)))
    return out
