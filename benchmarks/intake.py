"""Sustained intake through the intake action (validate, locate, route, set clocks, audit, notify, commit).

Builds a throwaway database (SQLite file, or PostgreSQL when FENGQIAO_DATABASE_URL says so) with the demo
district, then files `--cases` reports at random points of the district, one transaction each
(`intake_cases_per_s`), and again in batches of `--batch` through `intake_many` (`intake_batch_cases_per_s`: one
transaction and multi-row statements per batch, as the bulk import files its rows), and compares both rates with a
bare INSERT loop (one row per transaction, same database) measured in the same run.

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
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    demo_database()

    ceiling = bare_insert_rate(min(args.cases, 20_000))
    todo = reports(2 * args.cases)
    rate = intake_rate(todo[: args.cases])
    emit("intake", "intake_cases_per_s", rate, "cases/s", target=TARGET, ceiling=ceiling, db=db_vendor())
    rate = batch_rate(todo[args.cases :], args.batch)
    emit("intake", "intake_batch_cases_per_s", rate, "cases/s", target=TARGET, ceiling=ceiling, db=db_vendor())


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


def reports(n: int) -> list[dict]:
    """What the demo's residents report (cases.demo: scenario texts with places, points inside the grid, callers
    of whom a few call often), made before the clock starts. Realistic text matters: the duplicate search does as
    much work as real reports make it do, not the worst case of thousands of near-identical lines."""
    from django.utils import timezone

    from cases.demo import _load_world, _Simulation
    from territory.models import Division

    rng = np.random.default_rng(1)
    district = Division.objects.get(level="district")
    sim = _Simulation(_load_world(district, rng), rng, timezone.now())
    cdf = sim.scenario_cdf(timezone.localdate())
    out = []
    for i in range(n):
        scenario, category = sim.pick_scenario(cdf)
        grid = sim.grid()
        lon, lat = sim.point(grid)
        out.append(
            {
                "description": sim.text(scenario, grid),
                "category_code": category.code,
                "lon": lon if lon is not None else grid.centroid_lon,
                "lat": lat if lat is not None else grid.centroid_lat,
                "reporter_phone": sim.phones[sim.choose(sim.phone_cdf)],
                "idempotency_key": f"bench-{i}",
            }
        )
    return out


def intake_rate(todo: list[dict]) -> float:
    from rich.progress import track

    from cases.intake import IntakeData, intake

    started = time.perf_counter()
    for report in track(todo, description="intake", transient=True):
        intake(IntakeData(channel="hotline_12345", **report), acting_user="benchmark")
    return len(todo) / (time.perf_counter() - started)


def batch_rate(todo: list[dict], size: int) -> float:
    from rich.progress import track

    from cases.intake import IntakeData, intake_many

    started = time.perf_counter()
    for start in track(range(0, len(todo), size), description="intake_many", transient=True):
        out = intake_many([(IntakeData(channel="hotline_12345", **r), "benchmark") for r in todo[start : start + size]])
        refused = [o.error for o in out if o.error is not None]
        assert not refused, refused
    return len(todo) / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
