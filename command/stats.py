"""Figures of the command centre, counted from the fact table (`command.facts`) and scoped to the user.

三率 follow `cases.assessment` exactly (same definitions, same period rule: a case belongs to the day it was
reported); the tests check both agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.utils import timezone

from cases.assessment import Rates
from cases.choices import FINAL_STATUSES, Channel, Status, Warning
from cases.models import Case, Category, Supervision
from command.models import CaseFact, covers_every_district
from core.memo import memoized
from core.scoping import ALL, territory_prefixes
from territory.models import Division, Grid

RATE_AGGREGATES = {
    "reported": Count("pk"),
    "replied_on_time": Count("pk", filter=Q(replied_on_time=True)),
    "accepted": Count("pk", filter=Q(accepted=True)),
    "resolved_confirmed": Count("pk", filter=Q(resolved_confirmed=True)),
    "rated": Count("pk", filter=Q(rating__isnull=False)),
    "satisfied": Count("pk", filter=Q(rating__gte=4)),
}
FIGURES = {
    **RATE_AGGREGATES,
    "open": Count("pk", filter=Q(is_open=True)),
    "red": Count("pk", filter=Q(is_open=True, warning=Warning.RED)),
}
CLOSING_SOON_HOURS = 24
OPEN_STATUSES = [s for s in Status.values if s not in FINAL_STATUSES]
RUNNING = [s for s in OPEN_STATUSES if s != Status.SUSPENDED]
STATES = ("all", "open", "overdue", "closed")


def facts(user: Any) -> QuerySet[CaseFact]:
    return CaseFact.objects.restrict(user)  # type: ignore[return-value]


def territory_q(user: Any, field: str) -> Q:
    """The user's territory as a filter on `field` (a territory code), for tables joined to cases; the command
    centre's permission is checked by the caller."""
    prefixes = territory_prefixes(user)
    if prefixes is ALL or covers_every_district(prefixes):
        return Q()
    if not prefixes:
        return Q(pk__in=[])
    query = Q()
    for prefix in prefixes:
        query |= Q(**{f"{field}__startswith": prefix})
    return query


@memoized
def category_names() -> dict[str, str]:
    return dict(Category.objects.values_list("code", "name"))


@memoized
def division_names() -> dict[str, str]:
    names = dict(Division.objects.values_list("code", "name"))
    names.update(Grid.objects.values_list("code", "name"))
    return names


def rates(qs: QuerySet, unit: str = "*", name: str = "") -> Rates:
    return Rates(unit=unit, name=name, **qs.aggregate(**RATE_AGGREGATES))


def rate_dict(r: Rates) -> dict[str, Any]:
    return {
        "reported": r.reported,
        "reply_rate": r.reply_rate,
        "resolution_rate": r.resolution_rate,
        "satisfaction_rate": r.satisfaction_rate,
    }


def in_days(qs: QuerySet, start: dt.date, end: dt.date) -> QuerySet:
    """Facts reported from `start` to `end`, both included (local days)."""
    return qs.filter(day__gte=start, day__lte=end)


def with_filters(qs: QuerySet, *, category: str = "", state: str = "all", channel: str = "") -> QuerySet:
    if category:
        qs = qs.filter(category_code__startswith=category)
    if channel:
        qs = qs.filter(channel=channel)
    if state == "open":
        qs = qs.filter(is_open=True)
    elif state == "overdue":
        qs = qs.filter(is_open=True, warning=Warning.RED)
    elif state == "closed":
        qs = qs.filter(status=Status.CLOSED)
    return qs


def by_level(qs: QuerySet, length: int) -> list[Rates]:
    """三率 per street (9), community (12) or grid (15) code."""
    names = division_names()
    rows = (
        qs.annotate(code_length=Length("territory_code"))
        .filter(code_length__gte=length)
        .annotate(unit=Substr("territory_code", 1, length))
        .values("unit")
        .annotate(**RATE_AGGREGATES)
        .order_by("unit")
    )
    return [Rates(name=names.get(row["unit"], row["unit"]), **row) for row in rows]


def top_categories(qs: QuerySet, depth: int = 1, limit: int = 10) -> list[dict[str, Any]]:
    length = {1: 2, 2: 4, 3: 6}[depth]
    names = category_names()
    rows = (
        qs.annotate(cat=Substr("category_code", 1, length))
        .values("cat")
        .annotate(n=Count("pk"))
        .order_by("-n", "cat")[:limit]
    )
    return [{"code": r["cat"], "name": names.get(r["cat"], r["cat"]), "n": r["n"]} for r in rows]


def daily_counts(qs: QuerySet, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    counts = dict(in_days(qs, start, end).values("day").annotate(n=Count("pk")).values_list("day", "n"))
    days = (end - start).days + 1
    return [
        {"day": (start + dt.timedelta(d)).isoformat(), "n": counts.get(start + dt.timedelta(d), 0)} for d in range(days)
    ]


@dataclass
class Overview:
    today: dt.date
    intake_today: int
    by_channel: list[dict[str, Any]]
    by_category: list[dict[str, Any]]
    open: int
    yellow: int
    red: int
    closing_soon: list[Case]
    closing_soon_count: int
    supervision_open: int
    supervision_overdue: int
    supervision_today: int
    month_rates: Rates
    trend: list[dict[str, Any]]
    streets: list[dict[str, Any]]

    def chart_data(self) -> dict[str, Any]:
        return {
            "channels": self.by_channel,
            "categories": self.by_category,
            "trend": self.trend,
            "streets": self.streets,
            "rates": rate_dict(self.month_rates),
        }


def overview(user: Any, now: dt.datetime | None = None) -> Overview:
    now = now or timezone.now()
    today = timezone.localdate(now)
    scoped = facts(user)
    todays = scoped.filter(day=today)
    channel_labels = dict(Channel.choices)
    by_channel = [
        {"code": r["channel"], "name": str(channel_labels.get(r["channel"], r["channel"])), "n": r["n"]}
        for r in todays.values("channel").annotate(n=Count("pk")).order_by("-n", "channel")
    ]
    open_by_warning = dict(
        scoped.filter(is_open=True).values("warning").annotate(n=Count("pk")).values_list("warning", "n")
    )
    cases = Case.objects.restrict(user)
    # Orders on open cases: start from the open facts (a few thousand, a partial index), not from every order
    # or every case of the territory.
    orders = Supervision.objects.filter(case_id__in=scoped.filter(is_open=True).values("case_id"))
    soon = cases.filter(
        status__in=RUNNING, resolution_due__gt=now, resolution_due__lte=now + dt.timedelta(hours=CLOSING_SOON_HOURS)
    )
    start_of_day = dt.datetime.combine(today, dt.time.min, timezone.get_current_timezone())
    return Overview(
        today=today,
        intake_today=sum(r["n"] for r in by_channel),
        by_channel=by_channel,
        by_category=top_categories(todays, depth=1, limit=12),
        open=sum(open_by_warning.values()),
        yellow=open_by_warning.get(Warning.YELLOW, 0),
        red=open_by_warning.get(Warning.RED, 0),
        closing_soon=list(
            soon.select_related("category", "holder_division", "holder_department").order_by("resolution_due")[:8]
        ),
        closing_soon_count=soon.count(),
        supervision_open=orders.count(),
        supervision_overdue=orders.filter(due__lt=now).count(),
        supervision_today=Supervision.objects.filter(issued_at__gte=start_of_day)
        .filter(territory_q(user, "case__territory_code"))
        .count(),
        month_rates=rates(in_days(scoped, today.replace(day=1), today)),
        trend=daily_counts(scoped, today - dt.timedelta(days=29), today),
        streets=open_by_street(scoped),
    )


def open_by_street(qs: QuerySet) -> list[dict[str, Any]]:
    names = division_names()
    rows = (
        qs.filter(is_open=True)
        .annotate(unit=Substr("territory_code", 1, 9))
        .values("unit")
        .annotate(n=Count("pk"), red=Count("pk", filter=Q(warning=Warning.RED)))
        .order_by("-n")
    )
    return [{"code": r["unit"], "name": names.get(r["unit"], r["unit"]), "n": r["n"], "red": r["red"]} for r in rows]


def area_figures(qs: QuerySet) -> dict[str, dict[str, Any]]:
    """Figures per grid and per community (cases placed only in a community count there, not in a grid)."""
    out: dict[str, dict[str, Any]] = {}
    for row in qs.values("territory_code").annotate(**FIGURES).order_by():
        code = row.pop("territory_code")
        for key in {code, code[:12]}:
            target = out.setdefault(key, dict.fromkeys(row, 0))
            for field, value in row.items():
                target[field] += value
    for figures in out.values():
        r = Rates(unit="", name="", **{k: figures[k] for k in RATE_AGGREGATES})
        figures.update(
            reply_rate=r.reply_rate, resolution_rate=r.resolution_rate, satisfaction_rate=r.satisfaction_rate
        )
    return out
