"""Checking rows against the database and writing them, for one record (a form) or 100,000 (an import).

`prepare_*` runs the pure row checks of registry.rows, then the checks that need the database, in batches:
grid inside the user's territory (or the grid a point falls in), houses and households referred to, identity
numbers and credit codes already registered or repeated in the file. Problems are (row, column, reason).
`write_*` inserts the good rows with bulk_create and writes one audit entry per object when `audit_each` (forms)
or one summarising entry per `REGISTRY_BULK_AUDIT_ROWS` objects (imports, the demo seed): the entry lists the
ids and a SHA-256 over the objects as written, so a later silent edit still shows.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.tabular import ImportReport
from registry import bulk, classify
from registry import choices as c
from registry.models import Event, House, Household, MergeCandidate, Organisation, Person, Place
from registry.rows import CLEANERS
from territory import index
from territory.models import Grid

Rows = list[tuple[int, dict[str, Any]]]
CHUNK = 2000


@dataclass
class RegistryReport(ImportReport):
    flagged: int = 0  # near-duplicates flagged for merging (not errors)
    created_ids: list[int] = field(default_factory=list)

    def as_text(self) -> str:
        text = super().as_text()
        if self.flagged:
            text += f"\n  {self.flagged} possible duplicate(s) flagged for merging"
        return text


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Context:
    """What the writer needs to know about the acting user: their grids, and lookups cached per batch."""

    def __init__(self, user: Any, tick: Callable[[int], None] | None = None) -> None:
        self.user = user
        self.tick = tick or (lambda n: None)
        self.grids = set(self.restrict(Grid.objects.all()).values_list("code", flat=True))

    def restrict(self, queryset: Any) -> Any:
        """A command run without --user acts for the whole installation (the audit trail names the command)."""
        return queryset if isinstance(self.user, str) else queryset.restrict(self.user)

    def grid_for(self, values: dict[str, Any], problems: dict[str, str]) -> str | None:
        code, lon, lat = values.get("grid_code") or "", values.get("lon"), values.get("lat")
        if lon is not None and lat is not None:
            hit = index.locate(lon, lat)
            if hit is None:
                problems.setdefault(
                    "lon",
                    _("the point %(lon)s, %(lat)s is outside every grid of the district") % {"lon": lon, "lat": lat},
                )
                return None
            if code and hit.grid_code != code:
                problems.setdefault(
                    "grid_code",
                    _("the point lies in grid %(grid)s, not %(code)s") % {"grid": hit.grid_code, "code": code},
                )
                return None
            code = hit.grid_code
        if not code:
            problems.setdefault("grid_code", _("give the grid code or the location (longitude and latitude)"))
            return None
        if code not in self.grids:
            problems.setdefault(
                "grid_code", _("unknown grid %(code)s (no such grid in your territory)") % {"code": code}
            )
            return None
        return code


def _clean_all(kind: str, rows: Rows, report: RegistryReport, ctx: Context) -> Rows:
    good = []
    for i, (number, raw) in enumerate(rows, start=1):
        if i % 1000 == 0:
            ctx.tick(1000)
        try:
            good.append((number, CLEANERS[kind](raw)))
        except ValidationError as exc:
            report.add(number, exc.message_dict)
    return good


def _repeated(rows: Rows, key: str, report: RegistryReport, label: str) -> Rows:
    first: dict[str, int] = {}
    good = []
    for number, values in rows:
        value = values.get(key)
        if value and value in first:
            report.add(
                number,
                {
                    key: _("%(label)s %(value)s is repeated (row %(row)s)")
                    % {"label": label, "value": value, "row": first[value]}
                },
            )
            continue
        if value:
            first[value] = number
        good.append((number, values))
    return good


def existing(model: type[models.Model], field_name: str, values: Iterable[str]) -> set[str]:
    found: set[str] = set()
    wanted = sorted({v for v in values if v})
    for part in chunks(wanted):
        found.update(model._default_manager.filter(**{f"{field_name}__in": part}).values_list(field_name, flat=True))
    return found


def _reject_existing(rows: Rows, model: type[models.Model], key: str, report: RegistryReport, message: str) -> Rows:
    taken = existing(model, key, (v.get(key) or "" for _n, v in rows))
    good = []
    for number, values in rows:
        if values.get(key) in taken:
            report.add(number, {key: message.format(value=values[key])})
        else:
            good.append((number, values))
    return good


def _houses_by(ctx: Context, rows: Rows) -> tuple[dict[str, House], dict[str, list[House]]]:
    codes = {v["house_code"] for _n, v in rows if v.get("house_code")}
    addresses = {v["address"] for _n, v in rows if v.get("address") and not v.get("house_code")}
    visible = ctx.restrict(House.objects.all()).exclude(status=c.HouseStatus.DEMOLISHED)
    by_code: dict[str, House] = {}
    for part in chunks(sorted(codes)):
        by_code.update({h.code: h for h in visible.filter(code__in=part)})
    by_address: dict[str, list[House]] = defaultdict(list)
    for part in chunks(sorted(addresses)):
        for house in visible.filter(address__in=part):
            by_address[house.address].append(house)
    return by_code, by_address


def _house_of(values: dict[str, Any], by_code: dict[str, House], by_address: dict[str, list[House]]) -> House:
    if values.get("house_code"):
        house = by_code.get(values["house_code"])
        if house is None:
            raise ValidationError(
                {"house_code": _("no house %(code)s in your territory") % {"code": values["house_code"]}}
            )
        return house
    if not values.get("address"):
        raise ValidationError({"house_code": _("give the house code or the address of a registered house")})
    matches = by_address.get(values["address"], [])
    if not matches:
        raise ValidationError(
            {"address": _("no registered house at %(address)s in your territory") % {"address": values["address"]}}
        )
    if len(matches) > 1:
        raise ValidationError(
            {"address": _("%(n)s houses have this address: give the house code") % {"n": len(matches)}}
        )
    return matches[0]


# People -------------------------------------------------------------------------------------------------------


@dataclass
class PreparedPerson:
    row: int
    values: dict[str, Any]
    house: House
    household: Household | None = None
    household_number: str = ""


def prepare_people(rows: Rows, ctx: Context, report: RegistryReport) -> list[PreparedPerson]:
    good = _clean_all("people", rows, report, ctx)
    good = _repeated(good, "id_number", report, _("identity number"))
    good = _reject_existing(
        good, Person, "id_number", report, _("identity number {value} is already registered: record a move instead")
    )
    by_code, by_address = _houses_by(ctx, good)
    prepared = []
    for number, values in good:
        try:
            house = _house_of(values, by_code, by_address)
        except ValidationError as exc:
            report.add(number, exc.message_dict)
            continue
        prepared.append(PreparedPerson(number, values, house, household_number=values.get("household_number", "")))
    return _check_households(prepared, report)


def _check_households(people: list[PreparedPerson], report: RegistryReport) -> list[PreparedPerson]:
    numbers = sorted({p.household_number for p in people if p.household_number})
    existing: dict[str, Household] = {}
    for part in chunks(numbers):
        existing.update({h.number: h for h in Household.objects.filter(number__in=part)})
    heads = set()
    for part in chunks([h.pk for h in existing.values()]):
        heads.update(
            Person.objects.filter(
                household_id__in=part, relation=c.Relation.HEAD, status=c.PersonStatus.LIVING
            ).values_list("household_id", flat=True)
        )
    house_of_number: dict[str, tuple[int, House]] = {}
    head_row: dict[str, int] = {}
    good = []
    for person in people:
        number = person.household_number
        if not number:
            if person.values.get("relation") and person.values["relation"] != c.Relation.HEAD:
                report.add(person.row, {"household_number": "a relation to the head needs the household number"})
                continue
            good.append(person)
            continue
        household = existing.get(number)
        if household is not None and household.house_id != person.house.pk:
            report.add(person.row, {"household_number": f"household {number} lives at another house"})
            continue
        first = house_of_number.setdefault(number, (person.row, person.house))
        if household is None and first[1].pk != person.house.pk:
            report.add(person.row, {"household_number": f"household {number} is at another house in row {first[0]}"})
            continue
        if person.values.get("relation") == c.Relation.HEAD:
            if (household is not None and household.pk in heads) or number in head_row:
                where = f"row {head_row[number]}" if number in head_row else "the registry"
                report.add(person.row, {"relation": f"household {number} already has a head ({where})"})
                continue
            head_row[number] = person.row
        person.household = household
        good.append(person)
    return good


def write_people(
    people: list[PreparedPerson],
    *,
    acting_user: Any,
    source: str,
    audit_each: bool,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Person], int]:
    """(created people, possible duplicates flagged)."""
    today = timezone.localdate()
    new_households = {}
    for person in people:
        number = person.household_number
        if number and person.household is None and number not in new_households:
            new_households[number] = Household(number=number, house=person.house, grid_id=person.house.grid_id)
    created_households = list(new_households.values())
    bulk.insert(created_households)
    by_number = {h.number: h for h in created_households}
    objects = []
    for person in people:
        household = person.household or by_number.get(person.household_number)
        objects.append(_person(person, household, source, today))
    created: list[Person] = []
    for part in chunks(objects):
        bulk.insert(part)
        created += part
        if progress:
            progress(len(part))
    _audit(created, "registry.register_person", acting_user, audit_each)
    flagged = flag_near_duplicates(created)
    regrade_houses({p.house_id for p in created})
    return created, flagged


def _person(prepared: PreparedPerson, household: Household | None, source: str, today: Any) -> Person:
    v = prepared.values
    return bulk.build(
        Person,
        grid_id=prepared.house.grid_id,
        house_id=prepared.house.pk,
        household_id=household.pk if household else None,
        id_type=v.get("id_type") or c.IdType.RESIDENT_ID,
        id_number=v.get("id_number") or None,
        name=v["name"],
        sex=v.get("sex") or c.Sex.UNKNOWN,
        birth_date=v.get("birth_date"),
        ethnicity=v.get("ethnicity", ""),
        phone=v.get("phone", ""),
        residence_type=v["residence_type"],
        domicile=v.get("domicile", ""),
        nationality=v.get("nationality", ""),
        relation=v.get("relation", "") if household else "",
        inflow_reason=v.get("inflow_reason", ""),
        certificate=v.get("certificate", ""),
        lodging=v.get("lodging", ""),
        since=v.get("since") or today,
        source=source,
    )


def flag_near_duplicates(people: Sequence[Person]) -> int:
    """Same name, date of birth and house but another record: likely one person entered twice."""
    keyed = [p for p in people if p.birth_date]
    if not keyed:
        return 0
    new_ids = {p.pk for p in keyed}
    # By house, the selective index (a house has a handful of residents); names and dates compared here.
    others: dict[tuple[str, Any, int], list[int]] = defaultdict(list)
    for part in chunks(sorted({p.house_id for p in keyed})):
        rows = Person.objects.filter(house_id__in=part, status=c.PersonStatus.LIVING, birth_date__isnull=False)
        for pk, name, birth, house in rows.values_list("pk", "name", "birth_date", "house_id"):
            others[(name, birth, house)].append(pk)
    candidates = []
    for person in keyed:
        for other in others.get((person.name, person.birth_date, person.house_id), []):
            if other != person.pk and (other not in new_ids or other < person.pk):
                candidates.append(
                    MergeCandidate(person=person, other_id=other, reason="same name, date of birth and house")
                )
    MergeCandidate.objects.bulk_create(candidates, ignore_conflicts=True)
    return len(candidates)


def occupancy(house_ids: Iterable[int]) -> dict[int, classify.Occupancy]:
    result: dict[int, classify.Occupancy] = {}
    for part in chunks(sorted(set(house_ids))):
        rows = (
            Person.objects.filter(house_id__in=part, status=c.PersonStatus.LIVING)
            .values("house_id")
            .annotate(n=Count("id"), f=Count("id", filter=Q(residence_type=c.ResidenceType.FLOATING)))
        )
        result.update({r["house_id"]: classify.Occupancy(r["n"], r["f"]) for r in rows})
    return result


def regrade_houses(house_ids: Iterable[int]) -> list[House]:
    """Recompute 分级分色 of the houses whose occupants changed; returns those whose grade changed."""
    ids = sorted(set(house_ids))
    occ = occupancy(ids)
    changed = []
    for part in chunks(ids):
        for house in House.objects.filter(pk__in=part).only(
            "pk", "house_type", "use", "area_m2", "grade", "colour", "grade_reason"
        ):
            if classify.apply(house, occ.get(house.pk, classify.Occupancy())):
                changed.append(house)
    House.objects.bulk_update(changed, ["grade", "colour", "grade_reason"], batch_size=CHUNK)
    return changed


# Houses, organisations, places ----------------------------------------------------------------------------------


def next_house_codes(grid_code: str, count: int, taken: set[str] | None = None) -> list[str]:
    """Grid code + five digits, continuing after the grid's highest number."""
    last = (
        House.objects.filter(code__startswith=grid_code, code__regex=r"^\d{20}$")
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    start = int(last[15:]) + 1 if last else 1
    codes: list[str] = []
    n = start
    while len(codes) < count:
        code = f"{grid_code}{n:05d}"
        if not taken or code not in taken:
            codes.append(code)
        n += 1
    return codes


def prepare_houses(rows: Rows, ctx: Context, report: RegistryReport) -> list[tuple[int, dict[str, Any]]]:
    good = _clean_all("houses", rows, report, ctx)
    good = _repeated(good, "code", report, _("house code"))
    good = _reject_existing(good, House, "code", report, _("house code {value} is already registered"))
    owners = {}
    for part in chunks(sorted({v["owner_id_number"] for _n, v in good if v.get("owner_id_number")})):
        owners.update(Person.objects.filter(id_number__in=part).in_bulk(field_name="id_number"))
    result = []
    for number, values in good:
        problems: dict[str, str] = {}
        values["grid"] = ctx.grid_for(values, problems)
        owner_id = values.get("owner_id_number")
        if owner_id:
            values["owner"] = owners.get(owner_id)
            if values["owner"] is None and not values.get("owner_name"):
                problems["owner_id_number"] = _("no registered person has this number: give the owner's name as well")
        if problems:
            report.add(number, problems)
        else:
            result.append((number, values))
    return result


def write_houses(
    rows: list[tuple[int, dict[str, Any]]], *, acting_user: Any, source: str, audit_each: bool, progress=None
) -> list[House]:
    need: Counter[str] = Counter(v["grid"] for _n, v in rows if not v.get("code"))
    taken = {v["code"] for _n, v in rows if v.get("code")}
    fresh = {grid: iter(next_house_codes(grid, n, taken)) for grid, n in need.items()}
    objects = []
    for _n, v in rows:
        house = House(
            code=v.get("code") or next(fresh[v["grid"]]),
            grid_id=v["grid"],
            lon=v.get("lon"),
            lat=v.get("lat"),
            estate=v.get("estate", ""),
            building=v.get("building", ""),
            unit=v.get("unit", ""),
            room=v.get("room", ""),
            address=v["address"],
            house_type=v["house_type"],
            use=v["use"],
            area_m2=v.get("area_m2"),
            owner=v.get("owner"),
            owner_name=v.get("owner_name", "") if not v.get("owner") else "",
            owner_phone=v.get("owner_phone", ""),
            status=v.get("status") or c.HouseStatus.IN_USE,
            source=source,
        )
        classify.apply(house, classify.Occupancy())
        objects.append(house)
    created: list[House] = []
    for part in chunks(objects):
        bulk.insert(part)
        created += part
        if progress:
            progress(len(part))
    _audit(created, "registry.register_house", acting_user, audit_each)
    return created


def _organisations_by_code(codes: Iterable[str]) -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    for part in chunks(sorted({code for code in codes if code})):
        found.update(Organisation.objects.filter(credit_code__in=part).in_bulk(field_name="credit_code"))
    return found


def prepare_organisations(rows: Rows, ctx: Context, report: RegistryReport) -> list[tuple[int, dict[str, Any]]]:
    good = _clean_all("organisations", rows, report, ctx)
    good = _repeated(good, "credit_code", report, _("credit code"))
    good = _reject_existing(good, Organisation, "credit_code", report, _("credit code {value} is already registered"))
    by_code, _missing = _houses_by(ctx, [(n, {"house_code": v.get("house_code")}) for n, v in good])
    result = []
    for number, values in good:
        problems: dict[str, str] = {}
        if values.get("house_code"):
            house = by_code.get(values["house_code"])
            if house is None:
                problems["house_code"] = _("no house %(code)s in your territory") % {"code": values["house_code"]}
            else:
                values["house"] = house
                values.setdefault("grid_code", "")
                values["grid_code"] = values["grid_code"] or house.grid_id
                if values.get("lon") is None and house.lon is not None:
                    values["lon"], values["lat"] = house.lon, house.lat
        values["grid"] = None if problems else ctx.grid_for(values, problems)
        if problems:
            report.add(number, problems)
        else:
            result.append((number, values))
    return result


def write_organisations(rows, *, acting_user: Any, source: str, audit_each: bool, progress=None) -> list[Organisation]:
    objects = [
        Organisation(
            credit_code=v["credit_code"],
            name=v["name"],
            kind=v["kind"],
            legal_rep=v.get("legal_rep", ""),
            legal_rep_id_number=v.get("legal_rep_id_number", ""),
            phone=v.get("phone", ""),
            address=v["address"],
            grid_id=v["grid"],
            lon=v.get("lon"),
            lat=v.get("lat"),
            house=v.get("house"),
            industry=v.get("industry", ""),
            employees=v.get("employees"),
            registered_on=v.get("registered_on"),
            status=v.get("status") or c.OrganisationStatus.REGISTERED,
            source=source,
        )
        for _n, v in rows
    ]
    created: list[Organisation] = []
    for part in chunks(objects):
        bulk.insert(part)
        created += part
        if progress:
            progress(len(part))
    _audit(created, "registry.register_organisation", acting_user, audit_each)
    return created


def prepare_places(rows: Rows, ctx: Context, report: RegistryReport) -> list[tuple[int, dict[str, Any]]]:
    good = _clean_all("places", rows, report, ctx)
    orgs = _organisations_by_code(v.get("organisation_credit_code", "") for _n, v in good)
    result = []
    for number, values in good:
        problems: dict[str, str] = {}
        code = values.get("organisation_credit_code")
        if code:
            values["organisation"] = orgs.get(code)
            if values["organisation"] is None:
                problems["organisation_credit_code"] = _("no organisation %(code)s is registered") % {"code": code}
        values["grid"] = ctx.grid_for(values, problems)
        if problems:
            report.add(number, problems)
        else:
            result.append((number, values))
    return result


def write_places(rows, *, acting_user: Any, source: str, audit_each: bool, progress=None) -> list[Place]:
    objects = [
        Place(
            kind=v["kind"],
            category=v["category"],
            name=v["name"],
            address=v["address"],
            grid_id=v["grid"],
            lon=v.get("lon"),
            lat=v.get("lat"),
            organisation=v.get("organisation"),
            responsible_name=v["responsible_name"],
            responsible_phone=v.get("responsible_phone", ""),
            risk_level=v.get("risk_level") or c.RiskLevel.LOW,
            quantity=v.get("quantity", ""),
            source=source,
        )
        for _n, v in rows
    ]
    created: list[Place] = []
    for part in chunks(objects):
        bulk.insert(part)
        created += part
        if progress:
            progress(len(part))
    _audit(created, "registry.register_place", acting_user, audit_each)
    return created


# Audit ----------------------------------------------------------------------------------------------------------


def _audit(objects: Sequence[models.Model], action_name: str, acting_user: Any, each: bool) -> None:
    if each:
        for obj in objects:
            audit.record(action_name, actor=acting_user, obj=obj, after=audit.snapshot(obj))
        return
    record_bulk(objects, action_name, acting_user)


def record_bulk(objects: Sequence[models.Model], action_name: str, acting_user: Any, **extra: Any) -> None:
    """One audit entry per REGISTRY_BULK_AUDIT_ROWS objects: their ids and a SHA-256 over their field values as
    written (one JSON array per object, fields in model order), so a later silent edit of any of them shows."""
    if not objects:
        return
    fields = [f.attname for f in objects[0]._meta.concrete_fields]
    for part in chunks(objects, settings.REGISTRY_BULK_AUDIT_ROWS):
        values = [[getattr(obj, name) for name in fields] for obj in part]
        body = json.dumps(values, default=str, ensure_ascii=False, separators=(",", ":"))
        ids = [obj.pk for obj in part]
        audit.record(
            f"{action_name}.bulk",
            actor=acting_user,
            object_type=part[0]._meta.label_lower,
            object_id=f"{ids[0]}-{ids[-1]}",
            after={"count": len(ids), "ids": ids, "fields": fields, "sha256": _sha256(body), **extra},
        )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def bulk_digest(model: type[models.Model], ids: Sequence[int]) -> str:
    """Recompute the digest of a bulk audit entry from the rows as they are now (to check an entry)."""
    objects = model._default_manager.in_bulk(list(ids))
    fields = [f.attname for f in model._meta.concrete_fields]
    values = [[getattr(objects[pk], name) for name in fields] for pk in ids]
    return _sha256(json.dumps(values, default=str, ensure_ascii=False, separators=(",", ":")))


def event(kind: str, date: Any, *, user: Any, note: str = "", detail: dict | None = None, **targets: Any) -> Event:
    return Event.objects.create(
        kind=kind,
        date=date,
        note=note,
        detail=detail or {},
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
        **targets,
    )
