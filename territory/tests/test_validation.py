"""Bad input to the grid network gets a message naming the row and field, and nothing is half-written."""

from __future__ import annotations

import io
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from core.models import AuditEntry
from core.tabular import FileError, read_rows
from core.testing import DistrictTestCase, box, community_code, grid_code
from territory.actions import do_create_division, do_create_grid, do_update_grid
from territory.importers import do_import_divisions, do_import_grids, parse_feature_collection
from territory.models import Division, Grid


def feature(code: str, community: str, geometry, name: str = "新网格", kind: str = "residential") -> dict:
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"code": code, "name": name, "kind": kind, "community_code": community},
    }


class GridValidationTests(DistrictTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Free a strip of community A-1 by shrinking its second grid, so new grids have room.
        do_update_grid(
            Grid.objects.get(code=grid_code(0, 0, 1)), geometry=box(120.1, 28.0, 120.2, 28.05), acting_user="test"
        )

    def create(self, code="990100001001003", geometry=None, community=None, **kwargs):
        return do_create_grid(
            code=code,
            name=kwargs.pop("name", "新网格"),
            community_code=community or community_code(0, 0),
            geometry=geometry or box(120.1, 28.05, 120.2, 28.1),
            acting_user=self.alice,
            **kwargs,
        )

    def assert_rejected(self, field: str, words: str, **kwargs) -> None:
        before = (Grid.objects.count(), AuditEntry.objects.count())
        with self.assertRaises(ValidationError) as caught:
            self.create(**kwargs)
        assert words in " ".join(caught.exception.message_dict.get(field, [])), caught.exception.message_dict
        assert (Grid.objects.count(), AuditEntry.objects.count()) == before

    def test_a_good_grid_is_created_and_audited(self):
        grid = self.create()
        assert grid.area_m2 > 0 and grid.min_lon == 120.1
        entry = AuditEntry.objects.latest("seq")
        assert entry.action == "territory.create_grid" and entry.object_id == str(grid.pk) and entry.actor == self.alice

    def test_it_rejects_an_unclosed_ring(self):
        ring = [[120.1, 28.05], [120.2, 28.05], [120.2, 28.1], [120.1, 28.1]]
        self.assert_rejected(
            "geometry", "not closed", geometry={"type": "Polygon", "coordinates": [[*ring, [120.1, 28.06]]]}
        )

    def test_it_rejects_a_self_intersecting_polygon(self):
        bowtie = [[120.1, 28.05], [120.2, 28.1], [120.2, 28.05], [120.1, 28.1], [120.1, 28.05]]
        self.assert_rejected("geometry", "Self-intersection", geometry={"type": "Polygon", "coordinates": [bowtie]})

    def test_it_rejects_a_point(self):
        self.assert_rejected(
            "geometry", "Polygon or MultiPolygon", geometry={"type": "Point", "coordinates": [120.1, 28]}
        )

    def test_it_rejects_an_overlap_with_a_sibling(self):
        self.assert_rejected(
            "geometry", f"overlaps grid {grid_code(0, 0, 0)}", geometry=box(120.05, 28.05, 120.2, 28.1)
        )

    def test_it_rejects_a_grid_outside_its_community(self):
        self.assert_rejected("geometry", "lies outside A1社区", geometry=box(120.1, 28.05, 120.2, 28.15))

    def test_it_rejects_an_unknown_community(self):
        self.assert_rejected("community", "unknown community", community="990100001009", code="990100001009001")

    def test_it_rejects_a_duplicate_code(self):
        self.assert_rejected("code", "already exists", code=grid_code(0, 0, 0))

    def test_it_rejects_a_code_outside_the_community(self):
        self.assert_rejected("code", "must start with", code="990100002001003")

    def test_grid_changes_rebuild_the_point_index(self):
        from territory import index

        assert index.locate(120.15, 28.07) is None
        self.create()
        assert index.locate(120.15, 28.07).grid_code == "990100001001003"


class DivisionValidationTests(DistrictTestCase):
    def test_it_rejects_an_unknown_parent(self):
        with self.assertRaises(ValidationError) as caught:
            do_create_division(code="990100003", name="C街道", kind="street", parent_code="990199", acting_user="t")
        assert "unknown parent code '990199'" in caught.exception.message_dict["parent_code"][0]

    def test_it_rejects_a_wrong_level_parent(self):
        with self.assertRaises(ValidationError) as caught:
            do_create_division(
                code="990100001003", name="X社区", kind="community", parent_code="990100", acting_user="t"
            )
        assert "must be a street" in caught.exception.message_dict["parent_code"][0]


class ImportTests(DistrictTestCase):
    def rows(self, text: str, name="divisions.csv", encoding="utf-8"):
        return read_rows(io.BytesIO(text.encode(encoding)), name=name, required=("code", "name", "kind", "parent_code"))

    def test_division_csv_imports_parents_first(self):
        rows = self.rows(
            "code,name,kind,parent_code\n990100003001,C1社区,community,990100003\n990100003,C街道,street,990100\n"
        )
        report = do_import_divisions(rows, acting_user=self.alice)
        assert report.imported == 2 and not report.problems
        assert Division.objects.get(code="990100003001").parent.code == "990100003"

    def test_a_bad_row_means_nothing_is_written(self):
        rows = self.rows(
            "code,name,kind,parent_code\n990100003,C街道,street,990100\n990100004,,street,990100\n"
            "990100005,E街道,street,990199\n"
        )
        before = (Division.objects.count(), AuditEntry.objects.count())
        report = do_import_divisions(rows, acting_user=self.alice)
        assert [(p.row, p.field) for p in report.problems] == [(3, "name"), (4, "parent_code")]
        assert report.imported == 0 and not report.written
        assert (Division.objects.count(), AuditEntry.objects.count()) == before
        assert "row 4, parent_code: unknown parent code '990199'" in report.as_text()

    def test_skip_bad_imports_the_good_rows(self):
        rows = self.rows("code,name,kind,parent_code\n990100003,C街道,street,990100\n990100003,C街道,street,990100\n")
        report = do_import_divisions(rows, acting_user=self.alice, skip_bad=True)
        assert report.imported == 1 and report.problems[0].row == 3 and "already exists" in report.problems[0].reason

    def test_dry_run_writes_nothing(self):
        rows = self.rows("code,name,kind,parent_code\n990100003,C街道,street,990100\n")
        report = do_import_divisions(rows, acting_user=self.alice, dry_run=True)
        assert report.imported == 1 and not Division.objects.filter(code="990100003").exists()

    def test_gbk_csv_gets_a_clear_message(self):
        with self.assertRaises(FileError) as caught:
            self.rows("code,name,kind,parent_code\n990100003,C街道,street,990100\n", encoding="gbk")
        assert "not valid utf-8 text (line 2" in str(caught.exception) and "GB18030" in str(caught.exception)
        rows = read_rows(
            io.BytesIO("code,name,kind,parent_code\n990100003,C街道,street,990100\n".encode("gbk")),
            name="d.csv",
            encoding="gb18030",
        )
        assert rows[0][1]["name"] == "C街道"

    def test_xlsx_divisions_import(self):
        from core.tabular import write_xlsx

        data = write_xlsx("d", ["code", "name", "kind", "parent_code"], [["990100003", "C街道", "street", "990100"]])
        rows = read_rows(io.BytesIO(data), name="d.xlsx", required=("code", "name", "kind", "parent_code"))
        assert do_import_divisions(rows, acting_user=self.alice).imported == 1

    def test_missing_columns_are_named(self):
        with self.assertRaises(FileError) as caught:
            self.rows("code,title\n1,x\n")
        assert "missing column(s): name, kind, parent_code" in str(caught.exception)

    def test_malformed_geojson_is_refused_with_position(self):
        with self.assertRaises(FileError) as caught:
            parse_feature_collection(b'{"type": "FeatureCollection", "features": [}')
        assert "not valid JSON" in str(caught.exception) and "line 1" in str(caught.exception)
        with self.assertRaises(FileError):
            parse_feature_collection(b'{"type": "Feature"}')

    def test_grid_import_is_all_or_nothing_with_feature_numbers(self):
        Grid.objects.filter(code=grid_code(1, 1, 1)).delete()
        good = feature("990100002002002", community_code(1, 1), box(120.3, 28.1, 120.4, 28.2))
        overlapping = feature("990100002002003", community_code(1, 1), box(120.25, 28.1, 120.35, 28.2))
        report = do_import_grids([(1, good), (2, overlapping)], acting_user=self.alice)
        assert [(p.row, p.field) for p in report.problems] == [(2, "geometry")]
        assert not Grid.objects.filter(code="990100002002002").exists()
        report = do_import_grids([(1, good)], acting_user=self.alice)
        assert report.written and Grid.objects.filter(code="990100002002002").exists()

    def test_import_grids_command_reports_and_fails(self):
        path = Path(self.tmp()) / "grids.geojson"
        path.write_text(
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        feature("990100001001009", community_code(0, 0), {"type": "Polygon", "coordinates": [[[1, 2]]]})
                    ],
                }
            )
        )
        out = io.StringIO()
        with self.assertRaisesMessage(CommandError, "1 bad feature(s); nothing imported"):
            call_command("import_grids", str(path), stdout=out)
        assert "feature 1, geometry: polygon 1 ring 1: a ring needs at least 4 positions" in out.getvalue()

    def test_export_then_import_round_trips(self):
        out = Path(self.tmp())
        call_command("export_territory", str(out), stdout=io.StringIO())
        features = parse_feature_collection((out / "grids.geojson").read_bytes())
        assert len(features) == 8
        report = do_import_grids(features, acting_user=self.alice, dry_run=True)
        assert {p.field for p in report.problems} == {"code"}  # every grid exists already, nothing else is wrong
        rows = read_rows(out / "divisions.xlsx", required=("code", "name", "kind", "parent_code"))
        assert len(rows) == 7

    def tmp(self) -> str:
        import tempfile

        folder = tempfile.mkdtemp()
        self.addCleanup(__import__("shutil").rmtree, folder)
        return folder


class ImportPageTests(DistrictTestCase):
    def upload(self, content: bytes, name: str, **fields):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {
            "kind": "divisions",
            "encoding": "utf-8",
            "mode": "all",
            **fields,
            "file": SimpleUploadedFile(name, content),
        }
        return self.client.post("/import/", data)

    def test_only_administrators_may_import(self):
        self.login("bob")
        assert self.client.get("/import/").status_code == 403

    def test_the_page_reports_bad_rows_and_writes_nothing(self):
        self.login("alice")
        response = self.upload(
            b"code,name,kind,parent_code\n990100003,C\xe8\xa1\x97\xe9\x81\x93,street,990100\n"
            b"990100004,D,street,990177\n",
            "d.csv",
        )
        html = response.content.decode()
        assert "unknown parent code &#x27;990177&#x27;" in html and "Nothing was written" in html
        assert not Division.objects.filter(code="990100003").exists()

    def test_the_page_explains_a_wrong_encoding(self):
        self.login("alice")
        html = self.upload("code,name,kind,parent_code\n990100003,C街道,street,990100\n".encode("gbk"), "d.csv")
        assert "GB18030" in html.content.decode()
        self.upload(
            "code,name,kind,parent_code\n990100003,C街道,street,990100\n".encode("gbk"), "d.csv", encoding="gb18030"
        )
        assert Division.objects.get(code="990100003").name == "C街道"
