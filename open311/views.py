"""The GeoReport v2 endpoints under /open311/v2/ (each in .xml and .json), plus the marked extensions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from cases.choices import Channel
from cases.models import Attachment
from core import ratelimit
from core.actions import find_api_client
from open311 import catalog, extensions, records, render, submit
from open311.models import ServiceRequest
from territory.models import Division

FORMATS = ("xml", "json")
SPAN = dt.timedelta(days=90)
LIMIT = 1000
SPEC = "http://wiki.open311.org/GeoReport_v2"


class Problem(Exception):
    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(descriptions)
        self.status = status
        self.descriptions = list(descriptions)


def jurisdiction() -> str:
    if settings.OPEN311_JURISDICTION_ID:
        return settings.OPEN311_JURISDICTION_ID
    district = Division.objects.filter(level="district").order_by("code").only("code").first()
    return district.code if district else ""


def endpoint(*methods: str) -> Callable:
    """Format from the URL, method, jurisdiction_id, api_key (if sent) and the rate limit, then the view;
    every failure answers with the spec's error document in the format asked for."""

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if fmt not in FORMATS:
                return render.errors("xml", 404, [_("format %(fmt)s is not offered; use xml or json") % {"fmt": fmt}])
            try:
                if request.method not in methods:
                    raise Problem(
                        405,
                        _("%(method)s is not allowed here; use %(allowed)s")
                        % {"method": request.method, "allowed": ", ".join(methods)},
                    )
                params = request.POST if request.method == "POST" else request.GET
                given = (params.get("jurisdiction_id") or "").strip()
                if given and given != jurisdiction():
                    raise Problem(
                        404,
                        _("jurisdiction_id %(given)s not found; this endpoint serves %(ours)s")
                        % {"given": given, "ours": jurisdiction()},
                    )
                try:
                    client = _client(params.get("api_key") or "", required=request.method == "POST")
                except Problem:
                    # Guessing keys counts against the address, so it is throttled like anonymous reading.
                    wait = ratelimit.over_limit(request, None)
                    if wait is not None:
                        return _too_many(fmt, wait)
                    raise
                wait = ratelimit.over_limit(request, client)
                if wait is not None:
                    return _too_many(fmt, wait)
                request.open311_client = client  # type: ignore[attr-defined]
                response = view(request, fmt, *args, **kwargs)
            except Problem as problem:
                response = render.errors(fmt, problem.status, problem.descriptions)
            except submit.Rejected as rejected:
                response = render.errors(fmt, rejected.status, rejected.problems)
            if response.status_code == 405:
                response["Allow"] = ", ".join(methods)
            return response

        return wrapper

    return decorate


def _too_many(fmt: str, wait: int) -> HttpResponse:
    response = render.errors(fmt, 429, [_("too many requests; try again in %(s)d seconds") % {"s": wait}])
    response["Retry-After"] = str(wait)
    return response


def _client(key: str, *, required: bool) -> Any:
    key = key.strip()
    if not key:
        if required:
            raise Problem(403, _("api_key is required to create a request; ask the district for one"))
        return None
    client = find_api_client(key)
    if client is None or client.channel != Channel.OPEN311:
        raise Problem(403, _("Invalid api_key received -- can't proceed."))
    return client


def changeset() -> str:
    """When the services or their definitions last changed (clients refresh cached definitions on a new value)."""
    from core.models import AuditEntry

    last = (
        AuditEntry.objects.filter(
            action__in=["open311.define_service", "open311.hide_services", "cases.create_categories"]
        )
        .order_by("-seq")
        .values_list("created_at", flat=True)
        .first()
    )
    return timezone.localtime(last).strftime("%Y-%m-%d %H:%M") if last else settings.OPEN311_CHANGESET


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:root"))
    version = changeset()
    return render.respond(
        fmt,
        "discovery",
        {
            "changeset": version,
            "contact": settings.OPEN311_CONTACT,
            "key_service": settings.OPEN311_KEY_SERVICE,
            "endpoints": [
                {
                    "specification": SPEC,
                    "url": base.rstrip("/"),
                    "changeset": version,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return render.respond(fmt, "services", [s.as_dict() for s in catalog.services().values()])


def _service(code: str) -> catalog.Service:
    code = (code or "").strip()
    if not code:
        raise Problem(400, _("service_code is required"))
    service = catalog.services().get(code)
    if service is None:
        raise Problem(404, _("service_code %(code)s not found") % {"code": code})
    return service


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    return render.respond(fmt, "service_definition", catalog.definition(_service(service_code)))


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    offset, size = _page(request.GET)
    cases = list(_filtered(request.GET)[offset : offset + size])
    return render.respond(fmt, "service_requests", records.records(cases, request))


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    client = request.open311_client  # type: ignore[attr-defined]
    service = _service(request.POST.get("service_code", ""))
    key = request.headers.get("Idempotency-Key") or None
    sub = submit.parse(request.POST, request.FILES, client, service, key)
    account_id = sub.fields["account_id"] or None
    if service.moderated:
        held = submit.do_hold_request(sub, acting_user=client)
        return render.respond(
            fmt,
            "service_requests",
            [
                {
                    "token": held.token,
                    "service_notice": _("Held for review; ask tokens/%(token)s for the request id.")
                    % {"token": held.token},
                    "account_id": account_id,
                }
            ],
            status=201,
        )
    filed, created = submit.file_request(sub)
    case = filed.case
    assert case is not None
    notice = records.service_notice(case, service.profile)
    return render.respond(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": case.tracking_no,
                "service_notice": notice,
                "account_id": account_id,
            }
        ],
        status=201 if created else 200,
    )


def _dates(params: Any) -> tuple[dt.datetime, dt.datetime]:
    problems, parsed = [], {}
    for name in ("start_date", "end_date"):
        raw = (params.get(name) or "").strip()
        if raw:
            parsed[name] = catalog.parse_w3(raw)
            if parsed[name] is None:
                problems.append(
                    _("%(name)s: %(value)s is not a w3 datetime with a time zone, e.g. 2010-01-01T00:00:00Z")
                    % {"name": name, "value": raw}
                )
    if problems:
        raise Problem(400, *problems)
    start, end = parsed.get("start_date"), parsed.get("end_date")
    if start and end:
        if end < start:
            raise Problem(400, _("end_date is before start_date"))
        if end - start > SPAN:
            raise Problem(
                400,
                _("start_date to end_date spans %(days)s days; at most 90")
                % {"days": f"{(end - start).total_seconds() / 86400:.1f}"},
            )
    elif start:
        end = start + SPAN
    elif end:
        start = end - SPAN
    else:
        end = timezone.now()
        start = end - SPAN
    assert start is not None and end is not None
    return start, end


def _page(params: Any) -> tuple[int, int]:
    """The common `page` / `page_size` extension (1-based; at most 1,000 a page, the spec's default limit)."""
    values = {}
    for name, default in (("page", 1), ("page_size", LIMIT)):
        raw = (params.get(name) or "").strip()
        try:
            values[name] = int(raw) if raw else default
        except ValueError:
            values[name] = 0
        if not 1 <= values[name] <= (LIMIT if name == "page_size" else 10**6):
            raise Problem(
                400,
                _("%(name)s: a whole number from 1 to %(max)s")
                % {"name": name, "max": LIMIT if name == "page_size" else 10**6},
            )
    return (values["page"] - 1) * values["page_size"], values["page_size"]


def _codes(raw: str) -> list[str]:
    return [c.strip() for c in (raw or "").split(",") if c.strip()]


def _filtered(params: Any):
    listed = catalog.services()
    ids = _codes(params.get("service_request_id", ""))
    if ids:  # overrides every other argument
        return records.published(listed).filter(tracking_no__in=ids).order_by("-created_at", "-id")
    codes = _codes(params.get("service_code", ""))
    unknown = [c for c in codes if c not in listed]
    if unknown:
        raise Problem(400, _("service_code %(codes)s not found") % {"codes": ", ".join(unknown)})
    statuses = _codes(params.get("status", ""))
    bad = [s for s in statuses if s not in ("open", "closed")]
    if bad:
        raise Problem(400, _("status %(values)s: use open or closed") % {"values": ", ".join(bad)})
    start, end = _dates(params)
    qs = records.published(codes or listed).filter(created_at__gte=start, created_at__lte=end)
    from cases.choices import FINAL_STATUSES

    if statuses == ["open"]:
        qs = qs.exclude(status__in=FINAL_STATUSES)
    elif statuses == ["closed"]:
        qs = qs.filter(status__in=FINAL_STATUSES)
    return qs.order_by("-created_at", "-id")


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    case = records.published(catalog.services()).filter(tracking_no=service_request_id).first()
    if case is None:
        raise Problem(404, _("service_request_id %(id)s not found") % {"id": service_request_id})
    return render.respond(fmt, "service_requests", records.records([case], request))


@endpoint("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    held = ServiceRequest.objects.filter(token=token).select_related("case").first()
    if held is None:
        raise Problem(404, _("token %(token)s not found") % {"token": token})
    if held.state == ServiceRequest.State.REJECTED:
        raise Problem(
            404,
            _("the request behind token %(token)s was not accepted: %(reason)s")
            % {"token": token, "reason": held.moderation_reason},
        )
    case_no = held.case.tracking_no if held.case else None
    return render.respond(fmt, "service_requests", [{"service_request_id": case_no, "token": held.token}])


# Extensions (not GeoReport v2; documented in the README).


@endpoint("GET")
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """servicerequestupdates: the changes of published requests between start_date and end_date (90 days)."""
    start, end = _dates(request.GET)
    qs = records.published(catalog.services())
    ids = _codes(request.GET.get("service_request_id", ""))
    if ids:
        qs = qs.filter(tracking_no__in=ids)
    cases = list(qs.filter(events__at__gte=start, events__at__lte=end).distinct()[:LIMIT])
    return render.respond(fmt, "service_requests_updates", extensions.updates(cases, start, end)[:LIMIT])


@endpoint("GET")
def request_stages(request: HttpRequest, fmt: str) -> HttpResponse:
    """servicerequeststages: each level and unit that held the requests named, with times and deadlines."""
    ids = _codes(request.GET.get("service_request_id", ""))
    if not ids:
        raise Problem(400, _("service_request_id is required (comma separated for several)"))
    if len(ids) > 100:
        raise Problem(400, _("at most 100 service_request_id at once"))
    found = {c.tracking_no: c for c in records.published(catalog.services()).filter(tracking_no__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise Problem(404, *[_("service_request_id %(id)s not found") % {"id": i} for i in missing])
    return render.respond(
        fmt, "service_request_stages", [{"service_request_id": i, "stages": extensions.stages(found[i])} for i in ids]
    )


def media(request: HttpRequest, sha256: str) -> FileResponse:
    """A photo a reporter sent with an Open311 request that is published (its media_url)."""
    photo = (
        Attachment.objects.filter(sha256=sha256, kind="photo", event__action="intake", case__channel=Channel.OPEN311)
        .select_related("case__category")
        .first()
    )
    if photo is None or photo.case.category.code not in catalog.services():
        raise Http404
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


def root(request: HttpRequest) -> HttpResponse:
    """The endpoint's root: what discovery says, as XML (the spec suggests serving discovery here)."""
    return discovery(request, fmt="xml")
