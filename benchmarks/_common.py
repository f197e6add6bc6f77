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
