"""The monthly statistics tables and analysis report (每月自动生成, `004`) of a district, street or community.

`month_figures` counts everything from the fact table (and 三率 by department through `cases.assessment`);
`command.documents` writes the .docx (Chinese, with charts drawn by `command.charts`) and the .xlsx; the action
stores both with their SHA-256. The clock generates the district's report for the month before on the 1st (or
at its first run after it); anyone with the permission can generate one for a month and territory of theirs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import assessment
from cases.assessment import Rates
from cases.choices import Channel, Status
from cases.models import Case
from command import stats
from command.hotspots import SpaceResult, Spike, space_hotspots, time_hotspots
from command.models import CaseFact, MonthlyReport
from command.problems import ProblemReport, common_problems
from core import audit
from core.actions import action
from territory.models import Division

CHILD_LEVEL = {"district": 9, "street": 12, "community": 15}
CHILD_LABEL = {"district": "街道（乡镇）", "street": "社区（村）", "community": "网格"}
REPORT_PROBLEM_DAYS = 7  # common problems of the month's last week: what the next month's work starts from


def previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return ((month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)) - dt.timedelta(days=1)


def shift_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class MonthFigures:
    scope: Division
    month: dt.date
    end: dt.date
    rates: Rates
    previous: Rates
    last_year: Rates
    closed: int
    on_spot: int
    open_at_end: int
    overdue_open: int
    children: list[Rates]
    child_label: str
    departments: list[Rates]
    categories: list[dict[str, Any]]
    leaf_categories: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    daily: list[dict[str, Any]]
    daily_previous: list[dict[str, Any]]
    months: list[dict[str, Any]]
    hotspots: SpaceResult
    spikes: list[Spike]
    problems: ProblemReport
    typical: list[dict[str, Any]]
    forecast: dict[str, Any]
    grid_counts: dict[str, int] = field(default_factory=dict)

    @property
    def reported(self) -> int:
        return self.rates.reported

    @staticmethod
    def change(now: int, before: int) -> float | None:
        return round((now - before) / before, 4) if before else None

    @property
    def mom(self) -> float | None:
        return self.change(self.rates.reported, self.previous.reported)

    @property
    def yoy(self) -> float | None:
        return self.change(self.rates.reported, self.last_year.reported)

    def headline(self) -> dict[str, Any]:
        return {
            "reported": self.rates.reported,
            "closed": self.closed,
            "mom": self.mom,
            "yoy": self.yoy,
            "reply_rate": self.rates.reply_rate,
            "resolution_rate": self.rates.resolution_rate,
            "satisfaction_rate": self.rates.satisfaction_rate,
        }


def scope_facts(scope: Division):
    return CaseFact.objects.filter(territory_code__startswith=scope.code)


def month_figures(scope: Division, month: dt.date) -> MonthFigures:
    from command import forecast

    month = month.replace(day=1)
    end = month_end(month)
    facts = scope_facts(scope)
    current = stats.in_days(facts, month, end)
    prev_month = shift_months(month, -1)
    year_ago = shift_months(month, -12)
    cases = Case.objects.filter(id__in=current.values("case_id"))
    length = CHILD_LEVEL[scope.level]
    status = current.aggregate(
        closed=Count("pk", filter=Q(status=Status.CLOSED)),
        open_at_end=Count("pk", filter=Q(is_open=True)),
        overdue=Count("pk", filter=Q(is_open=True, warning="red")),
    )
    on_spot = cases.filter(resolved_on_spot=True).count()
    channel_names = dict(Channel.choices)
    return MonthFigures(
        scope=scope,
        month=month,
        end=end,
        rates=stats.rates(current, scope.code, scope.name),
        previous=stats.rates(stats.in_days(facts, prev_month, month_end(prev_month))),
        last_year=stats.rates(stats.in_days(facts, year_ago, month_end(year_ago))),
        closed=status["closed"],
        on_spot=on_spot,
        open_at_end=status["open_at_end"],
        overdue_open=status["overdue"],
        children=sorted(stats.by_level(current, length), key=lambda r: (-r.score, r.unit)),
        child_label=CHILD_LABEL[scope.level],
        departments=sorted(assessment.by_department(cases), key=lambda r: (-r.score, r.unit)),
        categories=_with_change(stats.top_categories(current, 1, 20), facts, prev_month, 1),
        leaf_categories=_with_change(stats.top_categories(current, 3, 10), facts, prev_month, 3),
        channels=[
            {"name": str(channel_names.get(r["channel"], r["channel"])), "n": r["n"]}
            for r in current.values("channel").annotate(n=Count("pk")).order_by("-n")
        ],
        daily=stats.daily_counts(facts, month, end),
        daily_previous=stats.daily_counts(facts, prev_month, month_end(prev_month)),
        months=[
            {"month": f"{m:%Y-%m}", "n": stats.in_days(facts, m, month_end(m)).count()}
            for m in (shift_months(month, -i) for i in range(12, -1, -1))
        ],
        hotspots=space_hotspots(facts, end=end, window_days=(end - month).days + 1),
        spikes=[s for s in time_hotspots(facts, end=end) if s.span == "week" or s.day >= month][:15],
        problems=common_problems(Case.objects.all(), facts, end - dt.timedelta(days=REPORT_PROBLEM_DAYS - 1), end, 10),
        typical=_typical(cases),
        forecast=forecast.build(facts, end),
        grid_counts=dict(
            current.exclude(grid_code="").values("grid_code").annotate(n=Count("pk")).values_list("grid_code", "n")
        ),
    )


def _with_change(rows: list[dict[str, Any]], facts, prev_month: dt.date, depth: int) -> list[dict[str, Any]]:
    length = {1: 2, 3: 6}[depth]
    before = {
        r["code"]: r["n"]
        for r in stats.top_categories(stats.in_days(facts, prev_month, month_end(prev_month)), depth, 500)
    }
    for row in rows:
        row["previous"] = before.get(row["code"][:length], 0)
        row["mom"] = MonthFigures.change(row["n"], row["previous"])
    return rows


def _typical(cases) -> list[dict[str, Any]]:
    """Closed cases of the month rated 5 with a reply: one per category of the busiest, quickest first."""
    rows = (
        cases.filter(status=Status.CLOSED, rating=5)
        .exclude(reply="")
        .select_related("category", "holder_division", "holder_department")
        .order_by("category__code", "closed_at")
    )
    seen: dict[str, dict[str, Any]] = {}
    for case in rows[:3000]:
        if case.category.code in seen:
            continue
        seen[case.category.code] = {
            "tracking_no": case.tracking_no,
            "category": case.category.name,
            "description": case.description,
            "reply": case.reply,
            "unit": str(case.holder or ""),
            "hours": round(((case.closed_at or case.created_at) - case.created_at).total_seconds() / 3600, 1),
        }
    return list(seen.values())[:8]


# -- the action ----------------------------------------------------------------------------------------------
@action
def do_generate_monthly_report(month: dt.date, scope: Division, *, acting_user: Any) -> MonthlyReport:
    from command.documents import write_docx, write_xlsx

    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise ValidationError({"month": _("%(month)s has not begun") % {"month": f"{month:%Y-%m}"}})
    if scope.level not in CHILD_LEVEL:
        raise ValidationError({"scope": _("a report covers a district, a street or a community")})
    started = time.perf_counter()
    with translation.override("zh-hans"):  # the report is in Chinese whatever the language of the request
        figures = month_figures(scope, month)
        docx, xlsx = write_docx(figures), write_xlsx(figures)
    stem = f"{scope.code}-{month:%Y-%m}-{timezone.now():%Y%m%d%H%M%S}"
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    report = MonthlyReport(
        month=month,
        scope_code=scope.code,
        scope_name=scope.name,
        generated_at=timezone.now(),
        generated_by=user,
        generated_label=str(acting_user),
        docx_sha256=hashlib.sha256(docx).hexdigest(),
        xlsx_sha256=hashlib.sha256(xlsx).hexdigest(),
        seconds=0,
        figures=figures.headline(),
    )
    report.docx.save(f"{stem}.docx", ContentFile(docx), save=False)
    report.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
    report.seconds = round(time.perf_counter() - started, 2)
    report.save()
    audit.record(
        "command.generate_monthly_report",
        actor=acting_user,
        obj=report,
        after=audit.snapshot(report, ["month", "scope_code", "docx_sha256", "xlsx_sha256", "figures"]),
    )
    return report


def generate_due_reports(today: dt.date | None = None) -> list[MonthlyReport]:
    """The clock's job: each district's report of the month before, once (catches up after downtime)."""
    month = previous_month(today or timezone.localdate())
    made = []
    for district in Division.objects.filter(level="district"):
        if not MonthlyReport.objects.filter(month=month, scope_code=district.code).exists():
            if CaseFact.objects.filter(territory_code__startswith=district.code).exists():
                made.append(do_generate_monthly_report(month, district, acting_user="clock"))
    return made
