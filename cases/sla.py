"""Deadlines: calendar time, or working time on the work calendar (Monday–Friday, public holidays off, make-up
working days on (调休) from `CalendarDay`). Working hours of a day come from settings.WORKDAY_SPANS."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from cases.choices import Level
from cases.models import CalendarDay, Category, SlaPolicy
from core.memo import memoized

MAX_DAYS = 800  # a deadline further than this many days away is a configuration mistake, not a calendar walk


@dataclass(frozen=True)
class Deadlines:
    response_due: dt.datetime
    resolution_due: dt.datetime
    warn_at: dt.datetime
    working_time: bool


def policy_for(category: Category, level: str) -> SlaPolicy:
    """The most specific policy: category lineage (nearest first) × exact level, then any level; else defaults."""
    policies = all_policies()
    for node in [*category.lineage(), None]:
        node_id = node.pk if node else None
        for lvl in (level, ""):
            if (node_id, lvl) in policies:
                return policies[(node_id, lvl)]
    return SlaPolicy(response_hours=settings.SLA_RESPONSE_HOURS, resolution_hours=settings.SLA_RESOLUTION_HOURS)


@memoized
def all_policies() -> dict[tuple[int | None, str], SlaPolicy]:
    return {(p.category_id, p.level): p for p in SlaPolicy.objects.all()}


def deadlines(category: Category, level: str, start: dt.datetime) -> Deadlines:
    policy = policy_for(category, level if level else Level.COMMUNITY)
    response = add_time(start, policy.response_hours, policy.working_time)
    resolution = add_time(start, policy.resolution_hours, policy.working_time)
    warn = add_time(start, policy.resolution_hours * policy.warning_fraction, policy.working_time)
    return Deadlines(response, resolution, warn, policy.working_time)


@lru_cache(maxsize=1)
def _spans() -> tuple[tuple[dt.time, dt.time], ...]:
    spans = []
    for part in settings.WORKDAY_SPANS.split(","):
        start, end = (dt.time.fromisoformat(v.strip()) for v in part.split("-"))
        spans.append((start, end))
    return tuple(spans)


def _exceptions(first: dt.date, last: dt.date) -> dict[dt.date, bool]:
    rows = CalendarDay.objects.filter(date__gte=first, date__lte=last).values_list("date", "is_workday")
    return dict(rows)


def is_workday(day: dt.date, exceptions: dict[dt.date, bool]) -> bool:
    return exceptions.get(day, day.weekday() < 5)


def add_time(start: dt.datetime, hours: float, working_time: bool) -> dt.datetime:
    if not working_time:
        return start + dt.timedelta(hours=hours)
    tz = timezone.get_current_timezone()
    local = timezone.localtime(start, tz)
    remaining = dt.timedelta(hours=hours)
    exceptions = _exceptions(local.date(), local.date() + dt.timedelta(days=MAX_DAYS))
    day = local.date()
    for _ in range(MAX_DAYS):
        if is_workday(day, exceptions):
            for span_start, span_end in _spans():
                begin = max(dt.datetime.combine(day, span_start, tz), local)
                end = dt.datetime.combine(day, span_end, tz)
                if begin >= end:
                    continue
                if end - begin >= remaining:
                    return begin + remaining
                remaining -= end - begin
        day += dt.timedelta(days=1)
    raise ValueError(f"{hours} working hours do not fit in {MAX_DAYS} days of the calendar")


def working_between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Working time between two instants (used to extend deadlines after a pause)."""
    if end <= start:
        return dt.timedelta(0)
    tz = timezone.get_current_timezone()
    a, b = timezone.localtime(start, tz), timezone.localtime(end, tz)
    exceptions = _exceptions(a.date(), b.date())
    total, day = dt.timedelta(0), a.date()
    while day <= b.date():
        if is_workday(day, exceptions):
            for span_start, span_end in _spans():
                lo = max(dt.datetime.combine(day, span_start, tz), a)
                hi = min(dt.datetime.combine(day, span_end, tz), b)
                if hi > lo:
                    total += hi - lo
        day += dt.timedelta(days=1)
    return total
