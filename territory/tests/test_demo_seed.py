"""seed_demo builds a district that tiles its real boundary, with staff for every grid; a second run reuses it."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from accounts.models import User
from accounts.roles import Role
from core import audit
from territory.coverage import coverage_problems
from territory.models import AdmissionItem, Department, Division, Grid, GridAssignment


class SeedDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.out = StringIO()
        call_command("seed_demo", "--grids", "60", "--communities", "30", "--history-days", "0", stdout=cls.out)

    def test_the_real_district_and_its_thirteen_streets(self):
        district = Division.objects.get(code="330304")
        assert district.name == "瓯海区" and 440 < district.area_km2 < 490
        streets = Division.objects.filter(parent=district)
        assert streets.count() == 13 and streets.filter(name="泽雅镇", kind="town").exists()
        assert Division.objects.filter(level="community").count() == 30 and Grid.objects.count() == 60

    def test_every_level_tiles_its_parent(self):
        assert coverage_problems() == []

    def test_every_grid_has_a_full_time_worker_and_a_leader(self):
        for grid in Grid.objects.all():
            roles = set(GridAssignment.objects.filter(grid=grid).values_list("role", flat=True))
            assert {"full_time", "leader"} <= roles, grid.code

    def test_departments_accounts_and_named_logins(self):
        assert Department.objects.count() >= 25
        assert User.objects.filter(role__in=[Role.DEPARTMENT_HANDLER, Role.STREET_COMMAND]).count() >= 250
        for username in ("admin", "leader", "district", "street", "community", "gridworker", "dept", "hotline"):
            assert User.objects.get(username=username).check_password("fengqiao")
        worker = User.objects.get(username="gridworker")
        assert len(worker.territory_prefixes()) == 1 and len(worker.territory_prefixes()[0]) == 15
        assert "gridworker" in self.out.getvalue() and "http" not in self.out.getvalue()

    def test_the_admission_list_has_the_four_and_x_items(self):
        assert AdmissionItem.objects.filter(is_standing=True).count() == 4
        assert set(AdmissionItem.objects.filter(is_standing=False).values_list("status", flat=True)) == {
            "approved",
            "requested",
            "rejected",
        }

    def test_everything_was_written_through_audited_actions(self):
        assert audit.verify().ok
        from core.models import AuditEntry

        assert AuditEntry.objects.filter(action="territory.create_grid").count() == 60

    def test_a_second_run_reuses_the_district(self):
        out = StringIO()
        call_command("seed_demo", "--grids", "60", "--communities", "30", "--history-days", "0", stdout=out)
        assert "reusing existing demo district" in out.getvalue() and Grid.objects.count() == 60


class SecondDistrictTests(TestCase):
    def test_another_district_from_its_boundary_and_streets(self):
        from pathlib import Path

        data = Path(__file__).resolve().parent.parent / "data"
        call_command("seed_demo", "--grids", "40", "--communities", "30", "--history-days", "0", stdout=StringIO())
        call_command(
            "seed_demo",
            "--boundary",
            str(data / "330681.geojson"),
            "--grids",
            "60",
            "--communities",
            "50",
            "--history-days",
            "0",
            stdout=StringIO(),
        )
        zhuji = Division.objects.get(code="330681")
        assert zhuji.name == "诸暨市" and Division.objects.filter(parent=zhuji).count() == 23
        assert Grid.objects.filter(code__startswith="330681").count() == 60
        assert AdmissionItem.objects.filter(district=zhuji, is_standing=True).count() == 4
        assert coverage_problems() == []


class DemoCaseSetupTests(TestCase):
    def test_the_demo_can_take_cases_at_once(self):
        from cases.intake import IntakeData, intake
        from cases.models import Category, RoutingRule

        call_command("seed_demo", "--grids", "40", "--communities", "30", "--history-days", "0", stdout=StringIO())
        assert Category.objects.filter(depth=3).count() > 300 and RoutingRule.objects.count() == 8
        grid = Grid.objects.order_by("code").first()
        noise = Category.objects.get(name="噪音污染", depth=3)
        case, _ = intake(
            IntakeData(
                channel="resident_web",
                description="噪音",
                category_code=noise.code,
                lon=grid.centroid_lon,
                lat=grid.centroid_lat,
            ),
            acting_user="test",
        )
        assert case.level == "department" and case.holder_department.name == "区生态环境分局"
