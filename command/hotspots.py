"""Hotspots in space and time (预防型研判: where and when problems come in above their usual level).

Space. For every grid, every h3 cell (resolution 8, about 0.7 km²) and every grid × first-level category, the
count of the window (the last 7 days, or 1) is tested against the unit's own baseline, the 12 weeks before the
window: expected = (baseline count + ½) × window ÷ 84 days, p = P(X ≥ count) for X ~ Poisson(expected). The
p-values of all units are adjusted for the number of tests (Benjamini–Hochberg); a unit is flagged when q < 0.05
and it has at least 3 cases. Clusters of high counts across neighbouring cells are shown by the Getis-Ord Gi*
z-score of each cell over its ring of 6 neighbours and itself (binary weights; z > 1.96 is a hot cluster at 5 %).

Time. For every street × first-level category, each of the last 7 days is compared with the mean of the same
weekday over the 8 weeks before (the weekly season), and the last 7 days together with the mean of the 8 weeks
before; a spike is p < 0.001 (days) or p < 0.01 (the week), at least 5 cases and at least 1.5 times the baseline.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import h3
import numpy as np
from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from scipy import stats as sps

from command.stats import category_names, division_names, in_days

BASELINE_DAYS = 84
MIN_COUNT = 3
FDR = 0.05
GI_Z = 1.96


@dataclass
class Unit:
    kind: str  # grid, cell, grid_category
    code: str
    name: str
    count: int
    baseline: int
    expected: float
    p: float
    q: float = 1.0
    gi_z: float | None = None
    flagged: bool = False
    category: str = ""

    @property
    def ratio(self) -> float:
        return round(self.count / self.expected, 1) if self.expected else 0.0

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "count": self.count,
            "expected": round(self.expected, 2),
            "q": round(self.q, 4),
            "gi_z": self.gi_z,
        }
        if self.kind == "cell":
            out["boundary"] = [[round(lat, 6), round(lon, 6)] for lat, lon in h3.cell_to_boundary(self.code)]
        return out


@dataclass
class SpaceResult:
    start: dt.date
    end: dt.date
    grids: list[Unit] = field(default_factory=list)
    cells: list[Unit] = field(default_factory=list)
    grid_categories: list[Unit] = field(default_factory=list)

    @property
    def flagged_grids(self) -> list[Unit]:
        return [u for u in self.grids if u.flagged]

    @property
    def flagged_cells(self) -> list[Unit]:
        return [u for u in self.cells if u.flagged or (u.gi_z or 0) > GI_Z]

    @property
    def flagged_grid_categories(self) -> list[Unit]:
        return [u for u in self.grid_categories if u.flagged]


def bh_adjust(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg q-values."""
    if len(p) == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty_like(q)
    out[order] = np.minimum(q, 1.0)
    return out


def _counts(qs: QuerySet, key: str, start: dt.date, end: dt.date) -> dict[tuple, int]:
    rows = in_days(qs, start, end).values(*key.split(",")).annotate(n=Count("pk")).order_by()
    fields = key.split(",")
    return {tuple(r[f] for f in fields): r["n"] for r in rows}


def _test(kind: str, window: dict, baseline: dict, window_days: int, name) -> list[Unit]:
    units = []
    for key in set(window) | set(baseline):
        count, base = window.get(key, 0), baseline.get(key, 0)
        expected = (base + 0.5) * window_days / BASELINE_DAYS
        p = float(sps.poisson.sf(count - 1, expected)) if count else 1.0
        units.append(
            Unit(
                kind=kind,
                code=key[0],
                name=name(key),
                count=count,
                baseline=base,
                expected=expected,
                p=p,
                category=key[1] if len(key) > 1 else "",
            )
        )
    q = bh_adjust(np.array([u.p for u in units]))
    for unit, value in zip(units, q, strict=True):
        unit.q = float(value)
        unit.flagged = unit.q < FDR and unit.count >= MIN_COUNT
    return sorted(units, key=lambda u: (u.q, -u.count))


def getis_ord(counts: dict[str, int]) -> dict[str, float]:
    """Gi* z-scores of h3 cells with binary weights over the cell and its 6 neighbours (Getis & Ord 1992)."""
    cells = list(counts)
    n = len(cells)
    if n < 3:
        return {}
    x = np.array([counts[c] for c in cells], dtype=float)
    mean, s = x.mean(), x.std()
    if s == 0:
        return dict.fromkeys(cells, 0.0)
    position = {c: i for i, c in enumerate(cells)}
    out = {}
    for c in cells:
        ring = [position[k] for k in h3.grid_disk(c, 1) if k in position]
        w = len(ring)
        denominator = s * np.sqrt((n * w - w * w) / (n - 1))
        out[c] = round(float((x[ring].sum() - mean * w) / denominator), 2) if denominator else 0.0
    return out


def space_hotspots(qs: QuerySet, *, end: dt.date, window_days: int = 7, category: str = "") -> SpaceResult:
    if category:
        qs = qs.filter(category_code__startswith=category)
    start = end - dt.timedelta(days=window_days - 1)
    base_end = start - dt.timedelta(days=1)
    base_start = base_end - dt.timedelta(days=BASELINE_DAYS - 1)
    names, cats = division_names(), category_names()
    result = SpaceResult(start=start, end=end)
    grids = qs.exclude(grid_code="")
    result.grids = _test(
        "grid",
        _counts(grids, "grid_code", start, end),
        _counts(grids, "grid_code", base_start, base_end),
        window_days,
        lambda k: names.get(k[0], k[0]),
    )
    cells = qs.exclude(h3_cell="")
    window_cells = _counts(cells, "h3_cell", start, end)
    result.cells = _test(
        "cell", window_cells, _counts(cells, "h3_cell", base_start, base_end), window_days, lambda k: k[0]
    )
    gi = getis_ord({u.code: u.count for u in result.cells})
    for unit in result.cells:
        unit.gi_z = gi.get(unit.code)
    by_top = grids.annotate(top=Substr("category_code", 1, 2))
    result.grid_categories = _test(
        "grid_category",
        _counts(by_top, "grid_code,top", start, end),
        _counts(by_top, "grid_code,top", base_start, base_end),
        window_days,
        lambda k: f"{names.get(k[0], k[0])} · {cats.get(k[1], k[1])}",
    )
    return result


@dataclass
class Spike:
    street: str
    category: str
    span: str  # "day" or "week"
    day: dt.date
    count: int
    baseline: float
    p: float

    @property
    def ratio(self) -> float:
        return round(self.count / self.baseline, 1) if self.baseline else float(self.count)


def time_hotspots(qs: QuerySet, *, end: dt.date) -> list[Spike]:
    start = end - dt.timedelta(days=7 * 9 - 1)
    names, cats = division_names(), category_names()
    rows = (
        in_days(qs, start, end)
        .annotate(street=Substr("territory_code", 1, 9), top=Substr("category_code", 1, 2))
        .values("day", "street", "top")
        .annotate(n=Count("pk"))
        .order_by()
    )
    series: dict[tuple[str, str], np.ndarray] = defaultdict(lambda: np.zeros(7 * 9))
    for r in rows:
        series[(r["street"], r["top"])][(r["day"] - start).days] = r["n"]
    spikes = []
    for (street, top), y in series.items():
        label = (names.get(street, street), cats.get(top, top))
        for offset in range(7):
            i = 7 * 8 + offset
            base = float(y[i - 56 : i : 7].mean())
            spikes += _spike(label, "day", start + dt.timedelta(days=i), int(y[i]), base, 0.001)
        weeks = y.reshape(9, 7).sum(axis=1)
        spikes += _spike(label, "week", end, int(weeks[-1]), float(weeks[:-1].mean()), 0.01)
    return sorted(spikes, key=lambda s: s.p)


def _spike(label: tuple[str, str], span: str, day: dt.date, count: int, base: float, alpha: float) -> list[Spike]:
    expected = max(base, 0.5)
    if count < 5 or count < 1.5 * expected:
        return []
    p = float(sps.poisson.sf(count - 1, expected))
    return [Spike(label[0], label[1], span, day, count, round(base, 1), p)] if p < alpha else []
