"""The deployment's system checks."""

from __future__ import annotations

from unittest import mock

from django.core import checks
from django.db import connection
from django.test import TestCase

from core import checks as core_checks


class AutovacuumCheckTests(TestCase):
    def run_checks(self):
        return [m for m in checks.run_checks(databases=["default"], tags=[checks.Tags.database]) if m.id == "core.W001"]

    def test_postgresql_without_autovacuum_is_warned_about(self):
        with (
            mock.patch.object(connection, "vendor", "postgresql"),
            mock.patch.object(core_checks, "autovacuum", return_value="off"),
        ):
            [warning] = self.run_checks()
        assert "autovacuum is off" in warning.msg and "VACUUM ANALYZE" in warning.hint
        with (
            mock.patch.object(connection, "vendor", "postgresql"),
            mock.patch.object(core_checks, "autovacuum", return_value="on"),
        ):
            assert self.run_checks() == []

    def test_the_check_reads_the_server_setting(self):
        if connection.vendor != "postgresql":
            assert self.run_checks() == []  # SQLite has no such setting
            return
        assert core_checks.autovacuum("default") in {"on", "off"}
        assert bool(self.run_checks()) == (core_checks.autovacuum("default") == "off")

    def test_without_a_database_nothing_is_asked(self):
        with mock.patch.object(core_checks, "autovacuum") as asked:
            assert core_checks.postgres_autovacuum(databases=None) == []
        asked.assert_not_called()
