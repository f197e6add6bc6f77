"""Where triage meets the intake (cases.intake): `prepare` fills what the reporter left out before validation
(category from the text, location from the address); `cases_created` runs inside the intake's transaction after the
cases are stored (suggestion, duplicate index and candidates), with every (case, report) pair of the batch at once.
Each area of triage adds its function to the lists."""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string

PREPARE: list[str] = [
    # classification
    "triage.classification.prepare",
    # addresses
    "triage.placing.place_address",
]
CASE_CREATED: list[str] = [
    # classification
    "triage.classification.cases_created",
    # addresses
    "triage.placing.record_resolutions",
    # duplicates (last: it may merge the new case into an earlier one)
    "triage.duplicates.cases_created",
]


def prepare(data: Any) -> None:
    for path in PREPARE:
        import_string(path)(data)


def cases_created(pairs: list[tuple[Any, Any]]) -> None:
    for path in CASE_CREATED:
        import_string(path)(pairs)
