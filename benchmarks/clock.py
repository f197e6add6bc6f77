"""One deadline sweep over a million open cases with 1 % of them due (target: under 2 s).

Builds a throwaway database (SQLite file, or PostgreSQL when FENGQIAO_DATABASE_URL says so) with the demo
district and `--cases` open cases spread over its grids: 0.4 % past their warning time (→ yellow), 0.4 % past the
resolution deadline (→ red with 督办), 0.2 % past the response deadline at the community (→ one level up); the
rest are running with deadlines ahead. Then times `cases.sweep.sweep()` once, and as the ceiling the least any
sweep must do in the same database: one bare UPDATE of the due rows plus one INSERT per due row into a scratch
table, in one transaction.

    .venv/bin/python benchmarks/clock.py --cases 1000000
    FENGQIAO_DATABASE_URL=postgres://root@127.0.0.1:5432/fq_bench .venv/bin/python benchmarks/clock.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time

import numpy as np
from _common import db_vendor, demo_database, emit

TARGET_S = 2.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--due", type=float, default=0.01, help="share of the cases that are due")
    args = parser.parse_args()
    demo_database()
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    due = build_cases(args.cases, args.due, now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    ceiling = bare_sweep(now)
    from cases.sweep import sweep

    started = time.perf_counter()
    result = sweep(now)
    seconds = time.perf_counter() - started
    done = result.yellow + result.red + result.escalated
    assert done == due, f"the sweep handled {done} of {due} due cases"
    db = db_vendor()
    emit("clock", "sweep_s", seconds, "s", target=f"< {TARGET_S}", ceiling=ceiling, db=db)
    emit("clock", "due_cases", done, "cases", target=int(args.cases * args.due), ceiling=None, db=db)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    emit("clock", "peak_rss_mb", peak, "MiB", target=None, ceiling=None, db=db)


def build_cases(n: int, due_share: float, now: dt.datetime) -> int:
    """n open cases; returns how many are due. Inserted in bulk (the benchmark is the sweep, not the intake)."""
    from rich.progress import track

    from cases.choices import Channel, Level, Status, Warning
    from cases.models import Case, Category
    from territory.models import Grid

    rng = np.random.default_rng(3)
    category = Category.objects.filter(children__isnull=True).order_by("code").first()
    grids = list(Grid.objects.select_related("community").values_list("pk", "code", "community_id"))
    hour = dt.timedelta(hours=1)
    kinds = rng.choice(4, size=n, p=[1 - due_share, due_share * 0.4, due_share * 0.4, due_share * 0.2])
    picks = rng.integers(len(grids), size=n)
    batch = 10_000
    for start in track(range(0, n, batch), description="open cases", transient=True):
        rows = []
        for i in range(start, min(start + batch, n)):
            grid_id, code, community_id = grids[picks[i]]
            kind = kinds[i]
            created = now - (40 * hour if kind == 2 else 5 * hour)
            fields = dict(
                status=Status.ACCEPTED,
                response_due=None,
                warn_at=created + 38.4 * hour,
                resolution_due=created + 48 * hour,
                warning=Warning.NONE,
            )
            if kind == 1:  # past the warning time, deadline ahead
                fields.update(warn_at=now - hour, resolution_due=now + 9 * hour)
            elif kind == 2:  # past the resolution deadline
                fields.update(warn_at=now - 10 * hour, resolution_due=now - hour, warning=Warning.YELLOW)
            elif kind == 3:  # not yet accepted, response deadline missed
                fields.update(status=Status.SUBMITTED, response_due=now - hour)
            rows.append(
                Case(
                    tracking_no=f"FQB{i:09d}",
                    channel=Channel.HOTLINE,
                    category=category,
                    description="来电反映问题",
                    grid_id=grid_id,
                    territory_code=code,
                    level=Level.COMMUNITY,
                    holder_division_id=community_id,
                    first_response_due=created + 3 * hour,
                    **fields,
                )
            )
        Case.objects.bulk_create(rows, batch_size=2000)
    return int((kinds > 0).sum())


def bare_sweep(now: dt.datetime) -> float:
    """The floor: flag the due rows with one UPDATE and write one log row each, in one transaction."""
    from django.db import connection, transaction

    from cases.models import Case

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_log (id INTEGER PRIMARY KEY, case_id INTEGER, at TEXT, action TEXT)")
    started = time.perf_counter()
    with transaction.atomic():
        due = list(Case.objects.filter(resolution_due__lte=now).values_list("id", flat=True)) + list(
            Case.objects.filter(warn_at__lte=now, resolution_due__gt=now).values_list("id", flat=True)
        )
        due += list(Case.objects.filter(response_due__lte=now).values_list("id", flat=True))
        Case.objects.filter(pk__in=due).update(external_ref="bench")
        with connection.cursor() as cur:
            cur.executemany(
                "INSERT INTO bench_log (id, case_id, at, action) VALUES (%s, %s, %s, %s)",
                [(n, pk, now.isoformat(), "flag") for n, pk in enumerate(due)],
            )
        transaction.set_rollback(True)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
