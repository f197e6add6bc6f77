"""The classifier at intake: an empty category is filled from the text, every case with text keeps its suggestion,
unsure ones wait in the triage queue; every place where people file cases accepts an empty category."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from accounts.roles import Role
from cases.bulk import CASE_COLUMNS, do_import_cases
from cases.models import Case
from cases.testing import CaseTestCase
from cases.tests.test_workflow import account
from core.tabular import read_rows, write_xlsx
from core.testing import community_code
from triage.models import Suggestion
from triage.tests.classify_fixtures import model_dir, no_model  # noqa: F401

SCHOOL = "我家孩子在学校读书，学校老师乱收补课费，学生家长意见很大，请教育局查处"
STREETLIGHT = "小区路灯坏了半年，晚上漆黑一片，物业不管，小区违章搭建也没人管"


@pytest.mark.usefixtures("model_dir")
class IntakeSuggestionTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.agent = account("hotline1", Role.HOTLINE_AGENT, division=cls.alice.division)

    def test_an_empty_category_is_filled_with_the_suggested_first_level_category(self):
        case = self.report(description=SCHOOL, category_code="")
        assert case.category.depth == 1 and case.category.name == "教育文体"
        s = case.triage_suggestion
        assert s.label == "教育文体" and s.filled_category and s.model_version == "v1"
        assert s.category == case.category and s.words and 0 < s.confidence <= 1
        assert abs(sum(s.probabilities.values()) - 1) < 1e-3

    def test_the_department_is_the_one_responsible_for_the_category(self):
        case = self.report(description=STREETLIGHT, category_code="")
        assert case.category.name == "城乡建设"
        assert case.triage_suggestion.department == self.zjj  # DEPARTMENT_BY_TOP: 城乡建设 → zjj

    @override_settings(TRIAGE_DISAGREE_ABOVE=1.01)
    def test_a_given_category_stays_and_the_suggestion_is_kept_beside_it(self):
        case = self.report(description=SCHOOL)  # the reporter chose 噪音污染
        assert case.category == self.noise
        s = case.triage_suggestion
        assert s.label == "教育文体" and not s.filled_category and not s.needs_review

    def test_a_chosen_category_the_model_strongly_doubts_waits_for_review(self):
        doubted = self.report(description=SCHOOL).triage_suggestion  # 噪音污染 for a school matter
        assert doubted.confidence >= 0.9 and doubted.needs_review
        with override_settings(TRIAGE_DISAGREE_ABOVE=0.0):  # not when the model agrees with the first level chosen
            assert not self.report(description="晚上广场舞噪音太大，环境污染严重").triage_suggestion.needs_review

    def test_below_the_confidence_setting_the_case_goes_to_the_queue(self):
        with override_settings(TRIAGE_REVIEW_BELOW=1.01):
            assert self.report(description=SCHOOL, category_code="").triage_suggestion.needs_review
        with override_settings(TRIAGE_REVIEW_BELOW=0.0):
            assert not self.report(description=SCHOOL, category_code="").triage_suggestion.needs_review

    def test_the_api_accepts_a_case_without_category(self):
        self.client.force_login(self.agent)
        body = {"description": STREETLIGHT, "community_code": community_code(0, 0)}
        response = self.client.post("/api/v1/cases", body, content_type="application/json")
        assert response.status_code == 201, response.content
        assert response.json()["category"] == "城乡建设"

    def test_the_hotline_console_files_without_category_and_shows_the_suggestion_live(self):
        self.client.force_login(self.agent)
        page = self.client.get("/hotline/").content.decode()
        assert 'hx-get="/triage/suggest/"' in page
        self.client.post(
            "/hotline/",
            {
                "phone": "13812345678",
                "category": "",
                "community": f"{community_code(0, 1)} A街道A2社区",
                "description": SCHOOL,
                "urgency": "normal",
                "form_token": "call-x",
            },
        )
        case = Case.objects.get()
        assert case.category.name == "教育文体" and case.triage_suggestion.filled_category

    def test_the_report_form_files_without_category(self):
        self.client.force_login(self.frank)
        page = self.client.get("/report/").content.decode()
        assert 'hx-get="/triage/suggest/"' in page
        response = self.client.post(
            "/report/",
            {"category_code": "", "description": STREETLIGHT, "lon": "120.05", "lat": "28.05", "urgency": "normal"},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Case.objects.get().category.name == "城乡建设"

    def test_a_bulk_import_needs_no_category_column(self):
        assert "category_code" not in CASE_COLUMNS
        data = write_xlsx("cases", ["description", "community_code"], [[SCHOOL, community_code(1, 0)]])
        rows = read_rows(io.BytesIO(data), name="cases.xlsx", required=CASE_COLUMNS)
        report = do_import_cases(rows, acting_user=self.alice)
        assert report.imported == 1 and Case.objects.get().category.name == "教育文体"

    def test_the_live_suggestion_fragment(self):
        self.client.force_login(self.frank)
        html = self.client.get("/triage/suggest/", {"description": SCHOOL}).content.decode()
        assert 'data-testid="suggested-category">教育文体<' in html and "<mark" in html
        assert "appears while you type" in self.client.get("/triage/suggest/", {"text": "路"}).content.decode()
        self.client.logout()
        assert self.client.get("/triage/suggest/", {"text": SCHOOL}).status_code == 302  # to the login page

    def test_a_case_page_shows_the_suggestion_to_staff_not_to_the_resident(self):
        case = self.report(description=SCHOOL, category_code="")
        self.client.force_login(self.alice)
        html = self.client.get(f"/cases/{case.tracking_no}/").content.decode()
        assert 'data-testid="case-suggestion"' in html and "<mark" in html
        self.client.force_login(self.frank)
        html = self.client.get(f"/cases/{case.tracking_no}/").content.decode()
        assert html.count('data-testid="case-suggestion"') == 0


@pytest.mark.usefixtures("no_model")
class WithoutModelTests(CaseTestCase):
    def test_without_a_model_an_empty_category_is_a_clear_error(self):
        with pytest.raises(ValidationError) as caught:
            self.report(description=SCHOOL, category_code="")
        assert caught.value.message_dict["category"] == [
            "choose a category (none could be suggested from the description)"
        ]
        assert not Case.objects.exists() and not Suggestion.objects.exists()

    def test_with_a_category_the_case_is_filed_without_suggestion(self):
        case = self.report(description=SCHOOL)
        assert case.category == self.noise and not Suggestion.objects.filter(case=case).exists()

    def test_the_live_suggestion_says_there_is_no_model(self):
        self.client.force_login(self.frank)
        assert "No classifier is trained" in self.client.get("/triage/suggest/", {"text": SCHOOL}).content.decode()
