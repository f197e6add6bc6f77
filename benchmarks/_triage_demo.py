"""A small demo district for the address and hot-issue benchmarks: 60 communities, 180 grids, 20,000 registry
residents (houses, compounds, places, organisations) and 30 days of case history, in a throwaway SQLite file or
the PostgreSQL database FENGQIAO_DATABASE_URL names (emptied first)."""

from __future__ import annotations

import os
import tempfile


def small_demo_database(residents: int = 20_000, days: int = 30) -> None:
    os.environ.setdefault("FENGQIAO_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
    os.environ["FENGQIAO_DEMO_RESIDENTS"] = str(residents)
    from _common import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--communities", "60", "--grids", "180", "--history-days", str(days), verbosity=0)
