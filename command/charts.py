"""Charts of the monthly report, drawn on the server with matplotlib (Agg) in a CJK font (Noto Sans CJK from
Debian's fonts-noto-cjk by default, `FENGQIAO_REPORT_CJK_FONT`). Each returns PNG bytes."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from command.report import MonthFigures

DPI = 150
BLUE, GREY, RED, ORANGE, GREEN = "#2a6ebb", "#9aa5b1", "#d64545", "#f0a020", "#2e9d5b"


@lru_cache(maxsize=1)
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    font = settings.REPORT_CJK_FONT
    try:
        font_manager.fontManager.addfont(font)
    except (FileNotFoundError, RuntimeError, OSError) as exc:
        raise RuntimeError(
            f"report charts need a CJK font at {font} (Debian: apt-get install fonts-noto-cjk, "
            "or set FENGQIAO_REPORT_CJK_FONT)"
        ) from exc
    name = font_manager.FontProperties(fname=font).get_name()
    plt.rcParams.update({"font.family": [name], "axes.unicode_minus": False, "font.size": 9})
    return plt


def _png(fig) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, bbox_inches="tight")
    _pyplot().close(fig)
    return out.getvalue()


def trend(f: MonthFigures) -> bytes:
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3), gridspec_kw={"width_ratios": [3, 2]})
    days = [int(d["day"][-2:]) for d in f.daily]
    left.plot(days, [d["n"] for d in f.daily], color=BLUE, marker="o", markersize=3, label=f"{f.month:%Y年%m月}")
    left.plot(
        [int(d["day"][-2:]) for d in f.daily_previous],
        [d["n"] for d in f.daily_previous],
        color=GREY,
        linestyle="--",
        label="上月",
    )
    left.set_title("每日受理量")
    left.set_xlabel("日")
    left.legend(frameon=False)
    left.grid(alpha=0.3)
    right.bar([m["month"][2:] for m in f.months], [m["n"] for m in f.months], color=[GREY] * 12 + [BLUE])
    right.set_title("近13个月受理量")
    right.tick_params(axis="x", rotation=60, labelsize=7)
    fig.tight_layout()
    return _png(fig)


def categories(f: MonthFigures) -> bytes:
    plt = _pyplot()
    rows = list(reversed(f.leaf_categories))
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(rows) + 0.8))
    ax.barh([r["name"] for r in rows], [r["n"] for r in rows], color=BLUE)
    for i, r in enumerate(rows):
        ax.text(r["n"], i, f" {r['n']}", va="center", fontsize=8)
    ax.set_title("受理量前十的事件小类")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _png(fig)


def rates(f: MonthFigures) -> bytes:
    import numpy as np

    plt = _pyplot()
    rows = f.children[:15]
    x = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(9, 3.2))
    for i, (label, key, colour) in enumerate(
        (("响应率", "reply_rate", BLUE), ("办结率", "resolution_rate", GREEN), ("满意率", "satisfaction_rate", ORANGE))
    ):
        ax.bar(x + (i - 1) * 0.27, [(getattr(r, key) or 0) * 100 for r in rows], 0.27, label=label, color=colour)
    ax.set_xticks(x, [r.name for r in rows], rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("%")
    ax.set_title(f"各{f.child_label}三率")
    ax.legend(frameon=False, ncol=3, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _png(fig)


def hotspot_map(f: MonthFigures, grids: list[tuple[str, dict[str, Any]]]) -> bytes:
    """Grids coloured by the month's cases per km², hotspot h3 cells outlined in red."""
    import h3
    import matplotlib as mpl
    from shapely.geometry import shape

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 6))
    density = {}
    shapes = []
    for code, geometry in grids:
        geom = shape(geometry)
        shapes.append((code, geom))
        area = max(geom.area * 111.0 * 111.0 * 0.88, 0.01)  # degrees² → km² near 28°N; enough for a colour scale
        density[code] = f.grid_counts.get(code, 0) / area
    top = max(density.values(), default=1) or 1
    cmap = mpl.colormaps["YlOrRd"]
    norm = mpl.colors.PowerNorm(0.5, vmin=0, vmax=top)
    for code, geom in shapes:
        for poly in getattr(geom, "geoms", [geom]):
            xs, ys = poly.exterior.xy
            ax.fill(xs, ys, color=cmap(norm(density[code])), linewidth=0.2, edgecolor="#777")
    for unit in f.hotspots.flagged_cells[:60]:
        ring = h3.cell_to_boundary(unit.code)
        ax.plot([p[1] for p in ring] + [ring[0][1]], [p[0] for p in ring] + [ring[0][0]], color=RED, linewidth=1.4)
    ax.set_aspect(1 / 0.88)
    ax.set_axis_off()
    fig.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6, label="件/平方公里")
    ax.set_title("事件密度（按网格）与热点单元（红框）")
    return _png(fig)


def forecast(f: MonthFigures) -> bytes:
    plt = _pyplot()
    total = f.forecast.get("total")
    fig, ax = plt.subplots(figsize=(8, 2.8))
    if total:
        hist = total["history"]
        ax.plot(range(len(hist)), [h["n"] for h in hist], color=BLUE, marker="o", markersize=3, label="实际（周）")
        future = total["weeks"]
        xs = range(len(hist) - 1, len(hist) + len(future))
        ax.plot(
            xs,
            [hist[-1]["n"]] + [w["n"] for w in future],
            color=ORANGE,
            linestyle="--",
            marker="o",
            markersize=3,
            label="预测（周）",
        )
        labels = [h["week_end"][5:] for h in hist] + [w["end"][5:] for w in future]
        ax.set_xticks(range(len(labels)), labels, rotation=45, fontsize=7)
        mape = total.get("mape")
        ax.set_title(f"未来4周受理量预测（回测误差 MAPE {mape:.1%}）" if mape is not None else "未来4周受理量预测")
        ax.legend(frameon=False)
        ax.grid(alpha=0.3)
    else:
        ax.text(0.5, 0.5, "历史数据不足8周，暂不预测", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    fig.tight_layout()
    return _png(fig)
