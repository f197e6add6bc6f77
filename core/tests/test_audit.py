"""The evidence trail: every action leaves a chained entry; raw-SQL tampering of any kind is detected."""

from __future__ import annotations

import threading

from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import TransactionTestCase

from core import audit
from core.actions import do_add_journal_entry
from core.models import AuditCheckpoint, AuditEntry, AuditHead
from core.testing import DistrictTestCase
from territory.models import Grid


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


class ChainTests(DistrictTestCase):
    def setUp(self):
        grid = Grid.objects.first()
        for n in range(5):
            do_add_journal_entry(grid, f"巡查记录 {n}", acting_user=self.carol)
        self.entries = list(AuditEntry.objects.order_by("seq"))

    def assert_broken(self, expected_seq: int | None, words: str) -> None:
        result = audit.verify()
        assert not result.ok, "tampering went unnoticed"
        assert words in result.problem, result.problem
        if expected_seq is not None:
            assert result.seq == expected_seq, (result.seq, result.problem)
        with self.assertRaisesMessage(CommandError, "BROKEN"):
            call_command("audit_verify", verbosity=0)

    def test_an_untouched_chain_verifies(self):
        assert audit.verify().ok
        call_command("audit_verify", verbosity=0)

    def test_entries_link_to_their_predecessor(self):
        for before, after in zip(self.entries, self.entries[1:], strict=False):
            assert after.prev_hash == before.hash and after.seq == before.seq + 1
        last = self.entries[-1]
        assert last.actor == self.carol and last.action == "core.add_journal_entry"
        assert last.after["comments"] == "巡查记录 4"

    def test_it_detects_an_edited_entry(self):
        victim = self.entries[-3]
        sql("UPDATE core_auditentry SET actor_label = %s WHERE id = %s", ["mallory", victim.id])
        self.assert_broken(victim.seq, "changed after it was written")

    def test_it_detects_a_deleted_entry(self):
        victim = self.entries[-3]
        sql("DELETE FROM core_auditentry WHERE id = %s", [victim.id])
        self.assert_broken(victim.seq + 1, f"entry #{victim.seq} is missing")

    def test_it_detects_a_deleted_last_entry(self):
        sql("DELETE FROM core_auditentry WHERE id = %s", [self.entries[-1].id])
        self.assert_broken(None, "head says")

    def test_it_detects_an_inserted_entry(self):
        last = self.entries[-1]
        sql("UPDATE core_auditentry SET seq = seq + 1000000 WHERE seq > %s", [last.seq - 2])
        sql("UPDATE core_auditentry SET seq = seq - 999999 WHERE seq > 1000000")
        sql(
            "INSERT INTO core_auditentry (seq, created_at, actor_label, action, object_type, object_id, object_repr,"
            " request_id, prev_hash, hash) VALUES (%s, %s, 'mallory', 'x', 'x', '1', '', '', %s, %s)",
            [last.seq - 1, last.created_at, self.entries[-3].hash, "f" * 64],
        )
        self.assert_broken(last.seq - 1, "was changed")

    def test_a_checkpoint_seals_entries_and_reveals_a_rewritten_chain(self):
        checkpoint = audit.create_checkpoint(actor="test")
        assert checkpoint.last_seq == self.entries[-1].seq and checkpoint.entry_count == self.entries[-1].seq
        assert audit.verify().ok
        # A forger who rewrites one entry and recomputes every hash after it fools the chain but not the root.
        victim = self.entries[2]
        AuditEntry.objects.filter(pk=victim.pk).update(actor_label="mallory")
        prev = self.entries[1].hash
        for entry in AuditEntry.objects.filter(seq__gte=victim.seq).order_by("seq"):
            entry.prev_hash = prev
            entry.hash = audit.chain_hash(prev, entry)
            AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=entry.prev_hash, hash=entry.hash)
            prev = entry.hash
        AuditHead.objects.filter(pk=1).update(last_hash=prev)
        result = audit.verify()
        assert not result.ok and "Merkle root" in result.problem

    def test_checkpoint_command_prints_a_publishable_root(self):
        from io import StringIO

        out = StringIO()
        call_command("audit_checkpoint", stdout=out)
        root = AuditCheckpoint.objects.get().merkle_root
        assert root in out.getvalue()
        out = StringIO()
        call_command("audit_checkpoint", "--list", stdout=out)
        assert root in out.getvalue()

    def test_merkle_root_is_order_sensitive(self):
        hashes = [e.hash for e in self.entries]
        assert audit.merkle_root(hashes) != audit.merkle_root(list(reversed(hashes)))
        assert audit.merkle_root(hashes[:1]) != hashes[0]


class ConcurrentWritersTests(TransactionTestCase):
    """Many threads write at once; the chain must remain one line (no fork, no gap, no duplicate seq)."""

    def test_the_chain_stays_one_line_under_concurrent_writers(self):
        from core.testing import build_test_district

        users = build_test_district()
        grid = Grid.objects.first()
        errors: list[BaseException] = []
        threads_n, per_thread = 6, 8

        def writer(n: int) -> None:
            try:
                for i in range(per_thread):
                    do_add_journal_entry(grid, f"thread {n} note {i}", acting_user=users["alice"])
            except BaseException as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(threads_n)]
        start = AuditEntry.objects.count()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        assert AuditEntry.objects.count() == start + threads_n * per_thread
        assert audit.verify().ok, audit.verify().problem

    def test_record_refuses_to_run_outside_a_transaction(self):
        with self.assertRaisesMessage(RuntimeError, "inside the action's transaction"):
            audit.record("x", actor="test", object_type="x", object_id="1")
