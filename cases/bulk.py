"""Bulk import of cases from .xlsx/.csv (e.g. a department's backlog or a day of 12345 records): every row goes
through the same intake as any other channel, with a per-row report; all or nothing unless skip_bad."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from cases.choices import Channel
from cases.intake import IntakeData, create_case
from cases.models import Case
from core.actions import action
from core.tabular import ImportReport, run_import

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
        raise ValidationError({name: f"{value!r} is not a number"}) from None


@action
def do_import_cases(
    rows: list[tuple[int, dict[str, str]]], *, acting_user: Any, skip_bad: bool = False, dry_run: bool = False
) -> ImportReport:
    """A row whose external_ref was imported before is skipped, so the same file can be loaded twice safely."""
    report = ImportReport("cases")

    def create(row: dict[str, str]) -> None:
        ref = row.get("external_ref", "").strip()
        key = f"bulk:{ref}" if ref else None
        if key and Case.objects.filter(idempotency_key=key).exists():
            report.skipped += 1
            return
        create_case(
            IntakeData(
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
                idempotency_key=key,
            ),
            acting_user=acting_user,
        )

    return run_import(report, rows, create, skip_bad=skip_bad, dry_run=dry_run)
