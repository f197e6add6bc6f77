"""The fact table follows the cases, and its figures are the assessment's figures."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cases import actions, assessment
from cases.models import Case
from command import facts, stats
from command.models import CaseFact, FactCursor
from command.testing import CommandTestCase


class FactRefreshTests(CommandTestCase):
    history = 0

    def test_a_new_case_and_its_changes_reach_the_facts_on_refresh(self):
        case = self.report()
        assert not CaseFact.objects.filter(case=case).exists()
        assert facts.refresh() >= 1
        fact = CaseFact.objects.get(case=case)
        assert fact.is_open and fact.status == "submitted" and fact.day == timezone.localdate()
        assert fact.grid_code == case.grid.code and fact.category_code == self.noise.code and fact.h3_cell
        actions.do_accept(case, acting_user=self.carol)
        facts.refresh()
        fact.refresh_from_db()
        assert fact.status == "accepted" and fact.replied_on_time

    def test_refresh_rereads_a_window_of_events_so_a_late_commit_is_not_lost(self):
        case = self.report()
        facts.refresh()
        cursor = FactCursor.objects.get()
        # An event committed late with an id below the cursor: still inside the lookback window.
        Case.objects.filter(pk=case.pk).update(status="accepted")
        event = case.events.first()
        assert event.id <= cursor.last_event_id
        facts.refresh()
        assert CaseFact.objects.get(case=case).status == "accepted"

    def test_a_deleted_case_loses_its_fact(self):
        case = self.report()
        facts.refresh()
        facts.write_facts([case.pk, 10**9])
        assert CaseFact.objects.filter(case=case).count() == 1


class FactFiguresTests(CommandTestCase):
    history = 1500

    def test_every_case_has_a_fact(self):
        assert CaseFact.objects.count() == Case.objects.count() == 1500

    def test_three_rates_from_facts_equal_the_assessment(self):
        start, end = timezone.localdate() - dt.timedelta(days=90), timezone.localdate()
        tz = timezone.get_current_timezone()
        cases = assessment.in_period(
            Case.objects.all(),
            dt.datetime.combine(start, dt.time.min, tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz),
        )
        expected = assessment.total(cases)
        got = stats.rates(stats.in_days(CaseFact.objects.all(), start, end))
        for field in ("reported", "replied_on_time", "accepted", "resolved_confirmed", "rated", "satisfied"):
            assert getattr(got, field) == getattr(expected, field), field
        names = stats.division_names()
        by_street = {r.unit: r for r in assessment.by_territory(cases, "street", names)}
        for row in stats.by_level(stats.in_days(CaseFact.objects.all(), start, end), 9):
            assert row.reported == by_street[row.unit].reported
            assert row.satisfied == by_street[row.unit].satisfied

    def test_a_street_sees_only_its_streets_facts(self):
        seen = stats.facts(self.bob)
        assert seen.count() == Case.objects.filter(territory_code__startswith="990100001").count() > 0
        assert not seen.exclude(territory_code__startswith="990100001").exists()
        assert not stats.facts(self.carol).exists()  # grid workers have no command centre
        assert not stats.facts(self.frank).exists()


class ClockJobTests(CommandTestCase):
    history = 300

    def test_the_clock_refreshes_facts_and_hands_reports_and_forecasts_to_the_worker(self):
        from command.models import MonthlyReport, Snapshot
        from core import clock

        case = self.report()
        now = timezone.now()
        ran = clock.tick(now)
        assert {"command-facts", "command-monthly-report", "command-forecasts"} <= set(ran)
        assert CaseFact.objects.filter(case=case).exists()
        assert MonthlyReport.objects.filter(scope_code="990100").count() == 1
        assert Snapshot.objects.filter(scope_code="*").exists()
        assert "command-facts" not in clock.tick(now + dt.timedelta(seconds=5))  # not due again yet
