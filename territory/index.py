"""Point → grid: one STRtree over every grid polygon, built once per process and rebuilt when grids change."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction

from territory.geo import parse_polygon


@dataclass(frozen=True)
class GridHit:
    grid_code: str

    @property
    def community_code(self) -> str:
        return self.grid_code[:12]

    @property
    def street_code(self) -> str:
        return self.grid_code[:9]

    @property
    def district_code(self) -> str:
        return self.grid_code[:6]


class GridIndex:
    def __init__(self, codes: list[str], geoms: list) -> None:
        order = np.argsort(codes)
        self.codes = [codes[i] for i in order]
        self.geoms = np.array([geoms[i] for i in order], dtype=object)
        for geom in self.geoms:
            shapely.prepare(geom)
        self.tree = shapely.STRtree(self.geoms)
        # Grid rows with their community → street → district, all loaded in one query on first use (intake
        # reads one per case); reloaded after GRID_ROWS_SECONDS so a renamed or moved grid shows (a new grid
        # geometry bumps the index version and rebuilds all of this at once).
        self.grid_rows: dict[str, object] = {}
        self.grid_rows_at = 0.0

    def __len__(self) -> int:
        return len(self.codes)

    def locate(self, lon: float, lat: float) -> GridHit | None:
        hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        # A point exactly on a shared edge touches two grids; the lower code wins so the answer is stable.
        return GridHit(self.codes[int(hits.min())]) if len(hits) else None

    def locate_many(self, lons: np.ndarray, lats: np.ndarray) -> list[str | None]:
        points = shapely.points(lons, lats)
        point_idx, grid_idx = self.tree.query(points, predicate="intersects")
        result: list[str | None] = [None] * len(points)
        for p, g in sorted(zip(point_idx.tolist(), grid_idx.tolist(), strict=True), reverse=True):
            result[p] = self.codes[g]
        return result


GRID_ROWS_SECONDS = 60.0
_lock = threading.Lock()
_index: GridIndex | None = None
_version: int | None = None
_checked_at = 0.0


def _current_version() -> int:
    from territory.models import GridIndexVersion

    row = GridIndexVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return int(row or 0)


def build_index() -> GridIndex:
    from territory.models import Grid

    rows = list(Grid.objects.exclude(geometry=None).values_list("code", "geometry"))
    return GridIndex([code for code, _ in rows], [parse_polygon(geom) for _, geom in rows])


def get_index() -> GridIndex:
    """The process's index; re-reads the version at most every GRID_INDEX_CHECK_SECONDS."""
    global _index, _version, _checked_at
    now = time.monotonic()
    if _index is not None and now - _checked_at < settings.GRID_INDEX_CHECK_SECONDS:
        return _index
    with _lock:
        version = _current_version()
        if _index is None or version != _version:
            _index, _version = build_index(), version
        _checked_at = now
        return _index


def invalidate() -> None:
    """Drop this process's index now (other processes notice the version bump on their next check)."""
    global _index, _checked_at
    with _lock:
        _index, _checked_at = None, 0.0


def bump_version() -> None:
    """Call inside a grid-changing action: other processes rebuild after it commits, this one at once."""
    from django.db.models import F

    from territory.models import GridIndexVersion

    updated = GridIndexVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        GridIndexVersion.objects.create(pk=1, version=1)
    transaction.on_commit(invalidate)


def grid_with_lineage(code: str):
    """The Grid `code` with its community, street and district loaded (geometries deferred), from this
    process's cache; the caller must not modify it."""
    from territory.models import Grid

    index = get_index()

    def rows():
        return Grid.objects.select_related("community__parent__parent").defer(
            "geometry", "community__geometry", "community__parent__geometry", "community__parent__parent__geometry"
        )

    if settings.CONFIG_CACHE_SECONDS <= 0:  # configuration caching off (the tests)
        return rows().get(code=code)
    now = time.monotonic()
    if now - index.grid_rows_at > GRID_ROWS_SECONDS or code not in index.grid_rows:
        index.grid_rows, index.grid_rows_at = {g.code: g for g in rows()}, now
    if code not in index.grid_rows:
        raise Grid.DoesNotExist(f"grid {code} is in the index but not in the database")
    return index.grid_rows[code]


def locate(lon: float, lat: float) -> GridHit | None:
    """The one function that says which grid a WGS-84 point is in (None outside every grid)."""
    return get_index().locate(lon, lat)
