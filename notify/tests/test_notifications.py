"""Residents hear about key steps by SMS and in the app; units hear when a case arrives; SMS go after commit."""

from __future__ import annotations

from unittest import mock

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from accounts.roles import Role
from cases import actions
from cases.testing import CaseTestCase
from cases.tests.test_workflow import account
from core.bulk import insert
from notify import service, tasks
from notify.backends import MemorySmsBackend
from notify.models import Notification
from notify.tasks import send_pending_sms


class NotificationTests(CaseTestCase):
    def setUp(self):
        MemorySmsBackend.outbox.clear()

    def test_the_reporter_gets_the_number_and_deadline_by_sms_after_commit(self):
        with self.captureOnCommitCallbacks(execute=True):
            case = self.report()
        assert len(MemorySmsBackend.outbox) == 1
        phone, body = MemorySmsBackend.outbox[0]
        assert phone == "13812345678" and case.tracking_no in body and "办结时限" in body
        assert Notification.objects.get(channel="sms").state == "sent"
        assert Notification.objects.filter(channel="in_app", recipient=self.frank, event="intake").exists()

    def test_the_grid_staff_are_told_in_the_app(self):
        case = self.report()
        assert Notification.objects.filter(recipient=self.carol, case=case, event="intake").exists()
        assert not Notification.objects.filter(recipient=self.dave, case=case).exists()

    def test_resolution_asks_the_resident_to_confirm(self):
        case = actions.do_accept(self.report(), acting_user=self.carol)
        actions.do_resolve(case, acting_user=self.carol, note="已处理", reply="已要求店主整改")
        note = Notification.objects.get(channel="sms", event="resolve")
        assert "请确认并评价" in note.body and "已要求店主整改" in note.body

    def test_a_gateway_failure_is_recorded_and_the_others_still_go(self):
        self.report()
        self.report(reporter_phone="13900000000")

        class Flaky:
            calls = 0

            def send(self, phone, body):
                Flaky.calls += 1
                if phone == "13812345678":
                    raise ConnectionError("gateway down")

        with self.settings(SMS_BACKEND="notify.tests.test_notifications.FLAKY"):
            globals()["FLAKY"] = Flaky
            send_pending_sms.call()
        states = dict(Notification.objects.filter(channel="sms").values_list("phone", "state"))
        assert states == {"13812345678": "failed", "13900000000": "sent"}

    def test_the_inbox_lists_and_marks_read(self):
        self.report()
        self.login("frank")
        assert "受理" in self.client.get("/notifications/").content.decode()
        self.client.post("/notifications/read/")
        assert not Notification.objects.filter(recipient=self.frank, read_at__isnull=True).exists()

    def test_a_burst_of_cases_queues_one_send_task_until_a_worker_starts_it(self):
        service._queued_sms = None
        self.addCleanup(setattr, service, "_queued_sms", None)
        with self.settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            for n in range(3):
                with self.captureOnCommitCallbacks(execute=True):
                    self.report(reporter_phone=f"1390000000{n}")
            assert DBTaskResult.objects.filter(status="READY").count() == 1
            # A worker takes it (and may have read the pending rows already): the next SMS queues a new task.
            DBTaskResult.objects.update(status="RUNNING")
            with self.captureOnCommitCallbacks(execute=True):
                self.report(reporter_phone="13900000009")
            assert DBTaskResult.objects.filter(status="READY").count() == 1
        assert Notification.objects.filter(channel="sms", state="pending").count() == 4

    def test_the_send_task_works_through_every_pending_sms_batch_by_batch(self):
        case = self.report()
        with transaction.atomic():
            insert(
                Notification,
                [
                    {"channel": "sms", "phone": f"139{n:08d}", "case_id": case.pk, "event": "x", "body": "b"}
                    for n in range(23)
                ],
            )
        with mock.patch.object(tasks, "BATCH", 5):
            assert send_pending_sms.call() == 24
        assert not Notification.objects.filter(channel="sms", state="pending").exists()
        assert len(MemorySmsBackend.outbox) == 24


class HolderLookupTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.handler = account("zjj1", Role.DEPARTMENT_HANDLER, department=cls.zjj)

    def test_many_holders_are_read_together_as_one_at_a_time_would_read_them(self):
        at_grid = self.report()
        at_street = actions.do_escalate(self.report(), acting_user=self.carol, reason="需要街道协调")
        at_department = actions.do_dispatch(
            actions.do_escalate(self.report(), acting_user=self.carol, reason="需要部门处理"),
            self.zjj,
            acting_user=self.bob,
        )
        cases = [at_grid, at_street, at_department, at_grid]
        with CaptureQueriesContext(connection) as queries:
            many = service.holder_ids_many(cases)
        assert len(queries) == 3 and len(many) == 3
        for case in cases:
            assert sorted(many[service._holder_key(case)]) == sorted(service.holder_ids(case))
        assert self.carol.pk in many[service._holder_key(at_grid)]
        assert many[service._holder_key(at_department)] == [self.handler.pk]
        assert self.bob.pk in many[service._holder_key(at_street)]

    def test_remembered_holders_are_not_read_again(self):
        case = self.report()
        with self.settings(HOLDER_CACHE_SECONDS=60):
            service._holder_cache.clear()
            first = service.holder_ids_many([case])
            with CaptureQueriesContext(connection) as queries:
                assert (
                    service.holder_ids_many([case]) == first
                    and service.holder_ids(case) == first[service._holder_key(case)]
                )
            assert len(queries) == 0
            service._holder_cache.clear()
