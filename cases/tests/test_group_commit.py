"""The intake's group commit: reports that request threads file at the same time are stored in one transaction,
each with its own outcome and its own request in the audit trail, as if each had been filed alone."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import TransactionTestCase

from cases import intake as intake_module
from cases.intake import IntakeData, intake
from cases.models import Case
from cases.testing import build_case_fixtures
from core import audit
from core.context import set_request_id
from core.models import AuditEntry
from core.testing import build_test_district

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


class GroupCommitIntakeTests(TransactionTestCase):
    def setUp(self) -> None:
        self.users = build_test_district()
        self.fixtures = build_case_fixtures()
        self.commit = intake_module._COMMIT
        self.release = threading.Event()
        real = self.commit.write

        def held(drafts: list[Any]) -> list[Any]:
            self.release.wait(10)  # the first batch waits until the others have queued behind it
            return real(drafts)

        self.commit.write = held
        self.addCleanup(setattr, self.commit, "write", real)

    def data(self, n: int, **fields: Any) -> IntakeData:
        return IntakeData(
            **{
                "channel": "hotline_12345",
                "description": f"第{n}号来电：小区{n}栋门口路灯不亮",
                "category_code": self.fixtures["streetlight"].code,
                "lon": 120.05,
                "lat": 28.05,
                "reporter_phone": f"1381234{n:04d}",
                **fields,
            }
        )

    def file_at_once(self, reports: list[tuple[IntakeData, Any]], *, refused: int | None = None) -> list[Any]:
        """File reports[0] (held in its write), queue the others behind it in order, then let it go. Each thread
        files under its own request id `req-<n>`; the results (case, created) or exceptions, by position."""
        results: list[Any] = [None] * len(reports)

        def file(n: int) -> None:
            set_request_id(f"req-{n:04d}")
            try:
                results[n] = intake(reports[n][0], acting_user=reports[n][1])
            except Exception as exc:
                results[n] = exc
            finally:
                connections.close_all()

        threads = [threading.Thread(target=file, args=(n,)) for n in range(len(reports))]
        threads[0].start()
        while not self.commit._writing:
            time.sleep(0.001)
        queued = 0
        for n, thread in enumerate(threads[1:], start=1):
            thread.start()
            if n == refused:  # refused before it queues: it answers at once
                thread.join(10)
                continue
            queued += 1
            while len(self.commit._queue) < queued:
                time.sleep(0.001)
        self.release.set()
        for thread in threads:
            thread.join(20)
        return results

    def test_concurrent_reports_are_stored_together_each_with_its_own_outcome_and_request(self):
        batches, items = self.commit.batches, self.commit.items
        alice = self.users["alice"]
        results = self.file_at_once(
            [
                (self.data(0), alice),
                (self.data(1, idempotency_key="iot-7"), "iot"),
                (self.data(2, idempotency_key="iot-7"), "iot"),  # same key, same batch: the same case
                (self.data(3, lon=150.0), alice),  # outside the district: refused, never queued
                (self.data(4), alice),
                (self.data(5), "iot"),
            ],
            refused=3,
        )
        assert isinstance(results[3], ValidationError) and "location" in results[3].message_dict
        (first, created0), (keyed, created1), (again, created2), _, (fourth, _c4), (fifth, _c5) = results
        assert created0 and created1 and not created2 and again.pk == keyed.pk
        assert (self.commit.batches - batches, self.commit.items - items) == (2, 5)  # [0], then [1, 2, 4, 5]
        numbers = [int(c.tracking_no[-6:]) for c in (keyed, fourth, fifth)]
        assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]  # one counter upsert for the batch
        assert Case.objects.count() == 4
        entries = {e.object_id: e for e in AuditEntry.objects.filter(action="cases.intake")}
        assert {entries[str(c.pk)].request_id for c in (first, keyed, fourth, fifth)} == {
            "req-0000",
            "req-0001",
            "req-0004",
            "req-0005",
        }
        assert entries[str(fourth.pk)].request_id == "req-0004" and entries[str(fourth.pk)].actor == alice
        assert entries[str(fifth.pk)].actor_label == "iot"
        assert audit.verify().ok

    def test_a_report_refused_after_it_was_stored_fails_alone_in_its_own_thread(self):
        photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")
        after = SimpleUploadedFile("a.png", PNG, content_type="image/png")
        resident = self.users["frank"]  # may not record a grid worker's 就地解决
        results = self.file_at_once(
            [
                (self.data(0), resident),
                (self.data(1), resident),
                (
                    self.data(
                        2, channel="grid_worker", solved_on_spot=True, attachments=[photo], after_attachments=[after]
                    ),
                    resident,
                ),
                (self.data(3), resident),
            ]
        )
        assert isinstance(results[2], ValidationError) and "solved_on_spot" in results[2].message_dict
        assert all(results[n][1] for n in (0, 1, 3))
        assert Case.objects.count() == 3
        entries = AuditEntry.objects.filter(action="cases.intake")
        assert sorted(entries.values_list("request_id", flat=True)) == ["req-0000", "req-0001", "req-0003"]
        assert audit.verify().ok
