"""Reading requests back: filters and defaults of the spec, the resident page, the stage timeline extension."""

from __future__ import annotations

import datetime as dt
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from cases import actions
from cases.intake import IntakeData, intake
from cases.models import Case
from open311.tests.base import Open311TestCase
from territory.models import Department

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class ReadingTests(Open311TestCase):
    def file(self, **fields) -> Case:
        response = self.post(**fields)
        self.assertEqual(response.status_code, 201, response.content)
        return Case.objects.get(tracking_no=json.loads(response.content)[0]["service_request_id"])

    def get(self, url: str, **params):
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200, response.content)
        return json.loads(response.content)

    def test_a_record_tells_status_holder_and_deadlines(self):
        case = self.file(description="凌晨施工，电话13812345678，身份证330304199001011234")
        [record] = self.get(f"/open311/v2/requests/{case.tracking_no}.json")
        self.assertEqual(record["status"], "open")
        self.assertEqual(record["agency_responsible"], str(case.holder))
        self.assertEqual(record["service_code"], self.noise.code)
        self.assertEqual(record["service_name"], "噪音污染")
        self.assertEqual(record["description"], "凌晨施工，电话138****5678，身份证330304********1234")
        self.assertEqual(
            dt.datetime.fromisoformat(record["expected_datetime"]), case.resolution_due.replace(microsecond=0)
        )
        self.assertEqual(record["requested_datetime"][-6:], "+08:00")
        self.assertEqual((record["lat"], record["long"]), (28.02, 120.02))
        self.assertEqual(record["address_id"], case.territory_code)

    def test_closed_and_status_filters(self):
        open_case = self.file(description="一")
        closed = self.file(description="二")
        actions.do_invalidate(closed, acting_user=self.alice, reason="重复上报")
        ids = lambda **p: {r["service_request_id"] for r in self.get("/open311/v2/requests.json", **p)}  # noqa: E731
        self.assertEqual(ids(), {open_case.tracking_no, closed.tracking_no})
        self.assertEqual(ids(status="open"), {open_case.tracking_no})
        self.assertEqual(ids(status="closed"), {closed.tracking_no})
        self.assertEqual(ids(status="open,closed"), {open_case.tracking_no, closed.tracking_no})
        [record] = self.get("/open311/v2/requests.json", status="closed")
        self.assertEqual(record["status"], "closed")
        self.assertIn("Invalid", record["status_notes"])

    def test_service_code_dates_and_id_list(self):
        noise = self.file()
        light = self.file(service_code=self.light.code, **{"attribute[source]": None})
        url = "/open311/v2/requests.json"
        self.assertEqual(
            [r["service_request_id"] for r in self.get(url, service_code=self.light.code)], [light.tracking_no]
        )
        self.assertEqual(len(self.get(url, service_code=f"{self.light.code},{self.noise.code}")), 2)
        Case.objects.filter(pk=noise.pk).update(created_at=timezone.now() - dt.timedelta(days=100))
        self.assertEqual([r["service_request_id"] for r in self.get(url)], [light.tracking_no])  # last 90 days
        old = (timezone.now() - dt.timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.assertEqual([r["service_request_id"] for r in self.get(url, start_date=old)], [noise.tracking_no])
        self.assertEqual(len(self.get(url, service_request_id=f"{noise.tracking_no},{light.tracking_no}")), 2)

    def test_pages_of_the_common_extension(self):
        numbers = [self.file(description=f"第{n}个").tracking_no for n in range(3)]
        url = "/open311/v2/requests.json"
        pages = [[r["service_request_id"] for r in self.get(url, page=p, page_size=2)] for p in (1, 2, 3)]
        self.assertEqual(pages, [numbers[::-1][:2], numbers[::-1][2:], []])
        for bad in ({"page": "0"}, {"page_size": "1001"}, {"page": "x"}):
            self.assertEqual(self.client.get(url, bad).status_code, 400, bad)

    def test_only_open311_cases_are_published_unless_configured(self):
        mine = self.file()
        other, _ = intake(
            IntakeData(
                channel="hotline_12345",
                description="热线",
                category_code=self.noise.code,
                lon=120.02,
                lat=28.02,
                reporter_phone="13900000000",
            ),
            acting_user=self.alice,
        )
        url = "/open311/v2/requests.json"
        self.assertEqual([r["service_request_id"] for r in self.get(url)], [mine.tracking_no])
        self.assertEqual(self.client.get(f"/open311/v2/requests/{other.tracking_no}.json").status_code, 404)
        with override_settings(OPEN311_PUBLISHED_CHANNELS=["all"]):
            self.assertEqual(len(self.get(url)), 2)

    def test_the_reporter_tracks_the_case_on_the_resident_page(self):
        case = self.file()
        page = self.client.get("/track/", {"tracking_no": case.tracking_no, "phone": "13812345678"})
        self.assertContains(page, case.tracking_no)
        self.assertContains(page, 'data-testid="timeline"')
        self.login("alice")
        self.assertContains(self.client.get(f"/cases/{case.tracking_no}/"), "Open311")

    def test_an_uploaded_photo_is_the_media_url(self):
        photo = SimpleUploadedFile("hole.png", PNG, content_type="image/png")
        case = self.file(media=photo)
        [record] = self.get(f"/open311/v2/requests/{case.tracking_no}.json")
        self.assertTrue(record["media_url"].startswith("http://testserver/open311/v2/media/"))
        self.assertEqual(b"".join(self.client.get(record["media_url"]).streaming_content), PNG)
        bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")
        self.assertEqual(self.post(media=bad).status_code, 400)

    def test_address_id_and_address_string_locate_the_case(self):
        by_grid = self.file(lat=None, long=None, address_id="990100002002002")
        self.assertEqual(by_grid.grid.code, "990100002002002")
        by_community = self.file(lat=None, long=None, address_id="990100001002")
        self.assertEqual(by_community.territory_code, "990100001002")
        by_name = self.file(lat=None, long=None, address_string="B街道B2社区 人民路12号")
        self.assertEqual(by_name.territory_code, "990100002002")
        self.assertEqual(by_name.address, "B街道B2社区 人民路12号")

    def test_a_repeated_idempotency_key_returns_the_first_request(self):
        first = self.client.post(
            "/open311/v2/requests.json",
            {
                "api_key": self.key,
                "service_code": self.light.code,
                "lat": "28.02",
                "long": "120.02",
                "description": "路灯不亮",
            },
            HTTP_IDEMPOTENCY_KEY="abc-1",
        )
        again = self.client.post(
            "/open311/v2/requests.json",
            {
                "api_key": self.key,
                "service_code": self.light.code,
                "lat": "28.02",
                "long": "120.02",
                "description": "路灯不亮",
            },
            HTTP_IDEMPOTENCY_KEY="abc-1",
        )
        self.assertEqual((first.status_code, again.status_code), (201, 200))
        self.assertEqual(
            json.loads(first.content)[0]["service_request_id"], json.loads(again.content)[0]["service_request_id"]
        )
        self.assertEqual(Case.objects.count(), 1)


class StageTimelineTests(Open311TestCase):
    def test_each_level_and_unit_with_times_and_deadlines(self):
        case = json.loads(self.post().content)[0]["service_request_id"]
        obj = Case.objects.get(tracking_no=case)
        actions.do_accept(obj, acting_user=self.carol)
        actions.do_escalate(obj, acting_user=self.carol, reason="需要街道协调")
        obj.refresh_from_db()
        dept = Department.objects.get(code="test-zfj")
        actions.do_dispatch(obj, dept, acting_user=self.bob)
        response = self.client.get("/open311/v2/servicerequeststages.json", {"service_request_id": case})
        self.assertEqual(response.status_code, 200, response.content)
        [timeline] = json.loads(response.content)
        self.assertEqual(timeline["service_request_id"], case)
        stages = timeline["stages"]
        self.assertEqual([s["level"] for s in stages], ["community", "street", "department"])
        self.assertEqual([s["agency_responsible"] for s in stages], ["A1社区", "A街道", "区综合行政执法局"])
        self.assertEqual([s["started_by"] for s in stages], ["intake", "escalate", "dispatch"])
        self.assertEqual([s["ended_by"] for s in stages], ["escalate", "dispatch", None])
        self.assertIsNotNone(stages[0]["responded_datetime"])
        self.assertTrue(all(s["response_due_datetime"] and s["expected_datetime"] for s in stages))
        self.assertEqual(stages[0]["ended_datetime"], stages[1]["started_datetime"])
        xml = self.client.get("/open311/v2/servicerequeststages.xml", {"service_request_id": case})
        self.assertIn(b"<service_request_stages><request_stages><service_request_id>", xml.content)
        self.assertIn(b"<stages><stage><stage>1</stage><level>community</level>", xml.content)
        missing = self.client.get("/open311/v2/servicerequeststages.json", {"service_request_id": "FQ1"})
        self.assertEqual(missing.status_code, 404)

    def test_updates_in_the_servicerequestupdates_style(self):
        case = json.loads(self.post().content)[0]["service_request_id"]
        actions.do_accept(Case.objects.get(tracking_no=case), acting_user=self.carol)
        response = self.client.get("/open311/v2/servicerequestupdates.json")
        updates = json.loads(response.content)
        self.assertEqual([u["service_request_id"] for u in updates], [case, case])
        self.assertEqual(
            set(updates[0]),
            {
                "update_id",
                "service_request_id",
                "status",
                "updated_datetime",
                "description",
                "media_url",
                "agency_responsible",
            },
        )
        xml = self.client.get("/open311/v2/servicerequestupdates.xml")
        self.assertIn(b"<service_requests_updates><request_update><update_id>", xml.content)


class ClockEntriesTests(Open311TestCase):
    def test_bulk_entries_of_the_clock_carry_only_changes(self):
        from django.db import transaction

        from core import audit

        case_no = json.loads(self.post().content)[0]["service_request_id"]
        obj = Case.objects.get(tracking_no=case_no)
        street = obj.holder_division.parent
        with transaction.atomic():
            audit.record_many(
                [
                    audit.Pending(
                        "cases.warning_yellow",
                        "cases.case",
                        str(obj.pk),
                        case_no,
                        {"warning": "none"},
                        {"warning": "yellow"},
                    )
                ],
                actor="clock",
            )
            audit.record_many(
                [
                    audit.Pending(
                        "cases.escalate",
                        "cases.case",
                        str(obj.pk),
                        case_no,
                        {"level": "community"},
                        {"level": "street", "holder_division_id": street.pk},
                    )
                ],
                actor="clock",
            )
        response = self.client.get("/open311/v2/servicerequeststages.json", {"service_request_id": case_no})
        stages = json.loads(response.content)[0]["stages"]
        self.assertEqual(
            [(s["level"], s["agency_responsible"]) for s in stages], [("community", "A1社区"), ("street", "A街道")]
        )
        self.assertIsNone(stages[1]["response_due_datetime"])
        self.assertEqual(stages[1]["expected_datetime"], stages[0]["expected_datetime"])
