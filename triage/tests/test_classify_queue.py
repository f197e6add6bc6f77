"""The human triage queue: who sees it (dispatchers, in their territory), confirming or correcting in one click
(an action: case event + audit + Correction), and the next training using the correction."""

from __future__ import annotations

import pytest
from django.test import override_settings

from accounts.roles import Role
from cases.models import CaseEvent, Category
from cases.testing import CaseTestCase
from cases.tests.test_workflow import account
from core.models import AuditEntry
from triage import classification, classifier
from triage.models import Correction, Suggestion
from triage.tests.classify_fixtures import model_dir, small_shipped  # noqa: F401

SCHOOL = "我家孩子在学校读书，学校老师乱收补课费，学生家长意见很大，请教育局查处"
NOISE = "晚上广场舞噪音太大，环境污染严重，吵得睡不着"


@pytest.mark.usefixtures("model_dir")
@override_settings(TRIAGE_REVIEW_BELOW=1.01)  # every filled category waits for a person
class QueueTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.agent = account("hotline1", Role.HOTLINE_AGENT, division=cls.alice.division)

    def setUp(self):
        self.inside = self.report(description=SCHOOL, category_code="")  # street A (bob's)
        self.outside = self.report(description=NOISE, category_code="", lon=120.3, lat=28.05)  # street B

    def test_dispatchers_see_the_waiting_cases_of_their_territory_only(self):
        self.client.force_login(self.bob)
        html = self.client.get("/triage/queue/").content.decode()
        assert self.inside.tracking_no in html and self.outside.tracking_no not in html
        assert "教育文体" in html and "<mark" in html and 'data-testid="confirm"' in html
        self.client.force_login(self.alice)  # the district: both
        html = self.client.get("/triage/queue/").content.decode()
        assert self.inside.tracking_no in html and self.outside.tracking_no in html

    def test_other_roles_are_refused_and_anonymous_goes_to_login(self):
        for name in ("frank", "carol", "erin", "leo"):
            self.client.force_login(self.users[name])
            assert self.client.get("/triage/queue/").status_code == 403, name
        self.client.force_login(self.agent)
        assert self.client.get("/triage/queue/").status_code == 403
        self.client.logout()
        assert self.client.get("/triage/queue/").status_code == 302

    def test_the_navigation_links_the_queue_with_the_count_for_dispatchers(self):
        self.client.force_login(self.bob)
        html = self.client.get("/cases/").content.decode()
        assert 'data-testid="triage-nav">Triage queue <b>1</b></a>' in html
        self.client.force_login(self.frank)
        assert 'data-testid="triage-nav"' not in self.client.get("/report/").content.decode()

    def test_correcting_changes_the_category_with_event_audit_and_a_correction(self):
        leaf = Category.objects.get(name="噪音污染", parent__parent__name="环境保护")
        self.client.force_login(self.bob)
        response = self.client.post(f"/triage/queue/{self.inside.tracking_no}/category/", {"category": leaf.code})
        assert response.status_code == 302 and response["Location"] == "/triage/queue/"
        self.inside.refresh_from_db()
        assert self.inside.category == leaf
        event = CaseEvent.objects.get(case=self.inside, action="recategorise")
        assert event.actor == self.bob and event.data == {"from": event.data["from"], "to": leaf.code}
        assert AuditEntry.objects.filter(action="cases.recategorise", object_id=str(self.inside.pk)).exists()
        correction = Correction.objects.get()
        assert (correction.label, correction.category, correction.kind) == ("环境保护", leaf, "corrected")
        assert correction.predicted_label == "教育文体" and correction.corrected_by == self.bob
        assert correction.text == self.inside.description and correction.first_used_in is None
        assert AuditEntry.objects.filter(action="triage.correct_category", object_id=str(correction.pk)).exists()
        s = Suggestion.objects.get(case=self.inside)
        assert s.reviewed_by == self.bob and s.reviewed_at is not None
        assert 'data-testid="queue-row"' not in self.client.get("/triage/queue/").content.decode()  # none left

    def test_confirming_in_one_click_keeps_the_category_and_records_the_confirmation(self):
        self.client.force_login(self.bob)
        self.client.post(f"/triage/queue/{self.inside.tracking_no}/category/", {"category": self.inside.category.code})
        correction = Correction.objects.get()
        assert correction.kind == "confirmed" and correction.label == "教育文体"
        again = self.client.post(
            f"/triage/queue/{self.inside.tracking_no}/category/", {"category": self.inside.category.code}, follow=True
        )
        assert "reviewed already" in again.content.decode() and Correction.objects.count() == 1

    def test_outside_the_territory_is_404_and_nothing_changes(self):
        self.client.force_login(self.bob)
        leaf = Category.objects.get(name="噪音污染", parent__parent__name="环境保护")
        response = self.client.post(f"/triage/queue/{self.outside.tracking_no}/category/", {"category": leaf.code})
        assert response.status_code == 404 and not Correction.objects.exists()

    def test_an_unknown_category_is_refused_by_name_and_nothing_is_written(self):
        self.client.force_login(self.bob)
        response = self.client.post(
            f"/triage/queue/{self.inside.tracking_no}/category/", {"category": "nope"}, follow=True
        )
        assert "choose a category of the tree" in response.content.decode()
        assert not Correction.objects.exists() and not CaseEvent.objects.filter(action="recategorise").exists()

    def test_a_resident_cannot_correct(self):
        self.client.force_login(self.frank)
        response = self.client.post(f"/triage/queue/{self.inside.tracking_no}/category/", {"category": self.noise.code})
        assert response.status_code == 403 and not Correction.objects.exists()


@pytest.mark.usefixtures("model_dir", "small_shipped")
@override_settings(TRIAGE_REVIEW_BELOW=1.01)
class TrainingWithCorrectionsTests(CaseTestCase):
    def test_the_next_training_uses_the_correction(self):
        case = self.report(description=SCHOOL, category_code="")
        leaf = Category.objects.get(name="噪音污染", parent__parent__name="环境保护")
        classification.do_correct_category(case, leaf, acting_user=self.bob)
        data, _, skipped = classification.training_set()
        assert len(data.texts) == 701 and data.texts[-1] == case.description and data.labels[-1] == "环境保护"
        assert skipped == 0
        result = classification.train()
        assert result.model.version == 2 and result.corrections_used == 1
        assert Correction.objects.get().first_used_in == 2
        assert classifier.current_model().version == 2  # this process uses the new model at once
        assert AuditEntry.objects.filter(action="triage.train", object_id="v2").exists()

    def test_a_category_the_data_lacks_joins_only_with_enough_examples(self):
        case = self.report(description="低保申请一直没批下来，民政部门不作为", category_code="")
        top = Category.objects.get(name="民政", depth=1)
        classification.do_correct_category(case, top, acting_user=self.alice)
        data, used, skipped = classification.training_set()
        assert used == [] and skipped == 1 and "民政" not in data.labels
        with override_settings(TRIAGE_MIN_CLASS_EXAMPLES=1):
            data, used, skipped = classification.training_set()
            assert len(used) == 1 and data.labels[-1] == "民政"
