"""One intake for every channel: routed, clocked, logged; bad input named by field; one case per key."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from cases.choices import Level, RouteAction, Status
from cases.intake import IntakeData, intake, intake_many
from cases.models import Attachment, Case, CaseEvent, RoutingRule
from cases.testing import CaseTestCase
from core import audit
from core.models import AuditEntry
from core.testing import community_code, grid_code
from triage.models import DuplicateCandidate

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


class IntakeTests(CaseTestCase):
    def test_a_report_lands_at_its_community_with_a_readable_number_and_deadlines(self):
        before = timezone.now()
        case = self.report()
        assert re.fullmatch(r"FQ\d{8}-\d{6}", case.tracking_no)
        assert case.grid.code == grid_code(0, 0, 0) and case.territory_code == grid_code(0, 0, 0)
        assert case.level == Level.COMMUNITY and case.holder_division.code == community_code(0, 0)
        assert case.reporter == self.frank and case.status == Status.SUBMITTED
        assert abs(case.response_due - before - dt.timedelta(hours=3)) < dt.timedelta(seconds=5)
        assert abs(case.resolution_due - before - dt.timedelta(hours=48)) < dt.timedelta(seconds=5)
        assert CaseEvent.objects.get(case=case).action == "intake"
        assert AuditEntry.objects.filter(action="cases.intake", object_id=str(case.pk)).exists()
        assert audit.verify().ok

    def test_tracking_numbers_count_up_within_a_day(self):
        first, second = self.report(), self.report()
        assert int(second.tracking_no[-6:]) == int(first.tracking_no[-6:]) + 1

    def test_the_same_idempotency_key_gives_the_same_case(self):
        first = self.report(idempotency_key="app-123")
        again, created = intake(
            IntakeData(
                channel="resident_web",
                description="x",
                category_code=self.noise.code,
                lon=120.05,
                lat=28.05,
                idempotency_key="app-123",
            ),
            acting_user=self.frank,
        )
        assert again.pk == first.pk and not created and Case.objects.count() == 1

    def test_a_hotline_agent_files_by_community_for_a_caller(self):
        case = self.report(
            actor=self.users["alice"],
            channel="hotline_12345",
            lon=None,
            lat=None,
            community_code=community_code(1, 1),
            address="B2社区某小区3幢",
        )
        assert case.grid is None and case.territory_code == community_code(1, 1)
        assert case.entered_by == self.alice and case.reporter is None

    def test_attachments_keep_their_sha256(self):
        photo = SimpleUploadedFile("scene.png", PNG, content_type="image/png")
        case = self.report(attachments=[photo])
        attachment = Attachment.objects.get(case=case)
        import hashlib

        assert attachment.sha256 == hashlib.sha256(PNG).hexdigest() and attachment.kind == "photo"
        entry = AuditEntry.objects.get(action="cases.intake", object_id=str(case.pk))
        assert entry.after["attachments"][0]["sha256"] == attachment.sha256

    def assert_rejected(self, field: str, words: str, **fields):
        count = Case.objects.count(), AuditEntry.objects.count()
        with self.assertRaises(ValidationError) as caught:
            self.report(**fields)
        messages = caught.exception.message_dict
        assert field in messages and words in messages[field][0], messages
        assert (Case.objects.count(), AuditEntry.objects.count()) == count

    def test_bad_input_names_the_field(self):
        self.assert_rejected("location", "outside the district", lon=121.5, lat=31.2)
        self.assert_rejected("location", "give a map point", lon=None, lat=None)
        self.assert_rejected("category", "unknown category", category_code="9999")
        self.assert_rejected("reporter_phone", "11-digit", reporter_phone="12345")
        self.assert_rejected("description", "describe", description="   ")
        self.assert_rejected(
            "attachments[1]",
            "is not accepted",
            attachments=[SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")],
        )
        big = SimpleUploadedFile("big.jpg", b"0" * (11 * 1024 * 1024), content_type="image/jpeg")
        self.assert_rejected("attachments[1]", "over the 10 MB limit", attachments=[big])

    def test_routing_rules_pass_up_and_dispatch(self):
        top = self.noise.parent.parent
        RoutingRule.objects.create(category=top, level=Level.COMMUNITY, action=RouteAction.ESCALATE)
        RoutingRule.objects.create(
            category=self.noise, level=Level.STREET, action=RouteAction.DISPATCH, department=self.sthjj
        )
        case = self.report()
        assert case.level == Level.DEPARTMENT and case.holder_department == self.sthjj
        assert case.dispatcher.code == "990100001"
        other = self.report(category_code=self.noise.parent.code)  # sibling branch: escalated, then handled
        assert other.level == Level.STREET and other.holder_division.code == "990100001"

    def test_a_grid_worker_solves_it_on_the_spot(self):
        case = self.report(
            actor=self.carol,
            channel="grid_worker",
            solved_on_spot=True,
            attachments=[SimpleUploadedFile("before.png", PNG, content_type="image/png")],
            after_attachments=[SimpleUploadedFile("after.png", PNG, content_type="image/png")],
        )
        assert case.status == Status.RESOLVED and case.resolved_on_spot and case.responded_at
        assert list(case.events.values_list("action", flat=True)) == ["intake", "accept", "resolve"]
        assert sorted(case.attachments.values_list("label", flat=True)) == ["after", "before"]
        entry = AuditEntry.objects.get(action="cases.intake", object_id=str(case.pk))
        assert {a["label"] for a in entry.after["attachments"]} == {"before", "after"}

    def test_solved_on_the_spot_needs_photos_before_and_after(self):
        self.assert_rejected(
            "after_attachments",
            "photo after",
            actor=self.carol,
            channel="grid_worker",
            solved_on_spot=True,
            attachments=[SimpleUploadedFile("before.png", PNG, content_type="image/png")],
        )
        self.assert_rejected(
            "attachments", "before it was solved", actor=self.carol, channel="grid_worker", solved_on_spot=True
        )
        self.assert_rejected(
            "after_attachments",
            "go with a report solved on the spot",
            after_attachments=[SimpleUploadedFile("after.png", PNG, content_type="image/png")],
        )

    def test_only_the_grids_own_worker_solves_on_the_spot(self):
        self.assert_rejected(
            "solved_on_spot",
            "grid's own worker",
            actor=self.dave,
            channel="grid_worker",
            solved_on_spot=True,
            attachments=[SimpleUploadedFile("before.png", PNG, content_type="image/png")],
            after_attachments=[SimpleUploadedFile("after.png", PNG, content_type="image/png")],
        )


class BatchIntakeTests(CaseTestCase):
    """intake_many(): many reports in one transaction, each with its own outcome, as if filed one by one."""

    def data(self, **fields):
        return IntakeData(
            **{
                "channel": "hotline_12345",
                "description": "楼下烧烤店每晚噪音扰民到凌晨两点",
                "category_code": self.noise.code,
                "lon": 120.05,
                "lat": 28.05,
                "reporter_phone": "13812345678",
                **fields,
            }
        )

    def test_a_refused_report_leaves_the_others_filed_in_order(self):
        alice, frank = self.users["alice"], self.users["frank"]
        out = intake_many(
            [
                (self.data(description="小区门口路灯坏了一周", category_code=self.streetlight.code), alice),
                (self.data(lon=150.0), alice),
                (self.data(description="垃圾桶满了没人清运", reporter_phone="139"), frank),
                (self.data(description="楼道堆放杂物堵塞消防通道", reporter_phone=""), frank),
            ]
        )
        assert [o.error is None for o in out] == [True, False, False, True]
        assert "location" in out[1].error.message_dict and "reporter_phone" in out[2].error.message_dict
        first, last = out[0].case, out[3].case
        assert out[0].created and int(last.tracking_no[-6:]) == int(first.tracking_no[-6:]) + 1
        assert Case.objects.count() == 2 and CaseEvent.objects.filter(action="intake").count() == 2
        entries = {e.object_id: e for e in AuditEntry.objects.filter(action="cases.intake")}
        assert entries[str(first.pk)].actor == alice and entries[str(last.pk)].actor_label == frank.get_username()
        assert first.entered_by == alice and last.reporter == frank
        assert audit.verify().ok

    def test_repeated_keys_in_a_batch_and_before_it_give_one_case_each(self):
        earlier = self.report(idempotency_key="iot-1")
        out = intake_many(
            [
                (self.data(idempotency_key="iot-1"), "iot"),
                (self.data(idempotency_key="iot-2"), "iot"),
                (self.data(idempotency_key="iot-2", description="同一告警再报一次"), "iot"),
            ]
        )
        assert out[0].case.pk == earlier.pk and not out[0].created
        assert out[1].created and out[2].case.pk == out[1].case.pk and not out[2].created
        assert Case.objects.count() == 2

    @override_settings(DUPLICATES_AUTO_MERGE_HOURS=24)
    def test_an_exact_repeat_within_the_batch_merges_into_the_case_before_it(self):
        out = intake_many([(self.data(), "hotline"), (self.data(), "hotline")])
        first, second = (o.case for o in out)
        second.refresh_from_db()
        assert second.status == Status.MERGED and second.master_id == first.pk
        first.refresh_from_db()
        assert first.status != Status.MERGED  # the earlier case never sees the later one as its repeat
        assert not DuplicateCandidate.objects.filter(case=first).exists()
        assert DuplicateCandidate.objects.filter(case=second, other=first).exists()
        assert audit.verify().ok

    def test_each_report_of_a_batch_finds_its_own_earlier_cases(self):
        light = "人民路与解放路交叉口的路灯坏了一个多星期，晚上一片漆黑，行人过马路很危险"
        lamp_code = self.streetlight.code
        out = intake_many(
            [
                (self.data(), "hotline"),
                (self.data(description=light, category_code=lamp_code, reporter_phone=""), "hotline"),
                (self.data(description="您好，楼下烧烤店每晚噪音扰民到凌晨两点多", reporter_phone="13900000001"), "x"),
                (self.data(description=light + "，请尽快修理", category_code=lamp_code, reporter_phone=""), "x"),
            ]
        )
        noise, lamp, noise_again, lamp_again = (o.case for o in out)
        pairs = set(DuplicateCandidate.objects.values_list("case", "other"))
        assert pairs == {(noise_again.pk, noise.pk), (lamp_again.pk, lamp.pk)}

    def test_a_report_refused_after_it_was_stored_costs_only_itself(self):
        photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")
        after = SimpleUploadedFile("a.png", PNG, content_type="image/png")
        resident = self.users["frank"]  # may not record a grid worker's 就地解决
        out = intake_many(
            [
                (self.data(description="小区门口路灯坏了一周", category_code=self.streetlight.code), resident),
                (
                    self.data(
                        channel="grid_worker", solved_on_spot=True, attachments=[photo], after_attachments=[after]
                    ),
                    resident,
                ),
            ]
        )
        assert out[0].created and "solved_on_spot" in out[1].error.message_dict
        assert Case.objects.count() == 1 and audit.verify().ok
