"""Three-level routing, returns, joint handling, confirmation and merging, with the rules on who may act."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.actions import create_account
from accounts.roles import Role
from cases import actions
from cases.choices import Level, Status
from cases.models import Case, CaseUnit
from cases.testing import CaseTestCase
from cases.workflow import IllegalTransition
from core import audit
from core.actions import action
from territory.models import Division


@action
def account(username: str, role: str, **fields):
    return create_account(username=username, role=role, password="password", acting_user="test", **fields)


class LoopTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.handler = account("zjj1", Role.DEPARTMENT_HANDLER, department=cls.zjj)
        cls.greg = account("greg", Role.DISTRICT_COMMAND, division=Division.objects.get(code="990100"))

    def test_the_whole_loop_community_street_department_resident(self):
        case = self.report()
        case = actions.do_escalate(case, acting_user=self.carol, reason="需要街道协调执法")
        assert case.level == Level.STREET and case.holder_division.code == "990100001"
        case = actions.do_dispatch(case, self.zjj, co_departments=[self.sthjj], acting_user=self.bob)
        assert case.status == Status.DISPATCHED and case.holder_department == self.zjj
        with self.assertRaises(PermissionDenied):
            actions.do_accept(case, acting_user=self.erin)  # another department
        case = actions.do_return(case, acting_user=self.handler, reason="不属于本局职责，应由环境部门主办")
        assert case.status == Status.RETURNED and case.holder_division.code == "990100001"
        assert case.return_count == 1
        case = actions.do_dispatch(case, self.zjj, acting_user=self.bob, note="请住建局牵头")
        case = actions.do_accept(case, acting_user=self.handler)
        case = actions.do_reply(case, "已约谈店主，限期整改", acting_user=self.handler)
        case = actions.do_resolve(case, acting_user=self.handler, note="已整改，加装隔音设施")
        assert case.status == Status.RESOLVED
        case = actions.do_confirm(case, acting_user=self.frank, rating=5, comment="很满意")
        assert case.status == Status.CLOSED and case.rating == 5 and case.resident_confirmed
        steps = list(case.events.values_list("action", flat=True))
        assert steps == [
            "intake",
            "escalate",
            "dispatch",
            "return",
            "dispatch",
            "accept",
            "reply",
            "resolve",
            "confirm",
        ]
        assert audit.verify().ok

    def test_an_illegal_step_lists_the_allowed_ones(self):
        case = self.report()
        with self.assertRaises(IllegalTransition) as caught:
            actions.do_confirm(case, acting_user=self.frank, rating=5)
        assert "accept" in caught.exception.allowed and "confirm" not in caught.exception.allowed

    def test_a_rejection_reopens_with_the_same_unit_and_is_counted(self):
        case = self.report()
        case = actions.do_accept(case, acting_user=self.carol)
        case = actions.do_resolve(case, acting_user=self.carol, note="已劝导")
        case = actions.do_reject(case, acting_user=self.frank, reason="晚上还是很吵", rating=2)
        assert case.status == Status.REOPENED and case.reopen_count == 1 and case.holder_division.code == "990100001001"
        assert case.resolution_due > timezone.now() + dt.timedelta(hours=47)

    def test_only_the_reporter_or_a_hotline_agent_confirms(self):
        case = self.report()
        case = actions.do_accept(case, acting_user=self.carol)
        case = actions.do_resolve(case, acting_user=self.carol, note="已处理")
        with self.assertRaises(PermissionDenied):
            actions.do_confirm(case, acting_user=self.dave, rating=5)
        with self.assertRaises(ValidationError):
            actions.do_confirm(case, acting_user=self.frank, rating=9)

    def test_grid_workers_act_only_on_their_grids_community_cases(self):
        case = self.report()
        with self.assertRaises(PermissionDenied):
            actions.do_accept(case, acting_user=self.dave)
        street_case = actions.do_escalate(case, acting_user=self.carol, reason="x")
        with self.assertRaises(PermissionDenied):
            actions.do_accept(street_case, acting_user=self.carol)

    def test_co_handlers_each_reply(self):
        case = self.report()
        case = actions.do_escalate(case, acting_user=self.carol, reason="x")
        case = actions.do_dispatch(case, self.zjj, co_departments=[self.sthjj], acting_user=self.bob)
        actions.do_co_reply(case, self.sthjj, "已安排噪声监测", acting_user="test")
        co = CaseUnit.objects.get(case=case, department=self.sthjj)
        assert co.role == CaseUnit.Role.CO and co.reply == "已安排噪声监测"

    def test_merged_reporters_follow_the_master(self):
        master, dup = self.report(), self.report(reporter_name="李先生")
        merged = actions.do_merge(dup, master, acting_user=self.carol)
        assert merged.status == Status.MERGED and merged.master == master
        assert self.frank in master.followers.all()
        with self.assertRaises(ValidationError):
            actions.do_merge(master, merged, acting_user=self.carol)

    def test_suspension_stops_the_clock(self):
        case = actions.do_accept(self.report(), acting_user=self.carol)
        due = case.resolution_due
        case = actions.do_suspend(case, acting_user=self.carol, reason="等待居民提供照片")
        Case.objects.filter(pk=case.pk).update(paused_at=timezone.now() - dt.timedelta(hours=5))
        case = actions.do_resume(case, acting_user=self.carol)
        assert dt.timedelta(hours=4, minutes=59) < case.resolution_due - due < dt.timedelta(hours=5, minutes=1)

    def test_leaders_supervise_by_hand(self):
        case = self.report()
        order = actions.do_supervise(case, acting_user=self.leo, reason="请今日内处理", hours=4)
        assert order.to_division.code == "990100001001" and not order.automatic
        assert Case.objects.get(pk=case.pk).supervision_count == 1
        with self.assertRaises(PermissionDenied):
            actions.do_supervise(case, acting_user=self.carol, reason="x")


class CaseScopeTests(CaseTestCase):
    def test_each_role_sees_its_own_cases(self):
        a = self.report()
        b = self.report(lon=120.25, lat=28.05, reporter_phone="13900000000")
        handler = account("zjj9", Role.DEPARTMENT_HANDLER, department=self.zjj)
        actions.do_dispatch(actions.do_escalate(a, acting_user=self.carol, reason="x"), self.zjj, acting_user=self.bob)
        visible = {
            name: set(Case.objects.restrict(user).values_list("pk", flat=True))
            for name, user in [
                ("carol", self.carol),
                ("dave", self.dave),
                ("bob", self.bob),
                ("alice", self.alice),
                ("frank", self.frank),
                ("zjj", handler),
                ("erin", self.erin),
            ]
        }
        assert visible == {
            "carol": {a.pk},
            "dave": {b.pk},
            "bob": {a.pk},
            "alice": {a.pk, b.pk},
            "frank": {a.pk, b.pk},
            "zjj": {a.pk},
            "erin": set(),
        }
