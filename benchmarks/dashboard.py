"""Command-centre endpoints over a 1,000,000-case history: server time of the overview (the live fragment the
page polls) and of one map load (grid figures + case points + heat cells), as the district and as a street.

The figures come from the fact table (`command.CaseFact`, one row per case, kept by the clock from the case event
log). The ceiling, measured in the same run, is the same overview counted straight from the case table (today's
intake by channel, open cases by warning, the month's 三率 through `cases.assessment`): what the page would cost
without the fact table. Peak memory (RSS) of the whole run is reported against 2 GiB.

    .venv/bin/python benchmarks/dashboard.py [--cases 1000000]
    FENGQIAO_DATABASE_URL=postgres://root@127.0.0.1:5432/fq_command_bench .venv/bin/python benchmarks/dashboard.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from _command_data import peak_rss_mib, prepare
from _common import db_vendor, emit

TARGET_S = 1.0
RUNS = 5


def timed(fn) -> float:
    fn()  # warm: the first call builds per-process caches (category names, simplified polygons)
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def get(client, url: str, **params) -> None:
    response = client.get(url, params)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")


def naive_overview() -> None:
    from django.db.models import Count
    from django.utils import timezone

    from cases import assessment
    from cases.models import Case

    now = timezone.now()
    today = dt.datetime.combine(timezone.localdate(), dt.time.min, timezone.get_current_timezone())
    list(Case.objects.filter(created_at__gte=today).values("channel").annotate(n=Count("id")).order_by())
    list(
        Case.objects.exclude(status__in=["closed", "merged", "invalid"])
        .values("warning")
        .annotate(n=Count("id"))
        .order_by()
    )
    assessment.total(assessment.in_period(Case.objects.all(), today.replace(day=1), now))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args()
    timings = prepare(args.cases)
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User

    db = db_vendor()
    for name, value in timings.items():
        emit("dashboard", name, value, "s", target=None, ceiling=None, db=db)
    ceiling = timed(naive_overview)
    district = User.objects.get(username="district")
    street = User.objects.get(username="street")
    for who, user in (("district", district), ("street", street)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        overview = timed(lambda c=client: get(c, reverse("command:live")))
        suffix = "" if who == "district" else "_street"
        emit("dashboard", f"overview_s{suffix}", overview, "s", target=TARGET_S, ceiling=ceiling, db=db)

        def map_load(c=client) -> None:
            for endpoint in ("command:map_figures", "command:map_points", "command:map_heat"):
                get(c, reverse(endpoint))

        emit("dashboard", f"map_s{suffix}", timed(map_load), "s", target=TARGET_S, ceiling=ceiling, db=db)
        emit(
            "dashboard",
            f"map_figures_year_s{suffix}",
            timed(lambda c=client: get(c, reverse("command:map_figures"), start="2000-01-01")),
            "s",
            target=TARGET_S,
            ceiling=ceiling,
            db=db,
        )
    emit("dashboard", "peak_rss_mib", peak_rss_mib(), "MiB", target=2048, ceiling=None, db=db)


if __name__ == "__main__":
    main()
