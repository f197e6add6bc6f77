"""JSON API of the case loop: intake for every system, reading scoped like the pages, workflow actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from cases import actions
from cases.intake import IntakeData, intake
from cases.models import Case, CaseEvent
from cases.workflow import IllegalTransition
from core.api import ApiKeyAuth, actor_of, field_errors
from core.models import ApiClient
from core.scoping import get_restricted_or_404
from territory.models import Department

router = Router(tags=["cases"])
AUTH = [ApiKeyAuth(), django_auth]


class CaseIn(Schema):
    description: str = Field(..., max_length=4000)
    category_code: str = Field("", description="empty: the triage classifier suggests it from the text")
    lon: float | None = None
    lat: float | None = None
    address: str = Field("", max_length=300)
    community_code: str = ""
    title: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = ""
    urgency: str = "normal"
    channel: str | None = Field(None, description="staff only; API clients always file in their own channel")
    idempotency_key: str | None = Field(None, max_length=100)
    external_ref: str = Field("", max_length=100)


class EventOut(Schema):
    at: dt.datetime
    action: str
    from_status: str
    to_status: str
    holder: str
    by: str
    note: str

    @staticmethod
    def resolve_holder(obj: CaseEvent) -> str:
        return obj.holder_label

    @staticmethod
    def resolve_by(obj: CaseEvent) -> str:
        return obj.actor_label


class CaseOut(Schema):
    tracking_no: str
    status: str
    channel: str
    category: str
    description: str
    address: str
    lon: float | None
    lat: float | None
    territory_code: str
    level: str
    holder: str
    urgency: str
    created_at: dt.datetime
    response_due: dt.datetime | None
    resolution_due: dt.datetime | None
    warning: str
    reply: str
    rating: int | None

    @staticmethod
    def resolve_holder(obj: Case) -> str:
        return str(obj.holder or "")

    @staticmethod
    def resolve_category(obj: Case) -> str:
        return obj.category.path


class CaseDetailOut(CaseOut):
    events: list[EventOut]
    allowed_actions: list[str]

    @staticmethod
    def resolve_events(obj: Case) -> list[CaseEvent]:
        just_filed = getattr(obj, "intake_event", None)  # its whole log, in hand (cases.intake.store)
        return [just_filed] if just_filed is not None else list(CaseEvent.objects.filter(case=obj))

    @staticmethod
    def resolve_allowed_actions(obj: Case) -> list[str]:
        return getattr(obj, "allowed", [])


class ActionIn(Schema):
    reason: str = ""
    note: str = ""
    text: str = ""
    rating: int | None = None
    comment: str = ""
    department_code: str = ""
    co_department_codes: list[str] = []
    master_tracking_no: str = ""
    hours: float | None = None


def _visible(request: HttpRequest):
    client = getattr(request, "api_client", None)
    if client is not None:
        return Case.objects.filter(api_client=client)
    return Case.objects.restrict(request.user)


def _detail(request: HttpRequest, case: Case) -> Case:
    user = actor_of(request)
    case.allowed = [] if isinstance(user, ApiClient) else actions.allowed_for(user, case)  # type: ignore[attr-defined]
    return case


@router.post("/cases", response={200: CaseDetailOut, 201: CaseDetailOut}, auth=AUTH)
def create_case(request: HttpRequest, payload: CaseIn):
    """File a case. A repeated `idempotency_key` (or `Idempotency-Key` header) returns the first case (200)."""
    actor = actor_of(request)
    if isinstance(actor, ApiClient):
        channel = actor.channel
    else:
        if not request.user.has_perm("cases.add_case"):
            raise HttpError(403, "You may not file cases.")
        role = getattr(request.user, "role", "")
        channel = payload.channel or ("resident_web" if role == "resident" else "hotline_12345")
    fields = payload.dict(exclude={"channel"})
    fields["idempotency_key"] = fields["idempotency_key"] or request.headers.get("Idempotency-Key") or None
    try:
        case, created = intake(IntakeData(channel=channel, **fields), acting_user=actor)
    except ValidationError as exc:
        raise ApiValidationError(field_errors(exc)) from None
    return Status(201 if created else 200, _detail(request, case))


@router.get("/cases", response=list[CaseOut], auth=AUTH)
def list_cases(request: HttpRequest, status: str | None = None, phone: str | None = None, limit: int = 100):
    qs = _visible(request).select_related("category__parent__parent", "holder_division", "holder_department")
    if status:
        qs = qs.filter(status=status)
    if phone:
        qs = qs.filter(reporter_phone=phone)
    return qs.order_by("-created_at")[: max(1, min(limit, 500))]


@router.get("/cases/{tracking_no}", response=CaseDetailOut, auth=AUTH)
def get_case(request: HttpRequest, tracking_no: str):
    case = _get(request, tracking_no)
    return _detail(request, case)


def _get(request: HttpRequest, tracking_no: str) -> Case:
    client = getattr(request, "api_client", None)
    if client is not None:
        case = Case.objects.filter(api_client=client, tracking_no=tracking_no).first()
        if case is None:
            raise HttpError(404, "No such case.")
        return case
    return get_restricted_or_404(Case.objects.select_related("category"), request.user, tracking_no=tracking_no)


def _department(code: str) -> Department:
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise ApiValidationError({"department_code": _("unknown department %(value)r") % {"value": code}})
    return department


def _run(name: str, case: Case, body: ActionIn, user: Any) -> Any:
    simple = {
        "accept": lambda: actions.do_accept(case, acting_user=user, note=body.note),
        "start": lambda: actions.do_start(case, acting_user=user, note=body.note),
        "escalate": lambda: actions.do_escalate(case, acting_user=user, reason=body.reason),
        "return": lambda: actions.do_return(case, acting_user=user, reason=body.reason),
        "suspend": lambda: actions.do_suspend(case, acting_user=user, reason=body.reason),
        "resume": lambda: actions.do_resume(case, acting_user=user, note=body.note),
        "reply": lambda: actions.do_reply(case, body.text, acting_user=user),
        "resolve": lambda: actions.do_resolve(case, acting_user=user, note=body.note, reply=body.text),
        "confirm": lambda: actions.do_confirm(case, acting_user=user, rating=body.rating or 0, comment=body.comment),
        "reject": lambda: actions.do_reject(case, acting_user=user, reason=body.reason, rating=body.rating),
        "invalidate": lambda: actions.do_invalidate(case, acting_user=user, reason=body.reason),
        "supervise": lambda: actions.do_supervise(case, acting_user=user, reason=body.reason, hours=body.hours),
        "dispatch": lambda: actions.do_dispatch(
            case,
            _department(body.department_code),
            acting_user=user,
            note=body.note,
            co_departments=[_department(c) for c in body.co_department_codes],
        ),
        "merge": lambda: actions.do_merge(case, _get_master(body.master_tracking_no), acting_user=user),
    }
    if name not in simple:
        raise HttpError(404, f"Unknown action {name!r}; actions: {', '.join(simple)}.")
    return simple[name]()


def _get_master(tracking_no: str) -> Case:
    master = Case.objects.filter(tracking_no=tracking_no).first()
    if master is None:
        raise ApiValidationError({"master_tracking_no": _("unknown case %(value)r") % {"value": tracking_no}})
    return master


@router.post("/cases/{tracking_no}/{action}", response=CaseDetailOut, auth=django_auth)
def act(request: HttpRequest, tracking_no: str, action: str, body: ActionIn):
    """Take a workflow action. 409 lists the allowed actions when the state does not allow this one."""
    if not request.user.has_perm("cases.change_case") and action not in ("confirm", "reject", "supervise"):
        raise HttpError(403, "You may not handle cases.")
    case = _get(request, tracking_no)
    try:
        _run(action, case, body, request.user)
    except IllegalTransition as exc:
        raise ApiConflict(str(exc), exc.allowed) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "Not your case to act on.") from None
    except ValidationError as exc:
        raise ApiValidationError(field_errors(exc)) from None
    case.refresh_from_db()
    return _detail(request, case)


class TrackOut(Schema):
    tracking_no: str
    status: str
    category: str
    holder: str
    created_at: dt.datetime
    resolution_due: dt.datetime | None
    reply: str
    steps: list[dict[str, Any]]


@router.get("/track", response=TrackOut, auth=None)
def track(request: HttpRequest, tracking_no: str, phone: str):
    """For the reporter without an account: tracking number + the phone number given at intake."""
    case = Case.objects.filter(tracking_no=tracking_no, reporter_phone=phone).select_related("category").first()
    if case is None or not phone:
        raise HttpError(404, "No case with this tracking number and phone number.")
    steps = [
        {"at": e.at, "action": e.action, "status": e.to_status, "holder": e.holder_label}
        for e in CaseEvent.objects.filter(case=case)
    ]
    return {
        "tracking_no": case.tracking_no,
        "status": case.status,
        "category": case.category.name,
        "holder": str(case.holder or ""),
        "created_at": case.created_at,
        "resolution_due": case.resolution_due,
        "reply": case.reply,
        "steps": steps,
    }


class ApiValidationError(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class ApiConflict(Exception):
    def __init__(self, message: str, allowed: list[str]) -> None:
        self.message, self.allowed = message, allowed
        super().__init__(message)
