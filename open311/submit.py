"""POST requests: turn a GeoReport form into the one intake every channel uses, or hold it for moderation."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import Channel
from cases.intake import IntakeData, attachment_problem, create_case, validate
from cases.models import Case
from core import audit
from core.actions import action
from open311 import catalog
from open311.models import HeldMedia, ServiceRequest
from territory.models import Division, Grid

MAX_DESCRIPTION = 4000
PHONE_PREFIX = re.compile(r"^(\+?86)")


class Rejected(Exception):
    """Bad input: the HTTP status and the problems, each naming its field."""

    def __init__(self, status: int, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.status = status
        self.problems = problems


@dataclass
class Submission:
    client: Any
    service: catalog.Service
    fields: dict[str, Any]
    answers: dict[str, Any]
    lon: float | None = None
    lat: float | None = None
    community_code: str = ""
    media: list[Any] = field(default_factory=list)
    idempotency_key: str | None = None


def _float(value: str, name: str, problems: list[str]) -> float | None:
    try:
        return float(value)
    except ValueError:
        problems.append(_("%(name)s: %(value)s is not a number of degrees") % {"name": name, "value": value})
        return None


def _community_in(text: str) -> Division | None:
    """The community an address names (the longest community name in it; a named street breaks ties)."""
    communities = list(Division.objects.filter(level="community").select_related("parent").defer("geometry"))
    named = [c for c in communities if c.name and c.name in text]
    if not named:
        return None
    named.sort(key=lambda c: (c.parent is not None and c.parent.name in text, len(c.name)), reverse=True)
    return named[0]


def locate(form: Any, problems: list[str]) -> tuple[float | None, float | None, str]:
    """One full location: lat & long, or address_id (a grid or community code), or an address_string that names
    a community of the district."""
    lat, lon = (form.get("lat") or "").strip(), (form.get("long") or "").strip()
    address_id = (form.get("address_id") or "").strip()
    address = (form.get("address_string") or "").strip()
    if lat or lon:
        if not (lat and lon):
            problems.append(_("lat and long must both be sent"))
            return None, None, ""
        return _float(lon, "long", problems), _float(lat, "lat", problems), ""
    if address_id:
        grid = Grid.objects.filter(code=address_id).only("code", "geometry").first()
        if grid is not None and grid.geometry:
            from shapely.geometry import shape

            point = shape(grid.geometry).representative_point()
            return point.x, point.y, ""
        if Division.objects.filter(code=address_id, level="community").exists():
            return None, None, address_id
        problems.append(_("address_id %(id)s is not a grid or community code of the district") % {"id": address_id})
        return None, None, ""
    if address:
        community = _community_in(address)
        if community is None:
            problems.append(
                _("address_string names no community of the district; send lat and long or address_id instead")
            )
            return None, None, ""
        return None, None, community.code
    problems.append(_("a location is required: lat and long, address_string or address_id"))
    return None, None, ""


def _phone(value: str) -> str:
    digits = re.sub(r"[\s\-()]", "", value)
    return PHONE_PREFIX.sub("", digits) if len(digits) > 11 else digits


def parse(form: Any, files: Any, client: Any, service: catalog.Service, idempotency_key: str | None) -> Submission:
    """Check everything the form says; raises Rejected(400, problems) listing every bad field."""
    problems: list[str] = []
    fields = {
        name: (form.get(name) or "").strip()
        for name in (
            "description",
            "address_string",
            "address_id",
            "email",
            "device_id",
            "account_id",
            "first_name",
            "last_name",
            "phone",
            "media_url",
        )
    }
    if len(fields["description"]) > MAX_DESCRIPTION:
        problems.append(
            _("description: at most 4,000 characters, got %(n)s") % {"n": f"{len(fields['description']):,}"}
        )
    limits = {
        "address_string": 300,
        "address_id": 50,
        "device_id": 100,
        "account_id": 100,
        "first_name": 50,
        "last_name": 50,
        "media_url": 500,
    }
    for name, limit in limits.items():
        if len(fields[name]) > limit:
            problems.append(_("%(name)s: at most %(limit)d characters") % {"name": name, "limit": limit})
    if fields["email"]:
        try:
            EmailValidator()(fields["email"])
        except ValidationError:
            problems.append(_("email: %(value)s is not an email address") % {"value": fields["email"]})
    if fields["media_url"]:
        try:
            URLValidator(schemes=["http", "https"])(fields["media_url"])
        except ValidationError:
            problems.append(_("media_url: %(value)s is not an http(s) URL") % {"value": fields["media_url"]})
    fields["phone"] = _phone(fields["phone"])
    lon, lat, community = locate(form, problems)
    answers, attribute_problems = catalog.check_attributes(service.category, catalog.submitted_attributes(form))
    problems.extend(attribute_problems)
    media = files.getlist("media") if files is not None else []
    for n, upload in enumerate(media, start=1):
        problem = attachment_problem(upload)
        if problem:
            problems.append(f"media[{n}]: {problem}")
    if problems:
        raise Rejected(400, problems)
    return Submission(client, service, fields, answers, lon, lat, community, media, idempotency_key)


def _intake_data(request: ServiceRequest, idempotency_key: str | None) -> IntakeData:
    category = request.category
    answers = catalog.answers_text(category, request.attributes)
    description = "\n\n".join(part for part in (request.description, answers) if part) or category.name
    if len(description) > MAX_DESCRIPTION:
        raise Rejected(400, [_("description: with the attribute answers it is over 4,000 characters")])
    return IntakeData(
        channel=Channel.OPEN311,
        description=description,
        category_code=category.code,
        lon=request.long,
        lat=request.lat,
        address=request.address_string,
        community_code=request.community_code,
        reporter_name=request.reporter_name,
        reporter_phone=request.phone,
        idempotency_key=idempotency_key,
        external_ref=request.account_id or request.device_id,
    )


def _as_problems(exc: ValidationError) -> list[str]:
    names = {"reporter_phone": "phone", "location": "lat/long", "community_code": "address_id", "lon": "long"}
    if hasattr(exc, "error_dict"):
        return [f"{names.get(k, k)}: {' '.join(v)}" for k, v in exc.message_dict.items()]
    return list(exc.messages)


def _new_request(sub: Submission, state: str) -> ServiceRequest:
    """Unsaved: a realtime request is saved once its case exists (one INSERT, no UPDATE)."""
    f = sub.fields
    return ServiceRequest(
        token=secrets.token_hex(8),
        client=sub.client,
        state=state,
        category=sub.service.category,
        received_at=timezone.now(),
        description=f["description"],
        lat=sub.lat,
        long=sub.lon,
        address_string=f["address_string"],
        address_id=f["address_id"],
        community_code=sub.community_code,
        email=f["email"],
        device_id=f["device_id"],
        account_id=f["account_id"],
        first_name=f["first_name"],
        last_name=f["last_name"],
        phone=f["phone"],
        media_url=f["media_url"],
        attributes=sub.answers,
    )


def _open_case(request: ServiceRequest, uploads: list[Any], idempotency_key: str | None) -> Case:
    data = _intake_data(request, idempotency_key)
    data.attachments = uploads
    try:
        return create_case(data, acting_user=request.client)
    except ValidationError as exc:
        raise Rejected(400, _as_problems(exc)) from None


@action
def do_file_request(sub: Submission, *, acting_user: Any) -> ServiceRequest:
    """A realtime service: the case is made now, in the same transaction as the Open311 record."""
    request = _new_request(sub, ServiceRequest.State.ACCEPTED)
    request.case = _open_case(request, sub.media, sub.idempotency_key)
    request.save()
    audit.record("open311.file_request", actor=acting_user, obj=request, after=audit.snapshot(request))
    return request


def file_request(sub: Submission) -> tuple[ServiceRequest, bool]:
    """(request, created); a repeated Idempotency-Key returns the first request."""
    if sub.idempotency_key:
        existing = ServiceRequest.objects.filter(case__idempotency_key=sub.idempotency_key).first()
        if existing is not None:
            return existing, False
    try:
        return do_file_request(sub, acting_user=sub.client), True
    except IntegrityError:
        existing = (
            ServiceRequest.objects.filter(case__idempotency_key=sub.idempotency_key).first()
            if sub.idempotency_key
            else None
        )
        if existing is None:
            raise
        return existing, False


@action
def do_hold_request(sub: Submission, *, acting_user: Any) -> ServiceRequest:
    """A moderated (batch) service: keep the request and its media; the client gets a token."""
    request = _new_request(sub, ServiceRequest.State.HELD)
    try:  # everything the intake will check must hold now, not when a moderator gets to it
        validate(_intake_data(request, None))
    except ValidationError as exc:
        raise Rejected(400, _as_problems(exc)) from None
    request.save()
    for upload in sub.media:
        HeldMedia.objects.create(
            request=request, file=upload, original_name=upload.name[:200], content_type=upload.content_type
        )
    audit.record("open311.hold_request", actor=acting_user, obj=request, after=audit.snapshot(request))
    return request


def _held_uploads(request: ServiceRequest) -> list[Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    uploads = []
    for media in request.held_media.all():
        with media.file.open("rb") as fh:
            uploads.append(SimpleUploadedFile(media.original_name, fh.read(), media.content_type))
    return uploads


def _held(request: ServiceRequest) -> ServiceRequest:
    locked = ServiceRequest.objects.select_for_update().select_related("category", "client").get(pk=request.pk)
    if locked.state != ServiceRequest.State.HELD:
        raise ValidationError({"state": _("request %(token)s was already moderated") % {"token": locked.token}})
    return locked


@action
def do_accept_request(request: ServiceRequest, *, acting_user: Any) -> ServiceRequest:
    """A moderator lets a held request through: it goes through the intake as the application filed it."""
    request = _held(request)
    before = audit.snapshot(request)
    try:
        request.case = _open_case(request, _held_uploads(request), None)
    except Rejected as exc:
        raise ValidationError({"request": exc.problems}) from None
    request.state = ServiceRequest.State.ACCEPTED
    request.moderated_at = timezone.now()
    request.moderated_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    request.save()
    audit.record("open311.accept_request", actor=acting_user, obj=request, before=before, after=audit.snapshot(request))
    return request


@action
def do_reject_request(request: ServiceRequest, *, reason: str, acting_user: Any) -> ServiceRequest:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("say why the request is rejected; the application shows it")})
    request = _held(request)
    before = audit.snapshot(request)
    request.state = ServiceRequest.State.REJECTED
    request.moderation_reason = reason[:500]
    request.moderated_at = timezone.now()
    request.moderated_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    request.save()
    audit.record("open311.reject_request", actor=acting_user, obj=request, before=before, after=audit.snapshot(request))
    return request
