"""Sustained intake through the intake action (validate, locate, route, set clocks, audit, notify, commit).

Builds a throwaway database (SQLite file, or PostgreSQL when FENGQIAO_DATABASE_URL says so) with the demo
district, then files `--cases` reports at random points of the district, one transaction each, and compares the
rate with a bare INSERT loop (one row per transaction, same database) measured in the same run.

    .venv/bin/python benchmarks/intake.py --cases 100000
    FENGQIAO_DATABASE_URL=postgres://root@127.0.0.1:5432/fq_bench .venv/bin/python benchmarks/intake.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import db_vendor, demo_database, emit

TARGET = 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    demo_database()

    ceiling = bare_insert_rate(min(args.cases, 20_000))
    rate = intake_rate(args.cases)
    emit("intake", "intake_cases_per_s", rate, "cases/s", target=TARGET, ceiling=ceiling, db=db_vendor())


def bare_insert_rate(n: int) -> float:
    from django.db import connection, transaction

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_insert (id INTEGER PRIMARY KEY, created TEXT, body TEXT, code TEXT)")
    started = time.perf_counter()
    for i in range(n):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "INSERT INTO bench_insert (id, created, body, code) VALUES (%s, %s, %s, %s)",
                [i, "2026-11-25T08:00:00", "楼下烧烤店油烟扰民" * 3, "330304001001001"],
            )
    return n / (time.perf_counter() - started)


def intake_rate(n: int) -> float:
    from rich.progress import track

    from cases.intake import IntakeData, intake
    from cases.models import Category
    from territory.models import Grid

    rng = np.random.default_rng(1)
    leaves = list(Category.objects.filter(children__isnull=True).values_list("code", flat=True))
    grids = list(Grid.objects.values_list("centroid_lon", "centroid_lat"))
    picks = rng.integers(len(grids), size=n)
    cats = rng.integers(len(leaves), size=n)
    started = time.perf_counter()
    for i in track(range(n), description="intake", transient=True):
        lon, lat = grids[picks[i]]
        intake(
            IntakeData(
                channel="hotline_12345",
                description=f"来电反映问题 {i}",
                category_code=leaves[cats[i]],
                lon=lon,
                lat=lat,
                reporter_phone=f"138{i:08d}"[:11],
                idempotency_key=f"bench-{i}",
            ),
            acting_user="benchmark",
        )
    return n / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
