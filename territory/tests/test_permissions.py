"""Every territory page and endpoint: anonymous, no permission, permitted, and other territory → 404."""

from __future__ import annotations

from core.testing import DistrictTestCase, ScopedViewTests, community_code, grid_code


class GridPageTests(ScopedViewTests, DistrictTestCase):
    def url_inside(self):
        return f"/grids/{grid_code(0, 0, 0)}/"

    def url_outside(self):
        return f"/grids/{grid_code(1, 0, 0)}/"

    def url_missing(self):
        return "/grids/990100009009009/"


class DivisionPageTests(ScopedViewTests, DistrictTestCase):
    permitted = "bob"

    def url_inside(self):
        return f"/divisions/{community_code(0, 1)}/"

    def url_outside(self):
        return f"/divisions/{community_code(1, 0)}/"

    def url_missing(self):
        return "/divisions/990100009009/"


class GridApiTests(ScopedViewTests, DistrictTestCase):
    anonymous_status = 401

    def url_inside(self):
        return f"/api/v1/grids/{grid_code(0, 0, 0)}"

    def url_outside(self):
        return f"/api/v1/grids/{grid_code(0, 1, 1)}"

    def url_missing(self):
        return "/api/v1/grids/990100009009009"


class LocateApiTests(ScopedViewTests, DistrictTestCase):
    anonymous_status = 401

    def url_inside(self):
        return "/api/v1/locate?lon=120.05&lat=28.05"

    def url_outside(self):
        return "/api/v1/locate?lon=120.35&lat=28.15"

    def url_missing(self):
        return "/api/v1/locate?lon=121.5&lat=31.2"


class ScopedListsTests(DistrictTestCase):
    def test_grid_worker_map_holds_only_their_grid(self):
        self.login("carol")
        features = self.client.get("/map/data.json").json()["features"]
        grids = [f["properties"]["code"] for f in features if f["properties"]["layer"] == "grid"]
        assert grids == [grid_code(0, 0, 0)]
        context = {f["properties"]["code"] for f in features if f["properties"]["layer"] != "grid"}
        assert context == {"990100", "990100001", community_code(0, 0)}

    def test_street_sees_its_street_only(self):
        self.login("bob")
        codes = [g["code"] for g in self.client.get("/api/v1/grids").json()]
        assert len(codes) == 4 and all(c.startswith("990100001") for c in codes)

    def test_department_and_leader_see_the_district(self):
        for name in ("erin", "leo"):
            self.login(name)
            assert len(self.client.get("/api/v1/grids").json()) == 8

    def test_search_does_not_leak_other_territory(self):
        self.login("carol")
        html = self.client.get("/search/", {"q": "社区"}).content.decode()
        assert "A1社区" in html and "B1社区" not in html and "A2社区" not in html

    def test_exports_are_scoped_and_need_permission(self):
        self.login("carol")
        assert self.client.get("/export/grids.xlsx").status_code == 403
        self.login("bob")
        geo = self.client.get("/export/grids.geojson").json()
        assert {f["properties"]["code"][:9] for f in geo["features"]} == {"990100001"}
