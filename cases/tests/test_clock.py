"""Deadlines in calendar and working time, and the clock's sweep: yellow, red with 督办, escalation."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo

from django.db import connections
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from cases import actions, sla
from cases.choices import Level, Status, Warning
from cases.models import CalendarDay, Case, CaseEvent, SlaPolicy, Supervision
from cases.sweep import sweep
from cases.testing import CaseTestCase
from cases.workflow import IllegalTransition
from core import audit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


class WorkingTimeTests(CaseTestCase):
    def test_working_hours_skip_lunch_nights_and_weekends(self):
        friday_4pm = at(2026, 11, 27, 16, 0)
        assert sla.add_time(friday_4pm, 3, working_time=True) == at(2026, 11, 30, 10, 0)  # Mon 10:00
        assert sla.add_time(at(2026, 11, 25, 11, 0), 2, working_time=True) == at(2026, 11, 25, 14, 30)
        assert sla.add_time(friday_4pm, 3, working_time=False) == at(2026, 11, 27, 19, 0)

    def test_holidays_are_off_and_make_up_days_are_on(self):
        CalendarDay.objects.create(date=dt.date(2026, 11, 30), is_workday=False, name="假日")
        CalendarDay.objects.create(date=dt.date(2026, 11, 28), is_workday=True, name="调休上班")
        friday_4pm = at(2026, 11, 27, 16, 0)
        assert sla.add_time(friday_4pm, 3, working_time=True) == at(2026, 11, 28, 10, 0)  # Saturday make-up day
        assert sla.add_time(friday_4pm, 12, working_time=True) == at(
            2026, 12, 1, 11, 30
        )  # 1.5 + 7.5 + 3: Sunday, holiday off

    def test_working_time_between_matches_adding_it(self):
        start = at(2026, 11, 26, 9, 15)
        end = sla.add_time(start, 20, working_time=True)
        assert sla.working_between(start, end) == dt.timedelta(hours=20)

    def test_the_most_specific_policy_wins(self):
        SlaPolicy.objects.create(category=self.noise.parent.parent, response_hours=1, resolution_hours=24)
        SlaPolicy.objects.create(
            category=self.noise, level=Level.STREET, response_hours=2, resolution_hours=12, working_time=True
        )
        assert sla.policy_for(self.noise, Level.COMMUNITY).resolution_hours == 24
        assert sla.policy_for(self.noise, Level.STREET).working_time is True
        assert sla.policy_for(self.streetlight, Level.COMMUNITY).resolution_hours == 48


class SweepTests(CaseTestCase):
    def test_yellow_then_red_with_an_automatic_supervision_order(self):
        case = actions.do_accept(self.report(), acting_user=self.carol)
        later = case.warn_at + dt.timedelta(minutes=1)
        assert sweep(later).yellow == 1
        assert Case.objects.get(pk=case.pk).warning == Warning.YELLOW
        result = sweep(case.resolution_due + dt.timedelta(minutes=1))
        assert result.red == 1
        order = Supervision.objects.get(case=case)
        assert order.automatic and order.to_division.code == "990100001001"
        assert sweep(case.resolution_due + dt.timedelta(minutes=2)).red == 0
        assert audit.verify().ok
        actions.do_reply(case, "已安排人员处理", acting_user=self.carol)
        order.refresh_from_db()
        assert order.answered_at is not None

    def test_a_missed_response_goes_one_level_up(self):
        case = self.report()
        result = sweep(case.response_due + dt.timedelta(minutes=1))
        case.refresh_from_db()
        assert result.escalated == 1 and case.level == Level.STREET and case.escalation_count == 1
        assert CaseEvent.objects.filter(case=case, action="escalate", actor_label="clock").exists()
        assert case.response_due > timezone.now()

    def test_a_sweep_works_through_many_cases_in_batches_and_logs_each(self):
        from notify.models import Notification

        cases = [actions.do_accept(self.report(), acting_user=self.carol) for _ in range(5)]
        later = max(c.resolution_due for c in cases) + dt.timedelta(minutes=1)
        assert sweep(max(c.warn_at for c in cases) + dt.timedelta(seconds=1), batch=2).yellow == 5
        result = sweep(later, batch=2)
        assert result.red == 5
        for case in Case.objects.filter(pk__in=[c.pk for c in cases]):
            assert case.warning == Warning.RED and case.supervision_count == 1
            assert audit.AuditEntry.objects.filter(action="cases.warning_red", object_id=str(case.pk)).count() == 1
            assert CaseEvent.objects.filter(case=case, action="supervise").count() == 1
        assert Supervision.objects.filter(automatic=True).count() == 5
        assert Notification.objects.filter(recipient=self.carol, event="supervise").count() == 5
        assert audit.verify().ok

    def test_an_automatic_escalation_names_the_missed_deadline_and_tells_the_new_holder(self):
        from notify.models import Notification

        case = self.report()
        due = case.response_due
        sweep(due + dt.timedelta(minutes=1))
        event = CaseEvent.objects.get(case=case, action="escalate")
        assert timezone.localtime(due).strftime("%m-%d %H:%M") in event.note and event.data["to"] == "990100001"
        assert event.holder_label == "A街道" and event.from_status == Status.SUBMITTED
        assert Notification.objects.filter(recipient=self.bob, event="escalate", case=case).exists()
        assert case.units.get(active=True).division.code == "990100001"

    def test_suspended_cases_do_not_go_red(self):
        case = actions.do_suspend(
            actions.do_accept(self.report(), acting_user=self.carol), acting_user=self.carol, reason="等居民回复"
        )
        assert sweep(case.resolution_due + dt.timedelta(hours=1)).red == 0


@override_settings(GRID_INDEX_CHECK_SECONDS=0)
class ConcurrencyTests(TransactionTestCase):
    """Two handlers act on one case at the same moment: exactly one wins, the other gets a clear conflict;
    two clocks sweep at once: every case is flagged once."""

    def setUp(self):
        from cases.categories import build_categories
        from core.testing import build_test_district

        self.users = build_test_district()
        build_categories(acting_user="test")
        from cases.intake import IntakeData, intake
        from cases.models import Category

        noise = Category.objects.get(name="噪音污染", depth=3)
        self.cases = [
            intake(
                IntakeData(
                    channel="resident_web", description=f"噪音 {n}", category_code=noise.code, lon=120.05, lat=28.05
                ),
                acting_user=self.users["frank"],
            )[0]
            for n in range(6)
        ]

    def run_threads(self, targets):
        errors, results = [], []

        def wrap(fn):
            try:
                results.append(fn())
            except Exception as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=wrap, args=(fn,)) for fn in targets]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results, errors

    def test_two_handlers_accepting_at_once_one_wins(self):
        case = self.cases[0]
        carol = self.users["carol"]
        results, errors = self.run_threads([lambda: actions.do_accept(case, acting_user=carol)] * 2)
        assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], IllegalTransition)
        assert "cannot accept a case that is accepted" in str(errors[0])
        assert CaseEvent.objects.filter(case=case, action="accept").count() == 1

    def test_two_clocks_flag_each_case_once(self):
        later = max(c.resolution_due for c in self.cases) + dt.timedelta(minutes=1)
        Case.objects.update(status=Status.ACCEPTED, response_due=None)
        results, errors = self.run_threads([lambda: sweep(later)] * 2)
        assert not errors, errors
        assert sum(r.red for r in results) == len(self.cases)
        assert Supervision.objects.count() == len(self.cases)
        assert audit.verify().ok
