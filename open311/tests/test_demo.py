from __future__ import annotations

from django.test import TestCase

from cases.categories import build_categories
from open311 import catalog
from open311.demo import seed_open311_demo


class DemoServicesTests(TestCase):
    def test_the_demo_offers_street_level_services_with_form_fields(self):
        build_categories(acting_user="test")
        offered = seed_open311_demo()
        services = catalog.services()
        self.assertEqual(len(services), offered)
        self.assertTrue(50 <= offered <= 120, offered)
        names = {s.category.name for s in services.values()}
        self.assertTrue({"噪音污染", "违章建筑", "城市公共设施", "交通安全管理"} <= names)
        self.assertFalse({"刑案侦破", "贪污贿赂", "党的建设"} & {s.category.parent.name for s in services.values()})
        noise = next(s for s in services.values() if s.category.name == "噪音污染")
        self.assertEqual([a["code"] for a in catalog.definition(noise)["attributes"]], ["source", "when"])
        self.assertTrue(all(s.moderated == (s.category.name == "其他") for s in services.values()))
        gas = next(s for s in services.values() if s.category.name == "燃气供应")
        self.assertFalse(catalog.definition(gas)["attributes"][0]["variable"])
        self.assertEqual(seed_open311_demo(), 0)  # idempotent
