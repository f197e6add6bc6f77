"""The demo district: a real boundary and real streets, generated communities and grids that tile it, and the
people who work it. Deterministic: the same seed gives the same district."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.actions import create_account
from accounts.models import User
from accounts.roles import Role
from core import audit
from territory import layout as geometry
from territory import people as names
from territory.actions import create_division, create_grid, create_standing_items
from territory.choices import AdmissionStatus, StaffRole
from territory.models import AdmissionItem, Department, Division, GridAssignment

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "fengqiao"
ACTOR = "seed_demo"
STREET_ACCOUNTS = 7
DEPARTMENT_ACCOUNTS = 7
SPARSE_GRID = 250  # residents below which a grid can share its worker with the next one (一员多格)


@dataclass
class DemoLogin:
    username: str
    role: str
    where: str


@dataclass
class SeedResult:
    district: Division
    created: bool
    logins: list[DemoLogin]


def read_streets(path: Path, district_code: str) -> list[geometry.StreetSpec]:
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["areaCode"] == district_code]
    return [geometry.StreetSpec(code=r["code"], name=r["name"]) for r in sorted(rows, key=lambda r: r["code"])]


def seed_district(
    *,
    boundary_path: Path | None = None,
    streets_path: Path | None = None,
    communities: int = 250,
    grids: int = 762,
    seed: int = 0,
    progress: Callable[[str, int], Callable[[], None]] | None = None,
    with_named_logins: bool = True,
) -> SeedResult:
    """Build (or reuse) a district. `progress(label, total)` returns a function to call once per step."""
    code, name, boundary, centre = geometry.load_boundary(boundary_path or DATA_DIR / "330304.geojson")
    existing = Division.objects.filter(code=code).first()
    if existing is not None:
        return SeedResult(existing, False, named_logins(existing) if with_named_logins else [])
    streets = read_streets(streets_path or DATA_DIR / "streets.csv", code)
    layout = geometry.generate_district(
        code, name, boundary, streets, centre=centre, communities=communities, grids=grids, seed=seed
    )
    step = progress or (lambda label, total: lambda: None)
    with transaction.atomic(durable=True):
        district = _build_divisions(layout, step)
        rng = np.random.default_rng(seed + 1)
        people = _People(rng, make_password(DEMO_PASSWORD))
        departments = _build_departments(district, people, step)
        _build_street_and_community_staff(layout, people, step)
        _build_grid_staff(layout, people, rng, step)
        _build_admission_list(district, departments)
        _build_case_setup(departments)
        if with_named_logins:
            _build_named_logins(district, departments, people)
    return SeedResult(district, True, named_logins(district) if with_named_logins else [])


def _build_divisions(layout: geometry.DistrictLayout, step) -> Division:
    tick = step("divisions and grids", 1 + len(layout.streets) + len(layout.communities) + len(layout.grids))
    district = create_division(
        code=layout.code,
        name=layout.name,
        kind="county" if layout.name.endswith(("市", "县")) else "district",
        parent_code=None,
        geometry=geometry_json(layout.boundary),
        acting_user=ACTOR,
    )
    tick()
    for cell in layout.streets + layout.communities:
        create_division(
            code=cell.code,
            name=cell.name,
            kind=cell.kind,
            parent_code=cell.parent_code or layout.code,
            geometry=geometry_json(cell.geometry),
            acting_user=ACTOR,
        )
        tick()
    siblings: dict[str, list[tuple[str, Any]]] = {}
    for cell in layout.grids:
        kin = siblings.setdefault(cell.parent_code or "", [])
        create_grid(
            code=cell.code,
            name=cell.name,
            kind=cell.kind,
            community_code=cell.parent_code or "",
            geometry=geometry_json(cell.geometry),
            acting_user=ACTOR,
            siblings=kin,
        )
        kin.append((cell.code, cell.geometry))
        tick()
    return district


def geometry_json(geom: Any) -> dict[str, Any]:
    from territory.geo import to_geojson

    return to_geojson(geom)


class _People:
    """Makes accounts with realistic names and phone numbers, all with the demo password."""

    def __init__(self, rng: np.random.Generator, password_hash: str) -> None:
        self.rng, self.password_hash = rng, password_hash
        self.phones: set[str] = set()

    def phone(self) -> str:
        while True:
            number = f"1{self.rng.choice([3, 5, 7, 8, 9])}{self.rng.integers(0, 10**9):09d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def make(self, username: str, role: str, **fields: Any) -> User:
        return create_account(
            username=username,
            role=role,
            display_name=fields.pop("display_name", None) or names.person_name(self.rng),
            phone=self.phone(),
            password_hash=self.password_hash,
            acting_user=ACTOR,
            **fields,
        )


def _build_departments(district: Division, people: _People, step) -> list[Department]:
    tick = step("departments", len(names.DEPARTMENTS))
    departments = []
    for short, name in names.DEPARTMENTS:
        dept = Department.objects.create(code=f"{district.code}-{short}", name=name, division=district)
        audit.record("territory.create_department", actor=ACTOR, obj=dept, after=audit.snapshot(dept))
        for n in range(1, DEPARTMENT_ACCOUNTS + 1):
            people.make(f"{short}{district.code[-2:]}{n:02d}", Role.DEPARTMENT_HANDLER, department=dept)
        departments.append(dept)
        tick()
    return departments


def _build_street_and_community_staff(layout: geometry.DistrictLayout, people: _People, step) -> None:
    tick = step("street and community accounts", len(layout.streets) + len(layout.communities))
    divisions = {d.code: d for d in Division.objects.filter(code__startswith=layout.code)}
    for cell in layout.streets:
        for n in range(1, STREET_ACCOUNTS + 1):
            people.make(f"s{cell.code}-{n}", Role.STREET_COMMAND, division=divisions[cell.code])
        tick()
    for cell in layout.communities:
        people.make(f"c{cell.code}", Role.COMMUNITY_STAFF, division=divisions[cell.code])
        tick()


def _build_grid_staff(layout: geometry.DistrictLayout, people: _People, rng: np.random.Generator, step) -> None:
    """一格一员 in most grids, 一格多员 in dense ones; in the hills one worker may cover two small villages' grids."""
    from territory.models import Grid

    tick = step("grid workers", len(layout.grids))
    grids = {g.code: g for g in Grid.objects.filter(code__startswith=layout.code)}
    community_staff = {
        u.division.code: u
        for u in User.objects.filter(role=Role.COMMUNITY_STAFF, division__isnull=False).select_related("division")
        if u.division is not None
    }
    start = dt.date(2025, 1, 1)
    assignments = []
    shared: tuple[str, User] | None = None  # a hill worker with room for a second sparse grid of the same village
    for cell in layout.grids:
        grid = grids[cell.code]
        if shared is not None and shared[0] == cell.parent_code and cell.weight < SPARSE_GRID:
            worker, shared = shared[1], None
        else:
            worker = people.make(f"w{cell.code}", Role.GRID_WORKER)
            shared = (cell.parent_code or "", worker) if cell.weight < SPARSE_GRID else None
        assignments.append(GridAssignment(grid=grid, user=worker, role=StaffRole.FULL_TIME, start_date=start))
        if cell.weight > 900 and rng.random() < 0.35:
            helper = people.make(f"p{cell.code}", Role.GRID_WORKER)
            assignments.append(GridAssignment(grid=grid, user=helper, role=StaffRole.PART_TIME, start_date=start))
        leader = community_staff.get(cell.parent_code or "")
        if leader is not None:
            assignments.append(GridAssignment(grid=grid, user=leader, role=StaffRole.LEADER, start_date=start))
        tick()
    for assignment in GridAssignment.objects.bulk_create(assignments):
        audit.record("territory.assign_grid_staff", actor=ACTOR, obj=assignment, after=audit.snapshot(assignment))


def _build_admission_list(district: Division, departments: list[Department]) -> None:
    create_standing_items(district, acting_user=ACTOR)
    by_short = {d.code.rsplit("-", 1)[-1]: d for d in departments}
    x_items = [
        (
            "garbage-sorting",
            "垃圾分类督导",
            "督导小区垃圾分类投放，劝导不规范投放。",
            "zfj",
            AdmissionStatus.APPROVED,
            "全区推进垃圾分类，需要网格员入户宣传和日常督导。",
            "与网格巡查结合，工作量可控，同意准入。",
        ),
        (
            "gas-cylinder",
            "瓶装燃气安全巡查",
            "巡查餐饮场所瓶装燃气使用，发现隐患拍照上报。",
            "yjglj",
            AdmissionStatus.REQUESTED,
            "餐饮场所燃气事故多发，需要网格员协助排查。",
            "",
        ),
        (
            "census-door",
            "上门统计调查",
            "配合统计部门入户调查。",
            "tjj",
            AdmissionStatus.REJECTED,
            "统计调查需要人手。",
            "属于部门本职工作，不纳入网格事务，由部门自行组织。",
        ),
    ]
    for code, name, description, short, status, reason, decision in x_items:
        dept = by_short.get(short) or departments[0]
        item = AdmissionItem.objects.create(
            code=code,
            name=name,
            description=description,
            status=status,
            district=district,
            department=dept,
            request_reason=reason,
            decision_reason=decision,
        )
        audit.record("territory.request_admission_item", actor=ACTOR, obj=item, after=audit.snapshot(item))


# (category path, level, action, department short code): how the demo district routes a few kinds of case.
DEMO_ROUTES = [
    (("城乡建设", "城市建设和市政管理", "城管执法"), "community", "escalate", ""),
    (("城乡建设", "城市建设和市政管理", "城管执法"), "street", "dispatch", "zfj"),
    (("环境保护",), "community", "escalate", ""),
    (("环境保护",), "street", "dispatch", "sthjj"),
    (("交通运输",), "community", "escalate", ""),
    (("交通运输",), "street", "dispatch", "jtj"),
    (("劳动和社会保障",), "community", "escalate", ""),
    (("劳动和社会保障",), "street", "dispatch", "rsj"),
]


def _build_case_setup(departments: list[Department]) -> None:
    """The category tree (once per installation) and the demo's routing rules."""
    from cases.categories import build_categories
    from cases.models import Category, RoutingRule

    build_categories(departments=departments, acting_user=ACTOR)
    by_short = {d.code.rsplit("-", 1)[-1]: d for d in departments}
    for path, level, route, short in DEMO_ROUTES:
        category = _category(Category, path)
        if category is None or RoutingRule.objects.filter(category=category, level=level).exists():
            continue
        rule = RoutingRule.objects.create(category=category, level=level, action=route, department=by_short.get(short))
        audit.record("cases.create_routing_rule", actor=ACTOR, obj=rule, after=audit.snapshot(rule))


def _category(model: Any, path: tuple[str, ...]) -> Any:
    node = None
    for name in path:
        node = model.objects.filter(name=name, parent=node).first()
        if node is None:
            return None
    return node


NAMED_LOGINS = [
    ("admin", Role.ADMINISTRATOR),
    ("leader", Role.LEADER),
    ("district", Role.DISTRICT_COMMAND),
    ("street", Role.STREET_COMMAND),
    ("community", Role.COMMUNITY_STAFF),
    ("gridleader", Role.GRID_LEADER),
    ("gridworker", Role.GRID_WORKER),
    ("dept", Role.DEPARTMENT_HANDLER),
    ("hotline", Role.HOTLINE_AGENT),
    ("resident", Role.RESIDENT),
]


def _build_named_logins(district: Division, departments: list[Department], people: _People) -> None:
    """Easy-to-type accounts for trying each role; their territory is the first street's first community."""
    from territory.models import Grid

    street = Division.objects.filter(parent=district).order_by("code").first()
    community = Division.objects.filter(parent=street).order_by("code").first()
    first_grids = list(Grid.objects.filter(community=community).order_by("code")[:2])
    dept = next((d for d in departments if d.code.endswith("-zfj")), departments[0])
    where = {
        Role.ADMINISTRATOR: district,
        Role.LEADER: district,
        Role.DISTRICT_COMMAND: district,
        Role.HOTLINE_AGENT: district,
        Role.STREET_COMMAND: street,
        Role.COMMUNITY_STAFF: community,
    }
    for username, role in NAMED_LOGINS:
        user = people.make(
            username,
            role,
            division=where.get(role),
            department=dept if role == Role.DEPARTMENT_HANDLER else None,
            is_staff=role == Role.ADMINISTRATOR,
        )
        if role in (Role.GRID_WORKER, Role.GRID_LEADER):
            duty = StaffRole.FULL_TIME if role == Role.GRID_WORKER else StaffRole.LEADER
            for grid in first_grids[: 1 if role == Role.GRID_WORKER else 2]:
                assignment = GridAssignment.objects.create(
                    grid=grid, user=user, role=duty, start_date=dt.date(2025, 1, 1)
                )
                audit.record(
                    "territory.assign_grid_staff", actor=ACTOR, obj=assignment, after=audit.snapshot(assignment)
                )


def named_logins(district: Division) -> list[DemoLogin]:
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[n for n, _ in NAMED_LOGINS]).select_related("division", "department")
    }
    result = []
    for username, role in NAMED_LOGINS:
        user = users.get(username)
        if user is None:
            continue
        if user.role in (Role.GRID_WORKER, Role.GRID_LEADER):
            where = "、".join(user.grid_assignments.filter(end_date__isnull=True).values_list("grid__name", flat=True))
        else:
            where = str(user.department or user.division or "")
        result.append(DemoLogin(username, str(Role(role).label), where))
    return result
