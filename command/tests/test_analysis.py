"""Hotspots, common problems, forecast and guidance on generated data with planted patterns."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from command import facts, forecast, hotspots
from command.models import CaseFact
from command.problems import common_problems
from command.synthetic import keep_timestamps
from command.testing import CommandTestCase

GRID_A = "990100001001001"


def plant(case_like: Case, n: int, *, at: dt.datetime, description: str, prefix: str, **fields) -> list[Case]:
    rows = []
    for i in range(n):
        rows.append(
            Case(
                tracking_no=f"{prefix}{i:06d}",
                channel="hotline_12345",
                status=fields.get("status", "submitted"),
                category_id=fields.get("category_id", case_like.category_id),
                description=description.format(i=i),
                lon=fields.get("lon", 120.05),
                lat=fields.get("lat", 28.05),
                grid_id=case_like.grid_id,
                territory_code=case_like.territory_code,
                level="community",
                created_at=at + dt.timedelta(minutes=i),
                updated_at=at + dt.timedelta(minutes=i),
                rating=fields.get("rating"),
                reply=fields.get("reply", ""),
                closed_at=fields.get("closed_at"),
            )
        )
    with keep_timestamps(Case):
        return Case.objects.bulk_create(rows)


class HotspotTests(CommandTestCase):
    history = 3000

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        template = Case.objects.filter(territory_code=GRID_A).first()
        # 10:00 local time two days ago: the 40 minutes of the burst stay within one local day whenever the test
        # runs (from now - 2 days it split over midnight when run after 23:20 local time).
        two_days_ago = timezone.localtime() - dt.timedelta(days=2)
        cls.burst_at = two_days_ago.replace(hour=10, minute=0, second=0, microsecond=0)
        plant(template, 40, at=cls.burst_at, description="兰河路{i}号附近窨井盖缺失，很危险", prefix="HOT")
        facts.refresh()

    def test_the_planted_burst_is_a_hotspot_in_its_grid_and_cell(self):
        result = hotspots.space_hotspots(CaseFact.objects.all(), end=timezone.localdate())
        flagged = {u.code for u in result.flagged_grids}
        assert GRID_A in flagged
        assert len(flagged) <= 2  # the other grids follow their baseline
        cell = next(u for u in result.cells if u.count >= 40)
        assert cell.flagged and cell.q < 0.05
        assert any(u.code == GRID_A for u in result.flagged_grid_categories)

    def test_bh_adjust_is_monotone_and_bounded(self):
        q = hotspots.bh_adjust(np.array([0.01, 0.04, 0.03, 0.5]))
        assert np.all(q <= 1) and q[0] == 0.04 and q[3] == 0.5

    def test_getis_ord_marks_the_centre_of_a_high_cluster(self):
        import h3

        centre = h3.latlng_to_cell(28.0, 120.0, 8)
        counts = {c: 1 for c in h3.grid_disk(centre, 4)}
        for c in h3.grid_disk(centre, 1):
            counts[c] = 20
        z = hotspots.getis_ord(counts)
        assert z[centre] > 1.96 and min(z.values()) < 0

    def test_the_burst_is_a_spike_in_time(self):
        spikes = hotspots.time_hotspots(CaseFact.objects.all(), end=timezone.localdate())
        assert any(s.street == "A街道" and s.span == "day" and s.count >= 40 for s in spikes)
        assert any(s.span == "week" for s in spikes)

    def test_the_burst_is_a_common_problem_in_one_place(self):
        end = timezone.localdate()
        found = common_problems(Case.objects.all(), CaseFact.objects.all(), end - dt.timedelta(days=6), end)
        top = next(p for p in found.problems if "窨井盖" in p.example)
        assert top.count == 40 and top.in_one_place and top.places[0][0] == "A1社区"
        assert "窨井盖" in top.words or "缺失" in top.words
        assert "A1社区" in top.headline and "40" in top.headline

    def test_analysis_pages_render_for_a_street(self):
        self.login("bob")
        page = self.client.get(reverse("command:hotspots"))
        assert page.status_code == 200 and GRID_A.encode() in page.content
        page = self.client.get(reverse("command:problems"))
        assert page.status_code == 200 and "窨井盖".encode() in page.content
        assert self.client.get(reverse("command:problems"), {"span": "day"}).status_code == 200
        self.login("alice")
        assert self.client.get(reverse("command:hotspots"), {"window": "1", "category": "01"}).status_code == 200


class ForecastTests(CommandTestCase):
    history = 4000

    def test_a_seasonal_series_is_forecast_with_a_small_backtest_error(self):
        rng = np.random.default_rng(3)
        days = 364
        week = np.array([1.1, 1.1, 1.1, 1.1, 1.1, 0.7, 0.7])
        y = rng.poisson(50 * np.tile(week, days // 7)).astype(float)
        result = forecast.forecast_series(y, dt.date(2026, 10, 31))
        assert len(result["weeks"]) == 4 and result["weeks"][0]["start"] == "2026-11-01"
        assert result["mape"] < 0.1
        assert abs(result["weeks"][0]["n"] - 50 * week.sum()) < 0.1 * 50 * week.sum()

    def test_short_histories_are_not_forecast(self):
        assert forecast.forecast_series(np.ones(40), dt.date(2026, 10, 31)) is None
        assert forecast.forecast_series(np.zeros(300), dt.date(2026, 10, 31)) is None

    def test_the_forecast_page_shows_streets_categories_and_mape(self):
        self.login("alice")
        page = self.client.get(reverse("command:forecast"))
        result = page.context["result"]
        assert result["total"]["mape"] is not None and len(result["streets"]) == 2 and result["categories"]
        assert b'data-testid="mape"' in page.content
        self.login("bob")
        assert self.client.get(reverse("command:forecast")).context["result"]["streets"] == []

    def test_the_clock_keeps_snapshots_of_the_district_and_streets(self):
        from command.models import Snapshot
        from command.snapshots import forecast_for, refresh_forecasts

        assert refresh_forecasts() == 3
        assert refresh_forecasts() == 0
        kept = Snapshot.objects.get(scope_code="*")
        assert forecast_for(self.alice) == kept.data


class GuidanceTests(CommandTestCase):
    history = 200

    def test_typical_cases_and_handling_opinions_of_satisfied_closures(self):
        from command.guidance import guide

        template = Case.objects.filter(territory_code=GRID_A).first()
        closed = timezone.now() - dt.timedelta(days=3)
        plant(
            template,
            6,
            at=closed - dt.timedelta(hours=30),
            description="楼下饭店油烟扰民{i}",
            prefix="GDA",
            category_id=self.noise.pk,
            status="closed",
            rating=5,
            closed_at=closed,
            reply="约谈店主并责令安装油烟净化设备，复查达标",
        )
        plant(
            template,
            3,
            at=closed - dt.timedelta(hours=60),
            description="饭店噪音{i}",
            prefix="GDB",
            category_id=self.noise.pk,
            status="closed",
            rating=2,
            closed_at=closed,
            reply="已告知",
        )
        result = guide(Case.objects.all(), self.noise)
        assert result.closed >= 9 and result.rated >= 9
        assert result.typical[0]["rating"] == 5 and "油烟净化" in result.typical[0]["reply"]
        assert result.opinions and "油烟净化" in result.opinions[0].reply and result.opinions[0].count >= 6
        self.login("bob")
        page = self.client.get(reverse("command:guidance"), {"category": self.noise.code})
        assert page.status_code == 200 and "油烟净化".encode() in page.content
