"""Fixtures for case tests: the test district plus the category tree and a few helpers."""

from __future__ import annotations

from typing import Any, ClassVar

from cases.categories import build_categories
from cases.intake import IntakeData, intake
from cases.models import Case, Category
from core.testing import DistrictTestCase
from territory.models import Department, Division


class CaseTestCase(DistrictTestCase):
    zjj: ClassVar[Department]
    sthjj: ClassVar[Department]
    noise: ClassVar[Category]
    streetlight: ClassVar[Category]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        district = Division.objects.get(code="990100")
        cls.zjj = Department.objects.create(code="test-zjj", name="区住建局", division=district)
        cls.sthjj = Department.objects.create(code="test-sthjj", name="区生态环境分局", division=district)
        build_categories(departments=[cls.zjj, cls.sthjj], acting_user="test")
        cls.noise = Category.objects.get(name="噪音污染", parent__parent__name="环境保护")
        cls.streetlight = Category.objects.get(name="城市公共设施")

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
