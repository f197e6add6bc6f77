"""Fast inserts for imports and the demo seed: primary keys reserved up front, then one executemany (SQLite) or
COPY (PostgreSQL) per table. Django's bulk_create compiles SQL for every value, which made it the bottleneck at
100,000 rows (most of a minute); this keeps model instances and their field defaults but skips the compiler.
Must run inside the caller's transaction (the actions hold it)."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

BATCH = 5000


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the action's IMMEDIATE transaction holds the write lock, so nobody else takes these ids.
        cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def assign_ids(objects: Sequence[models.Model]) -> None:
    """Give unsaved instances their primary keys now, so rows can point at each other before any is inserted
    (Django's foreign keys are DEFERRABLE INITIALLY DEFERRED on both databases)."""
    if objects:
        for obj, pk in zip(objects, reserve_ids(type(objects[0]), len(objects)), strict=True):
            obj.pk = pk


def _converter(field: models.Field) -> Callable[[Any], Any]:
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    if connection.vendor == "sqlite":
        if isinstance(field, models.DateTimeField):
            adapt = connection.ops.adapt_datetimefield_value
            seen: dict[Any, Any] = {}
            # Every row of one insert shares its created/updated time: adapt it once.
            return lambda v: None if v is None else seen[v] if v in seen else seen.setdefault(v, adapt(v))
        if isinstance(field, models.DateField):
            return lambda v: None if v is None else v.isoformat()
    return _same


def _same(value: Any) -> Any:
    return value


def build(model: type[models.Model], **values: Any) -> Any:
    """An unsaved instance without Model.__init__ (a third of the seed's time at 300,000 rows): field defaults,
    then `values` by attribute name."""
    obj = model.__new__(model)
    obj.__dict__.update(_defaults(model))
    obj.__dict__.update(values)
    obj._state = models.base.ModelState()
    return obj


_DEFAULTS: dict[type, dict[str, Any]] = {}


def _defaults(model: type[models.Model]) -> dict[str, Any]:
    if model not in _DEFAULTS:
        _DEFAULTS[model] = {f.attname: f.get_default() for f in model._meta.concrete_fields}
    return _DEFAULTS[model]


def insert(objects: Sequence[models.Model]) -> None:
    """Insert unsaved instances of one model, setting the primary keys not yet assigned."""
    if not objects:
        return
    model = type(objects[0])
    fields = list(model._meta.concrete_fields)
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                setattr(obj, field.attname, now)
    assign_ids([obj for obj in objects if obj.pk is None])
    for obj in objects:
        obj._state.adding = False
    names = [field.attname for field in fields]
    take = operator.itemgetter(*names)
    rows = [take(obj.__dict__) for obj in objects]
    for i, field in enumerate(fields):
        convert = _converter(field)
        if convert is not _same:
            rows = [(*row[:i], convert(row[i]), *row[i + 1 :]) for row in rows]
    columns = ", ".join(f'"{field.column}"' for field in fields)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f'INSERT INTO "{table}" ({columns}) VALUES ({marks})'
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, rows[start : start + BATCH])
