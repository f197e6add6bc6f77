"""Command-centre pages and data endpoints: permissions, territory, figures."""

from __future__ import annotations

import json

from django.urls import reverse

from cases.models import Case
from command.models import CaseFact, StaffCheckIn
from command.testing import CommandTestCase
from core.models import AuditEntry
from core.testing import ScopedViewTests

STREET_A = "990100001"
GRID_A = "990100001001001"
GRID_B = "990100002001001"


class AreaPanelTests(ScopedViewTests, CommandTestCase):
    history = 50
    permitted = "bob"
    unpermitted = "carol"

    def url_inside(self):
        return reverse("command:area", args=[GRID_A])

    def url_outside(self):
        return reverse("command:area", args=[GRID_B])

    def url_missing(self):
        return reverse("command:area", args=["990100001009009"])


class OverviewTests(CommandTestCase):
    history = 800

    def test_a_street_sees_its_own_figures(self):
        self.login("bob")
        response = self.client.get(reverse("command:overview"))
        assert response.status_code == 200
        o = response.context["o"]
        open_a = Case.objects.filter(territory_code__startswith=STREET_A).exclude(
            status__in=["closed", "merged", "invalid"]
        )
        assert o.open == open_a.count()
        assert o.red == open_a.filter(warning="red").count()
        assert {s["code"] for s in o.streets} <= {STREET_A}
        assert response.context["scope_name"] == "A街道"

    def test_the_district_sees_all_and_the_live_fragment_polls(self):
        self.login("alice")
        response = self.client.get(reverse("command:live"), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        body = response.content.decode()
        assert 'hx-trigger="every 30s"' in body and 'id="overview-data"' in body
        assert response.context["o"].open == CaseFact.objects.filter(is_open=True).count()
        assert self.client.get(reverse("command:screen")).status_code == 200

    def test_people_without_the_command_centre_are_refused(self):
        for name in ("carol", "erin", "frank"):
            self.login(name)
            assert self.client.get(reverse("command:overview")).status_code == 403, name
            assert self.client.get(reverse("command:map_figures")).status_code == 403, name
        self.client.logout()
        assert self.client.get(reverse("command:overview")).status_code == 302

    def test_home_opens_on_the_command_centre_for_command_roles(self):
        self.login("bob")
        assert self.client.get("/").url == reverse("command:overview")
        self.login("carol")
        assert self.client.get("/").url == reverse("territory:map")


class MapDataTests(CommandTestCase):
    history = 1200

    def test_figures_cover_only_the_users_grids_and_match_the_facts(self):
        self.login("bob")
        data = self.client.get(reverse("command:map_figures"), {"state": "all"}).json()
        assert data["period"] and all(code.startswith(STREET_A) for code in data["period"])
        grid = data["period"][GRID_A]
        facts = CaseFact.objects.filter(territory_code=GRID_A, day__gte=data["start"], day__lte=data["end"])
        assert grid["reported"] == facts.count()
        open_now = CaseFact.objects.filter(territory_code=GRID_A, is_open=True).count()
        assert data["open_now"].get(GRID_A, {"open": 0})["open"] == open_now

    def test_category_and_state_filters(self):
        self.login("alice")
        code = CaseFact.objects.values_list("category_code", flat=True).first()
        data = self.client.get(
            reverse("command:map_figures"), {"category": code[:2], "state": "closed", "start": "2000-01-01"}
        ).json()
        total = sum(f["reported"] for c, f in data["period"].items() if len(c) == 15)
        assert total == CaseFact.objects.filter(category_code__startswith=code[:2], status="closed").count()

    def test_points_are_capped_and_counted_and_heat_covers_everything(self):
        self.login("alice")
        with self.settings(COMMAND_MAX_POINTS=100):
            data = self.client.get(reverse("command:map_points"), {"start": "2000-01-01"}).json()
        expected = CaseFact.objects.exclude(lon=None).count()
        assert data["shown"] == 100 and data["more"] is True
        newest = CaseFact.objects.exclude(lon=None).order_by("-created_at").values_list("tracking_no", flat=True)[:100]
        assert [p[0] for p in data["points"]] == list(newest)
        no, lon, lat, *_ = data["points"][0]
        assert Case.objects.filter(tracking_no=no, lon=lon, lat=lat).exists()
        heat = self.client.get(reverse("command:map_heat"), {"start": "2000-01-01"}).json()
        assert sum(c[2] for c in heat["cells"]) == expected

    def test_a_streets_points_stay_in_the_street(self):
        self.login("bob")
        data = self.client.get(reverse("command:map_points"), {"start": "2000-01-01"}).json()
        numbers = [p[0] for p in data["points"]]
        assert (
            numbers
            and not Case.objects.filter(tracking_no__in=numbers).exclude(territory_code__startswith=STREET_A).exists()
        )


class CheckInTests(CommandTestCase):
    history = 0

    def post(self, **body):
        return self.client.post(
            reverse("command:checkin"),
            json.dumps(body),
            content_type="application/json",
            HTTP_ACCEPT="application/json",
        )

    def test_a_grid_worker_checks_in_and_the_street_sees_the_position_and_track(self):
        self.login("carol")
        assert self.client.get(reverse("command:checkin")).status_code == 200
        response = self.post(lon=120.05, lat=28.05, accuracy=12, kind="patrol")
        assert response.status_code == 201, response.content
        assert response.json()["grid"] == GRID_A
        self.post(lon=120.06, lat=28.06, kind="patrol")
        entry = StaffCheckIn.objects.filter(user=self.carol).first()
        assert AuditEntry.objects.filter(action="command.check_in", object_id=str(entry.pk)).exists()
        self.login("bob")
        staff = self.client.get(reverse("command:map_staff")).json()["staff"]
        assert [p["name"] for p in staff] == ["Carol"]
        track = self.client.get(reverse("command:map_track"), {"user": self.carol.pk}).json()
        assert len(track["points"]) == 2 and track["km"] > 1
        assert self.client.get(reverse("command:map_track"), {"user": self.dave.pk}).status_code == 404

    def test_bad_positions_are_refused_with_the_field_named(self):
        self.login("carol")
        response = self.post(lon="east", lat=28.05)
        assert response.status_code == 400 and "lon" in response.json()["errors"]
        response = self.post(lon=120.05, lat=95)
        assert response.status_code == 400 and "lat" in response.json()["errors"]
        response = self.post(lon=120.05, lat=28.05, kind="teleport")
        assert response.status_code == 400 and "kind" in response.json()["errors"]
        assert not StaffCheckIn.objects.exists()

    def test_only_grid_workers_check_in(self):
        self.login("bob")
        assert self.post(lon=120.05, lat=28.05).status_code == 403
        self.login("frank")
        assert self.client.get(reverse("command:checkin")).status_code == 403

    def test_a_form_post_works_without_javascript(self):
        self.login("carol")
        response = self.client.post(reverse("command:checkin"), {"lon": "120.05", "lat": "28.05", "note": "巡查"})
        assert response.status_code == 302 and StaffCheckIn.objects.get().note == "巡查"
