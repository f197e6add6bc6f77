"""Bulk import: every row through the intake, a per-row report, all or nothing, safe to load twice."""

from __future__ import annotations

import io

from django.core.management import CommandError, call_command

from cases.bulk import CASE_COLUMNS, do_import_cases
from cases.models import Case
from cases.testing import CaseTestCase
from core.tabular import read_rows, write_xlsx
from core.testing import community_code


class BulkImportTests(CaseTestCase):
    def rows(self, *body):
        header = ["description", "category_code", "lon", "lat", "community_code", "reporter_phone", "external_ref"]
        data = write_xlsx("cases", header, body)
        return read_rows(io.BytesIO(data), name="cases.xlsx", required=CASE_COLUMNS)

    def test_good_rows_become_cases_of_the_bulk_channel_and_a_reload_skips_them(self):
        rows = self.rows(
            ["路灯不亮", self.streetlight.code, 120.05, 28.05, "", "13812345678", "ext-1"],
            ["井盖缺失", self.streetlight.code, "", "", community_code(1, 0), "", "ext-2"],
        )
        report = do_import_cases(rows, acting_user=self.alice)
        assert report.imported == 2 and report.written
        assert set(Case.objects.values_list("channel", flat=True)) == {"bulk_import"}
        again = do_import_cases(rows, acting_user=self.alice)
        assert again.skipped == 2 and Case.objects.count() == 2

    def test_a_bad_row_is_named_and_nothing_is_written(self):
        rows = self.rows(
            ["路灯不亮", self.streetlight.code, 120.05, 28.05, "", "", ""],
            ["", self.streetlight.code, 120.05, 28.05, "", "", ""],
            ["x", "0000", "abc", 28.05, "", "", ""],
        )
        report = do_import_cases(rows, acting_user=self.alice)
        assert [(p.row, p.field) for p in report.problems] == [(3, "description"), (4, "lon")]
        assert not Case.objects.exists()
        skipped = do_import_cases(rows, acting_user=self.alice, skip_bad=True)
        assert skipped.imported == 1 and Case.objects.count() == 1

    def test_the_command_exits_non_zero_with_the_report(self):
        import tempfile
        from pathlib import Path

        path = Path(tempfile.mkdtemp()) / "cases.csv"
        path.write_text(f"description,category_code,lon,lat\n漏水,{self.streetlight.code},121.9,31.0\n", "utf-8")
        out = io.StringIO()
        with self.assertRaisesMessage(CommandError, "1 bad row(s)"):
            call_command("import_cases", str(path), stdout=out)
        assert "row 2, location:" in out.getvalue() and "outside the district" in out.getvalue()


class BulkImportPageTests(CaseTestCase):
    def test_the_district_uploads_and_sees_the_row_report(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.login("alice")
        body = f"description,category_code,lon,lat\n路灯不亮,{self.streetlight.code},120.05,28.05\n,x,1,2\n"
        response = self.client.post(
            "/cases/import/", {"encoding": "utf-8", "mode": "all", "file": SimpleUploadedFile("c.csv", body.encode())}
        )
        html = response.content.decode()
        assert "describe the problem" in html and "Nothing was written" in html and not Case.objects.exists()

    def test_a_second_upload_says_its_rows_were_imported_before(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.login("alice")
        body = f"description,category_code,lon,lat,external_ref\n路灯不亮,{self.streetlight.code},120.05,28.05,ext-9\n"
        for _ in range(2):
            upload = SimpleUploadedFile("c.csv", body.encode())
            response = self.client.post("/cases/import/", {"encoding": "utf-8", "mode": "all", "file": upload})
        html = response.content.decode()
        assert "1 row was imported before (same external_ref) and skipped." in html and Case.objects.count() == 1

    def test_grid_workers_cannot_bulk_import(self):
        self.login("carol")
        assert self.client.get("/cases/import/").status_code == 403
