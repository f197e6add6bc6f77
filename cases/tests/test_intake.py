"""One intake for every channel: routed, clocked, logged; bad input named by field; one case per key."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.choices import Level, RouteAction, Status
from cases.intake import IntakeData, intake
from cases.models import Attachment, Case, CaseEvent, RoutingRule
from cases.testing import CaseTestCase
from core import audit
from core.models import AuditEntry
from core.testing import community_code, grid_code

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
