"""The demo seed: houses inside their grid's polygon, valid identifiers, households with one head, tenancies for
rented houses, one summarising audit entry per batch, and a second run that does nothing."""

from __future__ import annotations

import shapely

from core import audit
from core.models import AuditEntry
from core.testing import DistrictTestCase
from registry import writers
from registry.demo import seed_registry
from registry.models import House, Household, Organisation, Person, Place, Tenancy
from registry.validators import check_credit_code, check_identity_number
from territory.geo import parse_polygon
from territory.models import Division, Grid


class DemoSeedTests(DistrictTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.stats = seed_registry(Division.objects.get(level="district"), residents=600, seed=3)

    def test_counts_are_about_what_was_asked(self):
        assert 600 <= self.stats.people <= 700 and Person.objects.count() == self.stats.people
        assert (
            self.stats.houses > self.stats.households > 150 and Organisation.objects.exists() and Place.objects.exists()
        )

    def test_every_house_place_and_organisation_lies_in_its_grid(self):
        polygons = {g.code: parse_polygon(g.geometry) for g in Grid.objects.all()}
        for model in (House, Place, Organisation):
            for code, lon, lat in model.objects.values_list("grid_id", "lon", "lat"):
                assert shapely.contains_xy(polygons[code], lon, lat), (model, code, lon, lat)
        assert not Person.objects.exclude(grid_id=models_f("house__grid_id")).exists()

    def test_identifiers_pass_their_checksums_and_households_have_one_head(self):
        for number, birth, sex in Person.objects.values_list("id_number", "birth_date", "sex")[:300]:
            facts = check_identity_number(number)
            assert facts.birth_date == birth and facts.sex == sex
        for code in Organisation.objects.values_list("credit_code", flat=True)[:100]:
            check_credit_code(code)
        for household in Household.objects.all()[:100]:
            assert household.members.filter(relation="02").count() == 1
        rented = House.objects.filter(use="rented")
        assert (
            rented.exists()
            and Tenancy.objects.filter(house__in=rented, end_date__isnull=True).count() == rented.count()
        )

    def test_bulk_audit_entries_cover_every_person_and_verify(self):
        entries = AuditEntry.objects.filter(action="registry.seed_person.bulk")
        assert sum(e.after["count"] for e in entries) == Person.objects.count()
        first = entries.first()
        assert writers.bulk_digest(Person, first.after["ids"]) == first.after["sha256"]
        assert audit.verify().ok

    def test_a_second_run_does_nothing(self):
        again = seed_registry(Division.objects.get(level="district"), residents=600, seed=3)
        assert again.skipped and Person.objects.count() == self.stats.people


def models_f(name: str):
    from django.db.models import F

    return F(name)
