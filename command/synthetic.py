"""Generated case histories for tests and benchmarks: rows written in bulk (not through the workflow), with
weekly and yearly seasons, busier grids, a few categories that dominate, and outcomes that depend on age."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cases.choices import Channel, Level, Status, Warning
from cases.models import Case, Category, Supervision
from territory.models import Grid

TEXTS = [
    "{place}门口烧烤摊油烟很大，晚上噪音扰民",
    "{place}路灯坏了好几天，晚上出行不安全",
    "{place}小区垃圾没人清运，气味很大",
    "{place}附近工地夜间施工，噪音太吵",
    "{place}人行道被占道经营，行人没法走",
    "{place}楼道堆放杂物，存在消防隐患",
    "{place}自来水发黄，水压也不够",
    "{place}有车辆长期乱停乱放，堵住消防通道",
]


@contextmanager
def keep_timestamps(model: type[models.Model]) -> Iterator[None]:
    """Let bulk_create write the given created_at/updated_at (auto_now fields would stamp the present)."""
    fields = [
        f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]  # type: ignore[attr-defined]
    for f in fields:
        f.auto_now = f.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add  # type: ignore[attr-defined]


OPEN = [Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REPLIED]


def generate(
    n: int,
    *,
    end: dt.datetime | None = None,
    days: int = 365,
    seed: int = 0,
    batch: int = 5000,
    progress: Callable[[int], None] | None = None,
    prefix: str = "SY",
) -> int:
    """Write `n` cases reported over the `days` before `end`; returns how many were written."""
    rng = np.random.default_rng(seed)
    end = end or timezone.now()
    grids = list(Grid.objects.values_list("id", "code", "community_id", "min_lon", "max_lon", "min_lat", "max_lat"))
    leaves = list(Category.objects.filter(children__isnull=True).values_list("id", flat=True))
    if not grids or not leaves:
        raise LookupError("generate() needs grids and categories")
    grid_p = rng.lognormal(0, 0.8, len(grids))
    grid_p /= grid_p.sum()
    cat_p = 1 / np.arange(1, len(leaves) + 1) ** 1.1
    cat_p /= cat_p.sum()
    channels = [Channel.HOTLINE, Channel.GRID_WORKER, Channel.RESIDENT_WEB, Channel.DEPARTMENT, Channel.IOT]
    channel_p = np.array([0.45, 0.25, 0.2, 0.06, 0.04])
    # Days weighted by the week (fewer at weekends) and the year (more in summer).
    start = end - dt.timedelta(days=days)
    day_w = np.array(
        [
            (0.75 if (start + dt.timedelta(d)).weekday() >= 5 else 1.08)
            * (1 + 0.15 * math.cos(((start + dt.timedelta(d)).timetuple().tm_yday - 200) / 365 * 2 * math.pi))
            for d in range(days)
        ]
    )
    day_w /= day_w.sum()
    written = 0
    with keep_timestamps(Case):
        while written < n:
            size = min(batch, n - written)
            offsets = rng.choice(days, size=size, p=day_w) + rng.random(size)
            created = [start + dt.timedelta(days=float(o)) for o in offsets]
            picks = rng.choice(len(grids), size=size, p=grid_p)
            cats = rng.choice(len(leaves), size=size, p=cat_p)
            chans = rng.choice(len(channels), size=size, p=channel_p)
            rows = []
            for i in range(size):
                gid, code, community_id, w, e, s, no = grids[picks[i]]
                at = created[i]
                age_h = (end - at).total_seconds() / 3600
                response_due = at + dt.timedelta(hours=3)
                resolution_due = at + dt.timedelta(hours=48)
                status, warning, closed, responded, rating, confirmed = _outcome(rng, age_h, at)
                lon = float(rng.uniform(w, e)) if w is not None else None
                lat = float(rng.uniform(s, no)) if s is not None else None
                rows.append(
                    Case(
                        tracking_no=f"{prefix}{written + i:010d}",
                        channel=channels[chans[i]],
                        status=status,
                        category_id=leaves[cats[i]],
                        description=TEXTS[int(cats[i]) % len(TEXTS)].format(place=f"{code[-6:]}号"),
                        lon=lon,
                        lat=lat,
                        grid_id=gid,
                        territory_code=code,
                        level=Level.COMMUNITY,
                        holder_division_id=community_id,
                        response_due=response_due,
                        first_response_due=response_due,
                        resolution_due=resolution_due,
                        warn_at=at + dt.timedelta(hours=38),
                        warning=warning,
                        responded_at=responded,
                        closed_at=closed,
                        resolved_at=closed,
                        rating=rating,
                        resident_confirmed=confirmed,
                        reply="已安排人员到现场处理，问题已解决" if closed else "",
                        created_at=at,
                        updated_at=closed or at,
                    )
                )
            Case.objects.bulk_create(rows, batch_size=1000)
            written += size
            if progress:
                progress(written)
    add_supervisions(prefix)
    return written


def add_supervisions(prefix: str = "SY") -> int:
    """An automatic 督办 for every generated case that ran past its resolution deadline (as the sweep issues)."""
    late = Case.objects.filter(tracking_no__startswith=prefix).filter(
        Q(warning=Warning.RED) | Q(closed_at__gt=F("resolution_due"))
    )
    done = 0
    batch: list[Supervision] = []
    for case_id, due, division_id in late.values_list("id", "resolution_due", "holder_division_id").iterator():
        batch.append(
            Supervision(
                case_id=case_id,
                issued_at=due,
                automatic=True,
                to_division_id=division_id,
                reason="已超过办结时限，请立即办理并反馈",
                due=due + dt.timedelta(hours=24),
            )
        )
        if len(batch) == 5000:
            Supervision.objects.bulk_create(batch)
            done, batch = done + len(batch), []
    Supervision.objects.bulk_create(batch)
    return done + len(batch)


def _outcome(rng: np.random.Generator, age_h: float, at: dt.datetime):
    responded = at + dt.timedelta(hours=float(rng.lognormal(0.3, 0.9)))
    if age_h > 96 or (age_h > 24 and rng.random() < 0.6):
        closed = at + dt.timedelta(hours=float(min(rng.lognormal(3, 0.6), max(age_h - 1, 1))))
        rated = rng.random() < 0.7
        rating = int(rng.choice([1, 2, 3, 4, 5], p=[0.03, 0.04, 0.08, 0.25, 0.6])) if rated else None
        return Status.CLOSED, Warning.NONE, closed, responded, rating, True
    warning = Warning.RED if age_h > 48 else Warning.YELLOW if age_h > 38 else Warning.NONE
    status = OPEN[int(rng.integers(len(OPEN)))]
    return status, warning, None, responded if status != Status.SUBMITTED else None, None, None
