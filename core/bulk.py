"""Fast bulk INSERT for the hot paths (the clock's sweep, the intake's rows nobody reads back), and reading back
what a raw cursor returns (`aware`).

Django's bulk_create builds a model instance and prepares every value through its field, which costs more than
the database's own work at this volume. `insert` takes plain dicts, adapts only the values that need it
(datetimes for the backend, JSON), and hands the rows to the driver's executemany. No signals, no returned ids:
use it where neither is needed, inside the action's transaction like any other write.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime


@dataclass(frozen=True)
class _Plan:
    """What an INSERT into one model's table needs, worked out once per model and database."""

    sql: str
    names: tuple[str, ...]
    kinds: tuple[str, ...]  # "datetime", "json" or "" (passed as it is)
    defaults: dict[str, Any]  # static defaults; auto_now(_add) fields are stamped per call
    stamped: tuple[str, ...]
    dynamic: tuple[models.Field, ...]  # callable defaults, called once per call
    encoders: dict[str, Any]


COPY_FROM = 50  # rows from which PostgreSQL gets COPY
_plans: dict[tuple[type[models.Model], str], _Plan] = {}


def _plan(model: type[models.Model]) -> _Plan:
    key = (model, connection.alias)
    plan = _plans.get(key)
    if plan is None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        stamped = tuple(f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        plan = _Plan(
            sql=f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})",
            names=tuple(f.attname for f in fields),
            kinds=tuple(
                "datetime" if isinstance(f, models.DateTimeField) else "json" if isinstance(f, models.JSONField) else ""
                for f in fields
            ),
            defaults={
                f.attname: f.get_default() for f in fields if f.attname not in stamped and not callable(f.default)
            },
            stamped=stamped,
            dynamic=tuple(f for f in fields if f.attname not in stamped and callable(f.default)),
            encoders={f.attname: f.encoder for f in fields if isinstance(f, models.JSONField)},
        )
        _plans[key] = plan
    return plan


def insert(model: type[models.Model], rows: Sequence[dict[str, Any]], *, batch: int = 5000) -> int:
    """INSERT `rows` (dicts keyed by field attname, e.g. case_id) into `model`'s table; returns the count.
    Fields a row leaves out take their model default."""
    if not rows:
        return 0
    plan = _plan(model)
    ops = connection.ops
    defaults = dict(plan.defaults)
    defaults.update({f.attname: f.get_default() for f in plan.dynamic})
    defaults.update(dict.fromkeys(plan.stamped, timezone.now()))
    seen: dict[Any, Any] = {}  # a sweep stamps thousands of rows with the same instant

    def adapt_datetime(value: Any) -> Any:
        if value not in seen:
            seen[value] = ops.adapt_datetimefield_value(value)
        return seen[value]

    adapters: list[tuple[int, Callable[[Any], Any]]] = []
    for i, (name, kind) in enumerate(zip(plan.names, plan.kinds, strict=True)):
        if kind == "datetime":
            adapters.append((i, adapt_datetime))
        elif kind == "json":
            adapters.append((i, functools.partial(_adapt_json, ops, plan.encoders[name])))
    columns: Callable[[dict[str, Any]], Any] = operator.itemgetter(*plan.names)
    if len(plan.names) == 1:  # itemgetter of one name gives the value, not a tuple
        only = plan.names[0]
        columns = lambda row: (row[only],)  # noqa: E731
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            values = []
            for row in rows[start : start + batch]:
                out = list(columns({**defaults, **row}))
                for i, adapt in adapters:
                    if out[i] is not None:
                        out[i] = adapt(out[i])
                values.append(out)
            _execute(cursor, plan, values)
    return len(rows)


def _adapt_json(ops: Any, encoder: Any, value: Any) -> Any:
    return ops.adapt_json_value(value, encoder)


def _execute(cursor: Any, plan: _Plan, values: list[list[Any]]) -> None:
    """SQLite's executemany steps one prepared statement in C, the fastest way there. PostgreSQL gets COPY for
    more than a few rows (psycopg's COPY writes the rows in C; executemany is still one statement per row)."""
    if connection.vendor != "postgresql" or len(values) < COPY_FROM:
        cursor.executemany(plan.sql, values)
        return
    head = plan.sql[len("INSERT INTO ") : plan.sql.rindex(" VALUES ")]
    with cursor.cursor.copy(f"COPY {head} FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def aware(value: Any) -> Any:
    """A datetime column as a raw cursor returns it: SQLite hands back text, and naive values are UTC (USE_TZ)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, dt.UTC) if value is not None and timezone.is_naive(value) else value
