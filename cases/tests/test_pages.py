"""Case pages: report, list, detail with actions, public tracking; scoped like everything else."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import Case
from cases.testing import CaseTestCase
from core.testing import ScopedViewTests


class ReportPageTests(CaseTestCase):
    def test_a_resident_reports_with_a_photo_and_gets_the_number_and_deadline(self):
        self.login("frank")
        photo = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n000", content_type="image/png")
        response = self.client.post(
            "/report/",
            {
                "category_code": self.noise.code,
                "description": "夜间施工噪音",
                "lon": "120.05",
                "lat": "28.05",
                "reporter_phone": "13812345678",
                "urgency": "normal",
                "attachments": [photo],
                "form_token": "t-1",
            },
            follow=True,
        )
        case = Case.objects.get()
        html = response.content.decode()
        assert case.tracking_no in html and case.attachments.count() == 1 and case.channel == "resident_web"
        assert timezone.localtime(case.resolution_due).strftime("%Y-%m-%d %H:%M") in html

    def test_a_missing_pin_is_explained_and_nothing_is_saved(self):
        self.login("frank")
        response = self.client.post(
            "/report/", {"category_code": self.noise.code, "description": "x", "urgency": "normal"}
        )
        assert response.status_code == 200 and "give a map point" in response.content.decode()
        assert not Case.objects.exists()

    def test_the_problems_read_in_chinese_on_the_chinese_page(self):
        self.login("frank")
        text = self.client.get("/report/", HTTP_ACCEPT_LANGUAGE="zh-hans")  # the page itself is Chinese
        assert "我要反映" in text.content.decode()
        wrong = SimpleUploadedFile("a.exe", b"MZ", content_type="application/x-msdownload")
        response = self.client.post(
            "/report/",
            {"category_code": self.noise.code, "description": "x", "urgency": "normal", "attachments": [wrong]},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        html = response.content.decode()
        assert response.status_code == 200 and not Case.objects.exists()
        assert "地图位置: 请在地图上标点（经纬度）或选择问题所在社区" in html
        assert "a.exe：不接受 application/x-msdownload 类型的文件" in html
        assert "give a map point" not in html and "is not accepted" not in html

    def test_a_double_submit_makes_one_case(self):
        self.login("frank")
        data = {
            "category_code": self.noise.code,
            "description": "x",
            "lon": "120.05",
            "lat": "28.05",
            "urgency": "normal",
            "form_token": "same",
        }
        self.client.post("/report/", data)
        self.client.post("/report/", data)
        assert Case.objects.count() == 1

    def test_a_grid_worker_solves_it_on_the_spot_from_the_field_page(self):
        waiting = self.report()
        self.login("carol")
        page = self.client.get("/report/")
        assert waiting in page.context["waiting"] and len(page.context["grid_bounds"]) == 4
        form = {
            "category_code": self.noise.code,
            "description": "楼道堆放杂物，已现场清理",
            "lon": "120.05",
            "lat": "28.05",
            "urgency": "normal",
            "solved_on_spot": "on",
            "form_token": "field-1",
        }
        missing = self.client.post("/report/", {**form, "attachments": [self.photo("before.png")]})
        assert "a photo after it was solved on the spot" in missing.content.decode()
        assert Case.objects.count() == 1
        response = self.client.post(
            "/report/", {**form, "attachments": [self.photo("before.png")], "after_photos": [self.photo("after.png")]}
        )
        case = Case.objects.exclude(pk=waiting.pk).get()
        assert response.status_code == 302 and case.resolved_on_spot and case.channel == "grid_worker"
        detail = self.client.get(f"/cases/{case.tracking_no}/").content.decode()
        assert "after.png" in detail and "before.png" in detail

    @staticmethod
    def photo(name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n000", content_type="image/png")


class CaseActionPageTests(CaseTestCase):
    def test_the_grid_worker_accepts_and_resolves_from_the_page(self):
        case = self.report()
        self.login("carol")
        page = self.client.get(f"/cases/{case.tracking_no}/").content.decode()
        assert 'data-action="accept"' in page and 'data-action="confirm"' not in page
        self.client.post(f"/cases/{case.tracking_no}/act/accept/")
        self.client.post(f"/cases/{case.tracking_no}/act/resolve/", {"note": "已劝导"})
        assert Case.objects.get().status == "resolved"

    def test_the_grid_worker_merges_a_repeat_into_the_case_it_repeats(self):
        first, repeat = self.report(), self.report(description="楼道灯又坏了，和上次一样")
        self.login("carol")
        page = self.client.get(f"/cases/{repeat.tracking_no}/").content.decode()
        assert 'data-action="merge"' in page and 'name="master"' in page
        response = self.client.post(
            f"/cases/{repeat.tracking_no}/act/merge/", {"master": "FQ19990101-000001"}, follow=True
        )
        assert "no case FQ19990101-000001 in your territory" in response.content.decode()
        self.client.post(f"/cases/{repeat.tracking_no}/act/merge/", {"master": first.tracking_no.lower()})
        repeat.refresh_from_db()
        assert repeat.status == "merged" and repeat.master_id == first.pk

    def test_an_illegal_action_is_explained(self):
        case = self.report()
        self.login("carol")
        response = self.client.post(f"/cases/{case.tracking_no}/act/resolve/", {"note": "x"}, follow=True)
        assert "cannot resolve a case that is submitted" in response.content.decode()
        chinese = self.client.post(
            f"/cases/{case.tracking_no}/act/resolve/", {"note": "x"}, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        assert "事件当前为 submitted，不能执行 resolve" in chinese.content.decode()

    def test_the_public_tracking_page_needs_the_phone(self):
        case = self.report()
        ok = self.client.get("/track/", {"tracking_no": case.tracking_no, "phone": "13812345678"})
        assert "A1社区" in ok.content.decode()
        wrong = self.client.get("/track/", {"tracking_no": case.tracking_no, "phone": "13800000000"})
        assert "No case matches" in wrong.content.decode()

    def test_case_list_is_scoped(self):
        a, b = self.report(), self.report(lon=120.25, lat=28.05)
        self.login("carol")
        html = self.client.get("/cases/").content.decode()
        assert a.tracking_no in html and b.tracking_no not in html


class CaseDetailPageScopeTests(ScopedViewTests, CaseTestCase):
    permitted = "bob"

    def setUp(self):
        self.inside, self.outside = self.report(), self.report(lon=120.25, lat=28.05)

    def url_inside(self):
        return f"/cases/{self.inside.tracking_no}/"

    def url_outside(self):
        return f"/cases/{self.outside.tracking_no}/"

    def url_missing(self):
        return "/cases/FQ20000101-000009/"

    def test_without_permission_is_forbidden(self):
        """Residents may read cases (their own), so for them another's case is simply missing."""
        self.login("frank")
        assert self.client.get(self.url_outside()).status_code == 200  # frank reported both
        self.login("erin")
        assert self.client.get(self.url_inside()).status_code == 404


class CallbackTests(CaseTestCase):
    def test_unanswered_resolutions_reach_the_hotline_and_a_call_back_closes_them(self):
        import datetime as dt

        from accounts.roles import Role
        from cases import actions
        from cases.tests.test_workflow import account

        agent = account("hotline1", Role.HOTLINE_AGENT, division=self.alice.division)
        case = actions.do_resolve(
            actions.do_accept(self.report(), acting_user=self.carol), acting_user=self.carol, note="已处理"
        )
        fresh = actions.do_resolve(
            actions.do_accept(self.report(), acting_user=self.carol), acting_user=self.carol, note="已处理"
        )
        Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - dt.timedelta(days=4))
        self.client.force_login(agent)
        html = self.client.get("/cases/callbacks/").content.decode()
        assert case.tracking_no in html and fresh.tracking_no not in html
        self.client.post(f"/cases/{case.tracking_no}/act/confirm/", {"rating": "4", "comment": "回访：基本满意"})
        case.refresh_from_db()
        assert case.status == "closed" and case.rating == 4
        assert case.events.last().data["callback"] is True


class GridPanelCasesTests(CaseTestCase):
    def test_the_grid_panel_lists_its_recent_cases(self):
        case = self.report()
        self.login("carol")
        html = self.client.get("/grids/990100001001001/", headers={"HX-Request": "true"}).content.decode()
        assert case.tracking_no in html
