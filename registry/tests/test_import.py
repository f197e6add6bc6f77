"""Import and export: per-row report (row, column, reason), all or nothing, dry run, the command's exit code, bad
files named, and an export that imports back."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from core.models import AuditEntry
from core.tabular import FileError, write_csv, write_xlsx
from registry import exports, writers
from registry.importers import do_import, read_file
from registry.models import AccessLog, Household, Organisation, Person, Place
from registry.testing import RegistryTestCase, id_number

PEOPLE_HEADER = ["姓名", "公民身份号码", "人口类型", "房屋编号", "户号", "与户主关系", "联系方式"]


def people_file(*rows, fmt="xlsx"):
    body = write_xlsx("people", PEOPLE_HEADER, rows) if fmt == "xlsx" else write_csv(PEOPLE_HEADER, rows)
    return read_file("people", io.BytesIO(body), name=f"people.{fmt}")[0]


class PeopleImportTests(RegistryTestCase):
    def good_rows(self):
        return [
            ["陈伟", id_number(1), "户籍", "H-A11-1", "H1", "02", "13812345678"],
            ["林芳", id_number(2, male=False), "registered", "H-A11-1", "H1", "10", ""],
        ]

    def test_good_rows_are_written_with_a_household_and_summarising_audit(self):
        report = do_import("people", people_file(*self.good_rows()), acting_user=self.alice)
        assert report.imported == 2 and report.written, report.as_text()
        household = Household.objects.get(number="H1")
        assert set(household.members.values_list("relation", flat=True)) == {"02", "10"}
        bulk = AuditEntry.objects.get(action="registry.register_person.bulk")
        assert bulk.after["count"] == 2
        assert writers.bulk_digest(Person, bulk.after["ids"]) == bulk.after["sha256"]
        Person.objects.filter(pk=bulk.after["ids"][0]).update(name="改名")
        assert writers.bulk_digest(Person, bulk.after["ids"]) != bulk.after["sha256"]

    def test_bad_rows_are_named_and_nothing_is_written_unless_asked(self):
        rows = people_file(
            *self.good_rows(),
            ["王五", "330304198506010013", "户籍", "H-A11-1", "", "", ""],
            ["赵六", id_number(1), "户籍", "H-A11-1", "", "", ""],
            ["钱七", id_number(7), "户籍", "NOPE", "", "", ""],
            ["孙八", id_number(8), "外星", "H-B11-1", "", "", ""],
            ["李九", id_number(9), "户籍", "H-A11-1", "H1", "02", ""],
        )
        report = do_import("people", rows, acting_user=self.bob)
        problems = [(p.row, p.field) for p in report.problems]
        assert problems == [
            (4, "id_number"),
            (5, "id_number"),
            (6, "house_code"),
            (7, "residence_type"),
            (8, "relation"),
        ], report.as_text()
        assert "row 4, id_number: the check character" in report.as_text()
        assert "repeated (row 2)" in report.as_text() and "already has a head (row 2)" in report.as_text()
        assert not Person.objects.exists() and not report.written
        with translation.override("zh-hans"):
            chinese = do_import("people", rows, acting_user=self.bob).as_text()
        assert f"身份号码 {id_number(1)} 重复（与第 2 行相同）" in chinese, chinese
        kept = do_import("people", rows, acting_user=self.bob, skip_bad=True)
        assert kept.imported == 2 and Person.objects.count() == 2

    def test_outside_the_territory_is_an_unknown_house(self):
        report = do_import(
            "people", people_file(["陈伟", id_number(1), "户籍", "H-B11-1", "", "", ""]), acting_user=self.bob
        )
        assert report.problems[0].reason == "no house H-B11-1 in your territory"

    def test_a_dry_run_writes_nothing(self):
        report = do_import("people", people_file(*self.good_rows()), acting_user=self.alice, dry_run=True)
        assert report.imported == 2 and report.dry_run and not report.written and not Person.objects.exists()

    def test_the_command_reports_rows_and_exits_non_zero(self):
        path = Path(tempfile.mkdtemp()) / "people.csv"
        path.write_bytes(write_csv(PEOPLE_HEADER, [["陈伟", "330304198506010013", "户籍", "H-A11-1", "", "", ""]]))
        out = io.StringIO()
        with self.assertRaisesMessage(CommandError, "1 bad row(s)"):
            call_command("registry_import", "people", str(path), stdout=out, stderr=io.StringIO())
        assert "row 2, id_number: the check character" in out.getvalue()
        path.write_bytes(write_csv(PEOPLE_HEADER, self.good_rows()))
        call_command("registry_import", "people", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
        assert "dry run" in out.getvalue() and not Person.objects.exists()
        call_command("registry_import", "people", str(path), stdout=out, stderr=io.StringIO())
        assert Person.objects.count() == 2

    def test_bad_files_get_a_clear_message(self):
        gbk = "姓名,公民身份号码,人口类型,房屋编号\n陈伟,x,户籍,H\n".encode("gb18030")
        with self.assertRaisesMessage(FileError, "GBK/GB18030"):
            read_file("people", io.BytesIO(gbk), name="people.csv")
        assert read_file("people", io.BytesIO(gbk), name="people.csv", encoding="gb18030")[0][0][1]["name"] == "陈伟"
        with self.assertRaisesMessage(FileError, "not a readable .xlsx"):
            read_file("people", io.BytesIO(b"PK\x03\x04 broken"), name="people.xlsx")
        with self.assertRaisesMessage(FileError, "missing column(s): residence_type (人口类型)"):
            read_file("people", io.BytesIO("姓名,房屋编号\n陈伟,H\n".encode()), name="people.csv")

    def test_excel_numbers_that_lost_digits_are_explained(self):
        rows = people_file(["陈伟", 3.30304198506011e17, "户籍", "H-A11-1", "", "", ""])
        report = do_import("people", rows, acting_user=self.alice)
        assert "stored as a number in Excel" in report.problems[0].reason


class OtherKindsTests(RegistryTestCase):
    def test_houses_places_and_organisations_import(self):
        grid = self.h1.grid_id
        houses = write_csv(
            ["网格编码", "小区/自然村", "楼栋", "室", "房屋类别", "房屋用途"],
            [[grid, "南苑", "2", "301", "residential", "rented"]],
        )
        report = do_import("houses", read_file("houses", io.BytesIO(houses), name="h.csv")[0], acting_user=self.alice)
        assert report.imported == 1, report.as_text()
        orgs = write_csv(
            ["统一社会信用代码", "名称", "地址", "网格编码"],
            [["91110108551385082Q", "某公司", "某路1号", grid], ["91110108551385082R", "坏公司", "x", grid]],
        )
        report = do_import(
            "organisations",
            read_file("organisations", io.BytesIO(orgs), name="o.csv")[0],
            acting_user=self.alice,
            skip_bad=True,
        )
        assert report.imported == 1 and report.problems[0].field == "credit_code"
        assert Organisation.objects.get().kind == "company"
        places = write_csv(
            ["分类", "名称", "地址", "经度", "纬度", "责任人", "所属单位统一社会信用代码"],
            [["gas_station", "加油站", "某路2号", 120.05, 28.05, "张三", "91110108551385082Q"]],
        )
        report = do_import("places", read_file("places", io.BytesIO(places), name="p.csv")[0], acting_user=self.alice)
        place = Place.objects.get()
        assert (
            report.imported == 1 and place.kind == "hazard" and place.grid_id == grid and place.organisation is not None
        )


class ExportTests(RegistryTestCase):
    def test_an_export_needs_a_reason_is_logged_and_imports_back(self):
        do_import(
            "people",
            people_file(["陈伟", id_number(1), "户籍", "H-A11-1", "", "", "13812345678"]),
            acting_user=self.alice,
        )
        self.login("bob")
        assert self.client.post("/registry/export/people/", {"fmt": "csv", "purpose": ""}).status_code == 200
        assert not AccessLog.objects.exists()
        response = self.client.post(
            "/registry/export/people/", {"fmt": "csv", "purpose": "核对出租屋人员", "full": "on"}
        )
        body = response.content
        assert response["Content-Type"].startswith("text/csv") and id_number(1).encode() in body
        entry = AccessLog.objects.get()
        assert (
            entry.action == "export"
            and entry.count == 1
            and entry.purpose == "核对出租屋人员"
            and "full" in entry.scope
        )
        masked = self.client.post("/registry/export/people/", {"fmt": "xlsx", "purpose": "统计出租屋人口"}).content
        rows = read_file("people", io.BytesIO(masked), name="p.xlsx")[0]
        assert rows[0][1]["id_number"].count("*") == 10
        Person.objects.all().delete()
        again = do_import("people", read_file("people", io.BytesIO(body), name="p.csv")[0], acting_user=self.alice)
        assert again.imported == 1, again.as_text()

    def test_the_import_page_shows_the_row_report(self):
        self.login("bob")
        upload = SimpleUploadedFile("p.csv", write_csv(PEOPLE_HEADER, [["陈伟", "123", "户籍", "H-A11-1", "", "", ""]]))
        html = self.client.post(
            "/registry/import/", {"kind": "people", "encoding": "utf-8", "mode": "all", "file": upload}
        ).content.decode()
        assert "not 18 characters" in html and "Nothing was written" in html
        template = self.client.get("/registry/templates/people.xlsx")
        with self.assertRaisesMessage(FileError, "a header but no rows"):
            read_file("people", io.BytesIO(template.content), name="t.xlsx")

    def test_open_data_has_counts_and_no_personal_data(self):
        do_import(
            "people",
            people_file(["陈伟", id_number(1), "户籍", "H-A11-1", "", "", "13812345678"]),
            acting_user=self.alice,
        )
        table = exports.open_data()
        row = next(r for r in table if r[0] == self.h1.grid_id)
        assert row[3] == "<5" and row[11] == 2
        body = self.client.get("/open-data/registry-grids.csv").content.decode("utf-8-sig")
        assert "陈伟" not in body and id_number(1) not in body and self.h1.grid_id in body
