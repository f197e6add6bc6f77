"""Generate a plausible district: streets, communities and grids that tile a real boundary exactly.

Population density is highest at the district's centre and around a few town centres and decays towards the
hills. At each level the parent is cut into Voronoi cells of density-weighted seeds relaxed by weighted Lloyd
iterations, so cells are small where people are dense and large where they are sparse, and every cell is the
intersection of a Voronoi cell with its parent: the children tile the parent with no gap or overlap.
Work is done in local metres and converted back to WGS-84 degrees at the end.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import MultiPoint, Polygon, shape
from shapely.geometry.base import BaseGeometry

from territory import people
from territory.geo import M_PER_DEG_LAT, M_PER_DEG_LON_EQUATOR

GCJ_A = 6378245.0
GCJ_EE = 0.00669342162296594323


def _gcj_dlat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _gcj_dlon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """The public GCJ-02 offset used by Chinese web maps."""
    dlat, dlon = _gcj_dlat(lon - 105.0, lat - 35.0), _gcj_dlon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - GCJ_EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((GCJ_A * (1 - GCJ_EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (GCJ_A / sqrt_magic * math.cos(rad) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Inverse of wgs84_to_gcj02 by fixed-point iteration (converges to well under a centimetre)."""
    x, y = lon, lat
    for _ in range(30):
        gx, gy = wgs84_to_gcj02(x, y)
        dx, dy = gx - lon, gy - lat
        x, y = x - dx, y - dy
        if abs(dx) < 1e-10 and abs(dy) < 1e-10:
            break
    return x, y


@dataclass
class StreetSpec:
    code: str
    name: str


@dataclass
class Cell:
    code: str
    name: str
    kind: str
    geometry: BaseGeometry
    weight: float
    parent_code: str | None
    density: float = 0.0


@dataclass
class DistrictLayout:
    code: str
    name: str
    boundary: BaseGeometry
    streets: list[Cell] = field(default_factory=list)
    communities: list[Cell] = field(default_factory=list)
    grids: list[Cell] = field(default_factory=list)


def load_boundary(path: Path | str) -> tuple[str, str, BaseGeometry, tuple[float, float]]:
    """(code, name, WGS-84 geometry, centre) from a DataV-style FeatureCollection (territory/data)."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    feature = doc["features"][0]
    props = feature["properties"]
    centre = props.get("center") or list(shape(feature["geometry"]).centroid.coords[0])
    return str(props["adcode"]), props["name"], shape(feature["geometry"]), (float(centre[0]), float(centre[1]))


class _Frame:
    """Local metres around the district, so Voronoi cells and distances are not squashed by latitude."""

    def __init__(self, geom: BaseGeometry) -> None:
        self.lon0, self.lat0 = geom.centroid.x, geom.centroid.y
        self.kx = M_PER_DEG_LON_EQUATOR * math.cos(math.radians(self.lat0))

    def to_m(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, lambda xy: (xy - [self.lon0, self.lat0]) * [self.kx, M_PER_DEG_LAT])

    def to_deg(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, lambda xy: xy / [self.kx, M_PER_DEG_LAT] + [self.lon0, self.lat0])

    def point_m(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.kx, (lat - self.lat0) * M_PER_DEG_LAT


class _Density:
    """People per unit area: a main centre, a few town centres, a low rural floor."""

    def __init__(self, centres: list[tuple[float, float, float, float]]) -> None:
        self.centres = centres  # x, y, weight, scale (m)

    def __call__(self, xy: np.ndarray) -> np.ndarray:
        total = np.full(len(xy), 0.015)
        for x, y, weight, scale in self.centres:
            distance = np.hypot(xy[:, 0] - x, xy[:, 1] - y)
            total += weight * np.exp(-distance / scale)
        return total


def _sample(geom: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    west, south, east, north = geom.bounds
    ratio = max(geom.area / max((east - west) * (north - south), 1e-9), 0.05)
    points: list[np.ndarray] = []
    have = 0
    for _ in range(50):
        xy = np.column_stack(
            [rng.uniform(west, east, int(n / ratio) + 16), rng.uniform(south, north, int(n / ratio) + 16)]
        )
        inside = xy[shapely.contains_xy(geom, xy[:, 0], xy[:, 1])]
        points.append(inside)
        have += len(inside)
        if have >= n:
            break
    return np.concatenate(points)[:n]


def _relaxed_seeds(
    samples: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 12
) -> np.ndarray:
    """Weighted Lloyd (centroidal Voronoi) on samples; seeds snap to a sample so they stay inside the parent."""
    k = min(k, len(samples))
    p = weights / weights.sum()
    seeds = samples[rng.choice(len(samples), size=k, replace=False, p=p)]
    for _ in range(iterations):
        _, owner = cKDTree(seeds).query(samples)
        mass = np.bincount(owner, weights=weights, minlength=k)
        sx = np.bincount(owner, weights=weights * samples[:, 0], minlength=k)
        sy = np.bincount(owner, weights=weights * samples[:, 1], minlength=k)
        moved = np.column_stack([sx / np.maximum(mass, 1e-12), sy / np.maximum(mass, 1e-12)])
        empty = mass <= 0
        moved[empty] = seeds[empty]
        _, nearest = cKDTree(samples).query(moved)
        seeds = samples[nearest]
        seeds = np.unique(seeds, axis=0) if len(np.unique(seeds, axis=0)) < k else seeds
        if len(seeds) < k:  # two seeds snapped together: add a fresh one
            extra = samples[rng.choice(len(samples), size=k - len(seeds), replace=False, p=p)]
            seeds = np.vstack([seeds, extra])
    return seeds


def _cells(parent: BaseGeometry, seeds: np.ndarray) -> list[BaseGeometry]:
    if len(seeds) == 1:
        return [parent]
    envelope = parent.envelope.buffer(max(parent.bounds[2] - parent.bounds[0], parent.bounds[3] - parent.bounds[1]))
    regions = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=envelope, ordered=True)
    cells = [region.intersection(parent) for region in regions.geoms]
    return _merge_fragments(cells)


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom] if not geom.is_empty else []
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon) and not g.is_empty and g.area > 0]


def _merge_fragments(cells: list[BaseGeometry]) -> list[BaseGeometry]:
    """A clipped cell may fall apart (the parent is not convex): give each detached piece to the neighbour that
    shares the longest border with it, so that cells stay single polygons and the tiling stays exact."""
    cells = [shapely.union_all(_polygons(c)) if _polygons(c) else c for c in cells]
    for _ in range(4):
        moved = False
        for i, cell in enumerate(cells):
            parts = _polygons(cell)
            if len(parts) <= 1:
                continue
            parts.sort(key=lambda g: g.area, reverse=True)
            cells[i] = parts[0]
            for part in parts[1:]:
                best, best_len = None, 0.0
                for j, other in enumerate(cells):
                    if j == i or not other.intersects(part):
                        continue
                    shared = other.boundary.intersection(part.boundary).length
                    if shared > best_len:
                        best, best_len = j, shared
                if best is None:
                    cells[i] = shapely.union_all([cells[i], part])
                else:
                    cells[best] = shapely.union_all([cells[best], part])
                moved = True
        if not moved:
            break
    return [shapely.make_valid(c) if not c.is_valid else c for c in cells]


def _allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Largest remainder with a floor."""
    n = len(weights)
    base = [minimum] * n
    left = total - minimum * n
    if left < 0:
        raise ValueError(f"{total} is fewer than {minimum} for each of {n} parents")
    share = np.array(weights) / max(sum(weights), 1e-12) * left
    whole = np.floor(share).astype(int)
    order = np.argsort(-(share - whole), kind="stable")
    for i in order[: left - int(whole.sum())]:
        whole[i] += 1
    return [b + int(w) for b, w in zip(base, whole, strict=True)]


def _partition(
    parent: BaseGeometry,
    k: int,
    density: _Density,
    rng: np.random.Generator,
    samples_per_cell: int = 80,
    power: float = 1.0,
) -> list[tuple[BaseGeometry, float, float]]:
    """k cells of `parent` as (polygon, mass, mean density). `power` < 1 flattens the density for placing seeds:
    streets and towns differ less in size than grids do."""
    samples = _sample(parent, max(1500, samples_per_cell * k), rng)
    weights = density(samples)
    seeds = _relaxed_seeds(samples, weights**power, k, rng)
    cells = _cells(parent, seeds)
    _, owner = cKDTree(seeds).query(samples)
    mass = np.bincount(owner, weights=weights, minlength=len(seeds)) * parent.area / len(samples)
    counts = np.bincount(owner, minlength=len(seeds))
    mean = np.bincount(owner, weights=weights, minlength=len(seeds)) / np.maximum(counts, 1)
    return [(cell, float(mass[i]), float(mean[i])) for i, cell in enumerate(cells) if not cell.is_empty]


def generate_district(
    code: str,
    name: str,
    boundary: BaseGeometry,
    streets: list[StreetSpec],
    *,
    centre: tuple[float, float] | None = None,
    communities: int = 250,
    grids: int = 762,
    population: int = 450_000,
    seed: int = 0,
) -> DistrictLayout:
    rng = np.random.default_rng(seed)
    frame = _Frame(boundary)
    area = frame.to_m(boundary)
    cx, cy = frame.point_m(*(centre or (boundary.centroid.x, boundary.centroid.y)))
    if not area.contains(shapely.Point(cx, cy)):
        nearest = shapely.ops.nearest_points(area, shapely.Point(cx, cy))[0]
        cx, cy = nearest.x, nearest.y
    towns = _sample(area, 5, rng)
    span = math.sqrt(area.area)
    density = _Density([(cx, cy, 1.0, span / 9), *[(x, y, 0.25, span / 25) for x, y in towns]])

    street_cells = _partition(area, len(streets), density, rng, power=1.2)
    specs = sorted(streets, key=lambda s: s.code)
    street_cells = _assign_streets(street_cells, sum(1 for s in specs if s.code[-3] == "0"))
    total_mass = sum(m for _, m, _ in street_cells)
    scale = population / total_mass
    layout = DistrictLayout(code, name, boundary)
    namer = people.PlaceNamer(rng)
    # Communities follow people, but a street never gets more than a few dozen: allocate on mass^0.5.
    community_counts = _allocate(communities, [m**0.5 for _, m, _ in street_cells], 2)
    pending = []
    for spec, (geom, mass, mean), n_comm in zip(specs, street_cells, community_counts, strict=True):
        kind = "street" if spec.code[-3] == "0" else "town" if spec.code[-3] == "1" else "township"
        layout.streets.append(Cell(spec.code, spec.name, kind, frame.to_deg(geom), mass * scale, code, mean))
        pending.append((spec, _partition(geom, n_comm, density, rng, power=0.7)))
    # The densest ~45 % become urban communities (社区, codes 001–199), the rest villages (村, 201–399).
    threshold = float(np.quantile([mean for _, cells in pending for _, _, mean in cells], 0.55))
    for spec, cells in pending:
        _communities(layout, spec, cells, frame, namer, scale, threshold)
    grid_counts = _allocate(grids, [c.weight**0.7 for c in layout.communities], 1)
    for community, n_grids in zip(layout.communities, grid_counts, strict=True):
        _grids(layout, community, n_grids, density, rng, frame, scale)
    _specialise(layout.grids, rng, namer)
    layout.streets.sort(key=lambda c: c.code)
    layout.communities.sort(key=lambda c: c.code)
    layout.grids.sort(key=lambda c: c.code)
    return layout


def _assign_streets(cells: list[tuple[BaseGeometry, float, float]], n_streets: int) -> list:
    """Order cells to match street codes: 街道 (0xx) get the densest cells in order, and the towns and townships
    (镇/乡, 1xx/2xx) the largest of the sparse half: the hill towns."""
    by_density = sorted(cells, key=lambda c: -c[2])
    n_towns = len(cells) - n_streets
    sparse = by_density[len(cells) // 2 :]
    towns = sorted(sparse, key=lambda c: -c[0].area)[:n_towns]
    streets = [c for c in by_density if all(c is not t for t in towns)]
    return streets + sorted(towns, key=lambda c: -c[0].area)


def _communities(
    layout: DistrictLayout,
    spec: StreetSpec,
    cells: list[tuple[BaseGeometry, float, float]],
    frame: _Frame,
    namer: people.PlaceNamer,
    scale: float,
    urban_threshold: float,
) -> None:
    cells.sort(key=lambda c: -c[2])
    urban_n = rural_n = 0
    for geom, mass, mean in cells:
        urban = mean >= urban_threshold
        if urban:
            urban_n += 1
            suffix, kind, label = urban_n, "community", namer.community()
        else:
            rural_n += 1
            suffix, kind, label = 200 + rural_n, "village", namer.village()
        layout.communities.append(
            Cell(f"{spec.code}{suffix:03d}", label, kind, frame.to_deg(geom), mass * scale, spec.code, mean)
        )


def _grids(
    layout: DistrictLayout,
    community: Cell,
    n: int,
    density: _Density,
    rng: np.random.Generator,
    frame: _Frame,
    scale: float,
) -> None:
    if n == 1:
        layout.grids.append(
            Cell(
                f"{community.code}001",
                f"{community.name}第1网格",
                "residential",
                community.geometry,
                community.weight,
                community.code,
                community.density,
            )
        )
        return
    cells = _partition(frame.to_m(community.geometry), n, density, rng, samples_per_cell=60)
    cells.sort(key=lambda c: (-c[0].centroid.y, c[0].centroid.x))  # numbered north-west to south-east
    for i, (geom, mass, mean) in enumerate(cells, start=1):
        layout.grids.append(
            Cell(
                f"{community.code}{i:03d}",
                f"{community.name}第{i}网格",
                "residential",
                frame.to_deg(geom),
                mass * scale,
                community.code,
                mean,
            )
        )


SPECIAL_SHARES = {"school": 0.025, "hospital": 0.008, "market": 0.01, "industrial": 0.015, "scenic": 0.005}


def _specialise(grids: list[Cell], rng: np.random.Generator, namer: people.PlaceNamer) -> None:
    """About 6 % of grids become 专属网格: schools, hospitals and markets among the dense third, industrial
    parks in the middle, scenic areas among the sparsest. A community's first grid stays residential."""
    order = sorted((g for g in grids if not g.code.endswith("001")), key=lambda g: -g.density)
    third = max(1, len(order) // 3)
    pools = {
        "school": order[:third],
        "hospital": order[:third],
        "market": order[:third],
        "industrial": order[third : 2 * third],
        "scenic": order[-third:],
    }
    taken: set[str] = set()
    for kind, share in SPECIAL_SHARES.items():
        pool = [g for g in pools[kind] if g.code not in taken]
        count = min(len(pool), max(1, round(share * len(grids))))
        for index in sorted(rng.choice(len(pool), size=count, replace=False).tolist()):
            grid = pool[index]
            grid.kind, grid.name = kind, namer.special(grid.name.split("第")[0], kind)
            taken.add(grid.code)
