"""The case API: systems file with keys, staff act through it, errors say what is wrong."""

from __future__ import annotations

from unittest import mock

from django.core.cache import caches
from django.test import override_settings

from cases.models import Case
from cases.testing import CaseTestCase
from core import memo
from core.actions import do_create_api_client, find_api_client
from core.testing import ScopedViewTests, community_code


class CaseApiTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.client_obj, cls.key = do_create_api_client("城管系统", "department_system", acting_user="test")

    def post(self, url, body, **headers):
        return self.client.post(url, body, content_type="application/json", headers=headers)

    def body(self, **extra):
        return {
            "description": "人行道井盖缺失，有安全隐患",
            "category_code": self.streetlight.code,
            "lon": 120.05,
            "lat": 28.05,
            "reporter_phone": "13812345678",
            **extra,
        }

    def test_a_system_files_with_its_key_and_repeats_are_one_case(self):
        first = self.post("/api/v1/cases", self.body(), **{"X-Api-Key": self.key, "Idempotency-Key": "dpt-1"})
        assert first.status_code == 201, first.content
        data = first.json()
        assert data["channel"] == "department_system" and data["holder"] == "A1社区"
        again = self.post("/api/v1/cases", self.body(), **{"X-Api-Key": self.key, "Idempotency-Key": "dpt-1"})
        assert again.status_code == 200 and again.json()["tracking_no"] == data["tracking_no"]
        assert Case.objects.count() == 1
        mine = self.client.get(f"/api/v1/cases/{data['tracking_no']}", headers={"X-Api-Key": self.key})
        assert mine.status_code == 200 and mine.json()["events"][0]["action"] == "intake"
        assert data["events"] == mine.json()["events"]  # the intake's own event, as the log reads it back

    def test_a_wrong_key_is_refused(self):
        assert self.post("/api/v1/cases", self.body(), **{"X-Api-Key": "fq_wrong"}).status_code == 401

    @override_settings(CONFIG_CACHE_SECONDS=600)
    def test_keys_are_held_in_memory_and_a_new_or_disabled_key_counts_at_once(self):
        from open311.actions import do_set_key_active

        memo.clear()
        assert self.post("/api/v1/cases", self.body(), **{"X-Api-Key": self.key}).status_code == 201
        with self.captureOnCommitCallbacks(execute=True):
            client, key = do_create_api_client("物联网平台", "iot_alarm", acting_user="test")
        with self.assertNumQueries(1):  # the memo was cleared: one load serves both, and the next requests
            assert find_api_client(self.key) == self.client_obj and find_api_client(key) == client
        assert self.post("/api/v1/cases", self.body(), **{"X-Api-Key": key}).status_code == 201
        with self.captureOnCommitCallbacks(execute=True):
            do_set_key_active(client, False, acting_user="test")
        assert self.post("/api/v1/cases", self.body(), **{"X-Api-Key": key}).status_code == 401
        assert self.post("/api/v1/cases", self.body(), **{"X-Api-Key": self.key}).status_code == 201

    def test_bad_input_is_400_naming_the_field(self):
        response = self.post("/api/v1/cases", self.body(lon=130.0, reporter_phone="123"), **{"X-Api-Key": self.key})
        assert response.status_code == 400
        errors = response.json()["errors"]
        assert "outside the district" in errors["location"] and "11-digit" in errors["reporter_phone"]
        response = self.post("/api/v1/cases", {"category_code": "x"}, **{"X-Api-Key": self.key})
        assert response.status_code == 400 and "description" in response.json()["errors"]
        assert Case.objects.count() == 0

    def test_an_illegal_action_is_409_with_the_allowed_ones(self):
        self.login("carol")
        tracking = self.post("/api/v1/cases", self.body(channel="grid_worker")).json()["tracking_no"]
        response = self.post(f"/api/v1/cases/{tracking}/confirm", {"rating": 5})
        assert response.status_code in (403, 409)
        response = self.post(f"/api/v1/cases/{tracking}/resolve", {"note": "x"})
        assert response.status_code == 409 and "accept" in response.json()["allowed_actions"]
        assert self.post(f"/api/v1/cases/{tracking}/accept", {}).status_code == 200
        response = self.post(f"/api/v1/cases/{tracking}/escalate", {"reason": ""})
        assert response.status_code == 400 and "reason" in response.json()["errors"]

    def test_the_reporter_tracks_with_number_and_phone(self):
        tracking = self.post("/api/v1/cases", self.body(), **{"X-Api-Key": self.key}).json()["tracking_no"]
        self.client.logout()
        ok = self.client.get("/api/v1/track", {"tracking_no": tracking, "phone": "13812345678"})
        assert ok.status_code == 200 and ok.json()["holder"] == "A1社区"
        assert self.client.get("/api/v1/track", {"tracking_no": tracking, "phone": "13900000000"}).status_code == 404

    def test_the_schema_is_published(self):
        schema = self.client.get("/api/v1/openapi.json").json()
        assert "/api/v1/cases" in schema["paths"] and "X-Api-Key" in str(schema["components"])


@mock.patch("core.ratelimit.time.time", return_value=1_800_000_030.0)  # mid-window, however slow the machine
class ApiRateLimitTests(CaseTestCase):
    def setUp(self):
        caches["default"].clear()

    def test_a_key_over_its_limit_gets_429_with_retry_after_and_files_nothing(self, _now):
        _client, key = do_create_api_client("物联网平台", "iot_alarm", acting_user="test", requests_per_minute=2)
        body = {"description": "积水报警", "category_code": self.streetlight.code, "lon": 120.05, "lat": 28.05}
        codes = [
            self.client.post("/api/v1/cases", body, content_type="application/json", headers={"X-Api-Key": key})
            for _ in range(3)
        ]
        assert [r.status_code for r in codes] == [201, 201, 429]
        assert codes[2]["Retry-After"] == "30" and "2 a minute" in codes[2].json()["detail"]
        assert Case.objects.count() == 2


class CaseDetailApiScopeTests(ScopedViewTests, CaseTestCase):
    anonymous_status = 401

    def setUp(self):
        self.inside = self.report()
        self.outside = self.report(lon=120.25, lat=28.05)

    def url_inside(self):
        return f"/api/v1/cases/{self.inside.tracking_no}"

    def url_outside(self):
        return f"/api/v1/cases/{self.outside.tracking_no}"

    def url_missing(self):
        return "/api/v1/cases/FQ20000101-000001"

    def test_without_permission_is_forbidden(self):
        """Every role may read some cases (residents their own), so 'no permission' is a 404 here."""
        self.login("erin")
        assert self.client.get(self.url_inside()).status_code == 404

    def test_hotline_filing_by_community(self):
        self.login("alice")
        response = self.client.post(
            "/api/v1/cases",
            {
                "description": "来电反映路灯不亮",
                "category_code": self.streetlight.code,
                "community_code": community_code(1, 0),
            },
            content_type="application/json",
        )
        assert response.status_code == 201 and response.json()["territory_code"] == community_code(1, 0)
