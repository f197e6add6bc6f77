"""Rules a division or grid must satisfy, used by single edits and bulk imports alike."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from shapely.geometry.base import BaseGeometry

from territory.choices import CODE_LENGTH, GRID_CODE_LENGTH, KIND_LEVEL, DivisionKind, GridKind, Level
from territory.geo import GeometryError, overlap_m2, parse_polygon, spill_m2

PARENT_LEVEL = {Level.STREET: Level.DISTRICT, Level.COMMUNITY: Level.STREET}


class Problems(dict):
    """field → message; empty when all is well."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, message)


def check_geometry(raw: Any, problems: Problems, *, required: bool) -> BaseGeometry | None:
    if raw in (None, "", {}):
        if required:
            problems.add("geometry", "a boundary polygon is required")
        return None
    try:
        return parse_polygon(raw)
    except GeometryError as exc:
        problems.add("geometry", str(exc))
        return None


def check_division(
    code: str, name: str, kind: str, parent_code: str | None, parent: Any, geom: BaseGeometry | None
) -> Problems:
    problems = Problems()
    if kind not in DivisionKind.values:
        problems.add("kind", f"unknown type {kind!r}; use one of {', '.join(DivisionKind.values)}")
        return problems
    level = KIND_LEVEL[DivisionKind(kind)]
    length = CODE_LENGTH[level]
    if not (code.isdigit() and len(code) == length):
        problems.add("code", f"a {level} code has {length} digits, got {code!r}")
    if not name.strip():
        problems.add("name", "name is required")
    if level == Level.DISTRICT:
        if parent_code:
            problems.add("parent_code", "a district has no parent in this system")
        return problems
    if not parent_code:
        problems.add("parent_code", f"a {level} needs the code of its parent {PARENT_LEVEL[level]}")
    elif parent is None:
        problems.add("parent_code", f"unknown parent code {parent_code!r}")
    elif parent.level != PARENT_LEVEL[level]:
        problems.add(
            "parent_code", f"the parent of a {level} must be a {PARENT_LEVEL[level]}, {parent_code} is a {parent.level}"
        )
    elif not code.startswith(parent.code):
        problems.add("code", f"code {code} must start with its parent's code {parent.code}")
    if geom is not None and parent is not None and parent.geometry:
        _check_inside(geom, parse_polygon(parent.geometry), parent, problems)
    return problems


def check_grid(
    code: str,
    name: str,
    kind: str,
    community: Any,
    geom: BaseGeometry | None,
    siblings: list[tuple[str, BaseGeometry]],
) -> Problems:
    problems = Problems()
    if not (code.isdigit() and len(code) == GRID_CODE_LENGTH):
        problems.add("code", f"a grid code has {GRID_CODE_LENGTH} digits (community code + 3), got {code!r}")
    if not name.strip():
        problems.add("name", "name is required")
    if kind not in GridKind.values:
        problems.add("kind", f"unknown grid type {kind!r}; use one of {', '.join(GridKind.values)}")
    if community is None:
        problems.add("community", "unknown community")
        return problems
    if community.level != Level.COMMUNITY:
        problems.add("community", f"{community.code} is a {community.level}, grids belong to a community/village")
    elif "code" not in problems and not code.startswith(community.code):
        problems.add("code", f"code {code} must start with its community's code {community.code}")
    if geom is None:
        return problems
    if community.geometry:
        _check_inside(geom, parse_polygon(community.geometry), community, problems)
    tolerance = settings.GRID_TOLERANCE_M2
    for other_code, other in siblings:
        if other_code != code and other.intersects(geom):
            overlap = overlap_m2(geom, other)
            if overlap > tolerance:
                problems.add("geometry", f"overlaps grid {other_code} by {overlap:,.0f} m²")
    return problems


def _check_inside(geom: BaseGeometry, parent_geom: BaseGeometry, parent: Any, problems: Problems) -> None:
    spill = spill_m2(geom, parent_geom)
    if spill > settings.GRID_TOLERANCE_M2:
        problems.add("geometry", f"{spill:,.0f} m² lies outside {parent.name} ({parent.code})")
