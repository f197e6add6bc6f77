"""System checks of the deployment (`manage.py check --database default`; `migrate` runs them too)."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import connections


def autovacuum(alias: str) -> str:
    with connections[alias].cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0]


@checks.register(checks.Tags.database)
def postgres_autovacuum(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """PostgreSQL with autovacuum off never refreshes its statistics or visibility map by itself: the planner
    keeps the estimates of empty tables (the duplicate search's bounded index ranges become bitmap scans that read
    every row of a popular band value) and index-only scans visit the table for every row."""
    found: list[checks.CheckMessage] = []
    for alias in databases or ():
        if connections[alias].vendor == "postgresql" and autovacuum(alias) != "on":
            found.append(
                checks.Warning(
                    f"PostgreSQL's autovacuum is off for database {alias!r}",
                    hint="Statistics and the visibility map go stale as cases arrive, and the intake's searches slow "
                    "down with them. Set autovacuum = on in postgresql.conf and reload, or run VACUUM ANALYZE "
                    "regularly.",
                    id="core.W001",
                )
            )
    return found
