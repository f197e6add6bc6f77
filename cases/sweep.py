"""The clock's sweep over case deadlines, set-based so one sweep over a million open cases stays short.

Each batch is claimed with one conditional UPDATE … RETURNING (the rows still have the state the sweep looks
for), so two clocks running at once never both act on one case: the second clock's UPDATE finds the rows
already changed and returns nothing for them. What a claim changes is logged in the same transaction: one
CaseEvent per case, one audit entry per case (chained in one go, `audit.record_many`), supervision orders and
in-app notices in bulk.

- yellow: the warning time has passed (warn_at, a share of the resolution time) → warning=yellow
- red: the resolution deadline has passed → warning=red and an automatic supervision order (督办) to the holder
- missed response at the community or street → the case goes one level up (automatic escalation)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from cases import sla
from cases.choices import AWAITING_RESPONSE, CLOCK_RUNNING, NEXT_LEVEL, Level, Status, Warning
from cases.models import Case, CaseEvent, CaseUnit, Category, Supervision
from core import audit
from core.bulk import aware, insert
from notify import service as notify
from territory.models import Department, Division

CLOCK = "clock"
# Written out as literals, as in the condition of the partial index case_sweep_warn (Case.Meta), so that SQLite
# and PostgreSQL can prove the warning claim only wants rows that index holds.
assert all(re.fullmatch(r"[a-z_]+", s) for s in [*CLOCK_RUNNING, Warning.NONE])
RUNNING_SQL = "status IN ({})".format(", ".join(f"'{s}'" for s in CLOCK_RUNNING))
UNWARNED_SQL = f"{RUNNING_SQL} AND warning = '{Warning.NONE}'"
BATCH = 5000
OVERDUE_NOTE = "已超过办结时限（{due:%m-%d %H:%M}），请立即办理并反馈"
MISSED_RESPONSE_NOTE = "超过响应时限（{due:%m-%d %H:%M}）未签收，自动上报上一级"
RETURNED = "id, tracking_no, status, level, category_id, grid_id, holder_division_id, holder_department_id"


@dataclass
class SweepResult:
    yellow: int = 0
    red: int = 0
    escalated: int = 0


@dataclass
class _Row:
    """A claimed case as the UPDATE returned it."""

    pk: int
    tracking_no: str
    status: str
    level: str
    category_id: int
    grid_id: int | None
    holder_division_id: int | None
    holder_department_id: int | None
    resolution_due: dt.datetime | None = None


def sweep(now: dt.datetime | None = None, batch: int = BATCH) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    result.yellow = _drain(lambda: _flag_yellow(now, batch))
    result.red = sum(_drain(lambda old=old: _flag_red(now, batch, old)) for old in (Warning.NONE, Warning.YELLOW))
    result.escalated = _drain(lambda: _escalate_missed_responses(now, batch))
    return result


def _drain(step) -> int:
    """Run claims batch by batch (one transaction each) until a batch comes back short."""
    total = 0
    while True:
        done, claimed_full = step()
        total += done
        if not claimed_full:
            return total


def _claim(
    set_sql: str,
    set_params: Sequence[Any],
    where_sql: str,
    where_params: Sequence[Any],
    batch: int,
    ids: Sequence[int] | None = None,
    index: str = "",
):
    """UPDATE the first `batch` rows matching `where` (or those of `ids`), checked again on each row as it is
    updated, RETURNING what the log needs. Must run in a transaction.

    On SQLite, whose planner has no statistics, the pick uses the index named by `index`, and the UPDATE finds its
    rows by id (NOT INDEXED still allows the rowid): left to itself it prefers the wide status indexes and reads
    the running cases one by one. PostgreSQL's planner has statistics and needs no hints."""
    table = connection.ops.quote_name(Case._meta.db_table)
    sqlite = connection.vendor == "sqlite"
    hint = f" INDEXED BY {index}" if index and sqlite else ""
    target = f"{table} NOT INDEXED" if sqlite else table
    if ids is None:
        pick, pick_params = f"SELECT id FROM {table}{hint} WHERE {where_sql} LIMIT %s", [*where_params, batch]
    else:
        pick, pick_params = ", ".join(["%s"] * len(ids)) or "NULL", list(ids)
    sql = f"UPDATE {target} SET {set_sql} WHERE id IN ({pick}) AND {where_sql} RETURNING {RETURNED}, resolution_due"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*set_params, *pick_params, *where_params])
        rows = cursor.fetchall()
    return [
        _Row(pk, no, st, lvl, cat, grid, div, dept, aware(due)) for pk, no, st, lvl, cat, grid, div, dept, due in rows
    ]


def _in(values: Sequence[str]) -> str:
    return ", ".join(["%s"] * len(values))


def _flag_yellow(now: dt.datetime, batch: int) -> tuple[int, bool]:
    where = (
        f"{UNWARNED_SQL} AND warn_at <= %s AND resolution_due > %s",
        [now, now],
    )
    with transaction.atomic():
        rows = _claim("warning = %s, updated_at = %s", [Warning.YELLOW, now], *where, batch, index="case_sweep_warn")
        _log_flags(rows, Warning.NONE, Warning.YELLOW, now)
    return len(rows), len(rows) == batch


def _flag_red(now: dt.datetime, batch: int, old: str) -> tuple[int, bool]:
    where = (f"{RUNNING_SQL} AND warning = %s AND resolution_due <= %s", [old, now])
    with transaction.atomic():
        rows = _claim(
            "warning = %s, updated_at = %s, supervision_count = supervision_count + 1",
            [Warning.RED, now],
            *where,
            batch,
        )
        _log_flags(rows, old, Warning.RED, now)
        _supervise(rows, now)
    return len(rows), len(rows) == batch


def _holders(rows: list[_Row]) -> dict[tuple[str, int], str]:
    """Names of the holding units, for the case log (two queries per batch)."""
    divisions = {r.holder_division_id for r in rows if r.holder_division_id}
    departments = {r.holder_department_id for r in rows if r.holder_department_id}
    names = {("d", pk): name for pk, name in Division.objects.filter(pk__in=divisions).values_list("pk", "name")}
    names |= {("p", pk): name for pk, name in Department.objects.filter(pk__in=departments).values_list("pk", "name")}
    return names


def _holder_name(names: dict[tuple[str, int], str], row: _Row) -> str:
    if row.holder_department_id:
        return names.get(("p", row.holder_department_id), "")
    return names.get(("d", row.holder_division_id or 0), "")


def _log_flags(rows: list[_Row], old: str, new: str, now: dt.datetime) -> None:
    if not rows:
        return
    names = _holders(rows)
    insert(
        CaseEvent,
        [
            {
                "case_id": r.pk,
                "at": now,
                "actor_label": CLOCK,
                "action": f"warning_{new}",
                "from_status": r.status,
                "to_status": r.status,
                "holder_label": _holder_name(names, r),
            }
            for r in rows
        ],
    )
    audit.record_many(
        [
            audit.Pending(
                f"cases.warning_{new}", "cases.case", str(r.pk), r.tracking_no, {"warning": old}, {"warning": new}
            )
            for r in rows
        ],
        actor=CLOCK,
    )


def _supervise(rows: list[_Row], now: dt.datetime) -> None:
    """督办 to the holder of every case that just went red, with its own deadline."""
    if not rows:
        return
    due = now + dt.timedelta(hours=settings.SUPERVISION_HOURS)
    names = _holders(rows)
    reasons = {r.pk: OVERDUE_NOTE.format(due=timezone.localtime(r.resolution_due or now)) for r in rows}
    orders = [
        {
            "case_id": r.pk,
            "issued_at": now,
            "automatic": True,
            "to_division_id": None if r.holder_department_id else r.holder_division_id,
            "to_department_id": r.holder_department_id,
            "reason": reasons[r.pk],
            "due": due,
        }
        for r in rows
    ]
    insert(Supervision, orders)
    insert(
        CaseEvent,
        [
            {
                "case_id": r.pk,
                "at": now,
                "actor_label": CLOCK,
                "action": "supervise",
                "from_status": r.status,
                "to_status": r.status,
                "holder_label": _holder_name(names, r),
                "note": reasons[r.pk],
                "data": {"due": due.isoformat()},
            }
            for r in rows
        ],
    )
    audit.record_many(
        [
            audit.Pending("cases.supervise", "cases.case", str(r.pk), r.tracking_no, after=order)
            for r, order in zip(rows, orders, strict=True)
        ],
        actor=CLOCK,
    )
    notify.holders_many(rows, "supervise", reasons)


def _escalate_missed_responses(now: dt.datetime, batch: int) -> tuple[int, bool]:
    """A response deadline missed at the community or street sends the case one level up (逐级上报)."""
    waiting = sorted(AWAITING_RESPONSE)
    levels = [Level.COMMUNITY, Level.STREET]
    where = (
        f"status IN ({_in(waiting)}) AND response_due <= %s AND level IN ({_in(levels)})",
        [*waiting, now, *levels],
    )
    with transaction.atomic():
        missed = dict(
            Case.objects.filter(status__in=waiting, response_due__lte=now, level__in=levels).values_list(
                "id", "response_due"
            )[:batch]
        )
        # Claim: take the missed deadline away; the new holder's deadline is set below.
        table_rows = _claim("response_due = NULL", [], *where, batch, ids=list(missed))
        rows = [r for r in table_rows if r.holder_division_id]
        parents = dict(
            Division.objects.filter(pk__in={r.holder_division_id for r in rows}).values_list("pk", "parent_id")
        )
        rows = [r for r in rows if parents.get(r.holder_division_id or 0)]
        categories = {c.pk: c for c in Category.objects.filter(pk__in={r.category_id for r in rows})}
        groups: dict[tuple[str, int, dt.datetime], list[int]] = {}
        due_of: dict[tuple[int, str], dt.datetime] = {}
        for r in rows:
            level: str = NEXT_LEVEL[Level(r.level)]
            key = (r.category_id, level)
            if key not in due_of:
                due_of[key] = sla.deadlines(categories[r.category_id], level, now).response_due
            groups.setdefault((level, parents[r.holder_division_id or 0], due_of[key]), []).append(r.pk)
        for (level, parent, due), ids in groups.items():
            Case.objects.filter(pk__in=ids).update(
                level=level,
                holder_division_id=parent,
                holder_department_id=None,
                status=Status.SUBMITTED,
                response_due=due,
                escalation_count=F("escalation_count") + 1,
                updated_at=now,
            )
        ids = [r.pk for r in rows]
        CaseUnit.objects.filter(case_id__in=ids, role=CaseUnit.Role.LEAD, active=True).update(active=False)
        insert(
            CaseUnit,
            [
                {"case_id": r.pk, "division_id": parents[r.holder_division_id or 0], "role": CaseUnit.Role.LEAD}
                for r in rows
            ],
        )
        _log_escalations(rows, parents, missed, now)
    return len(table_rows), len(missed) == batch


def _log_escalations(
    rows: list[_Row], parents: dict[int, int], missed: dict[int, dt.datetime], now: dt.datetime
) -> None:
    if not rows:
        return
    up = {
        pk: (code, name)
        for pk, code, name in Division.objects.filter(pk__in=set(parents.values())).values_list("pk", "code", "name")
    }
    notes = {r.pk: MISSED_RESPONSE_NOTE.format(due=timezone.localtime(missed.get(r.pk) or now)) for r in rows}
    insert(
        CaseEvent,
        [
            {
                "case_id": r.pk,
                "at": now,
                "actor_label": CLOCK,
                "action": "escalate",
                "from_status": r.status,
                "to_status": Status.SUBMITTED,
                "holder_label": up[parents[r.holder_division_id or 0]][1],
                "note": notes[r.pk],
                "data": {"to": up[parents[r.holder_division_id or 0]][0]},
            }
            for r in rows
        ],
    )
    audit.record_many(
        [
            audit.Pending(
                "cases.escalate",
                "cases.case",
                str(r.pk),
                r.tracking_no,
                {"level": r.level, "holder_division_id": r.holder_division_id},
                {"level": NEXT_LEVEL[Level(r.level)], "holder_division_id": parents[r.holder_division_id or 0]},
            )
            for r in rows
        ],
        actor=CLOCK,
    )
    moved = [
        _Row(
            r.pk,
            r.tracking_no,
            Status.SUBMITTED,
            NEXT_LEVEL[Level(r.level)],
            r.category_id,
            r.grid_id,
            parents[r.holder_division_id or 0],
            None,
        )
        for r in rows
    ]
    notify.holders_many(moved, "escalate", notes)
