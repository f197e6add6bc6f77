"""The simulated case history: every case walked the transition table, counters match its log, open cases
carry the warnings the clock would give them, and the 三率 come out meaningful."""

from __future__ import annotations

import datetime as dt
from collections import Counter as Tally

from django.utils import timezone

from cases import workflow
from cases.assessment import total
from cases.choices import FINAL_STATUSES, Status
from cases.demo import seed_history
from cases.intake import IntakeData, intake
from cases.models import Case, CaseEvent, Counter, Supervision
from cases.sweep import sweep
from cases.testing import CaseTestCase
from core import audit
from territory.models import Division

INFORMATIONAL = {"intake", "supervise", "warning_yellow", "warning_red", "co_reply", "master_closed"}


class HistoryTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.now = timezone.now().replace(microsecond=0)
        cls.written = seed_history(Division.objects.get(code="990100"), days=21, per_day=40, now=cls.now)

    def test_it_writes_about_the_asked_volume(self):
        assert 600 < self.written == Case.objects.count() < 1100

    def test_every_case_walked_the_transition_table(self):
        events: dict[int, list[CaseEvent]] = {}
        for e in CaseEvent.objects.order_by("id"):
            events.setdefault(e.case_id, []).append(e)
        for case in Case.objects.all():
            log = events[case.pk]
            assert log[0].action == "intake" and log[0].to_status == Status.SUBMITTED
            status = Status.SUBMITTED
            for e in log[1:]:
                assert e.from_status == status, (case.tracking_no, e.action)
                if e.action not in INFORMATIONAL:
                    assert workflow.target(e.action, status) == e.to_status
                status = e.to_status
            assert case.status == status, case.tracking_no
            assert max(e.at for e in log) <= self.now and case.created_at <= self.now

    def test_counters_match_the_log(self):
        tallies = {
            c: Tally(a for a in CaseEvent.objects.filter(case_id=c).values_list("action", flat=True))
            for c in Case.objects.values_list("id", flat=True)
        }
        orders = Tally(Supervision.objects.values_list("case_id", flat=True))
        for case in Case.objects.all():
            t = tallies[case.pk]
            assert case.escalation_count == t["escalate"]
            assert case.return_count == t["return"]
            assert case.reopen_count == t["reject"]
            assert case.supervision_count == t["supervise"] == orders[case.pk]
            assert not (case.holder_division_id and case.holder_department_id)
            assert case.holder_division_id or case.holder_department_id

    def test_final_cases_are_closed_at_and_open_ones_are_flagged_as_the_clock_would(self):
        for case in Case.objects.filter(status__in=FINAL_STATUSES):
            assert case.closed_at is not None and case.closed_at <= self.now
        closed = Case.objects.filter(status=Status.CLOSED)
        assert not closed.filter(rating__isnull=True).exists() and not closed.filter(resident_confirmed=None).exists()
        result = sweep(self.now)
        assert (result.yellow, result.red) == (0, 0)

    def test_the_rates_are_meaningful(self):
        rates = total(Case.objects.all())
        assert 0.6 < rates.reply_rate < 0.99
        assert 0.8 < rates.resolution_rate <= 1
        assert 0.75 < rates.satisfaction_rate < 0.98
        channels = set(Case.objects.values_list("channel", flat=True))
        assert {"hotline_12345", "grid_worker", "resident_web"} <= channels
        assert Case.objects.filter(status=Status.MERGED, master__isnull=False).exists()

    def test_tracking_numbers_follow_the_day_and_new_reports_continue_them(self):
        nos = list(Case.objects.values_list("tracking_no", "created_at"))
        assert len({n for n, _ in nos}) == len(nos)
        for no, at in nos:
            assert no.startswith(f"FQ{timezone.localtime(at):%Y%m%d}-")
        today = timezone.localtime(self.now).strftime("%Y%m%d")
        before = Counter.objects.filter(name=f"case-{today}").values_list("value", flat=True).first() or 0
        case, _ = intake(
            IntakeData(
                channel="resident_web",
                description="路灯不亮",
                category_code=self.streetlight.code,
                lon=120.05,
                lat=28.05,
            ),
            acting_user=self.users["frank"],
        )
        if timezone.localtime(case.created_at).strftime("%Y%m%d") == today:
            assert case.tracking_no == f"FQ{today}-{before + 1:06d}"

    def test_it_runs_once_per_district_and_the_trail_holds(self):
        assert seed_history(Division.objects.get(code="990100"), days=5, now=self.now) == 0
        entries = audit.AuditEntry.objects.filter(action="cases.seed_history")
        assert sum(e.after["cases"] for e in entries) == self.written
        assert audit.verify().ok

    def test_history_spans_the_days_asked(self):
        first = Case.objects.order_by("created_at").first()
        assert first is not None and self.now - first.created_at < dt.timedelta(days=21)
        assert self.now - first.created_at > dt.timedelta(days=19)

    def test_the_live_demo_files_reports_and_moves_cases_through_the_actions(self):
        from cases.demo import live_step

        filed, moved = [], []
        for n in range(4):
            result = live_step(new=3, moves=8, seed=n)
            assert result.failed == []
            filed += result.filed
            moved += result.moved
        assert filed and moved
        for no, name in moved:
            assert CaseEvent.objects.filter(case__tracking_no=no, action=name).exists()
            assert audit.AuditEntry.objects.filter(action=f"cases.{name}", object_repr=no).exists()
        assert Case.objects.filter(tracking_no__in=filed).count() == len(filed)

    def test_residents_earned_points_and_units_have_commitments(self):
        from cases.models import Commitment, PointsEntry
        from cases.rewards import points_for

        earned = [c for c in Case.objects.filter(status=Status.CLOSED).select_related("category") if points_for(c)]
        assert earned and PointsEntry.objects.filter(kind="award").count() == len(earned)
        assert Commitment.objects.filter(year=timezone.localdate().year).count() >= 2
