"""Base-data registry: import 100,000 people from .xlsx (target ≤ 60 s) and search among 1,000,000 people by
identity number or phone (< 50 ms) and by name (< 200 ms), in a district user's territory.

Builds a throwaway database (SQLite file, or PostgreSQL when FENGQIAO_DATABASE_URL says so) with the demo district
and `--people` residents (the demo seed's generator), then:
- import: writes a 100,000-row people .xlsx into the seeded houses and runs what `registry_import` runs (read,
  check every row, write, audit), with progress; ceiling = reading the same file plus a bare executemany of its
  rows into a scratch table, in the same run.
- search: the search of the registry pages (`registry.views.search_people`) for existing numbers, phones and
  names, median of `--queries`; ceiling = the bare indexed SELECT by primary key on the same table.

    .venv/bin/python benchmarks/registry.py
    FENGQIAO_DATABASE_URL=postgres://root@127.0.0.1:5432/fq_bench .venv/bin/python benchmarks/registry.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import time

from _common import db_vendor, emit


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000, help="residents seeded before searching")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    from _common import demo_database

    demo_database()
    started = time.perf_counter()
    seed(args.people)
    rate = args.people / (time.perf_counter() - started)
    # The demo seeds 300,000 residents; at this rate seed_demo's registry step takes 300,000 / rate seconds.
    emit("registry", "seed_people_per_s", rate, "people/s", target=None, ceiling=None, db=db_vendor())
    import_seconds, import_ceiling = import_run(args.import_rows)
    emit(
        "registry",
        f"import_{args.import_rows}_people_xlsx_s",
        import_seconds,
        "s",
        target=60,
        ceiling=import_ceiling,
        db=db_vendor(),
    )
    for metric, value, ceiling, target in search_run(args.queries):
        emit("registry", metric, value, "ms", target=target, ceiling=ceiling, db=db_vendor())


def seed(people: int) -> None:
    from rich.console import Console
    from rich.progress import Progress

    from registry.demo import seed_registry
    from territory.models import Division

    district = Division.objects.get(level="district")
    with Progress(console=Console(stderr=True), transient=True) as progress:

        def step(label: str, total: int):
            task = progress.add_task(label, total=total)
            return lambda: progress.advance(task)

        seed_registry(district, residents=people, seed=1, progress=step)


def import_file(rows: int) -> bytes:
    from core.tabular import write_xlsx
    from registry.models import House
    from registry.validators import make_identity_number

    houses = list(House.objects.filter(use="vacant").values_list("code", flat=True)) or list(
        House.objects.values_list("code", flat=True)[:20000]
    )
    header = [
        "姓名",
        "公民身份号码",
        "性别",
        "联系方式",
        "人口类型",
        "房屋编号",
        "户号",
        "与户主关系",
        "流入原因",
        "居住起始日期",
    ]
    body = []
    for i in range(rows):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=i % 15000)
        number = make_identity_number("520102", birth, (i // 15000) * 2 + 1)
        household = f"BENCH-{i // 3}"
        relation = "02" if i % 3 == 0 else "10" if i % 3 == 1 else "20"
        house = houses[(i // 3) % len(houses)]
        body.append(
            [
                "张" + "伟芳强敏"[i % 4],
                number,
                "1",
                f"135{i:08d}",
                "流动",
                house,
                household,
                relation,
                "01",
                "2025-06-01",
            ]
        )
    return write_xlsx("people", header, body)


def import_run(rows: int) -> tuple[float, float]:
    from rich.console import Console
    from rich.progress import Progress

    from registry.importers import do_import, read_file

    data = import_file(rows)
    started = time.perf_counter()
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("reading", total=None)
        parsed, digest = read_file("people", io.BytesIO(data), name="people.xlsx")
        progress.update(task, total=len(parsed), completed=len(parsed))

        def step(label: str, total: int):
            bar = progress.add_task(label, total=total)
            return lambda n: progress.advance(bar, n)

        report = do_import(
            "people", parsed, acting_user="benchmark", file_name="people.xlsx", file_sha256=digest, progress=step
        )
    seconds = time.perf_counter() - started
    if report.problems or report.imported != rows:
        raise SystemExit(report.as_text()[:2000])
    return seconds, bare_import(data)


def bare_import(data: bytes) -> float:
    """Reading the same workbook and inserting its cells as text rows: what any import must at least do."""
    from django.db import connection, transaction

    from core.tabular import read_rows

    started = time.perf_counter()
    rows = [tuple(row.values()) for _, row in read_rows(io.BytesIO(data), name="people.xlsx")]
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_people (a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT, g TEXT, h TEXT, i TEXT, j TEXT)"
        )
        cur.executemany("INSERT INTO bench_people VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
        cur.execute("DROP TABLE bench_people")
    return time.perf_counter() - started


def search_run(queries: int) -> list[tuple[str, float, float, float]]:
    import random

    from django.db import connection

    from accounts.models import User
    from registry.models import Person
    from registry.views import search_people

    user = User.objects.get(username="district")
    count = Person.objects.count()
    rng = random.Random(3)
    ids = list(Person.objects.values_list("pk", flat=True)[:: max(1, count // (queries * 4))])
    sample = list(
        Person.objects.filter(pk__in=rng.sample(ids, min(queries, len(ids)))).values_list(
            "pk", "id_number", "phone", "name"
        )
    )

    def median_ms(func, values) -> float:
        times = []
        for value in values:
            started = time.perf_counter()
            func(value)
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    def bare(pk: int) -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT id, name, phone FROM registry_person WHERE id = %s", [pk])
            cur.fetchall()

    ceiling = median_ms(bare, [s[0] for s in sample])
    results = []
    for metric, column, target in (
        ("search_id_number_ms", 1, 50),
        ("search_phone_ms", 2, 50),
        ("search_name_ms", 3, 200),
    ):
        values = [s[column] for s in sample if s[column]]
        found = search_people(user, values[0])
        if not found:
            raise SystemExit(f"{metric}: the search found nothing for {values[0]!r}")
        results.append(
            (f"{metric}_among_{count}", median_ms(lambda v: search_people(user, v), values), ceiling, target)
        )
    return results


if __name__ == "__main__":
    main()
