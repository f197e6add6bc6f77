"""JSON API of the registry: masked like the pages, scoped like everything else (404 outside the territory);
unmasking is a POST with a reason that lands in the access log."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from core.scoping import get_restricted_or_404
from registry import exports, privacy
from registry.forms import PURPOSES
from registry.models import House, Organisation, Person, Place
from registry.views import search_people

router = Router(tags=["registry"])


class PersonOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    sex: str
    birth_date: str | None
    residence_type: str
    status: str
    grid_code: str
    house_code: str
    address: str
    labels: list[str] = []


class HouseOut(Schema):
    id: int
    code: str
    grid_code: str
    address: str
    house_type: str
    use: str
    grade: int
    colour: str
    status: str
    residents: int
    lon: float | None
    lat: float | None


class OrganisationOut(Schema):
    id: int
    credit_code: str
    name: str
    kind: str
    status: str
    grid_code: str
    address: str


class PlaceOut(Schema):
    id: int
    kind: str
    category: str
    name: str
    grid_code: str
    address: str
    risk_level: str
    lon: float | None
    lat: float | None
    next_inspection_due: str | None


class UnmaskIn(Schema):
    purpose: str


class OpenDataOut(Schema):
    fields: list[str]
    rows: list[list[Any]]


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise HttpError(403, "You do not have permission to read the registry.")


def _person(person: Person, user: Any, *, full: bool = False) -> dict[str, Any]:
    masked = privacy.MaskedPerson(person, full=full)
    labels = [
        item.label
        for item in person.labels.filter(until__isnull=True)
        if user.has_perm(f"registry.view_{item.kind}_label")
    ]
    return {
        "id": person.pk,
        "name": person.name,
        "id_number": masked.id_number,
        "phone": masked.phone,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "residence_type": person.residence_type,
        "status": person.status,
        "grid_code": person.grid_id,
        "house_code": person.house.code,
        "address": masked.address,
        "labels": labels,
    }


@router.get("/registry/people", response=list[PersonOut])
def list_people(request: HttpRequest, q: str = "", grid: str = "", limit: int = 50):
    """Search by whole identity number, phone (or its first digits) or the start of a name; or list a grid."""
    _require(request, "registry.view_person")
    limit = max(1, min(limit, 500))
    if q:
        people = search_people(request.user, q, limit)
    else:
        qs = Person.objects.restrict(request.user).select_related("house").filter(status="living")
        people = list(qs.filter(grid_id=grid).order_by("id")[:limit]) if grid else list(qs.order_by("id")[:limit])
    return [_person(p, request.user) for p in people]


@router.get("/registry/people/{pk}", response=PersonOut)
def get_person(request: HttpRequest, pk: int):
    _require(request, "registry.view_person")
    return _person(get_restricted_or_404(Person.objects.select_related("house"), request.user, pk=pk), request.user)


@router.post("/registry/people/{pk}/unmask", response=PersonOut)
def unmask_person(request: HttpRequest, pk: int, payload: UnmaskIn):
    """The record in full. Needs the unmask permission and a purpose; writes an access-log entry."""
    _require(request, "registry.view_person")
    person = get_restricted_or_404(Person.objects.select_related("house"), request.user, pk=pk)
    if not privacy.can_unmask(request.user):
        raise HttpError(403, "You may not see personal data in full.")
    allowed = {value for value, _ in PURPOSES}
    purpose = payload.purpose.strip()
    if not purpose:
        raise HttpError(400, f"give a purpose, e.g. one of {', '.join(sorted(allowed))}")
    privacy.do_unmask(person, fields=["id_number", "phone", "address"], purpose=purpose, acting_user=request.user)
    return _person(person, request.user, full=True)


@router.get("/registry/houses/{pk}", response=HouseOut)
def get_house(request: HttpRequest, pk: int):
    _require(request, "registry.view_house")
    house = get_restricted_or_404(House.objects.all(), request.user, pk=pk)
    return {
        **{
            f: getattr(house, f)
            for f in ("id", "code", "address", "house_type", "use", "grade", "colour", "status", "lon", "lat")
        },
        "grid_code": house.grid_id,
        "residents": house.residents.filter(status="living").count(),
    }


@router.get("/registry/organisations", response=list[OrganisationOut])
def list_organisations(request: HttpRequest, q: str = "", limit: int = 50):
    _require(request, "registry.view_organisation")
    qs = Organisation.objects.restrict(request.user)
    if q:
        qs = qs.filter(name__contains=q) | qs.filter(credit_code=q.upper())
    return [
        {
            **{f: getattr(o, f) for f in ("id", "credit_code", "name", "kind", "status", "address")},
            "grid_code": o.grid_id,
        }
        for o in qs.order_by("name")[: max(1, min(limit, 500))]
    ]


@router.get("/registry/places", response=list[PlaceOut])
def list_places(request: HttpRequest, kind: str = "", grid: str = "", limit: int = 500):
    _require(request, "registry.view_place")
    qs = Place.objects.restrict(request.user).filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if grid:
        qs = qs.filter(grid_id=grid)
    return [
        {
            **{f: getattr(p, f) for f in ("id", "kind", "category", "name", "address", "risk_level", "lon", "lat")},
            "grid_code": p.grid_id,
            "next_inspection_due": p.next_inspection_due.isoformat() if p.next_inspection_due else None,
        }
        for p in qs.order_by("grid_id", "id")[: max(1, min(limit, 5000))]
    ]


@router.get("/open-data/registry-grids", response=OpenDataOut, auth=None)
def open_data(request: HttpRequest):
    """Public counts per grid without personal data (small counts suppressed)."""
    return {"fields": exports.OPEN_HEADER, "rows": exports.open_data()}
