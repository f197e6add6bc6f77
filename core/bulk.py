"""Fast bulk INSERT for the hot paths (the clock's sweep, the intake), and reading back what a raw cursor returns
(`aware`).

Django's bulk_create builds and prepares every value through its field, which costs more than the database's own
work at this volume. `insert` takes plain dicts, adapts only the values that need it (datetimes for the backend,
JSON), and hands the rows to the driver in as few statements as it takes (_execute); no returned ids. `create`
writes model instances the same way and sets their primary keys from RETURNING. Neither sends signals or calls
save(): use them inside the action's transaction like any other write, for models whose fields they handle.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime


@dataclass(frozen=True)
class _Plan:
    """What an INSERT into one model's table needs, worked out once per model and database."""

    sql: str
    row: str  # the VALUES tuple of one row, "(%s, …)"
    names: tuple[str, ...]
    kinds: tuple[str, ...]  # "datetime", "json" or "" (passed as it is)
    defaults: dict[str, Any]  # static defaults; auto_now(_add) fields are stamped per call
    stamped: tuple[str, ...]
    dynamic: tuple[models.Field, ...]  # callable defaults, called once per call
    encoders: dict[str, Any]
    odd: tuple[str, ...]  # fields create() does not write as the instance holds them


M = TypeVar("M", bound=models.Model)
COPY_FROM = 50  # rows from which PostgreSQL gets COPY
_plans: dict[tuple[type[models.Model], str], _Plan] = {}


# What create() writes as the instance holds it (after the datetime and JSON adaptation of insert()).
_PLAIN_FIELDS = (
    models.BooleanField,
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.DateTimeField,
    models.JSONField,
    models.ForeignKey,
)


def _plan(model: type[models.Model]) -> _Plan:
    key = (model, connection.alias)
    plan = _plans.get(key)
    if plan is None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        stamped = tuple(f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        row = f"({', '.join(['%s'] * len(fields))})"
        plan = _Plan(
            sql=f"INSERT INTO {table} ({columns}) VALUES {row}",
            row=row,
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
            odd=tuple(f.name for f in fields if not isinstance(f, _PLAIN_FIELDS)),
        )
        _plans[key] = plan
    return plan


def insert(model: type[models.Model], rows: Sequence[dict[str, Any]], *, batch: int = 5000) -> int:
    """INSERT `rows` (dicts keyed by field attname, e.g. case_id) into `model`'s table; returns the count.
    Fields a row leaves out take their model default."""
    if not rows:
        return 0
    plan = _plan(model)
    defaults = dict(plan.defaults)
    defaults.update({f.attname: f.get_default() for f in plan.dynamic})
    defaults.update(dict.fromkeys(plan.stamped, timezone.now()))
    adapt = _adapter(plan)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            _execute(cursor, plan, [adapt({**defaults, **row}) for row in rows[start : start + batch]])
    return len(rows)


def _adapter(plan: _Plan) -> Callable[[dict[str, Any]], list[Any]]:
    """A row dict (every column present) → the statement's values, datetimes and JSON adapted for the backend."""
    ops = connection.ops
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

    def adapt(row: dict[str, Any]) -> list[Any]:
        out = list(columns(row))
        for i, adapt_value in adapters:
            if out[i] is not None:
                out[i] = adapt_value(out[i])
        return out

    return adapt


def create(objs: Sequence[M], *, batch: int = 500) -> list[M]:
    """INSERT new instances of one model, stamp their auto_now(_add) fields and set their primary keys: what
    bulk_create does for these plain fields, in one statement per `batch` with RETURNING. Ids come back as the
    rows were numbered, in the order of the VALUES, so they are matched to the instances in ascending order."""
    if not objs:
        return []
    model = type(objs[0])
    plan = _plan(model)
    if plan.odd or any(type(o) is not model or o.pk is not None for o in objs):
        raise TypeError(f"bulk.create takes new {model.__name__} instances with plain fields only (not {plan.odd})")
    now = timezone.now()
    for obj in objs:
        for name in plan.stamped:
            setattr(obj, name, now)
    pk = connection.ops.quote_name(model._meta.pk.column)
    adapt = _adapter(plan)
    values = [adapt(obj.__dict__) for obj in objs]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    batch = min(batch, connection.ops.bulk_batch_size(fields, objs))  # SQLite's limit of bound values
    with connection.cursor() as cursor:
        for start in range(0, len(values), batch):
            chunk = values[start : start + batch]
            cursor.execute(f"{_rows_sql(plan, len(chunk))} RETURNING {pk}", [v for out in chunk for v in out])
            ids = sorted(r[0] for r in cursor.fetchall())
            for obj, new_id in zip(objs[start : start + batch], ids, strict=True):
                obj.pk = new_id
                obj._state.adding = False
                obj._state.db = connection.alias
    return list(objs)


def _rows_sql(plan: _Plan, n: int) -> str:
    """One INSERT of n rows."""
    return plan.sql + f", {plan.row}" * (n - 1)


def _adapt_json(ops: Any, encoder: Any, value: Any) -> Any:
    return ops.adapt_json_value(value, encoder)


def _execute(cursor: Any, plan: _Plan, values: list[list[Any]]) -> None:
    """SQLite's executemany steps one prepared statement in C, the fastest way there. PostgreSQL gets one
    multi-row INSERT for a few rows (one round trip; psycopg's executemany is one statement per row, pipelined)
    and COPY for more (psycopg's COPY writes the rows in C)."""
    if connection.vendor != "postgresql":
        cursor.executemany(plan.sql, values)
        return
    if len(values) < COPY_FROM:
        cursor.execute(_rows_sql(plan, len(values)), [v for out in values for v in out])
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
