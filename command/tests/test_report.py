"""The monthly report: its figures match the database, it opens in LibreOffice, and it is kept with a history."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from cases import assessment
from cases.models import Case
from command.models import MonthlyReport
from command.report import do_generate_monthly_report, generate_due_reports, month_end, previous_month
from command.testing import CommandTestCase
from core.models import AuditEntry
from territory.models import Division


def month_cases(month: dt.date, prefix: str = ""):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month, dt.time.min, tz)
    end = dt.datetime.combine(month_end(month) + dt.timedelta(days=1), dt.time.min, tz)
    return assessment.in_period(Case.objects.filter(territory_code__startswith=prefix), start, end)


class MonthlyReportTests(CommandTestCase):
    history = 3000

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.month = previous_month(timezone.localdate())
        cls.district = Division.objects.get(code="990100")
        cls.report = do_generate_monthly_report(cls.month, cls.district, acting_user=cls.alice)

    def test_the_workbook_figures_match_the_database(self):
        cases = month_cases(self.month)
        expected = assessment.total(cases)
        book = load_workbook(io.BytesIO(self.report.xlsx.read()))
        totals = {row[0]: row[1:] for row in book["总体"].iter_rows(min_row=2, values_only=True)}
        assert totals["受理量"][0] == expected.reported > 0
        assert totals["响应率"][0] == expected.reply_rate
        assert totals["办结率"][0] == expected.resolution_rate
        assert totals["满意率"][0] == expected.satisfaction_rate
        assert totals["受理量"][1] == month_cases(previous_month(self.month)).count()
        streets = {row[0]: row for row in book["街道三率"].iter_rows(min_row=2, values_only=True)}
        names = dict(Division.objects.values_list("code", "name"))
        for rates in assessment.by_territory(cases, "street", names):
            assert streets[rates.unit][2] == rates.reported and streets[rates.unit][10] == rates.satisfaction_rate
        daily = sum(row[1] for row in book["每日受理"].iter_rows(min_row=2, values_only=True))
        assert daily == expected.reported
        assert {"事件大类", "热点网格", "共性问题", "预测"} <= set(book.sheetnames)

    def test_the_document_states_the_same_figures_in_chinese(self):
        cases = month_cases(self.month)
        document = Document(io.BytesIO(self.report.docx.read()))
        text = "\n".join(p.text for p in document.paragraphs)
        assert f"{self.month:%Y年}" in text and "测试区" in text
        assert f"本月共受理事件 {cases.count()} 件" in text
        assert "三率" in text and "趋势预测" in text and "MAPE" in text
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        assert "A街道" in cells and "B街道" in cells
        assert len(document.inline_shapes) >= 4  # trend, 三率, categories, hotspot map, forecast

    def test_it_converts_cleanly_with_libreoffice(self):
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "report.docx"
            source.write_bytes(self.report.docx.read())
            subprocess.run(
                [
                    "libreoffice",
                    "--headless",
                    f"-env:UserInstallation=file://{folder}/profile",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    folder,
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=180,
            )
            pdf = Path(folder) / "report.pdf"
            assert pdf.exists() and pdf.stat().st_size > 20_000
            text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, timeout=60).stdout
            assert "测试区".encode() in text and "总体情况".encode() in text
            pages = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
            assert int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:"))) >= 3
            artifacts = Path(__file__).resolve().parents[2] / "var" / "artifacts"
            artifacts.mkdir(parents=True, exist_ok=True)
            shutil.copy(pdf, artifacts / "monthly-report.pdf")

    def test_it_is_audited_and_listed_with_its_history_and_downloads(self):
        entries = AuditEntry.objects.filter(action="command.generate_monthly_report", object_id=str(self.report.pk))
        assert entries.exists()
        self.login("alice")
        page = self.client.get(reverse("command:reports"))
        assert page.status_code == 200 and self.report in page.context["history"]
        download = self.client.get(reverse("command:report_file", args=[self.report.pk, "docx"]))
        assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
        self.login("bob")  # a street does not see the district's report
        assert self.client.get(reverse("command:report_file", args=[self.report.pk, "xlsx"])).status_code == 404

    def test_a_street_generates_its_own_report_from_the_page(self):
        self.login("bob")
        response = self.client.post(reverse("command:reports"), {"month": f"{self.month:%Y-%m}", "scope": "990100001"})
        assert response.status_code == 302
        report = MonthlyReport.objects.get(scope_code="990100001")
        assert report.figures["reported"] == month_cases(self.month, "990100001").count()
        book = load_workbook(io.BytesIO(report.xlsx.read()))
        assert "社区三率" in book.sheetnames
        response = self.client.post(reverse("command:reports"), {"month": f"{self.month:%Y-%m}", "scope": "990100002"})
        assert not MonthlyReport.objects.filter(scope_code="990100002").exists()
        response = self.client.post(reverse("command:reports"), {"month": "next year", "scope": "990100001"})
        assert MonthlyReport.objects.filter(scope_code="990100001").count() == 1

    def test_the_clock_writes_last_months_district_report_once(self):
        today = timezone.localdate()
        assert generate_due_reports(today) == []  # already there (setUpTestData)
        MonthlyReport.objects.all().delete()
        made = generate_due_reports(today)
        assert [r.scope_code for r in made] == ["990100"] and generate_due_reports(today) == []

    def test_the_command_writes_the_files_to_a_folder(self):
        with tempfile.TemporaryDirectory() as folder:
            out = io.StringIO()
            call_command("monthly_report", "--month", f"{self.month:%Y-%m}", "--output", folder, stdout=out)
            assert (Path(folder) / f"990100-{self.month:%Y-%m}.docx").exists()
            assert (Path(folder) / f"990100-{self.month:%Y-%m}.xlsx").exists()
        from django.core.management.base import CommandError

        for bad in (["--month", "2026-13"], ["--scope", "123"]):
            try:
                call_command("monthly_report", *bad, stdout=io.StringIO())
            except CommandError as exc:
                assert bad[0] in str(exc)
            else:
                raise AssertionError(f"{bad} was accepted")
