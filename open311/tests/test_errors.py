"""Bad input gets the spec's error document and status, and nothing is written."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from unittest import mock

from django.test import override_settings

from cases.models import Case
from core.models import AuditEntry
from open311.actions import create_key, do_set_key_active
from open311.models import ServiceRequest
from open311.tests.base import Open311TestCase


class BadInputTests(Open311TestCase):
    def assertRejected(self, response, status: int, *fragments: str) -> list[dict]:
        self.assertEqual(response.status_code, status, response.content)
        errors = json.loads(response.content)
        text = " ".join(e["description"] for e in errors)
        for fragment in fragments:
            self.assertIn(fragment, text)
        self.assertTrue(all(e["code"] == status for e in errors))
        return errors

    def assertNothingWritten(self, audit_before: int) -> None:
        self.assertFalse(Case.objects.exists())
        self.assertFalse(ServiceRequest.objects.exists())
        self.assertEqual(AuditEntry.objects.count(), audit_before)

    def test_no_location(self):
        before = AuditEntry.objects.count()
        self.assertRejected(self.post(lat=None, long=None), 400, "lat and long, address_string or address_id")
        self.assertRejected(self.post(long=None), 400, "lat and long must both be sent")
        self.assertRejected(self.post(lat="45.0", long="100.0"), 400, "outside the district")
        self.assertRejected(self.post(lat=None, long=None, address_string="火星某处"), 400, "address_string")
        self.assertRejected(self.post(lat=None, long=None, address_id="123"), 400, "address_id 123")
        self.assertNothingWritten(before)

    def test_unknown_or_missing_service(self):
        before = AuditEntry.objects.count()
        self.assertRejected(self.post(service_code="999999"), 404, "service_code 999999 not found")
        self.assertRejected(self.post(service_code=None), 400, "service_code is required")
        parent = self.noise.parent.code  # a branch, not a leaf
        self.assertRejected(self.post(service_code=parent), 404, f"service_code {parent} not found")
        self.assertNothingWritten(before)

    def test_attributes(self):
        before = AuditEntry.objects.count()
        errors = self.assertRejected(self.post(**{"attribute[source]": None}), 400, "attribute[source] is required")
        self.assertEqual(len(errors), 1)
        self.assertRejected(self.post(**{"attribute[source]": "aliens"}), 400, "attribute[source]: aliens")
        self.assertRejected(self.post(**{"attribute[nights]": "many"}), 400, "attribute[nights]: many is not a number")
        self.assertRejected(self.post(**{"attribute[since]": "yesterday"}), 400, "attribute[since]")
        self.assertRejected(self.post(**{"attribute[colour]": "red"}), 400, "attribute[colour]")
        self.assertRejected(self.post(**{"attribute[notice]": "x"}), 400, "attribute[notice]")
        self.assertRejected(self.post(**{"attribute[kinds][]": ["smoke", "fog"]}), 400, "fog")
        self.assertNothingWritten(before)

    def test_several_problems_are_listed_together(self):
        errors = self.assertRejected(
            self.post(lat=None, long=None, email="not-an-email", description="x" * 4001, **{"attribute[source]": None}),
            400,
        )
        self.assertEqual(len(errors), 4)

    def test_bad_fields(self):
        before = AuditEntry.objects.count()
        self.assertRejected(self.post(phone="12345"), 400, "phone:")
        self.assertRejected(self.post(media_url="ftp://x/y.jpg"), 400, "media_url")
        self.assertRejected(self.post(description="长" * 4001), 400, "description: at most 4,000 characters")
        self.assertNothingWritten(before)

    def test_bad_api_key(self):
        before = AuditEntry.objects.count()
        errors = self.assertRejected(self.post(api_key="fq_wrong"), 403, "Invalid api_key")
        self.assertEqual(len(errors), 1)
        self.assertRejected(self.post(api_key=None), 403, "api_key is required")
        xml = self.post("xml", api_key="fq_wrong")
        self.assertEqual(xml.status_code, 403)
        root = ET.fromstring(xml.content)
        self.assertEqual((root.tag, root[0].tag, root[0][0].tag, root[0][0].text), ("errors", "error", "code", "403"))
        self.assertNothingWritten(before)

    def test_a_disabled_key_and_a_key_of_another_channel_are_refused(self):
        do_set_key_active(self.app, False, acting_user="test")
        self.assertRejected(self.post(), 403, "Invalid api_key")
        from core.actions import do_create_api_client

        _client, other = do_create_api_client("城管系统", "department_system", acting_user="test")
        self.assertRejected(self.post(api_key=other), 403, "Invalid api_key")
        self.assertFalse(Case.objects.exists())

    def test_dates_of_the_request_list(self):
        url = "/open311/v2/requests.json"
        self.assertRejected(
            self.client.get(url, {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"}),
            400,
            "spans 91.0 days; at most 90",
        )
        self.assertRejected(self.client.get(url, {"start_date": "last tuesday"}), 400, "start_date: last tuesday")
        self.assertRejected(self.client.get(url, {"end_date": "2026-13-01T00:00:00Z"}), 400, "end_date")
        self.assertRejected(self.client.get(url, {"start_date": "2026-01-01T00:00:00"}), 400, "time zone")
        self.assertRejected(
            self.client.get(url, {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}),
            400,
            "end_date is before start_date",
        )
        self.assertRejected(self.client.get(url, {"status": "pending"}), 400, "status pending")
        self.assertRejected(self.client.get(url, {"service_code": "999999"}), 400, "service_code 999999")

    def test_jurisdiction(self):
        self.assertEqual(self.client.get("/open311/v2/services.json", {"jurisdiction_id": "990100"}).status_code, 200)
        self.assertRejected(
            self.client.get("/open311/v2/services.json", {"jurisdiction_id": "sfgov.org"}), 404, "sfgov.org not found"
        )
        self.assertRejected(self.post(jurisdiction_id="330304"), 404, "jurisdiction_id 330304")
        self.assertFalse(Case.objects.exists())

    def test_unknown_ids_and_formats(self):
        self.assertRejected(self.client.get("/open311/v2/requests/FQ20200101-000001.json"), 404, "not found")
        self.assertRejected(self.client.get("/open311/v2/tokens/nope.json"), 404, "token nope not found")
        response = self.client.get("/open311/v2/services.html")
        self.assertEqual((response.status_code, ET.fromstring(response.content).tag), (404, "errors"))
        response = self.client.delete("/open311/v2/requests.json")
        self.assertEqual((response.status_code, response["Allow"]), (405, "GET, POST"))


@mock.patch("core.ratelimit.time.time", return_value=1_800_000_030.0)  # mid-window, however slow the machine
class RateLimitTests(Open311TestCase):
    def test_a_key_over_its_limit_gets_429_with_retry_after(self, _now):
        _client, key = create_key("小程序", acting_user="test", requests_per_minute=2)
        for n in range(2):
            self.assertEqual(self.post(api_key=key, description=f"第{n}次").status_code, 201)
        response = self.post(api_key=key, description="第三次")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "30")
        self.assertIn("too many requests", json.loads(response.content)[0]["description"])
        self.assertEqual(Case.objects.count(), 2)
        self.assertEqual(self.post(description="另一个应用不受影响").status_code, 201)

    @override_settings(OPEN311_ANONYMOUS_PER_MINUTE=3)
    def test_reading_without_a_key_is_limited_per_address(self, _now):
        codes = [self.client.get("/open311/v2/services.xml").status_code for _ in range(4)]
        self.assertEqual(codes, [200, 200, 200, 429])
        other = self.client.get("/open311/v2/services.xml", REMOTE_ADDR="10.0.0.9")
        self.assertEqual(other.status_code, 200)

    @override_settings(OPEN311_ANONYMOUS_PER_MINUTE=2)
    def test_guessing_keys_is_throttled_per_address(self, _now):
        codes = [self.post(api_key=f"fq_guess{n}", remote_addr="10.0.0.7").status_code for n in range(3)]
        self.assertEqual(codes, [403, 403, 429])


class LanguageTests(Open311TestCase):
    def test_errors_speak_chinese_to_a_chinese_client(self):
        response = self.client.get("/open311/v2/services/999999.json", HTTP_ACCEPT_LANGUAGE="zh-CN")
        self.assertEqual(json.loads(response.content)[0]["description"], "未找到 service_code 999999")


class DiscoveryTests(Open311TestCase):
    def test_the_changeset_moves_when_a_service_definition_changes(self):
        from open311.actions import do_define_service

        first = json.loads(self.client.get("/open311/v2/discovery.json").content)["changeset"]
        from core.models import AuditEntry

        AuditEntry.objects.filter(action="open311.define_service").update(created_at="2020-01-01T00:00:00Z")
        old = json.loads(self.client.get("/open311/v2/discovery.json").content)["changeset"]
        self.assertTrue(old.startswith("2020-01-01"), old)
        do_define_service(self.light, attributes=[], acting_user="test", keywords="路灯")
        self.assertEqual(
            json.loads(self.client.get("/open311/v2/discovery.json").content)["changeset"][:10], first[:10]
        )
