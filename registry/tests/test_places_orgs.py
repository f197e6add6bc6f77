"""Places and things with inspections, organisations from registration to cancellation, house grading rules."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.test import override_settings

from registry import actions, classify
from registry.choices import Colour
from registry.models import Event, Inspection
from registry.testing import RegistryTestCase, id_number


class PlaceTests(RegistryTestCase):
    def place(self, **extra):
        data = {
            "category": "gas_station",
            "name": "中石化加油站",
            "address": "某路1号",
            "lon": 120.05,
            "lat": 28.05,
            "responsible_name": "张三",
            "responsible_phone": "13812345678",
            "risk_level": "high",
            **extra,
        }
        return actions.do_register_place(data, acting_user=self.carol)

    def test_a_hazard_is_placed_in_its_grid_and_inspected(self):
        place = self.place()
        assert place.kind == "hazard" and place.grid_id == self.h1.grid_id
        with self.assertRaisesMessage(ValidationError, "describe the hazard"):
            actions.do_record_inspection(place, result="hazard", acting_user=self.carol)
        actions.do_record_inspection(
            place,
            result="hazard",
            findings="消防器材过期",
            date="2025-05-01",
            next_due="2025-06-01",
            acting_user=self.carol,
        )
        place.refresh_from_db()
        assert place.last_inspected_on == dt.date(2025, 5, 1) and place.next_inspection_due == dt.date(2025, 6, 1)
        assert Inspection.objects.get().inspector == self.carol
        actions.do_close_place(place, reason="停业", acting_user=self.carol)
        with self.assertRaisesMessage(ValidationError, "closed"):
            actions.do_record_inspection(place, result="passed", acting_user=self.carol)

    def test_a_category_of_another_kind_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "is a key_place"):
            self.place(category="school", kind="hazard")

    def test_the_inspection_page_records_one(self):
        place = self.place()
        self.login("carol")
        response = self.client.post(f"/registry/places/{place.pk}/", {"result": "passed", "date": "2025-05-02"})
        assert response.status_code == 302 and place.inspections.count() == 1
        assert self.client.get("/registry/places/map.json").json()["features"][0]["properties"]["kind"] == "hazard"


class OrganisationTests(RegistryTestCase):
    def test_from_registration_to_cancellation(self):
        org = actions.do_register_organisation(
            {
                "credit_code": "9144030071526726XG",
                "name": "某科技有限公司",
                "address": "某路2号",
                "house_code": "H-A11-1",
                "legal_rep_id_number": id_number(3),
            },
            acting_user=self.carol,
        )
        assert org.grid_id == self.h1.grid_id and org.house == self.h1 and org.kind == "company"
        with self.assertRaisesMessage(ValidationError, "already registered"):
            actions.do_register_organisation(
                {"credit_code": "9144030071526726XG", "name": "x", "address": "y", "grid_code": self.h1.grid_id},
                acting_user=self.carol,
            )
        self.login("carol")
        response = self.client.post(
            f"/registry/organisations/{org.pk}/edit/",
            {"name": "某科技有限公司", "address": "某路3号", "employees": "12"},
        )
        org.refresh_from_db()
        assert response.status_code == 302 and org.address == "某路3号" and org.employees == 12
        actions.do_end_organisation(org, status="cancelled", reason="股东决议解散", acting_user=self.carol)
        with self.assertRaisesMessage(ValidationError, "already"):
            actions.do_end_organisation(org, status="revoked", acting_user=self.carol)
        kinds = list(Event.objects.filter(organisation=org).values_list("kind", flat=True))
        assert sorted(kinds) == ["cancel", "change", "register"]

    def test_a_wrong_credit_code_is_named(self):
        with self.assertRaisesMessage(ValidationError, "should be G"):
            actions.do_register_organisation(
                {"credit_code": "9144030071526726XQ", "name": "x", "address": "y", "grid_code": self.h1.grid_id},
                acting_user=self.carol,
            )


class GradingTests(RegistryTestCase):
    def test_the_default_rules(self):
        occ = classify.Occupancy
        assert classify.grade("residential", "rented", 80, occ(12, 12))[:2] == (1, Colour.RED)
        assert classify.grade("mixed", "commercial", 200, occ(1, 0))[:2] == (1, Colour.RED)
        assert classify.grade("residential", "rented", 80, occ(3, 3))[:2] == (2, Colour.YELLOW)
        assert classify.grade("residential", "own", 80, occ(3, 0))[:2] == (3, Colour.GREEN)
        assert classify.grade("residential", "own", 20, occ(6, 0))[:2] == (1, Colour.RED)

    @override_settings(REGISTRY_HOUSE_RULES=[{"grade": 2, "if": {"use": ["vacant"]}, "why": "空置"}])
    def test_rules_come_from_settings(self):
        assert classify.grade("residential", "vacant", None, classify.Occupancy()) == (2, Colour.YELLOW, "空置")
