"""以奖代补 points and 亮诺/亮绩 commitments: the rules, the actions, and the pages."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.actions import create_account
from accounts.roles import Role
from cases import actions
from cases.commitments import do_make_commitment, do_record_results, year_rates
from cases.models import Case, Category, Commitment, PointsEntry
from cases.rewards import balance, do_redeem_points
from cases.testing import CaseTestCase
from core import audit
from core.actions import action
from territory.models import Division

PHONE = "13812345678"


@action
def account(username: str, role: str, **fields):
    return create_account(username=username, role=role, password="password", acting_user="test", **fields)


class PointsTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.community = account(
            "cathy", Role.COMMUNITY_STAFF, division=Division.objects.get(code="990100001001"), phone="13900000001"
        )
        cls.fire = Category.objects.get(name="消防安全", depth=2)

    def close(self, case: Case, by=None) -> Case:
        case = actions.do_accept(case, acting_user=self.carol)
        case = actions.do_resolve(case, acting_user=self.carol, note="已处理")
        return actions.do_confirm(case, acting_user=by or self.frank, rating=5)

    def test_a_confirmed_resident_report_earns_points_once_and_a_hazard_earns_more(self):
        self.close(self.report())
        assert balance(PHONE) == 10
        self.close(self.report(category_code=self.fire.code, description="楼道里电动车充电"))
        assert balance(PHONE) == 25
        entry = PointsEntry.objects.get(points=15)
        assert entry.case.category == self.fire and entry.territory_code.startswith("990100001001")
        assert audit.AuditEntry.objects.filter(action="cases.award_points", object_id=str(entry.pk)).exists()

    def test_staff_reports_merged_and_invalid_reports_earn_nothing(self):
        grid_report = self.report(actor=self.carol, channel="grid_worker", reporter_phone="")
        self.close(grid_report, by=self.users["alice"])
        master, dup = self.report(), self.report(reporter_phone="13912345678")
        actions.do_merge(dup, master, acting_user=self.carol)
        actions.do_invalidate(self.report(reporter_phone="13712345678"), acting_user=self.carol, reason="不属实")
        assert balance("13912345678") == 0 and balance("13712345678") == 0
        assert PointsEntry.objects.count() == 0

    def test_redeeming_checks_the_balance_and_says_what_is_wrong(self):
        self.close(self.report())
        entry = do_redeem_points(PHONE, 6, "兑换洗衣液一瓶", acting_user=self.community)
        assert entry.points == -6 and balance(PHONE) == 4 and entry.territory_code == "990100001001"
        with self.assertRaises(ValidationError) as ctx:
            do_redeem_points(PHONE, 5, "兑换大米", acting_user=self.community)
        assert "balance of 138****5678 is 4" in str(ctx.exception.message_dict["points"])
        with self.assertRaises(ValidationError) as ctx:
            do_redeem_points("12345", 0, "", acting_user=self.community)
        assert set(ctx.exception.message_dict) == {"phone", "points", "reason"}
        assert balance(PHONE) == 4

    def test_the_resident_sees_their_points(self):
        self.close(self.report())
        self.login("frank")
        page = self.client.get(reverse("cases:points"))
        assert page.status_code == 200 and page.context["balance"] == 10

    def test_community_staff_look_up_redeem_and_see_the_ledger_masked(self):
        self.close(self.report())
        self.client.force_login(self.community)
        self.client.post(reverse("cases:points"), {"lookup": PHONE})
        page = self.client.get(reverse("cases:points"))
        assert page.context["lookup"]["balance"] == 10
        assert PHONE not in page.content.decode() and "138****5678" in page.content.decode()
        response = self.client.post(reverse("cases:points"), {"points": "4", "reason": "兑换毛巾"})
        assert response.status_code == 302 and balance(PHONE) == 6
        response = self.client.post(reverse("cases:points"), {"points": "40", "reason": "兑换"})
        assert balance(PHONE) == 6
        follow = self.client.get(response["Location"])
        assert "is 6, not 40" in follow.content.decode()
        sheet = openpyxl.load_workbook(io.BytesIO(self.client.get(reverse("cases:points"), {"format": "xlsx"}).content))
        cells = [c.value for row in sheet.active.iter_rows() for c in row]
        assert "138****5678" in cells and PHONE not in cells

    def test_grid_workers_do_not_keep_the_ledger(self):
        self.login("carol")
        assert self.client.get(reverse("cases:points")).status_code == 403


class CommitmentTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.street = Division.objects.get(code="990100001")
        cls.other_street = Division.objects.get(code="990100002")
        cls.year = timezone.localdate().year

    def pledge(self, unit=None, year=None, by=None, **targets):
        return do_make_commitment(
            unit or self.street,
            year=year or self.year - 1,
            pledge="接诉即办，三率全区前三",
            reply_target=targets.get("reply", 0.95),
            resolution_target=targets.get("resolution", 0.9),
            satisfaction_target=targets.get("satisfaction", 0.9),
            acting_user=by or self.bob,
        )

    def test_a_street_records_its_commitments_and_only_its_own(self):
        commitment = self.pledge()
        assert commitment.territory_code == "990100001" and commitment.made_by == self.bob
        with self.assertRaises(PermissionDenied):
            self.pledge(unit=self.other_street)
        with self.assertRaises(ValidationError) as ctx:
            self.pledge()
        assert "already has commitments" in str(ctx.exception.message_dict["year"])
        with self.assertRaises(ValidationError) as ctx:
            self.pledge(year=self.year, reply=1.5, satisfaction="lots")
        assert set(ctx.exception.message_dict) == {"reply_target", "satisfaction_target"}

    def test_year_end_results_come_from_the_years_cases(self):
        last_year = dt.datetime(self.year - 1, 6, 1, tzinfo=timezone.get_current_timezone())
        case = self.report()
        case = actions.do_accept(case, acting_user=self.carol)
        case = actions.do_resolve(case, acting_user=self.carol, note="已处理")
        actions.do_confirm(case, acting_user=self.frank, rating=2)
        self.report()  # still open
        Case.objects.update(created_at=last_year)
        self.report()  # this year: not counted
        commitment = do_record_results(self.pledge(reply=0.5), note="全年办结率达标", acting_user=self.bob)
        assert (
            commitment.reported == 2
            and commitment.reply_rate == commitment.resolution_rate == 0.5
            and commitment.satisfaction_rate == 0
        )
        assert commitment.met() == {"reply": True, "resolution": False, "satisfaction": False}
        assert year_rates(self.street, self.year - 1).reported == 2
        assert audit.AuditEntry.objects.filter(action="cases.record_results").count() == 1

    def test_results_wait_for_the_year_end_and_need_a_summary(self):
        upcoming = self.pledge(year=self.year + 1)
        with self.assertRaises(ValidationError) as ctx:
            do_record_results(upcoming, note="x", acting_user=self.bob)
        assert "from December" in str(ctx.exception.message_dict["year"])
        with self.assertRaises(ValidationError):
            do_record_results(self.pledge(), note=" ", acting_user=self.bob)

    def test_the_page_lists_adds_records_and_exports(self):
        self.login("bob")
        url = reverse("cases:commitments")
        response = self.client.post(
            url,
            {
                "unit": "d:990100001",
                "year": str(self.year - 1),
                "pledge": "群众诉求件件有回音",
                "reply_target": "95%",
                "resolution_target": "90",
                "satisfaction_target": "92",
            },
        )
        assert response.status_code == 302
        commitment = Commitment.objects.get()
        assert (commitment.reply_target, commitment.satisfaction_target) == (0.95, 0.92)
        page = self.client.get(url, {"year": self.year - 1})
        assert page.context["rows"][0]["can_record"] and "群众诉求件件有回音" in page.content.decode()
        assert ("d:990100002", "990100002 B街道") not in page.context["units"]
        self.client.post(url, {"commitment": commitment.pk, "year": self.year - 1, "note": "达标"})
        commitment.refresh_from_db()
        assert commitment.results_at is not None
        sheet = openpyxl.load_workbook(
            io.BytesIO(self.client.get(url, {"year": self.year - 1, "format": "xlsx"}).content)
        )
        assert sheet.active.cell(2, 2).value == "群众诉求件件有回音"

    def test_other_territories_commitments_are_not_shown(self):
        self.pledge(unit=self.other_street, by=self.users["alice"])
        self.login("bob")
        page = self.client.get(reverse("cases:commitments"), {"year": self.year - 1})
        assert page.context["rows"] == []
        self.login("carol")
        assert self.client.get(reverse("cases:commitments")).status_code == 200  # grid workers read their own
