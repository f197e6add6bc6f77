"""A case as a GeoReport service request record, and which cases the public Open311 endpoint publishes."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.choices import FINAL_STATUSES, Status
from cases.models import Attachment, Case
from core.privacy import mask_phone

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9Xx])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9Xx])")


def mask(text: str) -> str:
    """Mobile and ID-card numbers a reporter typed into a description are not published whole."""
    return ID_NUMBER.sub(r"\1********\2", MOBILE.sub(lambda m: mask_phone(m.group(0)), text))


def published(service_codes: Any = None) -> QuerySet[Case]:
    """Cases the public endpoint shows: of the channels configured (Open311's own by default) and of services
    offered through Open311."""
    qs = Case.objects.all()
    channels = settings.OPEN311_PUBLISHED_CHANNELS
    if channels != ["all"]:
        qs = qs.filter(channel__in=channels)
    if service_codes is not None:
        qs = qs.filter(category__code__in=list(service_codes))
    return qs.select_related("category", "holder_division", "holder_department", "grid", "master", "open311_request")


def is_open(case: Case) -> bool:
    return case.status not in FINAL_STATUSES


def status_notes(case: Case) -> str:
    label = str(Status(case.status).label)
    if case.status == Status.MERGED and case.master is not None:
        return _("Duplicate of %(no)s, followed there.") % {"no": case.master.tracking_no}
    if case.reply:
        return f"{label}: {case.reply}"
    return label


def service_notice(case: Case, profile: Any = None) -> str:
    if profile is not None and profile.service_notice:
        return profile.service_notice
    holder = str(case.holder or "")
    if not is_open(case) or case.resolution_due is None:
        return holder
    from open311.render import w3

    return _("Held by %(holder)s: first response by %(response)s, resolution by %(resolution)s.") % {
        "holder": holder,
        "response": w3(case.response_due) or "-",
        "resolution": w3(case.resolution_due),
    }


def media_url(case: Case, request: Any, photo: Attachment | None) -> str | None:
    open311 = getattr(case, "open311_request", None)
    if open311 is not None and open311.media_url:
        return open311.media_url
    if photo is not None:
        return request.build_absolute_uri(reverse("open311:media", args=[photo.sha256]))
    return None


def intake_photos(cases: list[Case]) -> dict[int, Attachment]:
    """The first photo each case came in with (what the reporter sent; later evidence stays internal)."""
    photos: dict[int, Attachment] = {}
    for photo in Attachment.objects.filter(case__in=cases, kind="photo", event__action="intake").order_by("id"):
        photos.setdefault(photo.case_id, photo)
    return photos


def record(case: Case, request: Any, photo: Attachment | None, profiles: dict[int, Any]) -> dict[str, Any]:
    open311 = getattr(case, "open311_request", None)
    description = open311.description if open311 is not None else case.description
    closed = not is_open(case)
    return {
        "service_request_id": case.tracking_no,
        "status": "closed" if closed else "open",
        "status_notes": status_notes(case),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": mask(description) or None,
        "agency_responsible": str(case.holder or "") or None,
        "service_notice": service_notice(case, profiles.get(case.category_id)) or None,
        "requested_datetime": case.created_at,
        "updated_datetime": (case.closed_at or case.updated_at) if closed else case.updated_at,
        "expected_datetime": case.resolution_due,
        "address": case.address or (open311.address_string if open311 is not None else "") or None,
        "address_id": case.territory_code,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": media_url(case, request, photo),
    }


def records(cases: list[Case], request: Any) -> list[dict[str, Any]]:
    from open311.models import ServiceProfile

    profiles = {p.category_id: p for p in ServiceProfile.objects.filter(category__in={c.category_id for c in cases})}
    photos = intake_photos(cases)
    return [record(case, request, photos.get(case.pk), profiles) for case in cases]
