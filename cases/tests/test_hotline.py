"""The 12345 console: the caller's earlier cases, similar open cases, and filing by community."""

from __future__ import annotations

from accounts.roles import Role
from cases.models import Case
from cases.similar import similar_open_cases
from cases.testing import CaseTestCase
from cases.tests.test_workflow import account
from core.testing import community_code


class HotlineTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.agent = account("hotline1", Role.HOTLINE_AGENT, division=cls.alice.division)

    def setUp(self):
        self.client.force_login(self.agent)

    def test_an_agent_files_a_call_by_community_and_category_names(self):
        response = self.client.post(
            "/hotline/",
            {
                "phone": "13812345678",
                "caller_name": "王女士",
                "category": f"{self.noise.code} 环境污染·噪音污染",
                "community": f"{community_code(0, 1)} A街道A2社区",
                "description": "广场舞音响声音太大",
                "urgency": "normal",
                "form_token": "call-1",
            },
        )
        case = Case.objects.get()
        assert case.channel == "hotline_12345" and case.territory_code == community_code(0, 1)
        assert case.entered_by == self.agent and case.tracking_no in response.content.decode()

    def test_bad_input_stays_on_the_form_with_the_reason(self):
        response = self.client.post(
            "/hotline/", {"phone": "123", "category": "x", "community": "9", "description": "d", "urgency": "normal"}
        )
        html = response.content.decode()
        assert "11-digit" in html and "unknown category" in html and not Case.objects.exists()

    def test_the_callers_earlier_cases_are_listed(self):
        old = self.report()
        html = self.client.get("/hotline/caller/", {"phone": "13812345678"}).content.decode()
        assert old.tracking_no in html
        assert "No earlier cases" in self.client.get("/hotline/caller/", {"phone": "13900000000"}).content.decode()

    def test_similar_open_cases_show_with_the_reason(self):
        old = self.report(description="小区门口烧烤店每晚油烟噪音扰民")
        self.report(description="路灯坏了好几天", lon=120.25, lat=28.05)
        found = similar_open_cases(
            "门口烧烤店油烟噪音很大", territory_code=community_code(0, 0), category_code=self.noise.code
        )
        assert [s.case for s in found] == [old] and "同一类别" in found[0].why
        html = self.client.get(
            "/hotline/similar/", {"description": "门口烧烤店油烟噪音很大", "community": community_code(0, 0)}
        ).content.decode()
        assert old.tracking_no in html

    def test_grid_workers_have_no_console(self):
        self.login("carol")
        assert self.client.get("/hotline/").status_code == 403
