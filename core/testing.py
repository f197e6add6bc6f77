"""A small district every test can use, and the generic permission suite views inherit (NetBox-style).

The district 990100 (a made-up code) is a 2×2×2×2 checkerboard: two streets, two communities each, two grids
each. alice runs the district, bob the first street's command centre, carol works grid A-1-1, dave grid B-1-1,
erin is a department handler, frank a resident.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.test import TestCase

from accounts.actions import create_account
from accounts.roles import Role
from core.actions import action
from territory.actions import create_division, create_grid, create_standing_items
from territory.choices import StaffRole
from territory.models import Department, Division, Grid, GridAssignment

DISTRICT = "990100"
WEST, SOUTH, EAST, NORTH = 120.0, 28.0, 120.4, 28.2


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def street_code(s: int) -> str:
    return f"{DISTRICT}{s + 1:03d}"


def community_code(s: int, c: int) -> str:
    return f"{street_code(s)}{c + 1:03d}"


def grid_code(s: int, c: int, g: int) -> str:
    return f"{community_code(s, c)}{g + 1:03d}"


@action
def build_test_district() -> dict[str, Any]:
    create_division(
        code=DISTRICT,
        name="测试区",
        kind="district",
        parent_code=None,
        geometry=box(WEST, SOUTH, EAST, NORTH),
        acting_user="test",
    )
    mid_lon, mid_lat = (WEST + EAST) / 2, (SOUTH + NORTH) / 2
    for s, (w, e) in enumerate([(WEST, mid_lon), (mid_lon, EAST)]):
        street = "AB"[s]
        create_division(
            code=street_code(s),
            name=f"{street}街道",
            kind="street",
            parent_code=DISTRICT,
            geometry=box(w, SOUTH, e, NORTH),
            acting_user="test",
        )
        for c, (so, no) in enumerate([(SOUTH, mid_lat), (mid_lat, NORTH)]):
            create_division(
                code=community_code(s, c),
                name=f"{street}{c + 1}社区",
                kind="community",
                parent_code=street_code(s),
                geometry=box(w, so, e, no),
                acting_user="test",
            )
            for g, (gw, ge) in enumerate([(w, (w + e) / 2), ((w + e) / 2, e)]):
                create_grid(
                    code=grid_code(s, c, g),
                    name=f"{street}{c + 1}社区第{g + 1}网格",
                    kind="residential",
                    community_code=community_code(s, c),
                    geometry=box(gw, so, ge, no),
                    acting_user="test",
                )
    district = Division.objects.get(code=DISTRICT)
    create_standing_items(district, acting_user="test")
    dept = Department.objects.create(code="test-zfj", name="区综合行政执法局", division=district)
    people = {
        "alice": dict(role=Role.ADMINISTRATOR, division=district, is_staff=True),
        "bob": dict(role=Role.STREET_COMMAND, division=Division.objects.get(code=street_code(0))),
        "carol": dict(role=Role.GRID_WORKER),
        "dave": dict(role=Role.GRID_WORKER),
        "erin": dict(role=Role.DEPARTMENT_HANDLER, department=dept),
        "frank": dict(role=Role.RESIDENT),
        "leo": dict(role=Role.LEADER, division=district),
    }
    users = {
        name: create_account(
            username=name, display_name=name.title(), password="password", acting_user="test", **fields
        )
        for name, fields in people.items()
    }
    for name, code in (("carol", grid_code(0, 0, 0)), ("dave", grid_code(1, 0, 0))):
        GridAssignment.objects.create(
            grid=Grid.objects.get(code=code), user=users[name], role=StaffRole.FULL_TIME, start_date="2025-01-01"
        )
    return users


class DistrictTestCase(TestCase):
    users: ClassVar[dict[str, Any]]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.users = build_test_district()
        for name, user in cls.users.items():
            setattr(cls, name, user)

    def login(self, name: str) -> None:
        self.client.force_login(self.users[name])


class ScopedViewTests:
    """Mix into a DistrictTestCase. Set `permitted` and `unpermitted` (usernames) and implement `url_inside()`,
    `url_outside()` (an object in another territory) and `url_missing()`."""

    permitted: str = "carol"
    unpermitted: str = "frank"
    anonymous_status: int = 302  # pages send people to the log-in page; APIs answer 401
    client: Any

    def url_inside(self) -> str:
        raise AssertionError("define url_inside()")

    def url_outside(self) -> str:
        raise AssertionError("define url_outside()")

    def url_missing(self) -> str:
        raise AssertionError("define url_missing()")

    def test_anonymous_cannot_read(self) -> None:
        response = self.client.get(self.url_inside())
        assert response.status_code == self.anonymous_status, response.status_code

    def test_without_permission_is_forbidden(self) -> None:
        self.login(self.unpermitted)  # type: ignore[attr-defined]
        assert self.client.get(self.url_inside()).status_code == 403

    def test_permitted_user_reads_inside_their_territory(self) -> None:
        self.login(self.permitted)  # type: ignore[attr-defined]
        assert self.client.get(self.url_inside()).status_code == 200

    def test_outside_the_territory_looks_missing(self) -> None:
        self.login(self.permitted)  # type: ignore[attr-defined]
        outside, missing = self.client.get(self.url_outside()), self.client.get(self.url_missing())
        assert outside.status_code == 404 and missing.status_code == 404
