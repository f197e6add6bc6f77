"""以奖代补: residents earn points for valid reports and redeem them at their community (S5, seed 004).

A valid report is one that was handled and closed with the resident's confirmation (or a call-back): invalid and
merged reports earn nothing, nor do reports by staff (grid workers, departments, sensors). Points go to the mobile
number the report gave, so callers without an account earn them too; a resident's account sees the points of its
own number. Safety hazards (安全生产, 消防安全) earn a bonus: they are what grid governance most wants found.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import Channel
from cases.intake import PHONE
from cases.models import Case, PointsEntry
from core import audit
from core.actions import action

RESIDENT_CHANNELS = frozenset(
    {Channel.RESIDENT_WEB, Channel.HOTLINE, Channel.OPEN311, Channel.PETITION, Channel.LINKAGE_110}
)
HAZARD_WORDS = ("安全", "消防")


def points_for(case: Case) -> int:
    """What a closed, confirmed case earns its reporter (0 when it earns nothing)."""
    if case.master_id or case.channel not in RESIDENT_CHANNELS or not _phone_of(case):
        return 0
    bonus = (
        settings.POINTS_HAZARD_BONUS if any(w in c.name for c in case.category.lineage() for w in HAZARD_WORDS) else 0
    )
    return settings.POINTS_PER_VALID_REPORT + bonus


def _phone_of(case: Case) -> str:
    return case.reporter_phone or (case.reporter.phone if case.reporter_id and case.reporter else "")


def award(case: Case, *, acting_user: Any) -> PointsEntry | None:
    """Inside the confirming action: credit the reporter once per case."""
    points = points_for(case)
    if not points or PointsEntry.objects.filter(case=case, kind=PointsEntry.Kind.AWARD).exists():
        return None
    entry = PointsEntry.objects.create(
        phone=_phone_of(case),
        resident=case.reporter,
        kind=PointsEntry.Kind.AWARD,
        points=points,
        case=case,
        reason=f"有效反映 {case.tracking_no}（{case.category}）",
        territory_code=case.territory_code,
        at=timezone.now(),
        by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    audit.record("cases.award_points", actor=acting_user, obj=entry, after=audit.snapshot(entry))
    return entry


def entries_of(phone: str = "", resident: Any = None):
    """The ledger of one number (and, for an account, entries credited to it)."""
    condition = Q(phone=phone) if phone else Q(pk__in=[])
    if resident is not None:
        condition |= Q(resident=resident)
    return PointsEntry.objects.filter(condition)


def balance(phone: str = "", resident: Any = None) -> int:
    return entries_of(phone, resident).aggregate(total=Sum("points"))["total"] or 0


@action
def do_redeem_points(phone: str, points: int, reason: str, *, acting_user: Any) -> PointsEntry:
    """A resident exchanges points at the community (for daily goods, services…); never below zero."""
    problems = {}
    phone = (phone or "").strip()
    if not PHONE.match(phone):
        problems["phone"] = _("an 11-digit mainland mobile number, e.g. 13812345678")
    if not isinstance(points, int) or points <= 0:
        problems["points"] = _("a whole number of points above 0")
    if not (reason or "").strip():
        problems["reason"] = _("say what the points were exchanged for")
    if problems:
        raise ValidationError(problems)
    # Lock the number's entries so two redemptions at once cannot overdraw (SQLite's IMMEDIATE already serialises).
    list(PointsEntry.objects.select_for_update().filter(phone=phone).values_list("id", flat=True))
    available = balance(phone)
    if points > available:
        raise ValidationError(
            {
                "points": _("the balance of %(phone)s is %(available)s, not %(points)s")
                % {
                    "phone": f"{phone[:3]}****{phone[-4:]}",
                    "available": available,
                    "points": points,
                }
            }
        )
    territory = acting_user.division.code if getattr(acting_user, "division", None) else ""
    entry = PointsEntry.objects.create(
        phone=phone,
        kind=PointsEntry.Kind.REDEEM,
        points=-points,
        reason=reason.strip()[:200],
        territory_code=territory,
        at=timezone.now(),
        by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    audit.record("cases.redeem_points", actor=acting_user, obj=entry, after=audit.snapshot(entry))
    return entry
