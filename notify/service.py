"""The one interface for telling people about a case (S22): in-app for account holders, SMS to the phone number
a reporter gave, queued in the action's transaction and sent by the worker after commit."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.bulk import insert
from notify.models import Notification

# Which steps the reporter and followers hear about, with the message template.
RESIDENT_MESSAGES = {
    "intake": "【枫桥】您反映的问题已受理，编号{no}，承办单位{holder}，办结时限{due}。",
    "resolve": "【枫桥】您反映的问题（编号{no}）已办结：{reply}。请确认并评价。",
    "confirm": "【枫桥】您反映的问题（编号{no}）已确认办结，感谢您的监督。",
    "reject": "【枫桥】您对问题（编号{no}）的意见已收到，已退回{holder}重新办理。",
    "master_closed": "【枫桥】与您反映的问题（编号{no}）相同的问题已办结：{reply}。",
    "invalidate": "【枫桥】您反映的问题（编号{no}）经核实不予受理：{note}。",
}
# Steps after which the unit now holding the case is told in the app.
HOLDER_EVENTS = {"intake", "escalate", "dispatch", "return", "reject", "supervise"}


def case_event(case: Any, event: str, *, note: str = "", extra_phones: list[str] | None = None) -> int:
    """Queue the notices for one step of `case`; call inside the action's transaction. Returns how many."""
    return _queue(_rows(case, event, note, extra_phones, timezone.now()))


def case_events(cases: list[Any], event: str) -> int:
    """The same step of many cases at once (a batch of intakes): one INSERT for all their notices, and the holders
    not remembered yet looked up together (holder_ids_many)."""
    now = timezone.now()
    holders = holder_ids_many(cases) if event in HOLDER_EVENTS else {}
    return _queue([row for case in cases for row in _rows(case, event, "", None, now, holders)])


def _queue(rows: list[dict[str, Any]]) -> int:
    insert(Notification, rows)
    if any(r["channel"] == Notification.Channel.SMS for r in rows):
        transaction.on_commit(_enqueue_sms)
    return len(rows)


def _rows(
    case: Any,
    event: str,
    note: str,
    extra_phones: list[str] | None,
    now: Any,
    holders: dict[tuple[Any, ...], list[int]] | None = None,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    template = RESIDENT_MESSAGES.get(event)
    if template:
        body = template.format(
            no=case.tracking_no,
            holder=case.holder or "",
            reply=(case.reply or "")[:80],
            note=note[:80],
            due=timezone.localtime(case.resolution_due).strftime("%m-%d %H:%M") if case.resolution_due else "",
        )
        residents = [case.reporter_id] if case.reporter_id else []
        if event != "intake":  # a new case has no followers yet
            residents += list(case.followers.values_list("pk", flat=True))
        rows += [_in_app(user_id, case, event, body, now) for user_id in residents]
        phones = {case.reporter_phone} if case.reporter_phone else set()
        phones |= set(extra_phones or [])
        rows += [
            {"channel": Notification.Channel.SMS, "phone": p, "case_id": case.pk, "event": event, "body": body}
            for p in sorted(phones)
        ]
    if event in HOLDER_EVENTS:
        body = f"事件{case.tracking_no}（{case.category}）待您处理：{note or case.description[:40]}"[:500]
        people = holders.get(_holder_key(case)) if holders else None
        rows += [
            _in_app(user_id, case, event, body, now) for user_id in (people if people is not None else holder_ids(case))
        ]
    return rows


def _in_app(user_id: int, case: Any, event: str, body: str, now: Any) -> dict[str, Any]:
    return {
        "channel": Notification.Channel.IN_APP,
        "recipient_id": user_id,
        "case_id": case.pk,
        "event": event,
        "body": body[:500],
        "state": Notification.State.SENT,
        "sent_at": now,
    }


_holder_cache: dict[tuple[Any, ...], tuple[float, list[int]]] = {}


def _holder_key(case: Any) -> tuple[Any, ...]:
    return (case.holder_department_id, case.level, case.grid_id, case.holder_division_id)


def _remembered(key: tuple[Any, ...], now: float) -> list[int] | None:
    ttl = settings.HOLDER_CACHE_SECONDS
    hit = _holder_cache.get(key)
    return hit[1] if ttl > 0 and hit is not None and now - hit[0] < ttl else None


def _remember(key: tuple[Any, ...], ids: list[int], now: float) -> None:
    if settings.HOLDER_CACHE_SECONDS > 0:
        if len(_holder_cache) > 50_000:
            _holder_cache.clear()
        _holder_cache[key] = (now, ids)


def holder_ids(case: Any) -> list[int]:
    """Ids of the people of the unit now holding `case`: one query, remembered for HOLDER_CACHE_SECONDS (a new
    grid worker or handler gets notices of new cases within that time; their lists show the cases at once)."""
    key, now = _holder_key(case), time.monotonic()
    ids = _remembered(key, now)
    if ids is None:
        ids = _holder_ids(case)
        _remember(key, ids, now)
    return ids


def holder_ids_many(cases: list[Any]) -> dict[tuple[Any, ...], list[int]]:
    """holder_ids() of many cases by their holder key: what is not remembered is read in at most three queries
    (by department, by grid on duty, by division), as _holder_ids() would read it one case at a time."""
    from accounts.models import User
    from accounts.roles import Role
    from territory.models import GridAssignment

    now = time.monotonic()
    out: dict[tuple[Any, ...], list[int]] = {}
    missing: dict[tuple[Any, ...], Any] = {}
    for case in cases:
        key = _holder_key(case)
        if key in out or key in missing:
            continue
        ids = _remembered(key, now)
        if ids is None:
            missing[key] = case
        else:
            out[key] = ids
    if not missing:
        return out
    departments: set[int] = set()
    grids: set[int] = set()
    divisions: set[int] = set()
    for case in missing.values():
        if case.holder_department_id:
            departments.add(case.holder_department_id)
        elif case.level == "community" and case.grid_id:
            grids.add(case.grid_id)
        elif case.holder_division_id:
            divisions.add(case.holder_division_id)
    active = User.objects.filter(is_active=True)
    by_department: dict[int, list[int]] = {}
    by_grid: dict[int, list[int]] = {}
    by_division: dict[Any, list[int]] = {}
    if departments:
        rows = active.filter(department_id__in=departments, role=Role.DEPARTMENT_HANDLER)
        for pk, department in rows.order_by("pk").values_list("pk", "department_id"):
            by_department.setdefault(department, []).append(pk)
    if grids:
        duties = GridAssignment.objects.filter(grid_id__in=grids, end_date__isnull=True, user__is_active=True)
        for grid, pk in duties.order_by("user_id").values_list("grid_id", "user_id").distinct():
            by_grid.setdefault(grid, []).append(pk)
    if divisions:
        rows = active.filter(division_id__in=divisions).exclude(role=Role.RESIDENT)
        for pk, division in rows.order_by("pk").values_list("pk", "division_id"):
            by_division.setdefault(division, []).append(pk)
    for key, case in missing.items():
        if case.holder_department_id:
            ids = by_department.get(case.holder_department_id, [])
        elif case.level == "community" and case.grid_id:
            ids = by_grid.get(case.grid_id, [])
        elif case.holder_division_id:
            ids = by_division.get(case.holder_division_id, [])
        else:
            ids = _holder_ids(case)  # held by no unit: as holder_ids() reads it
        out[key] = ids
        _remember(key, ids, now)
    return out


def _holder_ids(case: Any) -> list[int]:
    from accounts.models import User
    from accounts.roles import Role

    users = User.objects.filter(is_active=True)
    if case.holder_department_id:
        users = users.filter(department_id=case.holder_department_id, role=Role.DEPARTMENT_HANDLER)
    elif case.level == "community" and case.grid_id:
        from territory.models import GridAssignment

        duty = GridAssignment.objects.filter(grid_id=case.grid_id, end_date__isnull=True).values("user_id")
        users = users.filter(pk__in=duty)
    else:
        users = users.filter(division_id=case.holder_division_id).exclude(role=Role.RESIDENT)
    return list(users.values_list("pk", flat=True))


def holders_many(cases: list[Any], event: str, notes: dict[int, str]) -> int:
    """In-app notices to the units now holding many cases at once (the clock's sweep): three queries in all,
    not three per case. `notes` maps case id → the line to show."""
    from accounts.models import User
    from accounts.roles import Role
    from territory.models import GridAssignment

    by_department: dict[int, list[Any]] = {}
    by_division: dict[int, list[Any]] = {}
    by_grid: dict[int, list[Any]] = {}
    dept_ids = {c.holder_department_id for c in cases if c.holder_department_id}
    grid_ids = {c.grid_id for c in cases if not c.holder_department_id and c.level == "community" and c.grid_id}
    div_ids = {c.holder_division_id for c in cases if c.holder_division_id}
    users = User.objects.filter(is_active=True)
    for u in users.filter(department_id__in=dept_ids, role=Role.DEPARTMENT_HANDLER):
        by_department.setdefault(u.department_id or 0, []).append(u)
    for u in users.filter(division_id__in=div_ids).exclude(role=Role.RESIDENT):
        by_division.setdefault(u.division_id or 0, []).append(u)
    duties = GridAssignment.objects.filter(grid_id__in=grid_ids, end_date__isnull=True, user__is_active=True)
    for duty in duties.select_related("user"):
        by_grid.setdefault(duty.grid_id, []).append(duty.user)
    now, notes_out = timezone.now(), []
    for case in cases:
        if case.holder_department_id:
            people = by_department.get(case.holder_department_id, [])
        elif case.level == "community" and case.grid_id:
            people = by_grid.get(case.grid_id, [])
        else:
            people = by_division.get(case.holder_division_id, [])
        body = f"事件{case.tracking_no}待您处理：{notes.get(case.pk, '')}"[:500]
        notes_out += [
            {
                "channel": Notification.Channel.IN_APP,
                "recipient_id": u.pk,
                "case_id": case.pk,
                "event": event,
                "body": body,
                "state": Notification.State.SENT,
                "sent_at": now,
            }
            for u in people
        ]
    return insert(Notification, notes_out)


_queued_sms: Any = None


def _enqueue_sms() -> None:
    """After commit: have the worker send the queued SMS. A send task already queued and not yet started will
    find these too (it reads the pending rows when it runs), so a burst of cases queues one task, not one each."""
    global _queued_sms
    from notify.tasks import send_pending_sms

    if _queued_sms is not None and _still_queued(_queued_sms):
        return
    _queued_sms = send_pending_sms.enqueue()


def _still_queued(result: Any) -> bool:
    """Is this send task still waiting for a worker? For the database queue one plain SELECT (it runs after every
    case with an SMS); other backends run tasks at once or elsewhere, so queue a new one."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(result.task.get_backend(), DatabaseBackend):
        return False
    table = connection.ops.quote_name(DBTaskResult._meta.db_table)
    key = DBTaskResult._meta.pk.get_db_prep_value(result.id, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s", [key])
        row = cursor.fetchone()
    return row is not None and row[0] == TaskResultStatus.READY
