from __future__ import annotations

import numpy as np
import shapely

from territory.index import GridIndex


def square(x, y, size=1.0):
    return shapely.box(x, y, x + size, y + size)


def test_a_point_falls_in_exactly_the_grid_that_contains_it():
    index = GridIndex(["b", "a"], [square(1, 0), square(0, 0)])
    assert index.locate(0.5, 0.5).grid_code == "a"
    assert index.locate(1.5, 0.5).grid_code == "b"
    assert index.locate(5, 5) is None


def test_a_point_on_a_shared_edge_goes_to_the_lower_code_every_time():
    index = GridIndex(["b", "a"], [square(1, 0), square(0, 0)])
    assert {index.locate(1.0, 0.5).grid_code for _ in range(5)} == {"a"}


def test_many_points_at_once_agree_with_one_by_one():
    rng = np.random.default_rng(1)
    grids = [square(x, y) for x in range(5) for y in range(5)]
    index = GridIndex([f"g{i:02d}" for i in range(25)], grids)
    lons, lats = rng.uniform(-1, 6, 300), rng.uniform(-1, 6, 300)
    bulk = index.locate_many(lons, lats)
    single = [hit.grid_code if (hit := index.locate(x, y)) else None for x, y in zip(lons, lats, strict=True)]
    assert bulk == single and None in bulk


def test_hierarchy_codes_come_from_the_grid_code():
    index = GridIndex(["330304001001002"], [square(0, 0)])
    hit = index.locate(0.5, 0.5)
    assert (hit.community_code, hit.street_code, hit.district_code) == ("330304001001", "330304001", "330304")
