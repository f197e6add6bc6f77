"""Import of people, houses, organisations and places from .xlsx/.csv: the same checks as the forms, a report
naming row, column and reason, nothing written while any row is bad unless the user asks for the good rows."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.actions import action
from core.tabular import FileError, read_rows
from registry import writers
from registry.choices import Source
from registry.rows import COLUMNS, header_map

KINDS = tuple(COLUMNS)
PREPARE: dict[str, Callable[..., list[Any]]] = {
    "people": writers.prepare_people,
    "houses": writers.prepare_houses,
    "organisations": writers.prepare_organisations,
    "places": writers.prepare_places,
}
Progress = Callable[[str, int], Callable[[int], None]]


def read_file(kind: str, source: BinaryIO, *, name: str, encoding: str = "utf-8") -> tuple[writers.Rows, str]:
    """(rows keyed by column, SHA-256 of the file). FileError for an unreadable file or missing columns."""
    data = source.read()
    digest = hashlib.sha256(data).hexdigest()
    raw_rows = read_rows(io.BytesIO(data), name=name, encoding=encoding)
    header = list(raw_rows[0][1]) if raw_rows else []
    if not raw_rows:
        raise FileError("the file has a header but no rows")
    mapping, missing = header_map(kind, header)
    if missing:
        raise FileError(f"missing column(s): {', '.join(missing)} (found: {', '.join(header)})")
    rows = [(number, {mapping[h]: v for h, v in row.items() if h in mapping}) for number, row in raw_rows]
    return rows, digest


@action
def do_import(
    kind: str,
    rows: writers.Rows,
    *,
    acting_user: Any,
    skip_bad: bool = False,
    dry_run: bool = False,
    file_name: str = "",
    file_sha256: str = "",
    progress: Progress | None = None,
) -> writers.RegistryReport:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if not acting_user_may_import(acting_user):
        raise PermissionDenied
    step = progress or (lambda label, total: lambda n: None)
    report = writers.RegistryReport(kind, total=len(rows), dry_run=dry_run)
    ctx = writers.Context(acting_user, tick=step(f"checking {kind}", len(rows)))
    prepared = PREPARE[kind](rows, ctx, report)
    report.problems.sort(key=lambda p: p.row)
    if dry_run or (report.problems and not skip_bad):
        report.imported = 0 if report.problems and not skip_bad else len(prepared)
        transaction.set_rollback(True)
        return report
    tick = step(f"writing {kind}", len(prepared))
    options = {"acting_user": acting_user, "source": Source.IMPORT, "audit_each": False, "progress": tick}
    if kind == "people":
        created, report.flagged = writers.write_people(prepared, **options)  # type: ignore[arg-type]
    else:
        created = getattr(writers, f"write_{kind}")(prepared, **options)
    report.imported, report.written = len(created), True
    report.created_ids = [obj.pk for obj in created]
    if created:
        _record_import(kind, report, acting_user, file_name, file_sha256)
    return report


def _record_import(kind: str, report: writers.RegistryReport, acting_user: Any, name: str, sha256: str) -> None:
    from core import audit

    audit.record(
        f"registry.import_{kind}",
        actor=acting_user,
        object_type=f"registry.{kind}",
        object_id=sha256[:16] or "file",
        after={
            "file": name,
            "sha256": sha256,
            "rows": report.total,
            "imported": report.imported,
            "bad_rows": report.bad_rows,
            "flagged": report.flagged,
        },
    )


def acting_user_may_import(user: Any) -> bool:
    if isinstance(user, str):  # a management command without --user
        return True
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("registry.import_registry"))
