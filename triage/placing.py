"""The address part of the intake hooks: place a report that has only an address, and record how it was placed."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from core import audit
from triage import address


def place_address(data: Any) -> None:
    """triage.hooks.PREPARE: an address without a map point or community → community (and grid when certain).

    With a community already chosen (12345 console), a grid is still taken from the address when it lies in that
    community. Below TRIAGE_ADDRESS_MIN_CONFIDENCE nothing is filled and validation asks for a pin or community."""
    text = (data.address or "").strip()
    if not text or data.lon is not None or data.lat is not None or data.grid_code:
        return
    found = address.lookup(text)
    sure = found.placed and found.confidence >= settings.TRIAGE_ADDRESS_MIN_CONFIDENCE
    if data.community_code:
        used = sure and bool(found.grid_code) and found.community_code == data.community_code
        if used:
            data.grid_code = found.grid_code
    else:
        used = sure
        if used:
            data.community_code = found.community_code
            data.grid_code = found.grid_code
    data.address_resolution = (found, used)


def record_resolutions(pairs: list[tuple[Any, Any]]) -> None:
    """triage.hooks.CASE_CREATED: keep each resolution beside its case (inside the intake's transaction)."""
    from triage.models import AddressResolution

    held = [(case, data) for case, data in pairs if getattr(data, "address_resolution", None)]
    if not held:
        return
    rows = AddressResolution.objects.bulk_create(
        [
            AddressResolution(
                case=case,
                query=found.query[:300],
                level=found.level,
                community_code=found.community_code,
                grid_code=found.grid_code,
                confidence=found.confidence,
                used=used,
                parts=found.parts,
            )
            for case, data in held
            for found, used in [data.address_resolution]
        ]
    )
    audit.record_many(
        [
            audit.Pending.of(
                "triage.address_resolved",
                row,
                after=data.address_resolution[0].as_json(),
                request_id=getattr(data, "request_id", None),
            )
            for row, (_, data) in zip(rows, held, strict=True)
        ],
        actor="triage",
    )
