"""The registry API: masked, scoped (404 outside), unmasking needs the permission and a purpose and is logged."""

from __future__ import annotations

from core.testing import ScopedViewTests
from registry import actions
from registry.models import AccessLog
from registry.testing import RegistryTestCase, id_number


class PersonApiTests(ScopedViewTests, RegistryTestCase):
    anonymous_status = 401

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        data = {"name": "陈伟", "id_number": id_number(1), "phone": "13812345678", "residence_type": "registered"}
        cls.inside = actions.do_register_person(data, cls.h1, acting_user="test")
        cls.outside = actions.do_register_person({**data, "id_number": id_number(2)}, cls.h3, acting_user="test")

    def url_inside(self):
        return f"/api/v1/registry/people/{self.inside.pk}"

    def url_outside(self):
        return f"/api/v1/registry/people/{self.outside.pk}"

    def url_missing(self):
        return "/api/v1/registry/people/999999"

    def test_lists_are_masked_and_unmasking_is_logged(self):
        self.login("carol")
        rows = self.client.get("/api/v1/registry/people", {"q": "陈"}).json()
        assert [r["id"] for r in rows] == [self.inside.pk] and rows[0]["id_number"].count("*") == 10
        url = f"/api/v1/registry/people/{self.inside.pk}/unmask"
        assert self.client.post(url, {"purpose": ""}, content_type="application/json").status_code == 400
        full = self.client.post(url, {"purpose": "verify identity"}, content_type="application/json").json()
        assert full["id_number"] == self.inside.id_number and AccessLog.objects.count() == 1
        self.login("leo")
        assert self.client.post(url, {"purpose": "x"}, content_type="application/json").status_code == 403

    def test_open_data_is_public(self):
        body = self.client.get("/api/v1/open-data/registry-grids").json()
        assert body["fields"][0] == "grid_code" and len(body["rows"]) == 8
