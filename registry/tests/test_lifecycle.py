"""Lifecycle actions: a family moves into a rented flat, a baby is born, people move out and die; each change
is an event on the timeline and an audit entry; bad input is named by field and nothing is half-written."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEntry
from registry import actions
from registry.choices import Colour, EventKind, HouseStatus, HouseUse, PersonStatus
from registry.models import Event, House, Household, MergeCandidate, Person, Tenancy
from registry.testing import RegistryTestCase, id_number


def member(n: int, name: str, **extra):
    return {"name": name, "id_number": id_number(n), "residence_type": "floating", "phone": "13812345678", **extra}


class FamilyMovesInTests(RegistryTestCase):
    def test_a_family_moving_into_a_rented_flat_becomes_its_tenants(self):
        household = actions.do_move_in_household(
            self.h2,
            [
                member(1, "陈伟"),
                member(2, "林芳", relation="10"),
                {"name": "陈小宇", "birth_date": "2019-03-01", "residence_type": "floating"},
            ],
            rent=True,
            start_date="2025-03-01",
            acting_user=self.carol,
        )
        people = list(household.members.order_by("id"))
        assert [p.relation for p in people] == ["02", "10", ""]
        assert people[2].id_number is None and people[0].birth_date == dt.date(1985, 6, 1)
        self.h2.refresh_from_db()
        assert self.h2.use == HouseUse.RENTED and self.h2.colour == Colour.YELLOW
        tenancy = Tenancy.objects.get(house=self.h2)
        assert tenancy.household == household and tenancy.end_date is None
        kinds = set(Event.objects.values_list("kind", flat=True))
        assert kinds == {EventKind.MOVE_IN, EventKind.RENT}
        assert AuditEntry.objects.filter(action="registry.register_person").count() == 3

        for person in people:
            actions.do_move_out(person, date="2025-09-01", acting_user=self.carol)
        self.h2.refresh_from_db()
        tenancy.refresh_from_db()
        assert self.h2.use == HouseUse.VACANT and tenancy.end_date == dt.date(2025, 9, 1)
        assert self.h2.colour == Colour.GREEN

    def test_a_bad_member_names_the_member_and_writes_nothing(self):
        with self.assertRaises(ValidationError) as caught:
            actions.do_move_in_household(
                self.h2, [member(1, "陈伟"), member(2, "林芳", id_number="330304198506010012")], acting_user=self.carol
            )
        assert "member 2: the check character" in str(caught.exception.message_dict["id_number"])
        assert not Person.objects.exists() and not Household.objects.exists()

    def test_the_same_identity_number_cannot_be_two_people(self):
        actions.do_register_person(member(1, "陈伟"), self.h1, acting_user=self.carol)
        with self.assertRaisesMessage(ValidationError, "already registered"):
            actions.do_register_person(member(1, "陈伟"), self.h1, acting_user=self.carol)

    def test_same_name_birth_and_house_is_flagged_for_merging(self):
        first = actions.do_register_person(
            {"name": "王小明", "birth_date": "2015-05-05", "residence_type": "registered"},
            self.h1,
            acting_user=self.carol,
        )
        second = actions.do_register_person(
            {"name": "王小明", "birth_date": "2015-05-05", "residence_type": "registered"},
            self.h1,
            acting_user=self.carol,
        )
        candidate = MergeCandidate.objects.get()
        assert {candidate.person_id, candidate.other_id} == {first.pk, second.pk}
        actions.do_merge(candidate, keep=first, acting_user=self.bob)
        second.refresh_from_db()
        assert second.status == PersonStatus.MERGED and second.merged_into == first

    def test_a_grid_worker_cannot_register_outside_their_grids(self):
        with self.assertRaisesMessage(ValidationError, "no house H-B11-1 in your territory"):
            actions.do_register_person(member(1, "陈伟"), self.h3, acting_user=self.carol)

    def test_residents_cannot_register_anyone(self):
        with self.assertRaises(PermissionDenied):
            actions.do_register_person(member(1, "陈伟"), self.h1, acting_user=self.frank)


class BirthAndDeathTests(RegistryTestCase):
    def test_a_birth_joins_the_parents_household_and_a_death_ends_the_labels(self):
        household = actions.do_move_in_household(self.h1, [member(1, "陈伟")], acting_user=self.carol)
        father = household.members.get()
        child = actions.do_record_birth(
            father, {"name": "陈小宝", "sex": "2", "birth_date": "2025-01-02"}, acting_user=self.carol
        )
        assert child.household == household and child.relation == "30" and child.residence_type == "floating"
        label = actions.do_add_label(father, "disabled", acting_user=self.carol)
        actions.do_record_death(father, date="2025-06-01", acting_user=self.carol)
        label.refresh_from_db()
        father.refresh_from_db()
        assert father.status == PersonStatus.DECEASED and label.until == dt.date(2025, 6, 1)
        with self.assertRaisesMessage(ValidationError, "not living here"):
            actions.do_move_out(father, acting_user=self.carol)

    def test_grid_workers_may_not_add_key_person_labels(self):
        person = actions.do_register_person(member(1, "陈伟"), self.h1, acting_user=self.carol)
        with self.assertRaises(PermissionDenied):
            actions.do_add_label(person, "drug_user", acting_user=self.carol)
        actions.do_add_label(person, "drug_user", acting_user=self.bob)


class HouseLifecycleTests(RegistryTestCase):
    def test_from_planning_to_demolition(self):
        house = actions.do_register_house(
            {
                "grid_code": self.h1.grid_id,
                "estate": "新城",
                "building": "9",
                "room": "1",
                "house_type": "residential",
                "use": "vacant",
                "status": "planned",
            },
            acting_user=self.bob,
        )
        assert house.code == f"{self.h1.grid_id}00001"
        actions.do_advance_house(house, to=HouseStatus.BUILDING, acting_user=self.bob)
        with self.assertRaisesMessage(ValidationError, "cannot become"):
            actions.do_advance_house(house, to=HouseStatus.BUILDING, acting_user=self.bob)
        actions.do_advance_house(house, to=HouseStatus.IN_USE, acting_user=self.bob)
        actions.do_advance_house(house, to=HouseStatus.DEMOLISHED, acting_user=self.bob)
        assert list(Event.objects.filter(house=house).order_by("id").values_list("kind", flat=True)) == [
            "plan",
            "build",
            "complete",
            "demolish",
        ]

    def test_a_house_with_residents_cannot_be_demolished(self):
        actions.do_register_person(member(1, "陈伟"), self.h1, acting_user=self.carol)
        with self.assertRaisesMessage(ValidationError, "still live"):
            actions.do_advance_house(self.h1, to=HouseStatus.DEMOLISHED, acting_user=self.bob)

    def test_a_point_outside_its_grid_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "the point lies in grid"):
            actions.do_register_house(
                {
                    "grid_code": self.h1.grid_id,
                    "lon": 120.35,
                    "lat": 28.15,
                    "address": "某路1号",
                    "house_type": "residential",
                    "use": "own",
                },
                acting_user=self.alice,
            )
        with self.assertRaisesMessage(ValidationError, "unknown grid"):
            actions.do_register_house(
                {"grid_code": "990100009009009", "address": "某路1号", "house_type": "residential", "use": "own"},
                acting_user=self.alice,
            )
        assert House.objects.count() == 3
