"""A million-case history for the command-centre benchmarks, built once and reused.

The database is FENGQIAO_DATABASE_URL when set (PostgreSQL: the schema is rebuilt unless it already holds the
history), otherwise var/bench-command.sqlite3. The demo district (762 grids) is built through its actions; the
cases are written in bulk by `command.synthetic` (a year, weekly and yearly seasons), then the fact table is
rebuilt, the way seed_demo does after the demo history.
"""

from __future__ import annotations

import os
import time

from _common import ROOT, setup_django


def prepare(cases: int) -> dict[str, float]:
    os.environ.setdefault("FENGQIAO_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-command.sqlite3'}")
    os.environ.setdefault("FENGQIAO_LOG_LEVEL", "WARNING")
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from rich.progress import Progress

    from cases.models import Case
    from command import facts, synthetic
    from command.models import CaseFact
    from territory.demo_seed import seed_district

    timings: dict[str, float] = {}
    call_command("migrate", verbosity=0)
    if Case.objects.count() != cases:
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        else:
            connection.close()
            path = connection.settings_dict["NAME"]
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(f"{path}{suffix}"):
                    os.remove(f"{path}{suffix}")
        call_command("migrate", verbosity=0)
        seed_district()
        with Progress() as progress:
            task = progress.add_task("cases", total=cases)
            started = time.perf_counter()
            synthetic.generate(
                cases, days=365, seed=7, batch=20_000, progress=lambda n: progress.update(task, completed=n)
            )
            timings["generate_s"] = time.perf_counter() - started
    from cases.models import Supervision

    if not Supervision.objects.exists():
        synthetic.add_supervisions()
    if CaseFact.objects.count() != cases:
        with Progress() as progress:
            task = progress.add_task("facts", total=cases)
            started = time.perf_counter()
            facts.rebuild(lambda n, total: progress.update(task, completed=n))
            timings["facts_rebuild_s"] = time.perf_counter() - started
        with connection.cursor() as cur:
            # PostgreSQL answers from covering indexes only where the visibility map says so (autovacuum's job).
            cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return timings


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
