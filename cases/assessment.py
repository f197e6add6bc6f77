"""三率 assessment (S5): reply, resolution and satisfaction rates for any period and any unit.

- reply rate = cases whose first response (签收/答复/派遣) came within the response deadline set at intake
  ÷ cases that had a response deadline in the period;
- resolution rate = cases resolved and confirmed, by the resident or by a hotline call-back (回访)
  ÷ cases accepted (not merged, not invalid);
- satisfaction rate = ratings of 4 or 5 (satisfied, basically satisfied) ÷ cases rated.
A case belongs to the period in which it was reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _

from cases.choices import Status
from cases.models import CaseUnit

DEFINITIONS = {
    "reply": _(
        "Cases first answered (accepted, replied or dispatched) within the response deadline set at intake, "
        "out of all cases reported in the period."
    ),
    "resolution": _(
        "Cases resolved and confirmed by the resident or by a call-back, out of the cases accepted "
        "(merged and invalid cases are not counted)."
    ),
    "satisfaction": _("Ratings of 4 or 5 stars (satisfied or basically satisfied), out of all rated cases."),
}
LEVEL_LENGTH = {"street": 9, "community": 12, "grid": 15}


@dataclass
class Rates:
    unit: str
    name: str
    reported: int
    replied_on_time: int
    accepted: int
    resolved_confirmed: int
    rated: int
    satisfied: int

    @staticmethod
    def _ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    @property
    def reply_rate(self) -> float | None:
        return self._ratio(self.replied_on_time, self.reported)

    @property
    def resolution_rate(self) -> float | None:
        return self._ratio(self.resolved_confirmed, self.accepted)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._ratio(self.satisfied, self.rated)

    @property
    def score(self) -> float:
        """For ranking: the mean of the three rates (a missing rate counts as 0)."""
        return round(sum(r or 0 for r in (self.reply_rate, self.resolution_rate, self.satisfaction_rate)) / 3, 4)


AGGREGATES = {
    "reported": Count("id"),
    "replied_on_time": Count("id", filter=Q(responded_at__isnull=False, responded_at__lte=F("first_response_due"))),
    "accepted": Count("id", filter=~Q(status__in=[Status.MERGED, Status.INVALID])),
    "resolved_confirmed": Count("id", filter=Q(status=Status.CLOSED, resident_confirmed=True)),
    "rated": Count("id", filter=Q(rating__isnull=False)),
    "satisfied": Count("id", filter=Q(rating__gte=4)),
}


def in_period(cases: QuerySet, start: dt.datetime, end: dt.datetime) -> QuerySet:
    return cases.filter(created_at__gte=start, created_at__lt=end)


def by_territory(cases: QuerySet, level: str, names: dict[str, str]) -> list[Rates]:
    length = LEVEL_LENGTH[level]
    rows = (
        cases.annotate(code_length=Length("territory_code"))
        .filter(code_length__gte=length)
        .annotate(unit=Substr("territory_code", 1, length))
        .values("unit")
        .annotate(**AGGREGATES)
        .order_by("unit")
    )
    return [Rates(name=names.get(row["unit"], row["unit"]), **row) for row in rows]


def by_department(cases: QuerySet) -> list[Rates]:
    rows = (
        CaseUnit.objects.filter(case__in=cases, role=CaseUnit.Role.LEAD, department__isnull=False)
        .values("department__code", "department__name")
        .annotate(**{k: _through_case(v) for k, v in AGGREGATES.items()})
        .order_by("department__code")
    )
    return [Rates(unit=row.pop("department__code"), name=row.pop("department__name"), **row) for row in rows]


def _through_case(aggregate: Count) -> Count:
    """The same count, seen from a CaseUnit row (fields prefixed with case__, counting distinct cases)."""
    condition = aggregate.filter
    return Count("case_id", distinct=True, filter=_prefix(condition) if condition is not None else None)


def _prefix(node: Any) -> Any:
    if isinstance(node, Q):
        clone = Q(*[_prefix(child) for child in node.children], _connector=node.connector, _negated=node.negated)
        return clone
    key, value = node
    if isinstance(value, F):
        value = F(f"case__{value.name}")
    return (f"case__{key}", value)


def total(cases: QuerySet) -> Rates:
    row = cases.aggregate(**AGGREGATES)
    return Rates(unit="*", name=str(_("All")), **row)


def by_grid_worker(cases: QuerySet, grid_rates: list[Rates]) -> list[Rates]:
    """A grid worker answers for the grids they work on now (专职 and 兼职), summed."""
    from territory.models import GridAssignment

    by_grid = {r.unit: r for r in grid_rates}
    people: dict[int, Rates] = {}
    duties = GridAssignment.objects.filter(
        end_date__isnull=True, role__in=["full_time", "part_time"], grid__code__in=list(by_grid)
    ).select_related("user", "grid")
    for duty in duties:
        grid = by_grid[duty.grid.code]
        person = people.setdefault(
            duty.user_id,
            Rates(
                unit=duty.user.username,
                name=str(duty.user),
                reported=0,
                replied_on_time=0,
                accepted=0,
                resolved_confirmed=0,
                rated=0,
                satisfied=0,
            ),
        )
        for field in ("reported", "replied_on_time", "accepted", "resolved_confirmed", "rated", "satisfied"):
            setattr(person, field, getattr(person, field) + getattr(grid, field))
    return list(people.values())
