"""The fact table the command centre counts from (`CaseFact`), kept in step with the cases by the clock.

Every change to a case writes a `CaseEvent` (the workflow actions, the deadline sweep, the demo history). The
refresh reads the events after its cursor, the events of the last minutes among the 2,000 ids below it (a
transaction may commit a lower id after a higher one was read), and the cases created after its cursor (a bulk
writer might write no event), then rewrites those cases' fact rows from the case rows. A fact is a function of
its case, so reading an event twice is harmless.
Facts are derived data, like an index: they are not audited; the changes they reflect are.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable

import h3
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from cases.choices import FINAL_STATUSES, Status
from cases.models import Case, CaseEvent
from command.models import CaseFact, FactCursor

LOOKBACK = 2000
REINDEX_ABOVE = 100_000
LATE_COMMIT = dt.timedelta(minutes=2)  # how long a transaction may stay open after writing its event
BATCH = 2000
H3_RESOLUTION = 8  # cells of about 0.7 km²: a few hundred over a district, a handful per town-centre grid
CASE_FIELDS = (
    "id",
    "tracking_no",
    "created_at",
    "territory_code",
    "grid__code",
    "category__code",
    "channel",
    "status",
    "warning",
    "lon",
    "lat",
    "resolution_due",
    "closed_at",
    "responded_at",
    "first_response_due",
    "resident_confirmed",
    "rating",
    "entered_by_id",
)


def h3_cell(lon: float | None, lat: float | None) -> str:
    if lon is None or lat is None:
        return ""
    return h3.latlng_to_cell(lat, lon, H3_RESOLUTION)


def _fact(row: dict, tz: zoneinfo.ZoneInfo) -> CaseFact:
    responded, first_due, status = row["responded_at"], row["first_response_due"], row["status"]
    return CaseFact(
        case_id=row["id"],
        tracking_no=row["tracking_no"],
        created_at=row["created_at"],
        day=row["created_at"].astimezone(tz).date(),
        territory_code=row["territory_code"],
        grid_code=row["grid__code"] or "",
        category_code=row["category__code"],
        channel=row["channel"],
        status=status,
        is_open=status not in FINAL_STATUSES,
        warning=row["warning"],
        lon=row["lon"],
        lat=row["lat"],
        h3_cell=h3_cell(row["lon"], row["lat"]),
        resolution_due=row["resolution_due"],
        closed_at=row["closed_at"],
        replied_on_time=bool(responded and first_due and responded <= first_due),
        accepted=status not in (Status.MERGED, Status.INVALID),
        resolved_confirmed=status == Status.CLOSED and row["resident_confirmed"] is True,
        rating=row["rating"],
        entered_by_id=row["entered_by_id"],
    )


def _indexes(operation: str) -> None:
    with connection.schema_editor() as editor:
        for index in CaseFact._meta.indexes:
            getattr(editor, operation)(CaseFact, index)


def write_facts(case_ids: Iterable[int], *, fresh: bool = False) -> int:
    """Rewrite the fact rows of these cases from the cases (a case that no longer exists loses its fact).
    `fresh`: the cases have no facts yet (a rebuild), so there is nothing to delete."""
    ids = sorted(set(case_ids))
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        facts = [_fact(row, tz) for row in Case.objects.filter(id__in=chunk).values(*CASE_FIELDS)]
        with transaction.atomic():
            if not fresh:
                CaseFact.objects.filter(case_id__in=chunk).delete()
            CaseFact.objects.bulk_create(facts, batch_size=500)
        done += len(facts)
    return done


def _cursor() -> FactCursor:
    cursor = FactCursor.objects.order_by("pk").first()
    return cursor or FactCursor.objects.create()


def refresh(limit: int = 200_000) -> int:
    """Bring the facts up to date with the event log; returns how many cases were rewritten."""
    cursor, now = _cursor(), timezone.now()
    rows = list(
        CaseEvent.objects.filter(id__gt=cursor.last_event_id).order_by("id").values_list("id", "case_id")[:limit]
    )
    # Events just below the cursor written in the last minutes may have committed after the last refresh read.
    late = CaseEvent.objects.filter(
        id__gt=max(cursor.last_event_id - LOOKBACK, 0), id__lte=cursor.last_event_id, at__gte=now - LATE_COMMIT
    )
    rows += list(late.values_list("id", "case_id"))
    new_cases = list(
        Case.objects.filter(id__gt=cursor.last_case_id).order_by("id").values_list("id", flat=True)[:limit]
    )
    touched = {case_id for _event, case_id in rows} | set(new_cases)
    written = write_facts(touched) if touched else 0
    FactCursor.objects.filter(pk=cursor.pk).update(
        last_event_id=max([cursor.last_event_id, *(event for event, _case in rows)]),
        last_case_id=max([cursor.last_case_id, *new_cases]),
        refreshed_at=now,
    )
    return written


def rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """All facts from scratch (after a bulk load such as the demo history)."""
    last_event = CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0
    last_case = Case.objects.aggregate(m=Max("id"))["m"] or 0
    CaseFact.objects.all().delete()
    ids = list(Case.objects.order_by("id").values_list("id", flat=True))
    # Inserting a million rows into five secondary indexes in random order thrashes the page cache; building
    # the indexes once afterwards is many times faster. (Schema changes need autocommit on SQLite.)
    reindex = len(ids) >= REINDEX_ABOVE and not connection.in_atomic_block
    if reindex:
        _indexes("remove_index")
    done = 0
    try:
        for start in range(0, len(ids), BATCH * 10):
            done += write_facts(ids[start : start + BATCH * 10], fresh=True)
            if progress:
                progress(done, len(ids))
    finally:
        if reindex:
            _indexes("add_index")
    cursor = _cursor()
    FactCursor.objects.filter(pk=cursor.pk).update(
        last_event_id=last_event, last_case_id=last_case, refreshed_at=timezone.now()
    )
    return done
