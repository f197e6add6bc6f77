"""core.bulk.insert: rows read back exactly as written on both databases, by executemany (SQLite), one multi-row
INSERT or (PostgreSQL, from COPY_FROM rows) COPY, with the model's defaults and auto_now_add stamps filled in;
core.bulk.create: instances get their ids and stamps, and what it cannot write plainly is refused."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Attachment, CaseEvent, CaseUnit
from cases.testing import CaseTestCase
from core import bulk


class BulkInsertTests(CaseTestCase):
    def setUp(self):
        self.case = self.report()

    def rows(self, n: int) -> list[dict]:
        at = timezone.now().replace(microsecond=123456)
        return [
            {
                "case_id": self.case.pk,
                "at": at - dt.timedelta(minutes=i),
                "actor_label": "clock",
                "action": "warning_yellow",
                "to_status": "accepted",
                "note": f"第{i}条\t含制表符\n和换行 \\ 反斜杠",
                "data": {"due": at.isoformat(), "n": i, "list": [1, "二", None], "nested": {"ok": True}},
            }
            for i in range(n)
        ]

    def assert_read_back(self, rows: list[dict]) -> None:
        got = list(CaseEvent.objects.filter(action="warning_yellow").order_by("-at"))
        assert len(got) == len(rows)
        for row, event in zip(rows, got, strict=True):
            assert event.at == row["at"] and event.note == row["note"] and event.data == row["data"]
            assert event.from_status == "" and event.holder_label == ""  # model defaults

    def test_one_row(self):
        rows = self.rows(1)
        with transaction.atomic():
            assert bulk.insert(CaseEvent, rows) == 1
        self.assert_read_back(rows)

    def test_a_few_rows_are_one_statement(self):
        rows = self.rows(bulk.COPY_FROM - 1)
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            assert bulk.insert(CaseEvent, rows) == len(rows)
        assert len(queries) == 1, [q["sql"][:80] for q in queries]
        self.assert_read_back(rows)

    def test_many_rows_take_the_bulk_path(self):
        rows = self.rows(bulk.COPY_FROM + 7)
        with transaction.atomic():
            assert bulk.insert(CaseEvent, rows, batch=bulk.COPY_FROM + 3) == len(rows)  # two batches
        self.assert_read_back(rows)

    def test_auto_now_add_and_defaults_are_filled(self):
        before = timezone.now()
        with transaction.atomic():
            bulk.insert(CaseUnit, [{"case_id": self.case.pk, "role": "co"} for _ in range(bulk.COPY_FROM)])
        units = CaseUnit.objects.filter(case=self.case, role="co")
        assert units.count() == bulk.COPY_FROM
        assert all(u.active and u.reply == "" and u.created_at >= before for u in units)


class BulkCreateTests(CaseTestCase):
    def setUp(self):
        self.case = self.report()

    def test_instances_get_their_ids_stamps_and_read_back_as_written(self):
        at = timezone.now().replace(microsecond=654321)
        events = [
            CaseEvent(case=self.case, at=at, actor_label="clock", action="warning_red", note=f"第{i}条", data={"n": i})
            for i in range(7)
        ]
        before = timezone.now()
        with transaction.atomic():
            made = bulk.create(events, batch=3)  # three statements
        assert made == events and all(e.pk is not None and not e._state.adding for e in events)
        assert len({e.pk for e in events}) == 7
        for event in events:
            got = CaseEvent.objects.get(pk=event.pk)
            assert (got.case_id, got.at, got.note, got.data) == (self.case.pk, at, event.note, event.data)
        with transaction.atomic():
            [unit] = bulk.create([CaseUnit(case=self.case, role="co")])
        assert unit.created_at >= before and CaseUnit.objects.get(pk=unit.pk).created_at == unit.created_at

    def test_it_refuses_what_it_would_write_wrong(self):
        with self.assertRaises(TypeError):
            bulk.create([self.case.events.first()])  # saved already
        with self.assertRaises(TypeError):
            bulk.create([CaseEvent(case=self.case, action="x"), CaseUnit(case=self.case, role="co")])
        with self.assertRaises(TypeError):
            bulk.create([Attachment(case=self.case)])  # a file field
