"""Registry pages: lists, search, detail pages with their lifecycle timeline, forms, imports and exports.

Every object comes through `restrict()` (404 outside the territory), every write through an action, and
personal data is masked unless the user unmasks it with a reason (registry.privacy)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.scoping import get_restricted_or_404
from core.tabular import FileError
from core.views import error_messages, error_text, require_perm
from registry import actions, exports, forms, privacy
from registry import choices as c
from registry.importers import KINDS, do_import, read_file
from registry.models import AccessLog, House, MergeCandidate, Organisation, Person, PersonLabel, Place, Tenancy
from territory.models import Grid

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 50


def _grids(user: Any) -> list[tuple[str, str]]:
    return [(g.code, f"{g.name} · {g.code}") for g in Grid.objects.restrict(user).only("code", "name").order_by("code")]


def _form_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in error_messages(exc).items():
        form.add_error(field if field in form.fields else None, errors)


def _page(request: HttpRequest, qs: QuerySet) -> Any:
    return Paginator(qs, PAGE).get_page(request.GET.get("page"))


def prefix(field: str, text: str) -> Q:
    """`field` starts with `text`, in a form each database answers from its index: PostgreSQL's pattern opclass
    serves LIKE 'x%'; SQLite's LIKE is case-insensitive and cannot, but a range on the plain index can."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": text, f"{field}__lt": text + "\U0010ffff"})
    return Q(**{f"{field}__startswith": text})


def search_people(user: Any, query: str, limit: int = PAGE) -> list[Person]:
    """By identity number (whole), phone (whole or its start), or name (its start), in the user's territory."""
    text = query.strip().replace(" ", "")
    qs = Person.objects.restrict(user).select_related("house")
    if not text:
        return []
    if len(text) == 18 and text[:17].isdigit():
        match = Q(id_number=text.upper())
    elif text.isdigit() and len(text) >= 7:
        match = Q(phone=text) if len(text) == 11 else prefix("phone", text)
    else:
        match = prefix("name", text)
    return list(qs.filter(match).order_by("name", "id")[:limit])


# Overview and search --------------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require_perm(request, "registry.view_person")
    user = request.user
    people = Person.objects.restrict(user).filter(status=c.PersonStatus.LIVING)
    by_type = dict(people.values_list("residence_type").annotate(n=Count("id")).values_list("residence_type", "n"))
    houses = House.objects.restrict(user).exclude(status=c.HouseStatus.DEMOLISHED)
    by_colour = dict(houses.values_list("colour").annotate(n=Count("id")).values_list("colour", "n"))
    by_use = dict(houses.values_list("use").annotate(n=Count("id")).values_list("use", "n"))
    context = {
        "residents": sum(by_type.values()),
        "by_type": [(label, by_type.get(value, 0)) for value, label in c.ResidenceType.choices],
        "houses": sum(by_use.values()),
        "by_use": [(label, by_use.get(value, 0)) for value, label in c.HouseUse.choices],
        "by_colour": [(value, label, by_colour.get(value, 0)) for value, label in c.Colour.choices],
        "places": Place.objects.restrict(user).filter(is_active=True).count(),
        "organisations": Organisation.objects.restrict(user).filter(status=c.OrganisationStatus.REGISTERED).count(),
        "duplicates": MergeCandidate.objects.restrict(user).filter(status=MergeCandidate.Status.OPEN).count()
        if user.has_perm("registry.view_mergecandidate")
        else None,
    }
    return render(request, "registry/home.html", context)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    require_perm(request, "registry.view_person")
    query = request.GET.get("q", "").strip()
    people, houses, places, orgs = [], [], [], []
    if query:
        people = [privacy.MaskedPerson(p) for p in search_people(request.user, query)]
        houses = list(House.objects.restrict(request.user).filter(Q(address__contains=query) | Q(code=query))[:PAGE])
        places = list(Place.objects.restrict(request.user).filter(name__contains=query)[:PAGE])
        orgs = list(
            Organisation.objects.restrict(request.user).filter(Q(name__contains=query) | Q(credit_code=query.upper()))[
                :PAGE
            ]
        )
    return render(
        request,
        "registry/search.html",
        {"query": query, "people": people, "houses": houses, "places": places, "organisations": orgs},
    )


# People ---------------------------------------------------------------------------------------------------------


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "registry.view_person")
    qs = Person.objects.restrict(request.user).select_related("house").order_by("id")
    status = request.GET.get("status", c.PersonStatus.LIVING)
    if status:
        qs = qs.filter(status=status)
    if request.GET.get("type"):
        qs = qs.filter(residence_type=request.GET["type"])
    if request.GET.get("grid"):
        qs = qs.filter(grid_id=request.GET["grid"])
    label = request.GET.get("label", "")
    if label and request.user.has_perm(f"registry.view_{c.label_kind(label)}_label"):
        qs = qs.filter(labels__label=label, labels__until__isnull=True)
    page = _page(request, qs)
    return render(
        request,
        "registry/person_list.html",
        {
            "page": page,
            "people": [privacy.MaskedPerson(p) for p in page],
            "status": status,
            "type": request.GET.get("type", ""),
            "grid": request.GET.get("grid", ""),
            "label": label,
            "labels": _visible_labels(request.user),
            "grids": _grids(request.user),
            "statuses": c.PersonStatus.choices,
            "types": c.ResidenceType.choices,
        },
    )


def _visible_labels(user: Any) -> list[tuple[str, Any]]:
    return [(v, label) for v, label in c.Label.choices if user.has_perm(f"registry.view_{c.label_kind(v)}_label")]


def _person_context(request: HttpRequest, person: Person, *, full: bool = False) -> dict[str, Any]:
    user = request.user
    labels = [
        item for item in person.labels.order_by("until", "label") if user.has_perm(f"registry.view_{item.kind}_label")
    ]
    addable = [(v, label) for v, label in c.Label.choices if user.has_perm(f"registry.change_{c.label_kind(v)}_label")]
    household = []
    if person.household is not None:
        household = [
            privacy.MaskedPerson(p)
            for p in person.household.members.select_related("house").order_by("relation", "id")
            if p.pk != person.pk
        ]
    return {
        "person": person,
        "masked": privacy.MaskedPerson(person, full=full),
        "full": full,
        "household": household,
        "labels": labels,
        "label_form": forms.LabelForm(labels=addable) if addable else None,
        "timeline": actions.timeline(person=person),
        "can_unmask": privacy.can_unmask(user),
        "can_change": user.has_perm("registry.change_person"),
        "unmask_form": forms.UnmaskForm(),
        "date_form": forms.DateNoteForm(),
        "birth_form": forms.BirthForm(),
        "houses_owned": person.houses_owned.all()[:20],
    }


def _person(request: HttpRequest, pk: int) -> Person:
    return get_restricted_or_404(Person.objects.select_related("house", "household"), request.user, pk=pk)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "registry.view_person")
    return render(request, "registry/person_detail.html", _person_context(request, _person(request, pk)))


@login_required
@require_POST
def person_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "registry.view_person")
    person = _person(request, pk)
    form = forms.UnmaskForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    privacy.do_unmask(
        person, fields=["id_number", "phone", "address"], purpose=form.cleaned_data["purpose"], acting_user=request.user
    )
    return render(request, "registry/person_detail.html", _person_context(request, person, full=True))


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "registry.change_person")
    person = _person(request, pk)
    initial = {name: getattr(person, name) for name in actions.PERSON_FIELDS}
    initial["id_number"] = privacy.mask_id(person.id_number)  # the full number is typed again to change it
    form = forms.PersonForm(request.POST or None, initial=initial)
    for name in ("household_number", "since"):  # moving is a lifecycle event, not an edit
        del form.fields[name]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data["id_number"] == initial["id_number"]:
            data.pop("id_number")
        try:
            actions.do_update_person(person, data, acting_user=request.user)
            messages.success(request, _("Saved."))
            return redirect("registry:person", pk=person.pk)
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(request, "registry/form.html", {"form": form, "title": _("Edit %(name)s") % {"name": person.name}})


@login_required
@require_POST
def person_event(request: HttpRequest, pk: int, event: str) -> HttpResponse:
    person = _person(request, pk)
    try:
        if event == "birth":
            require_perm(request, "registry.add_person")
            form = forms.BirthForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.get_json_data())
            child = actions.do_record_birth(person, form.cleaned_data, acting_user=request.user)
            messages.success(request, _("Birth recorded."))
            return redirect("registry:person", pk=child.pk)
        if event in ("move-out", "death"):
            require_perm(request, "registry.change_person")
            when = forms.DateNoteForm(request.POST)
            when.is_valid()
            date = when.cleaned_data.get("date")
            if event == "move-out":
                note = when.cleaned_data.get("note", "")
                actions.do_move_out(person, date=date, destination=note, acting_user=request.user)
                messages.success(request, _("Moving out recorded."))
            else:
                actions.do_record_death(person, date=date, acting_user=request.user)
                messages.success(request, _("Death recorded."))
        elif event == "label":
            label_form = forms.LabelForm(request.POST, labels=list(c.Label.choices))
            if not label_form.is_valid():
                raise ValidationError(label_form.errors.get_json_data())
            data = label_form.cleaned_data
            actions.do_add_label(
                person, data["label"], since=data["since"], note=data["note"], acting_user=request.user
            )
            messages.success(request, _("Label added."))
        elif event == "end-label":
            item = PersonLabel.objects.filter(person=person, pk=request.POST.get("label_id") or 0).first()
            if item is None or not request.user.has_perm(f"registry.view_{item.kind}_label"):
                raise Http404
            actions.do_end_label(item, acting_user=request.user)
            messages.success(request, _("Label ended."))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, error_text(exc) if hasattr(exc, "error_dict") or hasattr(exc, "messages") else str(exc))
    return redirect("registry:person", pk=person.pk)


# Houses ---------------------------------------------------------------------------------------------------------


def _house(request: HttpRequest, pk: int) -> House:
    return get_restricted_or_404(House.objects.select_related("owner", "owner_organisation"), request.user, pk=pk)


@login_required
def house_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "registry.view_house")
    qs = House.objects.restrict(request.user).order_by("code")
    for param, field in (("use", "use"), ("colour", "colour"), ("grid", "grid_id"), ("status", "status")):
        if request.GET.get(param):
            qs = qs.filter(**{field: request.GET[param]})
    page = _page(request, qs)
    living = dict(
        Person.objects.filter(house__in=list(page), status=c.PersonStatus.LIVING)
        .values("house_id")
        .annotate(n=Count("id"))
        .values_list("house_id", "n")
    )
    for house in page:
        house.living = living.get(house.pk, 0)
    return render(
        request,
        "registry/house_list.html",
        {
            "page": page,
            "filters": {k: request.GET.get(k, "") for k in ("use", "colour", "grid", "status")},
            "uses": c.HouseUse.choices,
            "colours": c.Colour.choices,
            "statuses": c.HouseStatus.choices,
            "grids": _grids(request.user),
        },
    )


@login_required
def house_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "registry.view_house")
    house = _house(request, pk)
    living = house.residents.filter(status=c.PersonStatus.LIVING).select_related("household", "house")
    tenancies = list(
        Tenancy.objects.filter(house=house).select_related("household").order_by("end_date", "-start_date")
    )
    tenant_households = {t.household_id for t in tenancies if t.end_date is None}
    residents = [privacy.MaskedPerson(p) for p in living.order_by("household_id", "relation", "id")]
    context = {
        "house": house,
        "residents": [r for r in residents if r.person.household_id not in tenant_households],
        "tenants": [r for r in residents if r.person.household_id in tenant_households],
        "tenancies": tenancies,
        "timeline": actions.timeline(house=house),
        "organisations": house.organisations.all(),
        "can_change": request.user.has_perm("registry.change_house"),
        "can_add_person": request.user.has_perm("registry.add_person"),
        "next_status": actions.HOUSE_STEPS[house.status][0] if house.status in actions.HOUSE_STEPS else None,
        "owner": privacy.MaskedPerson(house.owner) if house.owner is not None else None,
        "owner_phone": privacy.mask_phone(house.owner_phone),
    }
    return render(request, "registry/house_detail.html", context)


@login_required
def house_new(request: HttpRequest) -> HttpResponse:
    require_perm(request, "registry.add_house")
    form = forms.HouseForm(request.POST or None, grids=_grids(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            house = actions.do_register_house(form.cleaned_data, acting_user=request.user)
            messages.success(request, _("House %(code)s registered.") % {"code": house.code})
            return redirect("registry:house", pk=house.pk)
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(request, "registry/form.html", {"form": form, "title": _("Register a house")})


@login_required
def house_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "registry.change_house")
    house = _house(request, pk)
    initial = {name: getattr(house, name) for name in actions.HOUSE_FIELDS}
    form = forms.HouseEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_house(house, form.cleaned_data, acting_user=request.user)
            messages.success(request, _("Saved."))
            return redirect("registry:house", pk=house.pk)
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(request, "registry/form.html", {"form": form, "title": _("Edit %(name)s") % {"name": house.address}})


@login_required
def house_move_in(request: HttpRequest, pk: int) -> HttpResponse:
    """A household moving in (a grid worker's form on the phone): members once, the tenancy if they rent."""
    require_perm(request, "registry.add_person")
    house = _house(request, pk)
    form = forms.MoveInForm(request.POST or None, initial={"rent": house.use in (c.HouseUse.VACANT, c.HouseUse.RENTED)})
    members = forms.MemberFormSet(request.POST or None, prefix="m")
    if request.method == "POST" and form.is_valid() and members.is_valid():
        rows = [
            {
                **{k: v for k, v in m.cleaned_data.items() if v not in (None, "")},
                "residence_type": form.cleaned_data["residence_type"],
            }
            for m in members
            if m.cleaned_data.get("name")
        ]
        try:
            household = actions.do_move_in_household(
                house,
                rows,
                rent=form.cleaned_data["rent"],
                start_date=form.cleaned_data["start_date"],
                purpose=form.cleaned_data["purpose"],
                contract_no=form.cleaned_data["contract_no"],
                acting_user=request.user,
            )
            messages.success(request, _("%(n)s people moved in.") % {"n": household.members.count()})
            return redirect("registry:house", pk=house.pk)
        except ValidationError as exc:
            for field, errors in error_messages(exc).items():
                form.add_error(None, [f"{field}: {e}" for e in errors])
    return render(request, "registry/move_in.html", {"house": house, "form": form, "members": members})


@login_required
def house_register_person(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "registry.add_person")
    house = _house(request, pk)
    form = forms.PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.do_register_person(form.cleaned_data, house, acting_user=request.user)
            messages.success(request, _("Registered."))
            return redirect("registry:person", pk=person.pk)
        except ValidationError as exc:
            _form_errors(form, exc)
    title = _("Register a resident at %(address)s") % {"address": house.address}
    return render(request, "registry/form.html", {"form": form, "title": title})


@login_required
@require_POST
def house_event(request: HttpRequest, pk: int, event: str) -> HttpResponse:
    require_perm(request, "registry.change_house")
    house = _house(request, pk)
    form = forms.DateNoteForm(request.POST)
    form.is_valid()
    date = form.cleaned_data.get("date")
    try:
        if event == "vacate":
            actions.do_vacate_house(house, date=date, acting_user=request.user)
            messages.success(request, _("The tenants have moved out."))
        elif event in (c.HouseStatus.BUILDING, c.HouseStatus.IN_USE, c.HouseStatus.DEMOLISHED):
            actions.do_advance_house(house, to=event, date=date, acting_user=request.user)
            messages.success(request, _("Lifecycle updated."))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("registry:house", pk=house.pk)


# Organisations and places ---------------------------------------------------------------------------------------


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "registry.view_organisation")
    qs = Organisation.objects.restrict(request.user).order_by("name")
    status = request.GET.get("status", c.OrganisationStatus.REGISTERED)
    if status:
        qs = qs.filter(status=status)
    if request.GET.get("kind"):
        qs = qs.filter(kind=request.GET["kind"])
    if request.GET.get("q"):
        qs = qs.filter(Q(name__contains=request.GET["q"]) | Q(credit_code=request.GET["q"].upper()))
    return render(
        request,
        "registry/organisation_list.html",
        {
            "page": _page(request, qs),
            "status": status,
            "kind": request.GET.get("kind", ""),
            "q": request.GET.get("q", ""),
            "statuses": c.OrganisationStatus.choices,
            "kinds": c.OrganisationKind.choices,
        },
    )


def _organisation(request: HttpRequest, pk: int) -> Organisation:
    return get_restricted_or_404(Organisation.objects.select_related("house"), request.user, pk=pk)


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "registry.view_organisation")
    org = _organisation(request, pk)
    return render(
        request,
        "registry/organisation_detail.html",
        {
            "org": org,
            "rep_id": privacy.mask_id(org.legal_rep_id_number),
            "phone": privacy.mask_phone(org.phone),
            "places": org.places.all(),
            "timeline": actions.timeline(organisation=org),
            "can_change": request.user.has_perm("registry.change_organisation"),
            "end_form": forms.EndOrganisationForm(),
        },
    )


@login_required
def organisation_new(request: HttpRequest) -> HttpResponse:
    require_perm(request, "registry.add_organisation")
    form = forms.OrganisationForm(request.POST or None, grids=_grids(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            org = actions.do_register_organisation(form.cleaned_data, acting_user=request.user)
            messages.success(request, _("Registered."))
            return redirect("registry:organisation", pk=org.pk)
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(request, "registry/form.html", {"form": form, "title": _("Register an organisation")})


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "registry.change_organisation")
    org = _organisation(request, pk)
    form = forms.OrganisationEditForm(request.POST or None, initial={n: getattr(org, n) for n in actions.ORG_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_organisation(org, form.cleaned_data, acting_user=request.user)
            messages.success(request, _("Saved."))
            return redirect("registry:organisation", pk=org.pk)
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(request, "registry/form.html", {"form": form, "title": _("Edit %(name)s") % {"name": org.name}})


@login_required
@require_POST
def organisation_end(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "registry.change_organisation")
    org = _organisation(request, pk)
    form = forms.EndOrganisationForm(request.POST)
    if form.is_valid():
        try:
            actions.do_end_organisation(org, acting_user=request.user, **form.cleaned_data)
            messages.success(request, _("Recorded."))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("registry:organisation", pk=org.pk)


@login_required
def place_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "registry.view_place")
    qs = Place.objects.restrict(request.user).filter(is_active=True).order_by("grid_id", "name")
    for param in ("kind", "category", "risk_level"):
        if request.GET.get(param):
            qs = qs.filter(**{param: request.GET[param]})
    if request.GET.get("due"):
        qs = qs.filter(next_inspection_due__lte=timezone.localdate())
    return render(
        request,
        "registry/place_list.html",
        {
            "page": _page(request, qs),
            "filters": {k: request.GET.get(k, "") for k in ("kind", "risk_level", "due")},
            "kinds": c.PlaceKind.choices,
            "risks": c.RiskLevel.choices,
            "today": timezone.localdate(),
        },
    )


def _place(request: HttpRequest, pk: int) -> Place:
    return get_restricted_or_404(Place.objects.select_related("organisation"), request.user, pk=pk)


@login_required
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "registry.view_place")
    place = _place(request, pk)
    form = forms.InspectionForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, "registry.add_inspection")
        if form.is_valid():
            try:
                actions.do_record_inspection(place, acting_user=request.user, **form.cleaned_data)
                messages.success(request, _("Inspection recorded."))
                return redirect("registry:place", pk=place.pk)
            except ValidationError as exc:
                _form_errors(form, exc)
    return render(
        request,
        "registry/place_detail.html",
        {
            "place": place,
            "phone": privacy.mask_phone(place.responsible_phone),
            "inspections": place.inspections.select_related("inspector")[:50],
            "timeline": actions.timeline(place=place),
            "form": form,
            "can_inspect": request.user.has_perm("registry.add_inspection"),
            "can_change": request.user.has_perm("registry.change_place"),
            "point": json.dumps([place.lon, place.lat] if place.lon is not None else None),
        },
    )


@login_required
def place_new(request: HttpRequest) -> HttpResponse:
    require_perm(request, "registry.add_place")
    form = forms.PlaceForm(request.POST or None, grids=_grids(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            place = actions.do_register_place(form.cleaned_data, acting_user=request.user)
            messages.success(request, _("Registered."))
            return redirect("registry:place", pk=place.pk)
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(request, "registry/form.html", {"form": form, "title": _("Register a place or thing")})


@login_required
@require_POST
def place_close(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "registry.change_place")
    place = _place(request, pk)
    form = forms.DateNoteForm(request.POST)
    form.is_valid()
    try:
        actions.do_close_place(
            place,
            date=form.cleaned_data.get("date"),
            reason=form.cleaned_data.get("note", ""),
            acting_user=request.user,
        )
        messages.success(request, _("Recorded."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("registry:place", pk=place.pk)


@login_required
def place_map(request: HttpRequest) -> HttpResponse:
    require_perm(request, "registry.view_place")
    return render(request, "registry/place_map.html", {"kinds": c.PlaceKind.choices})


@login_required
def place_map_data(request: HttpRequest) -> JsonResponse:
    require_perm(request, "registry.view_place")
    places = Place.objects.restrict(request.user).filter(is_active=True, lon__isnull=False)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            "properties": {
                "id": p.pk,
                "name": p.name,
                "kind": p.kind,
                "category": p.get_category_display(),
                "risk": p.risk_level,
                "url": reverse("registry:place", args=[p.pk]),
            },
        }
        for p in places.only("pk", "name", "kind", "category", "risk_level", "lon", "lat")
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


# Duplicates and the access log -----------------------------------------------------------------------------------


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    require_perm(request, "registry.view_mergecandidate")
    qs = (
        MergeCandidate.objects.restrict(request.user)
        .filter(status=MergeCandidate.Status.OPEN)
        .select_related("person__house", "other__house")
    )
    pairs = [(m, privacy.MaskedPerson(m.person), privacy.MaskedPerson(m.other)) for m in qs[:200]]
    can_merge = request.user.has_perm("registry.merge_person")
    return render(request, "registry/duplicates.html", {"pairs": pairs, "can_merge": can_merge})


@login_required
@require_POST
def duplicate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "registry.merge_person")
    candidate = get_restricted_or_404(MergeCandidate.objects.select_related("person", "other"), request.user, pk=pk)
    try:
        if request.POST.get("decision") == "dismiss":
            actions.do_dismiss_candidate(candidate, acting_user=request.user)
        else:
            keep = candidate.person if request.POST.get("keep") == str(candidate.person_id) else candidate.other
            actions.do_merge(candidate, keep=keep, acting_user=request.user)
        messages.success(request, _("Decision recorded."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("registry:duplicates")


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    require_perm(request, "registry.view_accesslog")
    qs = AccessLog.objects.all()
    if request.GET.get("who"):
        qs = qs.filter(actor_label=request.GET["who"])
    return render(request, "registry/access_log.html", {"page": _page(request, qs), "who": request.GET.get("who", "")})


# Files ------------------------------------------------------------------------------------------------------------


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    require_perm(request, "registry.import_registry")
    form = forms.RegistryImportForm(request.POST or None, request.FILES or None)
    report, file_error = None, ""
    if request.method == "POST" and form.is_valid():
        upload, data = form.cleaned_data["file"], form.cleaned_data
        try:
            rows, digest = read_file(data["kind"], upload, name=upload.name, encoding=data["encoding"])
            report = do_import(
                data["kind"],
                rows,
                acting_user=request.user,
                dry_run=data["mode"] == "dry_run",
                skip_bad=data["mode"] == "skip_bad",
                file_name=upload.name,
                file_sha256=digest,
            )
        except FileError as exc:
            file_error = f"{upload.name}: {exc}"
    return render(
        request,
        "registry/import.html",
        {"form": form, "report": report, "file_error": file_error, "kinds": forms.KIND_LABELS},
    )


@login_required
def template_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    if kind not in KINDS or fmt not in ("xlsx", "csv"):
        raise Http404
    if not request.user.has_perm("registry.import_registry"):
        raise PermissionDenied
    body = exports.template_file(kind, fmt)
    return _download(body, f"{kind}-template.{fmt}")


def _download(body: bytes, name: str) -> HttpResponse:
    content_type = XLSX if name.endswith(".xlsx") else "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def export_view(request: HttpRequest, kind: str) -> HttpResponse:
    """Personal data leaves only with a reason; each export is in the access log."""
    if kind not in KINDS:
        raise Http404
    require_perm(request, "registry.export_person")
    form = forms.ExportForm(request.POST or None)
    if not privacy.can_unmask(request.user):
        del form.fields["full"]
    if request.method == "POST" and form.is_valid():
        full = bool(form.cleaned_data.get("full"))
        body, count = exports.export_file(kind, request.user, form.cleaned_data["fmt"], full=full)
        privacy.do_log_export(
            object_type=f"registry.{kind}",
            count=count,
            fields=exports.PERSONAL_FIELDS[kind],
            purpose=form.cleaned_data["purpose"],
            scope=kind,
            full=full,
            acting_user=request.user,
        )
        stamp = timezone.localdate().strftime("%Y%m%d")
        return _download(body, f"{kind}-{stamp}.{form.cleaned_data['fmt']}")
    label = dict(forms.KIND_LABELS)[kind]
    return render(request, "registry/export.html", {"form": form, "kind": kind, "label": label})


def open_data_page(request: HttpRequest) -> HttpResponse:
    """Public: counts per grid, no personal data."""
    context = {
        "header": exports.OPEN_HEADER,
        "rows": exports.open_data()[:30],
        "floor": settings.REGISTRY_OPEN_DATA_MIN_COUNT,
    }
    return render(request, "registry/open_data.html", context)


def open_data_file(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt == "json":
        table = exports.open_data()
        return JsonResponse({"fields": exports.OPEN_HEADER, "rows": table}, json_dumps_params={"ensure_ascii": False})
    if fmt not in ("csv", "xlsx"):
        raise Http404
    return _download(exports.open_data_file(fmt), f"registry-grids.{fmt}")
