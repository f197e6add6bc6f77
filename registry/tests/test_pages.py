"""Registry pages: scoped like every page (404 outside the territory), masked by default, unmasking logged."""

from __future__ import annotations

from core.testing import ScopedViewTests
from registry import actions
from registry.models import AccessLog, Person
from registry.testing import RegistryTestCase, id_number


def resident(house, n=1, **extra):
    data = {"name": "陈伟", "id_number": id_number(n), "phone": "13812345678", "residence_type": "registered", **extra}
    return actions.do_register_person(data, house, acting_user="test")


class PersonPageTests(ScopedViewTests, RegistryTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.inside = resident(cls.h1, 1)
        cls.outside = resident(cls.h3, 2, name="林芳")

    def url_inside(self):
        return f"/registry/people/{self.inside.pk}/"

    def url_outside(self):
        return f"/registry/people/{self.outside.pk}/"

    def url_missing(self):
        return "/registry/people/999999/"

    def test_identity_number_and_phone_are_masked(self):
        self.login("carol")
        html = self.client.get(self.url_inside()).content.decode()
        number = self.inside.id_number
        assert number not in html and f"{number[:4]}**********{number[-4:]}" in html
        assert "13812345678" not in html and "138****5678" in html

    def test_unmasking_shows_the_number_and_writes_the_access_log(self):
        self.login("carol")
        response = self.client.post(f"/registry/people/{self.inside.pk}/unmask/", {"purpose": "verify identity"})
        assert self.inside.id_number in response.content.decode()
        entry = AccessLog.objects.get()
        assert entry.user == self.carol and entry.action == "unmask" and entry.object_id == str(self.inside.pk)
        assert entry.purpose == "verify identity"

    def test_leaders_read_masked_but_cannot_unmask(self):
        self.login("leo")
        assert self.client.get(self.url_inside()).status_code == 200
        assert self.client.post(f"/registry/people/{self.inside.pk}/unmask/", {"purpose": "case"}).status_code == 403
        assert not AccessLog.objects.exists()

    def test_key_person_labels_are_hidden_from_grid_workers(self):
        actions.do_add_label(self.inside, "community_correction", acting_user=self.bob)
        actions.do_add_label(self.inside, "disabled", acting_user=self.bob)
        self.login("carol")
        html = self.client.get(self.url_inside()).content.decode()
        assert "Disabled" in html and "community correction" not in html
        self.login("bob")
        assert "community correction" in self.client.get(self.url_inside()).content.decode()


class ListAndSearchTests(RegistryTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.p1 = resident(cls.h1, 1, name="陈伟")
        cls.p2 = resident(cls.h3, 2, name="陈静", phone="13987654321")

    def test_search_finds_by_number_phone_and_name_inside_the_territory(self):
        self.login("carol")
        for query in (self.p1.id_number, "13812345678", "陈"):
            html = self.client.get("/registry/search/", {"q": query}).content.decode()
            assert f"/registry/people/{self.p1.pk}/" in html and f"/registry/people/{self.p2.pk}/" not in html
        self.login("alice")
        html = self.client.get("/registry/search/", {"q": "1398765"}).content.decode()
        assert f"/registry/people/{self.p2.pk}/" in html

    def test_every_list_and_the_overview_render(self):
        self.login("alice")
        for url in (
            "/registry/",
            "/registry/people/",
            "/registry/houses/",
            "/registry/places/",
            "/registry/organisations/",
            "/registry/places/map/",
            "/registry/duplicates/",
            "/registry/access-log/",
            "/registry/import/",
            f"/registry/houses/{self.h1.pk}/",
            f"/registry/houses/{self.h1.pk}/move-in/",
            "/registry/houses/new/",
            "/registry/places/new/",
            "/registry/organisations/new/",
            f"/registry/people/{self.p1.pk}/edit/",
            "/registry/export/people/",
            "/open-data/",
        ):
            response = self.client.get(url)
            assert response.status_code == 200, (url, response.status_code)

    def test_residents_have_no_registry(self):
        self.login("frank")
        assert self.client.get("/registry/people/").status_code == 403
        assert Person.objects.count() == 2
