"""Fixtures for registry tests: the test district with a few houses, and valid identity numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from core.testing import DistrictTestCase, grid_code
from registry import writers
from registry.models import House
from registry.validators import make_identity_number


def id_number(n: int, birth: dt.date = dt.date(1985, 6, 1), male: bool = True) -> str:
    """A distinct valid number per n (sequence odd for men, even for women)."""
    seq = (n * 2 + (1 if male else 0)) % 1000
    return make_identity_number("330304", birth + dt.timedelta(days=n // 500), seq)


def make_house(code: str, grid: str, *, use: str = "own", room: str = "101", owner: Any = None, **extra: Any) -> House:
    with transaction.atomic():
        return _make_house(code, grid, use=use, room=room, owner=owner, **extra)


def _make_house(code: str, grid: str, *, use: str, room: str, owner: Any, **extra: Any) -> House:
    ctx = writers.Context("test")
    report = writers.RegistryReport("houses")
    values = {
        "code": code,
        "grid_code": grid,
        "estate": "锦华苑",
        "building": "3",
        "unit": "1",
        "room": room,
        "house_type": "residential",
        "use": use,
        **extra,
    }
    prepared = writers.prepare_houses([(1, values)], ctx, report)
    assert not report.problems, report.as_text()
    (house,) = writers.write_houses(prepared, acting_user="test", source="form", audit_each=True)
    if owner is not None:
        House.objects.filter(pk=house.pk).update(owner=owner)
        house.refresh_from_db()
    return house


class RegistryTestCase(DistrictTestCase):
    """Houses: h1 and h2 in carol's grid A-1-1, h3 in dave's grid B-1-1."""

    h1: House
    h2: House
    h3: House

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.h1 = make_house("H-A11-1", grid_code(0, 0, 0), room="101")
        cls.h2 = make_house("H-A11-2", grid_code(0, 0, 0), room="102", use="vacant")
        cls.h3 = make_house("H-B11-1", grid_code(1, 0, 0), room="201")
