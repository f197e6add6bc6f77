"""The district generator: exact tiling at every level, deterministic, plausible sizes."""

from __future__ import annotations

from pathlib import Path

import pytest

from territory import layout
from territory.demo_seed import read_streets
from territory.geo import area_m2, tiling_problems

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def ouhai():
    code, name, boundary, centre = layout.load_boundary(DATA / "330304.geojson")
    streets = read_streets(DATA / "streets.csv", code)
    return layout.generate_district(code, name, boundary, streets, centre=centre, communities=40, grids=120, seed=3)


def test_every_level_tiles_its_parent_exactly(ouhai):
    assert tiling_problems(ouhai.boundary, [(c.code, c.geometry) for c in ouhai.streets]) == []
    for street in ouhai.streets:
        kids = [(c.code, c.geometry) for c in ouhai.communities if c.parent_code == street.code]
        assert len(kids) >= 2 and tiling_problems(street.geometry, kids) == []
    for community in ouhai.communities:
        kids = [(g.code, g.geometry) for g in ouhai.grids if g.parent_code == community.code]
        assert kids and tiling_problems(community.geometry, kids) == []


def test_cells_are_single_valid_polygons_with_nested_codes(ouhai):
    assert (len(ouhai.streets), len(ouhai.communities), len(ouhai.grids)) == (13, 40, 120)
    for cell in ouhai.streets + ouhai.communities + ouhai.grids:
        assert cell.geometry.is_valid and cell.geometry.geom_type == "Polygon"
    assert all(g.code.startswith(g.parent_code) and len(g.code) == 15 for g in ouhai.grids)
    assert len({g.name for g in ouhai.grids}) == len(ouhai.grids)


def test_the_hill_town_is_the_largest_street_and_centre_grids_are_small(ouhai):
    areas = {s.name: area_m2(s.geometry) for s in ouhai.streets}
    assert max(areas, key=areas.get) == "泽雅镇"
    by_density = sorted(ouhai.grids, key=lambda g: g.density)
    sparse, dense = by_density[: len(by_density) // 4], by_density[-len(by_density) // 4 :]
    assert sum(area_m2(g.geometry) for g in sparse) > 5 * sum(area_m2(g.geometry) for g in dense)


def test_it_is_deterministic():
    code, name, boundary, centre = layout.load_boundary(DATA / "330304.geojson")
    streets = read_streets(DATA / "streets.csv", code)
    a = layout.generate_district(code, name, boundary, streets, centre=centre, communities=30, grids=40, seed=9)
    b = layout.generate_district(code, name, boundary, streets, centre=centre, communities=30, grids=40, seed=9)
    assert [(g.code, g.name, g.geometry.wkt) for g in a.grids] == [(g.code, g.name, g.geometry.wkt) for g in b.grids]


def test_gcj02_round_trip_is_sub_centimetre():
    lon, lat = 120.6371, 28.0064
    back = layout.gcj02_to_wgs84(*layout.wgs84_to_gcj02(lon, lat))
    assert abs(back[0] - lon) < 1e-7 and abs(back[1] - lat) < 1e-7
    shifted = layout.wgs84_to_gcj02(lon, lat)
    assert 0.003 < abs(shifted[0] - lon) + abs(shifted[1] - lat) < 0.01  # the well-known few-hundred-metre offset
