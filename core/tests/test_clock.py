import datetime as dt

from django.test import TestCase
from django.utils import timezone

from core import clock
from core.models import AuditCheckpoint, AuditEntry, ScheduledJob


class ClockTests(TestCase):
    def test_two_clocks_never_run_the_same_job_twice(self):
        job = clock.Job("test-job", lambda: 60, lambda: None)
        now = timezone.now()
        assert clock.claim(job, now) is True
        assert clock.claim(job, now) is False  # the second clock at the same moment loses
        assert clock.claim(job, now + dt.timedelta(seconds=30)) is False
        assert clock.claim(job, now + dt.timedelta(seconds=61)) is True
        assert ScheduledJob.objects.get(name="test-job").run_count == 2

    def test_the_clock_seals_the_audit_trail_through_the_worker(self):
        from core.actions import do_add_journal_entry
        from core.testing import build_test_district
        from territory.models import Grid

        users = build_test_district()
        do_add_journal_entry(Grid.objects.first(), "note", acting_user=users["alice"])
        ran = clock.tick()
        assert "audit-checkpoint" in ran
        checkpoint = AuditCheckpoint.objects.get()
        assert checkpoint.last_seq == AuditEntry.objects.filter(action="audit.checkpoint").get().seq - 1
        assert clock.tick() == []
