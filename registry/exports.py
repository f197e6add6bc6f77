"""What leaves the registry as files: exports in the import format (so a file round-trips), import templates,
and the open-data table of counts per grid without personal data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from openpyxl import Workbook

from core.tabular import write_csv, write_xlsx
from registry import choices as c
from registry.models import House, Household, Organisation, Person, Place
from registry.privacy import mask_id, mask_name, mask_phone
from registry.rows import COLUMNS
from territory.models import Grid

MODELS: dict[str, Any] = {"people": Person, "houses": House, "organisations": Organisation, "places": Place}
PERSONAL_FIELDS = {
    "people": ["id_number", "phone", "address"],
    "houses": ["owner_id_number", "owner_phone"],
    "organisations": ["legal_rep_id_number", "phone"],
    "places": ["responsible_phone"],
}


def header(kind: str) -> list[str]:
    return [col.zh for col in COLUMNS[kind]]


def queryset(kind: str, user: Any) -> QuerySet:
    qs = MODELS[kind].objects.restrict(user)
    if kind == "people":
        return qs.filter(status=c.PersonStatus.LIVING).select_related("house", "household").order_by("grid_id", "id")
    if kind == "houses":
        return qs.select_related("owner").order_by("code")
    if kind == "places":
        return qs.select_related("organisation").order_by("grid_id", "id")
    return qs.order_by("credit_code")


def rows(kind: str, objects: Iterable[Any], *, full: bool) -> Iterator[list[Any]]:
    make: Any = {"people": _person, "houses": _house, "organisations": _organisation, "places": _place}[kind]
    for obj in objects:
        yield make(obj, full)


def _id(value: str | None, full: bool) -> str:
    return (value or "") if full else mask_id(value)


def _phone(value: str, full: bool) -> str:
    return value if full else mask_phone(value)


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def _person(p: Person, full: bool) -> list[Any]:
    return [
        p.name,
        p.id_type,
        _id(p.id_number, full),
        p.sex,
        _date(p.birth_date),
        p.ethnicity,
        _phone(p.phone, full),
        p.residence_type,
        p.house.code,
        p.house.address if full else "",
        p.household.number if p.household is not None else "",
        p.relation,
        p.domicile if full else "",
        p.inflow_reason,
        p.certificate,
        p.lodging,
        p.nationality,
        _date(p.since),
    ]


def _house(h: House, full: bool) -> list[Any]:
    owner = h.owner
    owner_name = owner.name if owner is not None else h.owner_name
    return [
        h.code,
        h.grid_id,
        h.lon,
        h.lat,
        h.estate,
        h.building,
        h.unit,
        h.room,
        h.address,
        h.house_type,
        h.use,
        h.area_m2,
        _id(owner.id_number if owner is not None else "", full),
        owner_name if full else mask_name(owner_name),
        _phone(owner.phone if owner is not None else h.owner_phone, full),
        h.status,
    ]


def _organisation(o: Organisation, full: bool) -> list[Any]:
    return [
        o.credit_code,
        o.name,
        o.kind,
        o.legal_rep,
        _id(o.legal_rep_id_number, full),
        _phone(o.phone, full),
        o.address,
        o.grid_id,
        o.lon,
        o.lat,
        o.house.code if o.house is not None else "",
        o.industry,
        o.employees,
        _date(o.registered_on),
        o.status,
    ]


def _place(p: Place, full: bool) -> list[Any]:
    return [
        p.kind,
        p.category,
        p.name,
        p.address,
        p.grid_id,
        p.lon,
        p.lat,
        p.responsible_name,
        _phone(p.responsible_phone, full),
        p.risk_level,
        p.organisation.credit_code if p.organisation is not None else "",
        p.quantity,
    ]


def export_file(kind: str, user: Any, fmt: str, *, full: bool) -> tuple[bytes, int]:
    """(file body, number of records)."""
    objects = list(queryset(kind, user).iterator(chunk_size=5000))
    body_rows = rows(kind, objects, full=full)
    if fmt == "csv":
        return write_csv(header(kind), body_rows), len(objects)
    return write_xlsx(kind, header(kind), body_rows), len(objects)


def template_file(kind: str, fmt: str) -> bytes:
    """An empty import file: the header row; the .xlsx has a second sheet explaining each column and code."""
    if fmt == "csv":
        return write_csv(header(kind), [])
    import io

    book = Workbook()
    sheet = book.active
    sheet.title = kind
    sheet.append(header(kind))
    for i, _ in enumerate(COLUMNS[kind], start=1):
        sheet.cell(row=1, column=i).number_format = "@"
        for row in range(2, 1002):  # text cells, so identity numbers and phones keep every digit
            sheet.cell(row=row, column=i).number_format = "@"
    notes = book.create_sheet("说明")
    notes.append(["列名", "英文键", "必填", "说明"])
    for col in COLUMNS[kind]:
        notes.append([col.zh, col.key, "是" if col.required else "", col.note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Open data (S10 preview) ---------------------------------------------------------------------------------------

OPEN_HEADER = [
    "grid_code",
    "grid_name",
    "community",
    "residents",
    "registered",
    "floating",
    "overseas",
    "aged_0_17",
    "aged_18_59",
    "aged_60_plus",
    "households",
    "houses",
    "rented_houses",
    "vacant_houses",
    "key_places",
    "hazard_sources",
    "organisations",
]


def open_data(today: Any = None) -> list[list[Any]]:
    """Counts per grid of the whole installation; a count between 1 and REGISTRY_OPEN_DATA_MIN_COUNT − 1 is
    published as "<N" so nobody is identifiable from a small group. No names, numbers or addresses."""
    import datetime as dt

    from django.utils import timezone

    today = today or timezone.localdate()
    adult = dt.date(today.year - 18, today.month, min(today.day, 28))
    senior = dt.date(today.year - 60, today.month, min(today.day, 28))
    living = Q(status=c.PersonStatus.LIVING)
    people = {
        r["grid_id"]: r
        for r in Person.objects.filter(living)
        .values("grid_id")
        .annotate(
            residents=Count("id"),
            registered=Count("id", filter=Q(residence_type=c.ResidenceType.REGISTERED)),
            floating=Count("id", filter=Q(residence_type=c.ResidenceType.FLOATING)),
            overseas=Count("id", filter=Q(residence_type=c.ResidenceType.OVERSEAS)),
            aged_0_17=Count("id", filter=Q(birth_date__gt=adult)),
            aged_18_59=Count("id", filter=Q(birth_date__lte=adult, birth_date__gt=senior)),
            aged_60_plus=Count("id", filter=Q(birth_date__lte=senior)),
        )
    }
    houses = {
        r["grid_id"]: r
        for r in House.objects.exclude(status=c.HouseStatus.DEMOLISHED)
        .values("grid_id")
        .annotate(
            houses=Count("id"),
            rented_houses=Count("id", filter=Q(use=c.HouseUse.RENTED)),
            vacant_houses=Count("id", filter=Q(use=c.HouseUse.VACANT)),
        )
    }
    households = _count_by_grid(Household.objects.filter(members__status=c.PersonStatus.LIVING).distinct())
    places: dict[str, dict[str, int]] = defaultdict(dict)
    for r in Place.objects.filter(is_active=True).values("grid_id", "kind").annotate(n=Count("id")):
        places[r["grid_id"]][r["kind"]] = r["n"]
    orgs = _count_by_grid(Organisation.objects.filter(status=c.OrganisationStatus.REGISTERED))
    result = []
    for grid in Grid.objects.select_related("community").order_by("code"):
        p, h = people.get(grid.code, {}), houses.get(grid.code, {})
        person_counts = [p.get(k, 0) for k in OPEN_HEADER[3:10]]
        result.append(
            [grid.code, grid.name, grid.community.name]
            + [_suppress(n) for n in person_counts]
            + [_suppress(households.get(grid.code, 0))]
            + [h.get(k, 0) for k in ("houses", "rented_houses", "vacant_houses")]
            + [places[grid.code].get(c.PlaceKind.KEY_PLACE, 0), places[grid.code].get(c.PlaceKind.HAZARD, 0)]
            + [orgs.get(grid.code, 0)]
        )
    return result


def _count_by_grid(qs: QuerySet) -> dict[str, int]:
    return {r["grid_id"]: r["n"] for r in qs.values("grid_id").annotate(n=Count("id", distinct=True))}


def _suppress(n: int) -> int | str:
    floor = settings.REGISTRY_OPEN_DATA_MIN_COUNT
    return f"<{floor}" if 0 < n < floor else n


def open_data_file(fmt: str) -> bytes:
    table = open_data()
    if fmt == "csv":
        return write_csv(OPEN_HEADER, table)
    return write_xlsx("open-data", OPEN_HEADER, table)
