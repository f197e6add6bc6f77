"""Whole-network check: each level tiles its parent, so every point falls in exactly one grid."""

from __future__ import annotations

from django.conf import settings

from territory.geo import parse_polygon, tiling_problems
from territory.models import Division, Grid


def coverage_problems() -> list[str]:
    tolerance = settings.GRID_TOLERANCE_M2
    divisions = {d.id: d for d in Division.objects.exclude(geometry=None)}
    children: dict[int, list] = {}
    for d in divisions.values():
        if d.parent_id in divisions:
            children.setdefault(d.parent_id, []).append((d.code, parse_polygon(d.geometry)))
    for grid in Grid.objects.exclude(geometry=None).only("code", "geometry", "community_id"):
        children.setdefault(grid.community_id, []).append((grid.code, parse_polygon(grid.geometry)))
    problems = []
    for parent_id, kids in sorted(children.items()):
        parent = divisions.get(parent_id)
        if parent is None:
            continue
        found = tiling_problems(parse_polygon(parent.geometry), kids, tolerance_m2=tolerance)
        problems += [f"{parent.code} {parent.name}: {p}" for p in found]
    for d in divisions.values():
        if d.level != "district" and d.id not in children and d.level == "community":
            problems.append(f"{d.code} {d.name}: has no grids")
    return problems
