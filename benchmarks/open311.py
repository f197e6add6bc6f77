"""Open311 GeoReport v2 through the whole HTTP stack (in-process client: middleware, form parsing, rate limit,
intake, XML/JSON): POST requests per second against the bare intake() of the same reports in the same run, and
GET requests.json of 1,000 records against the ORM query that fetches them.

    .venv/bin/python benchmarks/open311.py --requests 500
    FENGQIAO_DATABASE_URL=postgres://root@127.0.0.1:5432/fq_bench .venv/bin/python benchmarks/open311.py
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from _common import db_vendor, emit

POST_TARGET = 50  # requests/s on the 2-core machine
LIST_TARGET = 1000  # ms for 1,000 records


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("FENGQIAO_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
    os.environ.setdefault("FENGQIAO_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    os.environ.setdefault("FENGQIAO_LOG_LEVEL", "WARNING")
    from _common import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    key, code = world()
    n = args.requests
    ceiling = intake_rate(code, n)
    rate = post_rate(key, code, n)
    emit("open311", "post_requests_per_s", rate, "requests/s", target=POST_TARGET, ceiling=ceiling, db=db_vendor())
    list_ms, query_ms = list_times()
    emit("open311", "get_requests_1000_ms", list_ms, "ms", target=LIST_TARGET, ceiling=query_ms, db=db_vendor())


def world() -> tuple[str, str]:
    from cases.categories import build_categories
    from cases.models import Category
    from core.testing import build_test_district
    from open311.actions import create_key, do_define_service

    build_test_district()
    build_categories(acting_user="benchmark")
    noise = Category.objects.get(name="噪音污染", depth=3)
    attributes = [
        {
            "code": "source",
            "datatype": "singlevaluelist",
            "required": True,
            "description": "来源",
            "values": [("shop", "商铺")],
        }
    ]
    do_define_service(noise, attributes=attributes, acting_user="benchmark")
    _client, key = create_key("benchmark", acting_user="benchmark", requests_per_minute=10_000_000)
    return key, noise.code


def point(i: int) -> tuple[float, float]:
    return 120.01 + (i % 37) * 0.01, 28.01 + (i % 17) * 0.01


def intake_rate(code: str, n: int) -> float:
    from cases.intake import IntakeData, intake

    started = time.perf_counter()
    for i in range(n):
        lon, lat = point(i)
        intake(
            IntakeData(
                channel="open311",
                description=f"噪音 {i}",
                category_code=code,
                lon=lon,
                lat=lat,
                reporter_phone="13812345678",
            ),
            acting_user="benchmark",
        )
    return n / (time.perf_counter() - started)


def post_rate(key: str, code: str, n: int) -> float:
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    started = time.perf_counter()
    for i in range(n):
        lon, lat = point(i)
        response = client.post(
            "/open311/v2/requests.json",
            {
                "api_key": key,
                "service_code": code,
                "lat": lat,
                "long": lon,
                "description": f"噪音 {i}",
                "attribute[source]": "shop",
                "phone": "13812345678",
            },
        )
        assert response.status_code == 201, response.content
    return n / (time.perf_counter() - started)


def list_times() -> tuple[float, float]:
    from django.test import Client

    from open311 import catalog, records

    client = Client(HTTP_HOST="localhost")
    runs = 5
    started = time.perf_counter()
    for _ in range(runs):
        response = client.get("/open311/v2/requests.json", REMOTE_ADDR=f"127.0.0.{_ + 2}")
        assert response.status_code == 200
    list_ms = (time.perf_counter() - started) * 1000 / runs
    started = time.perf_counter()
    for _ in range(runs):
        list(records.published(catalog.services()).order_by("-created_at")[:1000])
    return list_ms, (time.perf_counter() - started) * 1000 / runs


if __name__ == "__main__":
    main()
