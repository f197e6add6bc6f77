"""亮诺/亮绩: at the start of a year a unit states its commitments with target 三率 (亮诺); at year end its
results are recorded from the year's cases (亮绩) and set against the targets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import assessment
from cases.models import Case, CaseUnit, Commitment
from core import audit
from core.actions import action
from territory.models import Department, Division

RESULTS_FROM_MONTH = 12  # results can be recorded from December of the year on (the year-end review)


def unit_cases(unit: Division | Department) -> QuerySet:
    if isinstance(unit, Department):
        return Case.objects.filter(
            pk__in=CaseUnit.objects.filter(department=unit, role=CaseUnit.Role.LEAD).values("case_id")
        )
    return Case.objects.filter(territory_code__startswith=unit.code)


def year_rates(unit: Division | Department, year: int) -> assessment.Rates:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
    return assessment.total(assessment.in_period(unit_cases(unit), start, end))


def _territory_of(unit: Division | Department) -> str:
    return unit.division.code if isinstance(unit, Department) else unit.code


def _check_target(problems: dict[str, str], name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems[name] = _("a share between 0 and 1 (e.g. 0.95)")
        return 0.0
    if not 0 <= number <= 1:
        problems[name] = _("a share between 0 and 1 (e.g. 0.95), got %(number)s") % {"number": number}
    return number


def may_manage(user: Any, unit: Division | Department) -> bool:
    """Command centres record commitments for their own unit and those below it; departments need the district."""
    if not getattr(user, "is_authenticated", False):
        return True  # commands and the system
    if not user.has_perm("cases.add_commitment"):
        return False
    prefixes = user.territory_prefixes()
    return prefixes is None or any(_territory_of(unit).startswith(prefix) for prefix in prefixes)


@action
def do_make_commitment(
    unit: Division | Department,
    *,
    year: int,
    pledge: str,
    reply_target: Any,
    resolution_target: Any,
    satisfaction_target: Any,
    acting_user: Any,
) -> Commitment:
    if not may_manage(acting_user, unit):
        raise PermissionDenied(f"{acting_user} may not record commitments for {unit}")
    problems: dict[str, str] = {}
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not this_year - 1 <= year <= this_year + 1:
        problems["year"] = _("a year from %(first)s to %(last)s") % {"first": this_year - 1, "last": this_year + 1}
    if not (pledge or "").strip():
        problems["pledge"] = _("write the unit's commitments")
    targets = {
        name: _check_target(problems, name, value)
        for name, value in (
            ("reply_target", reply_target),
            ("resolution_target", resolution_target),
            ("satisfaction_target", satisfaction_target),
        )
    }
    if isinstance(unit, Division) and unit.level not in ("district", "street", "community"):
        problems["unit"] = _("%(unit)s is not a district, street or community") % {"unit": unit}
    key = {"department": unit} if isinstance(unit, Department) else {"division": unit}
    if not problems and Commitment.objects.filter(year=year, **key).exists():
        problems["year"] = _("%(unit)s already has commitments for %(year)s") % {"unit": unit, "year": year}
    if problems:
        raise ValidationError(problems)
    commitment = Commitment.objects.create(
        year=year,
        territory_code=_territory_of(unit),
        pledge=pledge.strip(),
        made_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        made_at=timezone.now(),
        **key,
        **targets,
    )
    audit.record("cases.make_commitment", actor=acting_user, obj=commitment, after=audit.snapshot(commitment))
    return commitment


@action
def do_record_results(commitment: Commitment, *, note: str, acting_user: Any) -> Commitment:
    """亮绩: the year's 三率 of the unit, computed from its cases, stored beside the targets."""
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    unit = commitment.unit
    if not may_manage(acting_user, unit):
        raise PermissionDenied(f"{acting_user} may not record results for {unit}")
    today = timezone.localdate()
    if (today.year, today.month) < (commitment.year, RESULTS_FROM_MONTH):
        raise ValidationError(
            {"year": _("results for %(year)s can be recorded from December %(year)s") % {"year": commitment.year}}
        )
    if not (note or "").strip():
        raise ValidationError({"note": _("sum up the year's results")})
    before = audit.snapshot(commitment)
    rates = year_rates(unit, commitment.year)
    commitment.reported = rates.reported
    commitment.reply_rate = rates.reply_rate
    commitment.resolution_rate = rates.resolution_rate
    commitment.satisfaction_rate = rates.satisfaction_rate
    commitment.results_note = note.strip()
    commitment.results_at = timezone.now()
    commitment.save()
    audit.record(
        "cases.record_results", actor=acting_user, obj=commitment, before=before, after=audit.snapshot(commitment)
    )
    return commitment
