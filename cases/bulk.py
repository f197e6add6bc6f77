"""Bulk import of cases from .xlsx/.csv (e.g. a department's backlog or a day of 12345 records): every row goes
through the same intake as any other channel, with a per-row report; all or nothing unless skip_bad."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.choices import Channel
from cases.intake import IntakeData, create_cases
from cases.models import Case
from core.actions import action
from core.tabular import ImportReport, finish_import

CASE_COLUMNS = ("description",)
OPTIONAL_COLUMNS = (
    "category_code",  # empty: the triage classifier suggests it from the text
    "lon",
    "lat",
    "address",
    "community_code",
    "reporter_name",
    "reporter_phone",
    "urgency",
    "external_ref",
    "title",
)


def _float(row: dict[str, str], name: str) -> float | None:
    value = row.get(name, "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ValidationError({name: _("%(value)r is not a number") % {"value": value}}) from None


CHUNK = 200  # rows filed per create_cases() call: multi-row statements for the lot


@action
def do_import_cases(
    rows: list[tuple[int, dict[str, str]]], *, acting_user: Any, skip_bad: bool = False, dry_run: bool = False
) -> ImportReport:
    """A row whose external_ref was imported before is skipped, so the same file can be loaded twice safely. Rows
    are filed CHUNK at a time through the batch intake (cases.intake.create_cases); a refused row writes nothing,
    and any refused row rolls the whole import back unless `skip_bad`."""
    report = ImportReport("cases")
    report.total, report.dry_run = len(rows), dry_run
    for start in range(0, len(rows), CHUNK):
        _file(rows[start : start + CHUNK], report, acting_user)
    report.problems.sort(key=lambda problem: problem.row)  # unreadable numbers are found before the intake's checks
    return finish_import(report, skip_bad=skip_bad, dry_run=dry_run)


def _file(rows: list[tuple[int, dict[str, str]]], report: ImportReport, acting_user: Any) -> None:
    items: list[tuple[int, IntakeData]] = []
    for number, row in rows:
        ref = row.get("external_ref", "").strip()
        try:
            data = IntakeData(
                channel=Channel.BULK,
                description=row.get("description", ""),
                category_code=row.get("category_code", ""),
                lon=_float(row, "lon"),
                lat=_float(row, "lat"),
                address=row.get("address", ""),
                community_code=row.get("community_code", ""),
                title=row.get("title", ""),
                reporter_name=row.get("reporter_name", ""),
                reporter_phone=row.get("reporter_phone", ""),
                urgency=row.get("urgency", "") or "normal",
                external_ref=ref,
                idempotency_key=f"bulk:{ref}" if ref else None,
            )
        except ValidationError as exc:
            report.refused(number, exc)
            continue
        items.append((number, data))
    keys = {data.idempotency_key for _, data in items if data.idempotency_key}
    seen = set(Case.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    todo = []
    for number, data in items:
        if data.idempotency_key in seen:  # imported before, or earlier in this file
            report.skipped += 1
            continue
        if data.idempotency_key:
            seen.add(data.idempotency_key)
        todo.append((number, data))
    for (number, _data), outcome in zip(todo, create_cases([(d, acting_user) for _n, d in todo]), strict=True):
        if outcome.error is not None:
            report.refused(number, outcome.error)
        else:
            report.imported += 1
