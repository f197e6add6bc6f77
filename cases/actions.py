"""Every change to a case after intake. Each `do_*` locks the case row, checks the transition table and who may
act, applies the change, and writes one CaseEvent and one audit entry, all in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from cases import rewards, sla, workflow
from cases.choices import NEXT_LEVEL, Level, Status, Warning
from cases.intake import holder_label
from cases.models import Case, CaseEvent, CaseUnit, Supervision
from core import audit
from core.actions import action
from notify import service as notify
from territory.models import Department

ANY_HOLDER_ACTIONS = {
    "accept",
    "start",
    "escalate",
    "dispatch",
    "return",
    "suspend",
    "resume",
    "reply",
    "resolve",
    "invalidate",
    "merge",
}
RESIDENT_ACTIONS = {"confirm", "reject"}


def is_user(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def may_act(user: Any, case: Case, name: str) -> bool:
    """Who may take `name` on `case`: the unit holding it (grid workers for their grids' community-level cases),
    the reporter or a hotline agent for confirmation, administrators always."""
    if not is_user(user):
        return True  # the clock and commands act as the system
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return True
    if name in RESIDENT_ACTIONS:
        return case.reporter_id == user.pk or user.role == Role.HOTLINE_AGENT
    if case.holder_department_id:
        return user.role == Role.DEPARTMENT_HANDLER and user.department_id == case.holder_department_id
    if user.role in (Role.GRID_WORKER, Role.GRID_LEADER):
        return case.level == Level.COMMUNITY and case.grid is not None and case.grid.code in user.current_grid_codes()
    return user.role in (Role.COMMUNITY_STAFF, Role.STREET_COMMAND, Role.DISTRICT_COMMAND) and (
        user.division_id == case.holder_division_id
    )


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "grid", "holder_division__parent")
        .get(pk=case.pk)
    )


def _apply(case: Case, name: str, *, actor: Any, note: str = "", data: dict | None = None, **changes: Any) -> Case:
    """Lock, check, change, log. Returns the updated case."""
    case = _locked(case)
    if not may_act(actor, case, name):
        raise PermissionDenied(f"{actor} may not {name} case {case.tracking_no}")
    to_status = workflow.target(name, case.status)
    before = audit.snapshot(case)
    from_status = case.status
    for key, value in changes.items():
        setattr(case, key, value)
    case.status = to_status
    case.save()
    CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        actor=actor if is_user(actor) else None,
        actor_label=str(actor),
        action=name,
        from_status=from_status,
        to_status=to_status,
        holder_label=holder_label(case),
        note=note,
        data=data or {},
    )
    audit.record(f"cases.{name}", actor=actor, obj=case, before=before, after=audit.snapshot(case))
    notify.case_event(case, name, note=note)
    return case


def _log_step(
    case: Case,
    name: str,
    *,
    actor: Any,
    note: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
    holder: str | None = None,
) -> CaseEvent:
    """The case log entry of a step that leaves the status as it is (co-reply, 督办, recategorisation, ...)."""
    return CaseEvent.objects.create(
        case=case,
        at=at or timezone.now(),
        actor=actor if is_user(actor) else None,
        actor_label=str(actor),
        action=name,
        from_status=case.status,
        to_status=case.status,
        holder_label=holder_label(case) if holder is None else holder,
        note=note,
        data=data or {},
    )


def _first_response(case: Case, now: dt.datetime) -> dict[str, Any]:
    if case.responded_at is not None:
        return {}
    return {"responded_at": now}


def _new_holder_deadline(case: Case, level: str, now: dt.datetime) -> dict[str, Any]:
    """A new holder gets its own response clock; the resolution deadline of the case stands."""
    due = sla.deadlines(case.category, level, now)
    return {"response_due": due.response_due}


@action
def do_accept(case: Case, *, acting_user: Any, note: str = "") -> Case:
    now = timezone.now()
    return _apply(case, "accept", actor=acting_user, note=note, **_first_response(case, now))


@action
def do_start(case: Case, *, acting_user: Any, note: str = "") -> Case:
    return _apply(case, "start", actor=acting_user, note=note)


def escalate(case: Case, *, acting_user: Any, reason: str) -> Case:
    current = _locked(case)
    nxt = NEXT_LEVEL.get(Level(current.level)) if current.level in NEXT_LEVEL else None
    if nxt is None or current.holder_division is None or current.holder_division.parent is None:
        raise ValidationError(
            {"level": _("a case held at %(level)s cannot be passed further up") % {"level": current.level}}
        )
    now = timezone.now()
    parent = current.holder_division.parent
    changes = {
        "level": nxt,
        "holder_division": parent,
        "holder_department": None,
        "escalation_count": current.escalation_count + 1,
        **_new_holder_deadline(current, nxt, now),
    }
    CaseUnit.objects.filter(case=current, role=CaseUnit.Role.LEAD, active=True).update(active=False)
    CaseUnit.objects.create(case=current, division=parent, role=CaseUnit.Role.LEAD)
    return _apply(current, "escalate", actor=acting_user, note=reason, data={"to": parent.code}, **changes)


@action
def do_escalate(case: Case, *, acting_user: Any, reason: str) -> Case:
    if not reason.strip():
        raise ValidationError({"reason": _("say why the case goes up a level")})
    return escalate(case, acting_user=acting_user, reason=reason)


@action
def do_dispatch(
    case: Case,
    department: Department,
    *,
    co_departments: list[Department] = (),  # type: ignore[assignment]
    acting_user: Any,
    note: str = "",
) -> Case:
    """A street or district sends the case to a department (主办), optionally with co-handlers (协办)."""
    current = _locked(case)
    if current.level not in (Level.STREET, Level.DISTRICT):
        raise ValidationError({"department": _("only a street or the district dispatches to departments")})
    now = timezone.now()
    CaseUnit.objects.filter(case=current, role=CaseUnit.Role.LEAD, active=True).update(active=False)
    CaseUnit.objects.create(case=current, department=department, role=CaseUnit.Role.LEAD)
    for co in co_departments:
        if co != department:
            CaseUnit.objects.create(case=current, department=co, role=CaseUnit.Role.CO)
    changes = {
        "dispatcher": current.holder_division,
        "holder_division": None,
        "holder_department": department,
        "level": Level.DEPARTMENT,
        **_new_holder_deadline(current, Level.DEPARTMENT, now),
        **_first_response(current, now),
    }
    return _apply(
        current,
        "dispatch",
        actor=acting_user,
        note=note,
        data={"department": department.code, "co": [c.code for c in co_departments]},
        **changes,
    )


@action
def do_return(case: Case, *, acting_user: Any, reason: str) -> Case:
    """退单: a department gives the case back to whoever dispatched it, with a reason."""
    current = _locked(case)
    if not reason.strip():
        raise ValidationError({"reason": _("a returned case needs the reason")})
    if current.holder_department is None or current.dispatcher is None:
        raise ValidationError({"status": _("only a case dispatched to a department can be returned")})
    dispatcher = current.dispatcher
    level = (
        Level.STREET
        if dispatcher.level == "street"
        else Level.DISTRICT
        if dispatcher.level == "district"
        else (Level.COMMUNITY)
    )
    CaseUnit.objects.filter(case=current, department=current.holder_department, active=True).update(active=False)
    CaseUnit.objects.create(case=current, division=dispatcher, role=CaseUnit.Role.LEAD)
    changes = {
        "holder_department": None,
        "holder_division": dispatcher,
        "level": level,
        "return_count": current.return_count + 1,
        **_new_holder_deadline(current, level, timezone.now()),
    }
    return _apply(current, "return", actor=acting_user, note=reason, **changes)


@action
def do_suspend(case: Case, *, acting_user: Any, reason: str) -> Case:
    """Waiting for the resident: the clocks stop until the case resumes."""
    return _apply(case, "suspend", actor=acting_user, note=reason, paused_at=timezone.now())


@action
def do_resume(case: Case, *, acting_user: Any, note: str = "") -> Case:
    current = _locked(case)
    now = timezone.now()
    paused = (
        (sla.working_between(current.paused_at, now) if current.working_time else now - current.paused_at)
        if (current.paused_at)
        else dt.timedelta(0)
    )
    shift = {
        name: getattr(current, name) + paused
        for name in ("response_due", "resolution_due", "warn_at")
        if getattr(current, name) is not None
    }
    return _apply(
        current,
        "resume",
        actor=acting_user,
        note=note,
        paused_at=None,
        **shift,
        data={"paused_seconds": int(paused.total_seconds())},
    )


@action
def do_reply(case: Case, text: str, *, acting_user: Any) -> Case:
    if not text.strip():
        raise ValidationError({"reply": _("write the reply to the resident")})
    now = timezone.now()
    current = _locked(case)
    _mark_unit_replied(current, acting_user, text, now)
    _answer_supervisions(current, now)
    return _apply(
        current,
        "reply",
        actor=acting_user,
        note=text,
        reply=text.strip(),
        replied_at=now,
        **_first_response(current, now),
    )


@action
def do_co_reply(case: Case, department: Department, text: str, *, acting_user: Any) -> CaseUnit:
    """A co-handler (协办) answers its part; the case's state does not change."""
    unit = (
        CaseUnit.objects.select_for_update()
        .filter(case=case, department=department, role=CaseUnit.Role.CO, active=True)
        .first()
    )
    if unit is None:
        raise ValidationError(
            {
                "department": _("%(department)s is not a co-handler of %(no)s")
                % {"department": department, "no": case.tracking_no}
            }
        )
    if is_user(acting_user) and acting_user.department_id != department.pk and acting_user.role != Role.ADMINISTRATOR:
        raise PermissionDenied(_("only the co-handling department replies for itself"))
    unit.reply, unit.replied_at = text.strip(), timezone.now()
    unit.save()
    _log_step(case, "co_reply", actor=acting_user, note=text, at=unit.replied_at, holder=str(department))
    audit.record("cases.co_reply", actor=acting_user, obj=case, after={"department": department.code, "reply": text})
    return unit


def _answer_supervisions(case: Case, now: dt.datetime) -> None:
    """A reply or a resolution answers the supervision orders (督办) still open on the case."""
    Supervision.objects.filter(case=case, answered_at__isnull=True).update(answered_at=now)


def _mark_unit_replied(case: Case, actor: Any, text: str, now: dt.datetime) -> None:
    CaseUnit.objects.filter(case=case, role=CaseUnit.Role.LEAD, active=True).update(reply=text, replied_at=now)


@action
def do_resolve(case: Case, *, acting_user: Any, note: str, reply: str = "") -> Case:
    if not note.strip():
        raise ValidationError({"note": _("say how it was resolved")})
    now = timezone.now()
    current = _locked(case)
    _answer_supervisions(current, now)
    changes: dict[str, Any] = {"resolved_at": now, **_first_response(current, now)}
    if reply.strip() or not current.reply:
        changes.update(reply=(reply or note).strip(), replied_at=current.replied_at or now)
    return _apply(current, "resolve", actor=acting_user, note=note, **changes)


def resolve_on_spot(case: Case, *, acting_user: Any) -> Case:
    """就地解决: the grid worker who reported it also solved it; the resident still confirms."""
    now = timezone.now()
    if not may_act(acting_user, case, "resolve"):
        raise ValidationError({"solved_on_spot": _("only the grid's own worker can record it as solved on the spot")})
    case = _apply(case, "accept", actor=acting_user, note="就地解决", responded_at=now)
    return _apply(
        case,
        "resolve",
        actor=acting_user,
        note="就地解决",
        resolved_at=now,
        resolved_on_spot=True,
        reply=case.reply or "网格员已就地解决",
        replied_at=now,
    )


@action
def do_confirm(case: Case, *, acting_user: Any, rating: int, comment: str = "") -> Case:
    """The resident (or a hotline agent's call-back, 回访) confirms the resolution and rates it."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("a whole number from 1 to 5")})
    now = timezone.now()
    case = _apply(
        case,
        "confirm",
        actor=acting_user,
        note=comment,
        resident_confirmed=True,
        rating=rating,
        rating_comment=comment[:500],
        closed_at=now,
        data={"callback": is_user(acting_user) and acting_user.role == Role.HOTLINE_AGENT},
    )
    _close_duplicates(case, acting_user)
    rewards.award(case, acting_user=acting_user)
    return case


@action
def do_reject(case: Case, *, acting_user: Any, reason: str, rating: int | None = None) -> Case:
    """The resident is not satisfied: the case reopens with the same unit, with a fresh resolution deadline."""
    if not reason.strip():
        raise ValidationError({"reason": _("say what is still wrong")})
    current = _locked(case)
    due = sla.deadlines(current.category, current.level, timezone.now())
    return _apply(
        current,
        "reject",
        actor=acting_user,
        note=reason,
        resident_confirmed=False,
        rating=rating,
        reopen_count=current.reopen_count + 1,
        resolved_at=None,
        response_due=due.response_due,
        resolution_due=due.resolution_due,
        warn_at=due.warn_at,
        warning=Warning.NONE,
    )


@action
def do_invalidate(case: Case, *, acting_user: Any, reason: str) -> Case:
    if not reason.strip():
        raise ValidationError({"reason": _("say why the case is invalid")})
    return _apply(case, "invalidate", actor=acting_user, note=reason, closed_at=timezone.now())


@action
def do_merge(duplicate: Case, master: Case, *, acting_user: Any) -> Case:
    """归并: the duplicate joins the master; its reporter follows the master and hears the outcome."""
    return merge(duplicate, master, acting_user=acting_user)


def merge(duplicate: Case, master: Case, *, acting_user: Any) -> Case:
    """do_merge inside a transaction already open (triage merges a candidate and marks it in one)."""
    if duplicate.pk == master.pk:
        raise ValidationError({"master": _("a case cannot be merged into itself")})
    master = Case.objects.select_for_update().get(pk=master.pk)
    if not master.is_open or master.master_id:
        raise ValidationError(
            {
                "master": _("%(no)s is %(status)s; merge into an open master case")
                % {"no": master.tracking_no, "status": Status(master.status).label}
            }
        )
    merged = _apply(
        duplicate,
        "merge",
        actor=acting_user,
        note=master.tracking_no,
        master=master,
        closed_at=timezone.now(),
        data={"master": master.tracking_no},
    )
    if merged.reporter_id:
        master.followers.add(merged.reporter_id)
    for follower in merged.followers.all():
        master.followers.add(follower)
    return merged


def recategorise(case: Case, category: Any, *, acting_user: Any, note: str = "") -> Case:
    """Give the case another category (the triage queue's correction), inside the caller's transaction: the
    holder and the clocks stay; one CaseEvent and one audit entry."""
    current = _locked(case)
    before = audit.snapshot(current)
    previous = current.category
    current.category = category
    current.save(update_fields=["category", "updated_at"])
    _log_step(current, "recategorise", actor=acting_user, note=note, data={"from": previous.code, "to": category.code})
    audit.record("cases.recategorise", actor=acting_user, obj=current, before=before, after=audit.snapshot(current))
    return current


def _close_duplicates(master: Case, actor: Any) -> None:
    for dup in master.duplicates.all():
        CaseEvent.objects.create(
            case=dup,
            at=timezone.now(),
            actor_label=str(actor),
            action="master_closed",
            from_status=dup.status,
            to_status=dup.status,
            note=master.reply,
            data={"master": master.tracking_no},
        )
        notify.case_event(dup, "master_closed")


def supervise(case: Case, *, acting_user: Any, reason: str, hours: float | None = None, automatic: bool) -> Supervision:
    current = _locked(case)
    now = timezone.now()
    order = Supervision.objects.create(
        case=current,
        issued_at=now,
        issued_by=acting_user if is_user(acting_user) else None,
        automatic=automatic,
        to_division=current.holder_division,
        to_department=current.holder_department,
        reason=reason,
        due=now + dt.timedelta(hours=hours or settings.SUPERVISION_HOURS),
    )
    Case.objects.filter(pk=current.pk).update(supervision_count=current.supervision_count + 1)
    _log_step(current, "supervise", actor=acting_user, note=reason, data={"due": order.due.isoformat()}, at=now)
    audit.record("cases.supervise", actor=acting_user, obj=current, after=audit.snapshot(order))
    notify.case_event(current, "supervise", note=reason)
    return order


@action
def do_supervise(case: Case, *, acting_user: Any, reason: str, hours: float | None = None) -> Supervision:
    """督办 by hand: leaders and command centres order the holding unit to act by a deadline."""
    if not reason.strip():
        raise ValidationError({"reason": _("say what the unit must do")})
    if is_user(acting_user) and not acting_user.has_perm("cases.supervise_case"):
        raise PermissionDenied(_("supervision orders are for leaders and command centres"))
    if not case.is_open:
        raise ValidationError(
            {"status": _("%(no)s is %(status)s") % {"no": case.tracking_no, "status": Status(case.status).label}}
        )
    return supervise(case, acting_user=acting_user, reason=reason, hours=hours, automatic=False)


def allowed_for(user: Any, case: Case) -> list[str]:
    return [name for name in workflow.allowed_actions(case.status) if may_act(user, case, name)]
