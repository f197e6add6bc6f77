"""三率 by unit and period, on the page and in the .xlsx download, matching hand-counted figures."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from openpyxl import load_workbook

from cases import actions
from cases import assessment as assess
from cases.models import Case
from cases.testing import CaseTestCase


class AssessmentTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a = actions.do_accept(cls.report_cls(), acting_user=cls.carol)
        a = actions.do_resolve(a, acting_user=cls.carol, note="已处理")
        actions.do_confirm(a, acting_user=cls.frank, rating=5)
        b = cls.report_cls()
        Case.objects.filter(pk=b.pk).update(first_response_due=timezone.now() - dt.timedelta(hours=1))
        b = actions.do_accept(b, acting_user=cls.carol)
        b = actions.do_resolve(b, acting_user=cls.carol, note="已处理")
        actions.do_reject(b, acting_user=cls.frank, reason="没解决", rating=2)
        actions.do_invalidate(cls.report_cls(), acting_user=cls.carol, reason="重复恶意投诉")
        d = cls.report_cls(lon=120.25, lat=28.05)
        d = actions.do_escalate(d, acting_user=cls.dave, reason="需部门处理")
        cls.dispatched = actions.do_dispatch(d, cls.zjj, acting_user=cls.alice)

    @classmethod
    def report_cls(cls, **fields):
        from cases.intake import IntakeData, intake

        data = {
            "channel": "resident_web",
            "description": "噪音",
            "category_code": cls.noise.code,
            "lon": 120.05,
            "lat": 28.05,
            "reporter_phone": "13812345678",
            **fields,
        }
        return intake(IntakeData(**data), acting_user=cls.frank)[0]

    def test_street_rates_match_the_hand_count(self):
        rows = {r.unit: r for r in assess.by_territory(Case.objects.all(), "street", {})}
        a = rows["990100001"]
        assert (a.reported, a.replied_on_time, a.accepted, a.resolved_confirmed, a.rated, a.satisfied) == (
            3,
            1,
            2,
            1,
            2,
            1,
        )
        assert (a.reply_rate, a.resolution_rate, a.satisfaction_rate) == (0.3333, 0.5, 0.5)
        b = rows["990100002"]
        assert (b.reported, b.replied_on_time, b.accepted) == (1, 1, 1)  # dispatching is a response

    def test_departments_answer_for_cases_they_lead(self):
        rows = assess.by_department(Case.objects.all())
        assert [(r.unit, r.reported, r.accepted) for r in rows] == [("test-zjj", 1, 1)]

    def test_grid_workers_answer_for_their_grids(self):
        grids = assess.by_territory(Case.objects.all(), "grid", {})
        workers = {r.unit: r for r in assess.by_grid_worker(Case.objects.all(), grids)}
        assert workers["carol"].reported == 3 and workers["dave"].reported == 1

    def test_the_page_ranks_and_the_xlsx_matches(self):
        self.login("alice")
        html = self.client.get("/assessment/", {"level": "street"}).content.decode()
        assert "A街道" in html and "33%" in html and "Cases first answered" in html
        response = self.client.get("/assessment/", {"level": "street", "format": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        by_code = {row[1]: row for row in rows[1:] if row[1]}
        assert by_code["990100001"][3:] == (3, 1, 0.3333, 2, 1, 0.5, 2, 1, 0.5)
        assert rows[-1][3] == 4  # the total row

    def test_a_street_sees_only_its_street(self):
        self.login("bob")
        html = self.client.get("/assessment/", {"level": "community"}).content.decode()
        assert "A1社区" in html and "B1社区" not in html

    def test_residents_have_no_assessment(self):
        self.login("frank")
        assert self.client.get("/assessment/").status_code == 403
