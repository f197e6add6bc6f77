"""Every write to the registry from a form or the API: one transaction, one audit entry per object changed, and
a lifecycle event on the timeline of what changed. Imports use the same checks through registry.writers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actions import action
from registry import choices as c
from registry import rows as row_checks
from registry import writers
from registry.models import (
    Event,
    House,
    Household,
    Inspection,
    MergeCandidate,
    Organisation,
    Person,
    PersonLabel,
    Place,
    Tenancy,
)

E = c.EventKind


def _one(prepared: list, report: writers.RegistryReport) -> Any:
    if report.problems:
        raise ValidationError({p.field: p.reason for p in report.problems})
    return prepared[0]


def _date(value: Any, field: str = "date") -> dt.date:
    try:
        day = row_checks.date_value(value) if value not in (None, "") else timezone.localdate()
    except ValueError as exc:
        raise ValidationError({field: str(exc)}) from None
    assert day is not None
    return day


def _lock(obj: Any) -> Any:
    return type(obj).objects.select_for_update().get(pk=obj.pk)


# People and households --------------------------------------------------------------------------------------


@action
def do_register_person(data: Mapping[str, Any], house: House, *, acting_user: Any, note: str = "") -> Person:
    """One person moving into (or found living in) a house."""
    return _register([data], house, acting_user=acting_user, note=note)[0]


@action
def do_move_in_household(
    house: House,
    members: Sequence[Mapping[str, Any]],
    *,
    acting_user: Any,
    rent: bool = False,
    start_date: Any = None,
    purpose: str = c.TenancyPurpose.LIVING,
    contract_no: str = "",
) -> Household:
    """A family moving into a house, as a new household; when `rent`, its tenancy is registered (出租登记)."""
    if not members:
        raise ValidationError({"members": _("add at least one member")})
    start = _date(start_date, "start_date")
    number = _household_number(house)
    rows: list[dict[str, Any]] = [dict(m, household_number=number) for m in members]
    if not any(m.get("relation") in (c.Relation.HEAD, "02") for m in rows):
        rows[0]["relation"] = c.Relation.HEAD
    for row in rows:
        row.setdefault("since", start)
    people = _register(rows, house, acting_user=acting_user, note="", number_rows=True)
    household = people[0].household
    assert household is not None
    if rent:
        house = _lock(house)
        before = audit.snapshot(house)
        tenancy = Tenancy.objects.create(
            house=house, household=household, start_date=start, purpose=purpose, contract_no=contract_no
        )
        house.use = c.HouseUse.RENTED
        house.save(update_fields=["use", "updated_at"])
        writers.regrade_houses([house.pk])
        house.refresh_from_db()
        audit.record("registry.rent_house", actor=acting_user, obj=tenancy, before=before, after=audit.snapshot(house))
        writers.event(
            E.RENT,
            start,
            user=acting_user,
            house=house,
            detail={"household": household.number, "tenants": [p.name for p in people]},
        )
    return household


def _household_number(house: House) -> str:
    n = Household.objects.filter(house=house).count() + 1
    while Household.objects.filter(number=f"H{house.code}-{n}").exists():
        n += 1
    return f"H{house.code}-{n}"


def _register(
    rows: Sequence[Mapping[str, Any]], house: House, *, acting_user: Any, note: str, number_rows: bool = False
) -> list[Person]:
    _require(acting_user, "registry.add_person")
    report = writers.RegistryReport("people")
    numbered = [(i, dict(row, house_code=house.code)) for i, row in enumerate(rows, start=1)]
    prepared = writers.prepare_people(numbered, writers.Context(acting_user), report)
    if report.problems:
        prefix = (lambda p: f"member {p.row}: ") if number_rows and len(rows) > 1 else (lambda p: "")
        errors: dict[str, list[str]] = {}
        for p in report.problems:
            errors.setdefault(p.field, []).append(f"{prefix(p)}{p.reason}")
        raise ValidationError(errors)
    people, _report = writers.write_people(prepared, acting_user=acting_user, source=c.Source.FORM, audit_each=True)
    for person in people:
        writers.event(
            E.MOVE_IN,
            person.since,
            user=acting_user,
            person=person,
            house=house,
            note=note,
            detail={"name": person.name},
        )
    return people


@action
def do_record_birth(parent: Person, data: Mapping[str, Any], *, acting_user: Any) -> Person:
    parent = _lock(parent)
    if parent.status != c.PersonStatus.LIVING:
        raise ValidationError({"parent": _("the parent is not living here")})
    birth = _date(data.get("birth_date"), "birth_date")
    row = dict(data, birth_date=birth, since=birth, residence_type=parent.residence_type)
    if parent.household is not None:
        row["household_number"] = parent.household.number
        row["relation"] = _child_relation(parent, data.get("sex", ""))
    report = writers.RegistryReport("people")
    prepared = writers.prepare_people(
        [(1, dict(row, house_code=parent.house.code))], writers.Context(acting_user), report
    )
    child_spec = _one(prepared, report)
    (child,), _report = writers.write_people(
        [child_spec], acting_user=acting_user, source=c.Source.FORM, audit_each=True
    )
    writers.event(E.BIRTH, birth, user=acting_user, person=child, detail={"parent": parent.pk})
    return child


def _child_relation(parent: Person, sex: str) -> str:
    if parent.relation in (c.Relation.HEAD, c.Relation.SPOUSE):
        return c.Relation.DAUGHTER if sex in ("2", c.Sex.FEMALE) else c.Relation.SON
    if parent.relation in (c.Relation.SON, c.Relation.DAUGHTER):
        return c.Relation.GRANDCHILD
    return c.Relation.OTHER_RELATIVE


def _end_status(person: Person, status: str, kind: str, date: Any, note: str, acting_user: Any) -> Person:
    person = _lock(person)
    if person.status != c.PersonStatus.LIVING:
        raise ValidationError(
            {
                "status": _("%(name)s is not living here (%(status)s)")
                % {"name": person.name, "status": person.get_status_display()}
            }
        )
    day = _date(date)
    before = audit.snapshot(person)
    person.status, person.status_date = status, day
    person.save(update_fields=["status", "status_date", "updated_at"])
    PersonLabel.objects.filter(person=person, until__isnull=True).update(until=day)
    audit.record(f"registry.{kind}", actor=acting_user, obj=person, before=before, after=audit.snapshot(person))
    writers.event(
        kind, day, user=acting_user, person=person, house=person.house, note=note, detail={"name": person.name}
    )
    _close_empty_household(person, day, acting_user)
    writers.regrade_houses([person.house_id])
    return person


def _close_empty_household(person: Person, day: dt.date, acting_user: Any) -> None:
    """When the last member of a tenant household leaves, its tenancy ends and the house is vacant again."""
    if person.household_id is None:
        return
    if Person.objects.filter(household_id=person.household_id, status=c.PersonStatus.LIVING).exists():
        return
    for tenancy in Tenancy.objects.filter(household_id=person.household_id, end_date__isnull=True).select_related(
        "house"
    ):
        _end_tenancy(tenancy, day, acting_user)


def _end_tenancy(tenancy: Tenancy, day: dt.date, acting_user: Any) -> None:
    tenancy.end_date = day
    tenancy.save(update_fields=["end_date", "updated_at"])
    house = _lock(tenancy.house)
    before = audit.snapshot(house)
    if not Tenancy.objects.filter(house=house, end_date__isnull=True).exists() and house.use == c.HouseUse.RENTED:
        house.use = c.HouseUse.VACANT
        house.save(update_fields=["use", "updated_at"])
    audit.record("registry.end_tenancy", actor=acting_user, obj=tenancy, before=before, after=audit.snapshot(house))
    writers.event(E.VACATE, day, user=acting_user, house=house, detail={"household": tenancy.household.number})


@action
def do_move_out(person: Person, *, date: Any = None, destination: str = "", acting_user: Any) -> Person:
    _require(acting_user, "registry.change_person")
    note = f"→ {destination}" if destination else ""
    return _end_status(person, c.PersonStatus.MOVED_OUT, E.MOVE_OUT, date, note, acting_user)


@action
def do_record_death(person: Person, *, date: Any = None, acting_user: Any) -> Person:
    _require(acting_user, "registry.change_person")
    return _end_status(person, c.PersonStatus.DECEASED, E.DEATH, date, "", acting_user)


PERSON_FIELDS = (
    "name",
    "id_type",
    "id_number",
    "sex",
    "birth_date",
    "ethnicity",
    "phone",
    "residence_type",
    "domicile",
    "nationality",
    "relation",
    "inflow_reason",
    "certificate",
    "lodging",
)


@action
def do_update_person(person: Person, data: Mapping[str, Any], *, acting_user: Any) -> Person:
    _require(acting_user, "registry.change_person")
    person = _lock(person)
    current = {name: getattr(person, name) for name in PERSON_FIELDS}
    merged = {**current, **{k: v for k, v in data.items() if k in PERSON_FIELDS}}
    try:
        values = row_checks.clean_person({**merged, "house_code": person.house.code})
    except ValidationError:
        raise
    number = values.get("id_number") or None
    if number and number != person.id_number and Person.objects.filter(id_number=number).exclude(pk=person.pk).exists():
        raise ValidationError({"id_number": _("identity number %(number)s is already registered") % {"number": number}})
    before = audit.snapshot(person)
    changed = []
    for name in PERSON_FIELDS:
        value = values.get(name, getattr(person, name))
        if name == "id_number":
            value = value or None
        if name == "relation" and person.household_id is None:
            value = ""
        if value != getattr(person, name):
            setattr(person, name, value)
            changed.append(name)
    if not changed:
        return person
    person.save()
    audit.record("registry.update_person", actor=acting_user, obj=person, before=before, after=audit.snapshot(person))
    writers.event(E.CHANGE, timezone.localdate(), user=acting_user, person=person, detail={"fields": changed})
    writers.regrade_houses([person.house_id])
    return person


def _label_permission(label: str, verb: str) -> str:
    return f"registry.{verb}_{c.label_kind(label)}_label"


@action
def do_add_label(person: Person, label: str, *, since: Any = None, note: str = "", acting_user: Any) -> PersonLabel:
    if label not in c.Label.values:
        raise ValidationError({"label": _("unknown label %(label)r") % {"label": label}})
    _require(acting_user, _label_permission(label, "change"))
    if PersonLabel.objects.filter(person=person, label=label, until__isnull=True).exists():
        raise ValidationError({"label": _("this label is already on the record")})
    item = PersonLabel.objects.create(
        person=person, kind=c.label_kind(label), label=label, since=_date(since, "since"), note=note[:300]
    )
    audit.record("registry.add_label", actor=acting_user, obj=item, after=audit.snapshot(item))
    # The timeline says a label changed but not which, so reading it needs no label permission.
    writers.event(E.LABEL, item.since, user=acting_user, person=person, detail={"kind": item.kind})
    return item


@action
def do_end_label(item: PersonLabel, *, until: Any = None, acting_user: Any) -> PersonLabel:
    _require(acting_user, _label_permission(item.label, "change"))
    item = _lock(item)
    if item.until is not None:
        raise ValidationError({"label": _("this label has already ended")})
    before = audit.snapshot(item)
    item.until = _date(until, "until")
    item.save(update_fields=["until", "updated_at"])
    audit.record("registry.end_label", actor=acting_user, obj=item, before=before, after=audit.snapshot(item))
    writers.event(E.UNLABEL, item.until, user=acting_user, person=item.person, detail={"kind": item.kind})
    return item


@action
def do_merge(candidate: MergeCandidate, *, keep: Person, acting_user: Any) -> Person:
    """Keep one record, mark the other merged into it; labels move to the record kept."""
    _require(acting_user, "registry.merge_person")
    candidate = _lock(candidate)
    if candidate.status != MergeCandidate.Status.OPEN:
        raise ValidationError({"status": _("this pair has already been decided")})
    if keep.pk not in (candidate.person_id, candidate.other_id):
        raise ValidationError({"keep": _("keep one of the two records")})
    drop = _lock(candidate.other if keep.pk == candidate.person_id else candidate.person)
    before = audit.snapshot(drop)
    if not keep.id_number and drop.id_number:
        number, drop.id_number = drop.id_number, None
        drop.save(update_fields=["id_number"])
        Person.objects.filter(pk=keep.pk).update(id_number=number)
    drop.status, drop.status_date, drop.merged_into = c.PersonStatus.MERGED, timezone.localdate(), keep
    drop.save(update_fields=["status", "status_date", "merged_into", "updated_at"])
    for label in PersonLabel.objects.filter(person=drop, until__isnull=True):
        if PersonLabel.objects.filter(person=keep, label=label.label, until__isnull=True).exists():
            label.until = timezone.localdate()
            label.save(update_fields=["until"])
        else:
            PersonLabel.objects.filter(pk=label.pk).update(person=keep)
    candidate.status, candidate.decided_by, candidate.decided_at = (
        MergeCandidate.Status.MERGED,
        acting_user,
        timezone.now(),
    )
    candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit.record("registry.merge_person", actor=acting_user, obj=drop, before=before, after=audit.snapshot(drop))
    writers.event(E.MERGE, timezone.localdate(), user=acting_user, person=keep, detail={"merged": drop.pk})
    writers.regrade_houses([drop.house_id])
    return keep


@action
def do_dismiss_candidate(candidate: MergeCandidate, *, acting_user: Any) -> MergeCandidate:
    _require(acting_user, "registry.merge_person")
    candidate = _lock(candidate)
    if candidate.status != MergeCandidate.Status.OPEN:
        raise ValidationError({"status": _("this pair has already been decided")})
    candidate.status, candidate.decided_by, candidate.decided_at = (
        MergeCandidate.Status.DISMISSED,
        acting_user,
        timezone.now(),
    )
    candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit.record("registry.dismiss_duplicate", actor=acting_user, obj=candidate, after=audit.snapshot(candidate))
    return candidate


# Houses -----------------------------------------------------------------------------------------------------


@action
def do_register_house(data: Mapping[str, Any], *, acting_user: Any) -> House:
    _require(acting_user, "registry.add_house")
    report = writers.RegistryReport("houses")
    prepared = writers.prepare_houses([(1, dict(data))], writers.Context(acting_user), report)
    (house,) = writers.write_houses(
        [_one(prepared, report)], acting_user=acting_user, source=c.Source.FORM, audit_each=True
    )
    writers.event(
        E.PLAN if house.status == c.HouseStatus.PLANNED else E.REGISTER,
        timezone.localdate(),
        user=acting_user,
        house=house,
    )
    return house


HOUSE_FIELDS = (
    "estate",
    "building",
    "unit",
    "room",
    "address",
    "house_type",
    "use",
    "area_m2",
    "owner_name",
    "owner_phone",
)


@action
def do_update_house(house: House, data: Mapping[str, Any], *, acting_user: Any) -> House:
    _require(acting_user, "registry.change_house")
    house = _lock(house)
    current = {name: getattr(house, name) for name in HOUSE_FIELDS}
    merged = {**current, **{k: v for k, v in data.items() if k in HOUSE_FIELDS}, "grid_code": house.grid_id}
    if "address" not in data and any(k in data for k in ("estate", "building", "unit", "room")):
        merged["address"] = ""
    values = row_checks.clean_house(merged)
    if values["use"] == c.HouseUse.VACANT and Person.objects.filter(house=house, status=c.PersonStatus.LIVING).exists():
        raise ValidationError({"use": _("people live in this house: record their moving out first")})
    before = audit.snapshot(house)
    changed = [n for n in HOUSE_FIELDS if values.get(n, getattr(house, n)) != getattr(house, n)]
    for name in changed:
        setattr(house, name, values.get(name))
    if not changed:
        return house
    house.save()
    writers.regrade_houses([house.pk])
    house.refresh_from_db()
    audit.record("registry.update_house", actor=acting_user, obj=house, before=before, after=audit.snapshot(house))
    writers.event(E.CHANGE, timezone.localdate(), user=acting_user, house=house, detail={"fields": changed})
    return house


HOUSE_STEPS: dict[str, tuple[str, str]] = {
    c.HouseStatus.PLANNED: (c.HouseStatus.BUILDING, E.BUILD),
    c.HouseStatus.BUILDING: (c.HouseStatus.IN_USE, E.COMPLETE),
}


@action
def do_advance_house(house: House, *, to: str, date: Any = None, acting_user: Any) -> House:
    """Lifecycle from planning to demolition: planned → building → in use → demolished."""
    _require(acting_user, "registry.change_house")
    house = _lock(house)
    if to == c.HouseStatus.DEMOLISHED:
        if house.status == c.HouseStatus.DEMOLISHED:
            raise ValidationError({"status": _("the house is already demolished")})
        if Person.objects.filter(house=house, status=c.PersonStatus.LIVING).exists():
            raise ValidationError({"status": _("people still live in this house: record their moving out first")})
        kind: str = E.DEMOLISH
    else:
        step = HOUSE_STEPS.get(house.status)
        if step is None or step[0] != to:
            raise ValidationError(
                {
                    "status": _("a house that is %(status)s cannot become %(to)s")
                    % {"status": house.get_status_display(), "to": to}
                }
            )
        kind = step[1]
    day = _date(date)
    before = audit.snapshot(house)
    house.status = to
    if to == c.HouseStatus.DEMOLISHED:
        house.use = c.HouseUse.VACANT
    house.save(update_fields=["status", "use", "updated_at"])
    audit.record(f"registry.{kind}_house", actor=acting_user, obj=house, before=before, after=audit.snapshot(house))
    writers.event(kind, day, user=acting_user, house=house)
    return house


@action
def do_vacate_house(house: House, *, date: Any = None, acting_user: Any) -> House:
    """The tenants leave: every open tenancy ends and its household's members move out."""
    _require(acting_user, "registry.change_house")
    day = _date(date)
    tenancies = list(Tenancy.objects.filter(house=house, end_date__isnull=True).select_related("house", "household"))
    if not tenancies:
        raise ValidationError({"house": _("the house has no open tenancy")})
    for tenancy in tenancies:
        for person in Person.objects.filter(household=tenancy.household, status=c.PersonStatus.LIVING):
            before = audit.snapshot(person)
            person.status, person.status_date = c.PersonStatus.MOVED_OUT, day
            person.save(update_fields=["status", "status_date", "updated_at"])
            audit.record(
                "registry.move_out", actor=acting_user, obj=person, before=before, after=audit.snapshot(person)
            )
            writers.event(E.MOVE_OUT, day, user=acting_user, person=person, house=house)
        _end_tenancy(tenancy, day, acting_user)
    writers.regrade_houses([house.pk])
    house.refresh_from_db()
    return house


# Organisations and places -------------------------------------------------------------------------------------


@action
def do_register_organisation(data: Mapping[str, Any], *, acting_user: Any) -> Organisation:
    _require(acting_user, "registry.add_organisation")
    report = writers.RegistryReport("organisations")
    prepared = writers.prepare_organisations([(1, dict(data))], writers.Context(acting_user), report)
    (org,) = writers.write_organisations(
        [_one(prepared, report)], acting_user=acting_user, source=c.Source.FORM, audit_each=True
    )
    writers.event(E.REGISTER, org.registered_on or timezone.localdate(), user=acting_user, organisation=org)
    return org


ORG_FIELDS = ("name", "legal_rep", "legal_rep_id_number", "phone", "address", "industry", "employees")


@action
def do_update_organisation(org: Organisation, data: Mapping[str, Any], *, acting_user: Any) -> Organisation:
    _require(acting_user, "registry.change_organisation")
    org = _lock(org)
    merged = {
        **{n: getattr(org, n) for n in ORG_FIELDS},
        **{k: v for k, v in data.items() if k in ORG_FIELDS},
        "credit_code": org.credit_code,
        "kind": org.kind,
        "grid_code": org.grid_id,
    }
    values = row_checks.clean_organisation(merged)
    before = audit.snapshot(org)
    changed = [n for n in ORG_FIELDS if values.get(n, getattr(org, n)) != getattr(org, n)]
    for name in changed:
        setattr(org, name, values.get(name))
    if changed:
        org.save()
        audit.record(
            "registry.update_organisation", actor=acting_user, obj=org, before=before, after=audit.snapshot(org)
        )
        writers.event(E.CHANGE, timezone.localdate(), user=acting_user, organisation=org, detail={"fields": changed})
    return org


@action
def do_end_organisation(
    org: Organisation, *, status: str, date: Any = None, reason: str = "", acting_user: Any
) -> Organisation:
    """注销 (cancelled) or 吊销 (licence revoked): the end of a legal person's lifecycle."""
    _require(acting_user, "registry.change_organisation")
    if status not in (c.OrganisationStatus.CANCELLED, c.OrganisationStatus.REVOKED):
        raise ValidationError({"status": _("choose cancelled or revoked")})
    org = _lock(org)
    if org.status != c.OrganisationStatus.REGISTERED:
        raise ValidationError(
            {"status": _("the organisation is already %(status)s") % {"status": org.get_status_display()}}
        )
    day = _date(date)
    before = audit.snapshot(org)
    org.status, org.status_date = status, day
    org.save(update_fields=["status", "status_date", "updated_at"])
    kind = E.CANCEL if status == c.OrganisationStatus.CANCELLED else E.REVOKE
    audit.record(f"registry.{kind}_organisation", actor=acting_user, obj=org, before=before, after=audit.snapshot(org))
    writers.event(kind, day, user=acting_user, organisation=org, note=reason[:500])
    return org


@action
def do_register_place(data: Mapping[str, Any], *, acting_user: Any) -> Place:
    _require(acting_user, "registry.add_place")
    report = writers.RegistryReport("places")
    prepared = writers.prepare_places([(1, dict(data))], writers.Context(acting_user), report)
    (place,) = writers.write_places(
        [_one(prepared, report)], acting_user=acting_user, source=c.Source.FORM, audit_each=True
    )
    writers.event(E.REGISTER, timezone.localdate(), user=acting_user, place=place)
    return place


@action
def do_record_inspection(
    place: Place,
    *,
    result: str,
    date: Any = None,
    findings: str = "",
    next_due: Any = None,
    acting_user: Any,
) -> Inspection:
    _require(acting_user, "registry.add_inspection")
    if result not in c.InspectionResult.values:
        raise ValidationError(
            {"result": _("choose one of %(values)s") % {"values": ", ".join(c.InspectionResult.values)}}
        )
    if result == c.InspectionResult.HAZARD and not findings.strip():
        raise ValidationError({"findings": _("describe the hazard found")})
    place = _lock(place)
    if not place.is_active:
        raise ValidationError({"place": _("the place is closed")})
    day = _date(date)
    due = None
    if next_due not in (None, ""):
        try:
            due = row_checks.date_value(next_due, allow_future=True)
        except ValueError as exc:
            raise ValidationError({"next_due": str(exc)}) from None
        if due is not None and due <= day:
            raise ValidationError({"next_due": _("the next inspection comes after this one")})
    inspection = Inspection.objects.create(
        place=place,
        date=day,
        result=result,
        findings=findings.strip(),
        next_due=due,
        inspector=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        inspector_name=str(acting_user)[:50],
    )
    before = audit.snapshot(place)
    place.last_inspected_on = max(day, place.last_inspected_on or day)
    place.next_inspection_due = due
    place.save(update_fields=["last_inspected_on", "next_inspection_due", "updated_at"])
    audit.record(
        "registry.inspect_place", actor=acting_user, obj=inspection, before=before, after=audit.snapshot(inspection)
    )
    writers.event(E.INSPECT, day, user=acting_user, place=place, detail={"result": result})
    return inspection


@action
def do_close_place(place: Place, *, date: Any = None, reason: str = "", acting_user: Any) -> Place:
    _require(acting_user, "registry.change_place")
    place = _lock(place)
    if not place.is_active:
        raise ValidationError({"place": _("the place is already closed")})
    before = audit.snapshot(place)
    place.is_active = False
    place.save(update_fields=["is_active", "updated_at"])
    day = _date(date)
    audit.record("registry.close_place", actor=acting_user, obj=place, before=before, after=audit.snapshot(place))
    writers.event(E.CLOSE, day, user=acting_user, place=place, note=reason[:500])
    return place


def _require(user: Any, permission: str) -> None:
    if isinstance(user, str):
        return
    if not user.has_perm(permission):
        raise PermissionDenied


def timeline(**target: Any) -> list[Event]:
    return list(Event.objects.filter(**target).select_related("recorded_by").order_by("-date", "-id")[:200])
