"""What leaves the system about the grid network: map layers, GeoJSON and tables (scoped like everything else)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from shapely.geometry import shape

from core.tabular import write_csv, write_xlsx
from territory.geo import to_geojson
from territory.models import Division, Grid, GridAssignment

DIVISION_HEADER = ["code", "name", "kind", "parent_code", "level", "area_km2"]
MAP_TOLERANCE_DEG = 0.00005  # ≈5 m: invisible at street zoom, shrinks the map payload several times


@lru_cache(maxsize=4096)
def _simplified(code: str, updated: str, geometry_json: str) -> dict[str, Any]:
    geom = shape(json.loads(geometry_json)).simplify(MAP_TOLERANCE_DEG, preserve_topology=True)
    return to_geojson(geom, precision=6)


def _feature(obj: Grid | Division, layer: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": _simplified(obj.code, str(obj.updated_at), json.dumps(obj.geometry)),
        "properties": {"code": obj.code, "name": obj.name, "kind": obj.kind, "layer": layer, **extra},
    }


def map_features(user: Any) -> dict[str, Any]:
    """Divisions and grids the user may see, simplified for drawing."""
    features = [
        _feature(d, d.level) for d in Division.objects.restrict(user).exclude(geometry=None).order_by("level", "code")
    ]
    staff: dict[int, int] = {}
    for grid_id in (
        GridAssignment.objects.restrict(user).filter(end_date__isnull=True).values_list("grid_id", flat=True)
    ):
        staff[grid_id] = staff.get(grid_id, 0) + 1
    grids = Grid.objects.restrict(user).exclude(geometry=None).order_by("code")
    features += [_feature(g, "grid", staff=staff.get(g.id, 0)) for g in grids]
    return {"type": "FeatureCollection", "features": features}


def grids_geojson(user: Any) -> dict[str, Any]:
    """Full-precision grids in the import format, so an export can be edited and imported elsewhere."""
    grids = Grid.objects.restrict(user).select_related("community").order_by("code")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": g.geometry,
                "properties": {"code": g.code, "name": g.name, "kind": g.kind, "community_code": g.community.code},
            }
            for g in grids
        ],
    }


def _division_rows(user: Any) -> list[list[Any]]:
    rows = Division.objects.restrict(user).select_related("parent").order_by("code")
    return [
        [
            d.code,
            d.name,
            d.kind,
            d.parent.code if d.parent else "",
            d.level,
            round(d.area_km2, 3) if d.area_km2 is not None else "",
        ]
        for d in rows
    ]


def divisions_csv(user: Any) -> bytes:
    return write_csv(DIVISION_HEADER, _division_rows(user))


def divisions_xlsx(user: Any) -> bytes:
    return write_xlsx("divisions", DIVISION_HEADER, _division_rows(user))


def grids_xlsx(user: Any) -> bytes:
    header = ["code", "name", "kind", "community_code", "community", "street", "area_km2", "staff"]
    staff: dict[int, list[str]] = {}
    for a in GridAssignment.objects.restrict(user).filter(end_date__isnull=True).select_related("user"):
        staff.setdefault(a.grid_id, []).append(f"{a.user}（{a.get_role_display()}）")
    grids = Grid.objects.restrict(user).select_related("community__parent").order_by("code")
    rows = [
        [
            g.code,
            g.name,
            g.get_kind_display(),
            g.community.code,
            g.community.name,
            g.community.parent.name if g.community.parent else "",
            round(g.area_km2 or 0, 4),
            "；".join(staff.get(g.id, [])),
        ]
        for g in grids
    ]
    return write_xlsx("grids", header, rows)
