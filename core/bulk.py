"""Fast bulk INSERT for the few hot paths that write thousands of rows at once (the clock's sweep).

Django's bulk_create builds a model instance and prepares every value through its field, which costs more than
the database's own work at this volume. `insert` takes plain dicts, adapts only the values that need it
(datetimes for the backend, JSON), and hands the rows to the driver's executemany. No signals, no returned ids:
use it where neither is needed, inside the action's transaction like any other write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        seen: dict[Any, Any] = {}  # a sweep stamps thousands of rows with the same instant

        def adapt(value: Any) -> Any:
            if value not in seen:
                seen[value] = ops.adapt_datetimefield_value(value)
            return seen[value]

        return adapt
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: ops.adapt_json_value(value, encoder)
    return None


def insert(model: type[models.Model], rows: Sequence[dict[str, Any]], *, batch: int = 5000) -> int:
    """INSERT `rows` (dicts keyed by field attname, e.g. case_id) into `model`'s table; returns the count.
    Fields a row leaves out take their model default."""
    if not rows:
        return 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    now = timezone.now()
    defaults = {
        f.attname: now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
        for f in fields
    }
    adapters = [_adapter(f) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            values = []
            for row in rows[start : start + batch]:
                out = []
                for name, adapt in zip(names, adapters, strict=True):
                    value = row[name] if name in row else defaults.get(name)
                    out.append(adapt(value) if adapt is not None and value is not None else value)
                values.append(out)
            cursor.executemany(sql, values)
    return len(rows)
