"""Polygon parsing and validation shared by forms, the API, importers and the demo generator."""

from __future__ import annotations

import math
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0


class GeometryError(ValueError):
    """A polygon that cannot be accepted; the message says why in words a person can act on."""


def _check_ring(ring: Any, where: str) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise GeometryError(f"{where}: a ring needs at least 4 positions (the first repeated at the end)")
    for pos in ring:
        if not isinstance(pos, (list, tuple)) or len(pos) < 2 or not all(isinstance(v, (int, float)) for v in pos[:2]):
            raise GeometryError(f"{where}: position {pos!r} is not [longitude, latitude]")
        lon, lat = pos[0], pos[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise GeometryError(f"{where}: position {pos!r} is outside longitude -180..180 / latitude -90..90")
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise GeometryError(f"{where}: the ring is not closed (first position {ring[0]} ≠ last {ring[-1]})")


def parse_polygon(data: Any) -> BaseGeometry:
    """GeoJSON Polygon/MultiPolygon (dict or Feature) → a valid shapely geometry, or GeometryError."""
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict):
        raise GeometryError("geometry must be a GeoJSON object")
    kind, coords = data.get("type"), data.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeometryError(f"geometry type must be Polygon or MultiPolygon, not {kind!r}")
    polygons = [coords] if kind == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        raise GeometryError("geometry has no coordinates")
    for p, rings in enumerate(polygons):
        if not isinstance(rings, list) or not rings:
            raise GeometryError(f"polygon {p + 1} has no rings")
        for r, ring in enumerate(rings):
            _check_ring(ring, f"polygon {p + 1} ring {r + 1}")
    geom = shape(data)
    if not geom.is_valid:
        raise GeometryError(f"the polygon is not valid: {explain_validity(geom)}")
    if geom.area <= 0:
        raise GeometryError("the polygon has no area")
    return geom


def to_geojson(geom: BaseGeometry, precision: int = 9) -> dict[str, Any]:
    oriented = _orient(geom)
    data = mapping(oriented)
    return {"type": data["type"], "coordinates": _round(data["coordinates"], precision)}


def _orient(geom: BaseGeometry) -> BaseGeometry:
    if isinstance(geom, Polygon):
        return shapely.geometry.polygon.orient(geom, sign=1.0)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([shapely.geometry.polygon.orient(p, sign=1.0) for p in geom.geoms])
    return geom


def _round(coords: Any, precision: int) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(v), precision) for v in coords]
    return [_round(c, precision) for c in coords]


def local_metres(geom: BaseGeometry, lat0: float | None = None) -> BaseGeometry:
    """Equirectangular projection around the geometry's latitude: good to ~0.1 % across a district."""
    if lat0 is None:
        lat0 = (geom.bounds[1] + geom.bounds[3]) / 2
    kx = M_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat0))
    return shapely.transform(geom, lambda xy: xy * [kx, M_PER_DEG_LAT])


def area_m2(geom: BaseGeometry) -> float:
    return local_metres(geom).area


def spill_m2(child: BaseGeometry, parent: BaseGeometry) -> float:
    """Area of `child` outside `parent`, in m²."""
    lat0 = (parent.bounds[1] + parent.bounds[3]) / 2
    return local_metres(child.difference(parent), lat0).area


def overlap_m2(a: BaseGeometry, b: BaseGeometry) -> float:
    lat0 = (a.bounds[1] + a.bounds[3]) / 2
    return local_metres(a.intersection(b), lat0).area


def tiling_problems(
    parent: BaseGeometry, children: list[tuple[str, BaseGeometry]], *, tolerance_m2: float = 1.0
) -> list[str]:
    """Gaps, overlaps and spills of `children` (code, polygon) against `parent`; [] when they tile it."""
    problems: list[str] = []
    lat0 = (parent.bounds[1] + parent.bounds[3]) / 2
    geoms = [g for _, g in children]
    for code, geom in children:
        spill = spill_m2(geom, parent)
        if spill > tolerance_m2:
            problems.append(f"{code}: {spill:.1f} m² lies outside its parent")
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            overlap = local_metres(geoms[i].intersection(geoms[j]), lat0).area
            if overlap > tolerance_m2:
                problems.append(f"{children[i][0]} and {children[j][0]} overlap by {overlap:.1f} m²")
    if geoms:
        gap = local_metres(parent.difference(shapely.union_all(geoms)), lat0).area
        if gap > tolerance_m2 * max(1, len(children)):
            problems.append(f"{gap:.1f} m² of the parent is covered by no child")
    return problems
