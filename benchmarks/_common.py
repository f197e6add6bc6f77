"""Helpers for benchmarks: every figure is one JSON line with its same-run ceiling and ratio."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    import django

    django.setup()


def db_vendor() -> str:
    from django.db import connection

    return connection.vendor


def emit(
    benchmark: str, metric: str, value: float, unit: str, *, target: Any, ceiling: float | None, db: str | None
) -> None:
    ratio = round(value / ceiling, 4) if ceiling else None
    print(
        json.dumps(
            {
                "benchmark": benchmark,
                "metric": metric,
                "value": round(value, 4),
                "unit": unit,
                "target": target,
                "ceiling": None if ceiling is None else round(ceiling, 4),
                "ratio": ratio,
                "db": db,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def demo_database() -> None:
    """A throwaway database with the demo district, no case history and no registry residents: a new SQLite
    file, or the PostgreSQL database FENGQIAO_DATABASE_URL names, emptied first."""
    import tempfile

    os.environ.setdefault("FENGQIAO_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
    os.environ.setdefault("FENGQIAO_DEMO_RESIDENTS", "0")  # the registry's 300,000 residents: benchmarks/registry.py
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--history-days", "0", verbosity=0)
