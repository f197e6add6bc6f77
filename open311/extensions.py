"""What GeoReport v2 lacks, as clearly marked extensions in the style of the common `servicerequestupdates`
extension (FixMyStreet): the updates of requests, and the stage timeline of each request (every level and unit
that held it, with timestamps and deadlines), read from the case's audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.dateparse import parse_datetime

from cases.choices import ACTION_LABELS, FINAL_STATUSES
from cases.models import Case, CaseEvent
from core.models import AuditEntry
from territory.models import Department, Division

# Actions by which the unit holding a case answers it (the response clock stops).
# Audit entries on a case whose `after` is another object (the supervision order).
NOT_CASE_SNAPSHOTS = {"supervise"}
RESPONSES = {"accept", "start", "suspend", "reply", "resolve", "invalidate", "dispatch", "escalate", "merge"}


def updates(cases: list[Case], start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    by_pk = {c.pk: c for c in cases}
    events = CaseEvent.objects.filter(case__in=cases, at__gte=start, at__lte=end).order_by("at", "id")
    return [
        {
            "update_id": str(e.pk),
            "service_request_id": by_pk[e.case_id].tracking_no,
            "status": "closed" if e.to_status in FINAL_STATUSES else "open",
            "updated_datetime": e.at,
            "description": " ".join(part for part in (str(ACTION_LABELS.get(e.action, e.action)), e.note) if part),
            "media_url": None,
            "agency_responsible": e.holder_label or None,
        }
        for e in events
    ]


def _when(value: Any) -> dt.datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def stages(case: Case) -> list[dict[str, Any]]:
    """One stage per holder in turn. Deadlines are what the case said at the time (the trail keeps them)."""
    entries = list(
        AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk), action__startswith="cases.")
        .only("created_at", "action", "after")
        .order_by("seq")
    )
    divisions = {
        d.pk: d
        for d in Division.objects.filter(pk__in={e.after.get("holder_division_id") for e in entries if e.after}).only(
            "code", "name"
        )
    }
    departments = {
        d.pk: d
        for d in Department.objects.filter(
            pk__in={e.after.get("holder_department_id") for e in entries if e.after}
        ).only("code", "name")
    }
    result: list[dict[str, Any]] = []
    holder: tuple[Any, ...] | None = None
    state: dict[str, Any] = {}  # the case as the trail says it stands; bulk entries of the clock carry only changes
    for entry in entries:
        action = entry.action.removeprefix("cases.")
        if action in NOT_CASE_SNAPSHOTS:
            continue
        after = entry.after or {}
        state.update(after)
        key = (state.get("level"), state.get("holder_division_id"), state.get("holder_department_id"))
        if key != holder:
            if result:
                result[-1]["ended_datetime"] = entry.created_at
                result[-1]["ended_by"] = action
                if action in RESPONSES and result[-1]["responded_datetime"] is None:
                    result[-1]["responded_datetime"] = entry.created_at
            holder = key
            unit = departments.get(key[2]) or divisions.get(key[1])
            result.append(
                {
                    "stage": len(result) + 1,
                    "level": key[0],
                    "agency_responsible": unit.name if unit else None,
                    "agency_code": unit.code if unit else None,
                    "started_datetime": entry.created_at,
                    "started_by": action,
                    "responded_datetime": None,
                    "response_due_datetime": _when(after.get("response_due")),
                    "expected_datetime": _when(state.get("resolution_due")),
                    "ended_datetime": None,
                    "ended_by": None,
                    "status": "open",
                }
            )
            continue
        current = result[-1]
        if action in RESPONSES and current["responded_datetime"] is None:
            current["responded_datetime"] = entry.created_at
        current["response_due_datetime"] = _when(after.get("response_due")) or current["response_due_datetime"]
        current["expected_datetime"] = _when(after.get("resolution_due")) or current["expected_datetime"]
        if after.get("status") in FINAL_STATUSES:
            current["status"] = "closed"
            current["ended_datetime"] = entry.created_at
            current["ended_by"] = action
    return result
