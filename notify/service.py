"""The one interface for telling people about a case (S22): in-app for account holders, SMS to the phone number
a reporter gave, queued in the action's transaction and sent by the worker after commit."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
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
    return holder_ids_many([case])[_holder_key(case)]


def holder_ids_many(cases: list[Any], *, remember: bool = True) -> dict[tuple[Any, ...], list[int]]:
    """holder_ids() of many cases by their holder key: the department's handlers, the grid's workers on duty
    (a case at the community with a grid) or the holding division's staff. What is not remembered is read in at
    most one query per kind; `remember=False` reads everything and keeps nothing (the clock's sweep)."""
    now = time.monotonic()
    out: dict[tuple[Any, ...], list[int]] = {}
    missing: dict[tuple[Any, ...], tuple[str, Any]] = {}
    for case in cases:
        key = _holder_key(case)
        if key in out or key in missing:
            continue
        ids = _remembered(key, now) if remember else None
        if ids is not None:
            out[key] = ids
        elif case.holder_department_id:
            missing[key] = ("department", case.holder_department_id)
        elif case.level == "community" and case.grid_id:
            missing[key] = ("grid", case.grid_id)
        else:
            missing[key] = ("division", case.holder_division_id)
    wanted: dict[str, set[Any]] = {"department": set(), "grid": set(), "division": set()}
    for kind, unit in missing.values():
        wanted[kind].add(unit)
    people: dict[tuple[str, Any], list[int]] = {}
    for kind, units in wanted.items():
        if units:
            for unit, pk in _holder_rows(kind, units):
                people.setdefault((kind, unit), []).append(pk)
    for key, (kind, unit) in missing.items():
        out[key] = people.get((kind, unit), [])
        if remember:
            _remember(key, out[key], now)
    return out


def _holder_rows(kind: str, units: set[Any]) -> Any:
    """(unit, user id) of the people of these units of one kind, users in id order."""
    from accounts.models import User
    from accounts.roles import Role
    from territory.models import GridAssignment

    active = User.objects.filter(is_active=True).order_by("pk")
    if kind == "department":
        return active.filter(department_id__in=units, role=Role.DEPARTMENT_HANDLER).values_list("department_id", "pk")
    if kind == "grid":
        duties = GridAssignment.objects.filter(grid_id__in=units, end_date__isnull=True, user__is_active=True)
        return duties.order_by("user_id").values_list("grid_id", "user_id").distinct()
    where = Q(division_id__in=[u for u in units if u is not None])
    if None in units:  # a case held by no unit: the staff of none
        where |= Q(division__isnull=True)
    return active.filter(where).exclude(role=Role.RESIDENT).values_list("division_id", "pk")


def holders_many(cases: list[Any], event: str, notes: dict[int, str]) -> int:
    """In-app notices to the units now holding many cases at once (the clock's sweep): three queries in all,
    not three per case, read fresh. `notes` maps case id → the line to show."""
    holders = holder_ids_many(cases, remember=False)
    now, notes_out = timezone.now(), []
    for case in cases:
        body = f"事件{case.tracking_no}待您处理：{notes.get(case.pk, '')}"[:500]
        notes_out += [
            {
                "channel": Notification.Channel.IN_APP,
                "recipient_id": pk,
                "case_id": case.pk,
                "event": event,
                "body": body,
                "state": Notification.State.SENT,
                "sent_at": now,
            }
            for pk in holders[_holder_key(case)]
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
