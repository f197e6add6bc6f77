"""Where triage meets the intake (cases.intake): `prepare` fills what the reporter left out before validation
(category from the text, location from the address); after the cases are stored, inside the intake's transaction and
with every (case, report) pair of the batch at once, `cases_stored` runs before the intake's audit entries are
written (suggestions, the duplicate index and candidates: work that writes no audit entry of its own) and
`cases_created` after them (steps that are audited: address resolutions, merging exact repeats). The split keeps the
audit chain's head, which every writer locks, held only for the end of the transaction (on PostgreSQL concurrent
intakes wait for each other only there). Each area of triage adds its function to the lists."""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string

PREPARE: list[str] = [
    # classification
    "triage.classification.prepare",
    # addresses
    "triage.placing.place_address",
]
CASE_STORED: list[str] = [  # must not write audit entries (they would precede the intake's own)
    # classification
    "triage.classification.cases_created",
    # duplicates: index the batch, store its candidates
    "triage.duplicates.cases_stored",
]
CASE_CREATED: list[str] = [
    # addresses
    "triage.placing.record_resolutions",
    # duplicates (last: it may merge the new case into an earlier one)
    "triage.duplicates.cases_created",
]


def prepare(data: Any) -> None:
    for path in PREPARE:
        import_string(path)(data)


def cases_stored(pairs: list[tuple[Any, Any]]) -> None:
    for path in CASE_STORED:
        import_string(path)(pairs)


def cases_created(pairs: list[tuple[Any, Any]]) -> None:
    for path in CASE_CREATED:
        import_string(path)(pairs)
