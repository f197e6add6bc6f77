"""Point → grid lookups per second with the demo's 762 grids and with 10,000 grids.

The ceiling is a bare bounding-box check over the same STRtree in the same run (a query with no predicate): what
the lookup costs before the exact point-in-polygon test. Runs in memory; no database involved.
"""

from __future__ import annotations

import time

import numpy as np
import shapely
from _common import ROOT, emit, setup_django

from territory import layout as geometry
from territory.index import GridIndex

LOOKUPS = 20_000
# Intake must place 1,000 cases/s (issue 4) with room to spare: ten times that is the target here.
TARGET = 10_000


def layout(grids: int, communities: int):
    code, name, boundary, centre = geometry.load_boundary(ROOT / "territory/data/330304.geojson")
    streets = geometry_streets(code)
    return geometry.generate_district(
        code, name, boundary, streets, centre=centre, communities=communities, grids=grids, seed=0
    )


def geometry_streets(code: str):
    from territory.demo_seed import read_streets

    return read_streets(ROOT / "territory/data/streets.csv", code)


def rate(fn, points) -> float:
    started = time.perf_counter()
    for lon, lat in points:
        fn(lon, lat)
    return len(points) / (time.perf_counter() - started)


def measure(grids: int, communities: int) -> None:
    district = layout(grids, communities)
    index = GridIndex([c.code for c in district.grids], [c.geometry for c in district.grids])
    rng = np.random.default_rng(7)
    west, south, east, north = district.boundary.bounds
    points = list(
        zip(rng.uniform(west, east, LOOKUPS).tolist(), rng.uniform(south, north, LOOKUPS).tolist(), strict=True)
    )
    bbox = rate(lambda lon, lat: index.tree.query(shapely.Point(lon, lat)), points)
    exact = rate(index.locate, points)
    emit("point_to_grid", f"lookups_per_s_{len(index)}_grids", exact, "lookups/s", target=TARGET, ceiling=bbox, db=None)
    lons, lats = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    started = time.perf_counter()
    index.tree.query(shapely.points(lons, lats))
    bulk_bbox = LOOKUPS / (time.perf_counter() - started)
    started = time.perf_counter()
    index.locate_many(lons, lats)
    bulk = LOOKUPS / (time.perf_counter() - started)
    emit(
        "point_to_grid",
        f"bulk_lookups_per_s_{len(index)}_grids",
        bulk,
        "lookups/s",
        target=TARGET,
        ceiling=bulk_bbox,
        db=None,
    )


if __name__ == "__main__":
    setup_django()
    measure(762, 250)
    measure(10_000, 1500)
