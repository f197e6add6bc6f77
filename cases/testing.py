"""Fixtures for case tests: the test district plus the category tree and a few helpers."""

from __future__ import annotations

from typing import Any, ClassVar

from cases.categories import build_categories
from cases.intake import IntakeData, intake
from cases.models import Case, Category
from core.testing import DistrictTestCase
from territory.models import Department, Division


def build_case_fixtures() -> dict[str, Any]:
    """On top of the test district (core.testing.build_test_district): two departments and the category tree."""
    district = Division.objects.get(code="990100")
    zjj = Department.objects.create(code="test-zjj", name="区住建局", division=district)
    sthjj = Department.objects.create(code="test-sthjj", name="区生态环境分局", division=district)
    build_categories(departments=[zjj, sthjj], acting_user="test")
    return {
        "zjj": zjj,
        "sthjj": sthjj,
        "noise": Category.objects.get(name="噪音污染", parent__parent__name="环境保护"),
        "streetlight": Category.objects.get(name="城市公共设施"),
    }


class CaseTestCase(DistrictTestCase):
    zjj: ClassVar[Department]
    sthjj: ClassVar[Department]
    noise: ClassVar[Category]
    streetlight: ClassVar[Category]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for name, value in build_case_fixtures().items():
            setattr(cls, name, value)

    def report(self, *, actor: Any = None, **fields: Any) -> Case:
        data = {
            "channel": "resident_web",
            "description": "楼下烧烤店每晚噪音扰民到凌晨两点",
            "category_code": self.noise.code,
            "lon": 120.05,
            "lat": 28.05,
            "reporter_name": "王女士",
            "reporter_phone": "13812345678",
            **fields,
        }
        case, _ = intake(IntakeData(**data), acting_user=actor or self.users["frank"])
        return case
