from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases import actions
from cases import assessment as assess
from cases.choices import Channel, Status, Warning
from cases.forms import ReportForm, TrackForm
from cases.intake import IntakeData, intake
from cases.models import Case, CaseEvent
from cases.workflow import IllegalTransition
from core.scoping import get_restricted_or_404
from core.views import error_messages, error_text, require_perm
from territory.forms import JournalForm
from territory.models import Department, Division
from triage import duplicates

CHANNEL_BY_ROLE = {
    "resident": Channel.RESIDENT_WEB,
    "grid_worker": Channel.GRID_WORKER,
    "grid_leader": Channel.GRID_WORKER,
    "hotline_agent": Channel.HOTLINE,
}


def _field_label(name: str) -> str:
    """How a problem the form has no field for is introduced: the case field's name in the page's language."""
    if name == "location":
        return _("map point")
    try:
        verbose = getattr(Case._meta.get_field(name), "verbose_name", None)
    except FieldDoesNotExist:
        verbose = None
    return str(capfirst(verbose)) if verbose else name


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "cases.view_case")
    cases = Case.objects.restrict(request.user).select_related("category", "holder_division", "holder_department")
    status, warning = request.GET.get("status", ""), request.GET.get("warning", "")
    if status == "open":
        cases = cases.exclude(status__in=[Status.CLOSED, Status.MERGED, Status.INVALID])
    elif status:
        cases = cases.filter(status=status)
    if warning:
        cases = cases.filter(warning=warning)
    page = Paginator(cases.order_by("-created_at"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {"page": page, "status": status, "warning": warning, "statuses": Status.choices, "warnings": Warning.choices},
    )


@login_required
def case_detail(request: HttpRequest, tracking_no: str) -> HttpResponse:
    require_perm(request, "cases.view_case")
    case = get_restricted_or_404(
        Case.objects.select_related(
            "category__parent__parent", "grid", "holder_division", "holder_department", "master"
        ),
        request.user,
        tracking_no=tracking_no,
    )
    allowed = actions.allowed_for(request.user, case)
    if request.user.has_perm("cases.supervise_case") and case.is_open:
        allowed.append("supervise")
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "events": CaseEvent.objects.filter(case=case).select_related("actor"),
            "attachments": case.attachments.all(),
            "units": case.units.select_related("division", "department"),
            "allowed": allowed,
            "departments": Department.objects.filter(division__code=case.territory_code[:6]),
            "journal": case.journal_entries.select_related("author")[:20],
            "journal_form": JournalForm(),
            "supervisions": case.supervisions.all(),
            # Residents see which unit holds their case, not the names of the staff who handled it.
            "show_actor": getattr(request.user, "role", "") != "resident",
            "duplicates": duplicates.panel_for(request.user, case),
        },
    )


@login_required
@require_POST
def case_act(request: HttpRequest, tracking_no: str, action: str) -> HttpResponse:
    case = get_restricted_or_404(Case.objects.all(), request.user, tracking_no=tracking_no)
    post, user = request.POST, request.user
    runners = {
        "accept": lambda: actions.do_accept(case, acting_user=user, note=post.get("note", "")),
        "start": lambda: actions.do_start(case, acting_user=user),
        "escalate": lambda: actions.do_escalate(case, acting_user=user, reason=post.get("reason", "")),
        "dispatch": lambda: actions.do_dispatch(
            case,
            _department(post.get("department", "")),
            acting_user=user,
            note=post.get("note", ""),
            co_departments=[_department(c) for c in post.getlist("co_departments")],
        ),
        "return": lambda: actions.do_return(case, acting_user=user, reason=post.get("reason", "")),
        "suspend": lambda: actions.do_suspend(case, acting_user=user, reason=post.get("reason", "")),
        "resume": lambda: actions.do_resume(case, acting_user=user),
        "reply": lambda: actions.do_reply(case, post.get("text", ""), acting_user=user),
        "resolve": lambda: actions.do_resolve(
            case, acting_user=user, note=post.get("note", ""), reply=post.get("text", "")
        ),
        "confirm": lambda: actions.do_confirm(
            case, acting_user=user, rating=_int(post.get("rating")), comment=post.get("comment", "")
        ),
        "reject": lambda: actions.do_reject(case, acting_user=user, reason=post.get("reason", "")),
        "invalidate": lambda: actions.do_invalidate(case, acting_user=user, reason=post.get("reason", "")),
        "supervise": lambda: actions.do_supervise(case, acting_user=user, reason=post.get("reason", "")),
        "merge": lambda: actions.do_merge(case, _master(user, post.get("master", "")), acting_user=user),
    }
    if action not in runners:
        return HttpResponse(status=404)
    try:
        runners[action]()
        messages.success(request, _("Done."))
    except IllegalTransition as exc:
        messages.error(request, _("Not possible now: %(why)s") % {"why": exc})
    except PermissionDenied:
        messages.error(request, _("This case is not yours to act on."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("cases:detail", tracking_no=tracking_no)


def _master(user: Any, tracking_no: str) -> Case:
    """The case to merge into, by its tracking number, among the cases the user may see."""
    tracking_no = tracking_no.strip().upper()
    if not tracking_no:
        raise ValidationError({"master": _("give the tracking number of the case this one repeats")})
    master = Case.objects.restrict(user).filter(tracking_no=tracking_no).first()
    if master is None:
        raise ValidationError({"master": _("no case %(no)s in your territory") % {"no": tracking_no}})
    return master


def _department(code: str) -> Department:
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise ValidationError({"department": _("choose a department")})
    return department


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Mobile-first reporting for residents and grid workers (quick field report, 就地解决)."""
    require_perm(request, "cases.add_case")
    user = request.user
    initial = {"reporter_name": getattr(user, "display_name", ""), "reporter_phone": getattr(user, "phone", "")}
    form = ReportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, _created = intake(
                IntakeData(
                    channel=CHANNEL_BY_ROLE.get(getattr(user, "role", ""), Channel.RESIDENT_WEB),
                    description=data["description"],
                    category_code=data["category_code"],
                    lon=data["lon"],
                    lat=data["lat"],
                    address=data["address"],
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    urgency=data["urgency"],
                    attachments=data["attachments"],
                    after_attachments=data["after_photos"],
                    solved_on_spot=data["solved_on_spot"],
                    idempotency_key=request.POST.get("form_token") or None,
                ),
                acting_user=user,
            )
            return redirect("cases:reported", tracking_no=case.tracking_no)
        except ValidationError as exc:
            for field, errors in error_messages(exc).items():
                field = {"after_attachments": "after_photos", "category": "category_code"}.get(
                    field.split("[")[0], field.split("[")[0]
                )
                target = field if field in form.fields else None
                form.add_error(target, errors if target else [f"{_field_label(field)}: {e}" for e in errors])
    import uuid

    is_grid_worker = getattr(user, "role", "") in ("grid_worker", "grid_leader")
    return render(
        request,
        "cases/report.html",
        {
            "form": form,
            "form_token": uuid.uuid4().hex,
            "is_grid_worker": is_grid_worker,
            **(_field_context(user) if is_grid_worker else {}),
        },
    )


def _field_context(user) -> dict:
    """What a grid worker in the field needs beside the form: the map on their grids, and what waits there."""
    from django.db.models import Max, Min

    from territory.models import Grid

    codes = user.current_grid_codes()
    bounds = Grid.objects.filter(code__in=codes).aggregate(
        w=Min("min_lon"), s=Min("min_lat"), e=Max("max_lon"), n=Max("max_lat")
    )
    waiting = (
        Case.objects.restrict(user)
        .filter(grid__code__in=codes, level="community", status__in=["submitted", "returned", "reopened", "accepted"])
        .select_related("category")
        .order_by("response_due")[:10]
    )
    box = [bounds["s"], bounds["w"], bounds["n"], bounds["e"]] if bounds["w"] is not None else None
    return {"grid_bounds": box, "waiting": waiting}


@login_required
def reported(request: HttpRequest, tracking_no: str) -> HttpResponse:
    case = get_restricted_or_404(
        Case.objects.select_related("category", "holder_division", "holder_department"),
        request.user,
        tracking_no=tracking_no,
    )
    return render(request, "cases/reported.html", {"case": case})


def track(request: HttpRequest) -> HttpResponse:
    """No account needed: tracking number + the phone number given when reporting."""
    form = TrackForm(request.GET or None)
    case = None
    if form.is_valid():
        case = (
            Case.objects.filter(
                tracking_no=form.cleaned_data["tracking_no"].strip(), reporter_phone=form.cleaned_data["phone"].strip()
            )
            .select_related("category")
            .first()
        )
        if case is None:
            form.add_error(None, _("No case matches this tracking number and mobile number."))
    events = CaseEvent.objects.filter(case=case) if case else []
    return render(request, "cases/track.html", {"form": form, "case": case, "events": events})


def district_outline(request: HttpRequest) -> JsonResponse:
    """Public: the district boundaries (for the reporting map of residents); nothing else."""
    import json

    from territory.exports import _simplified

    features = [
        {
            "type": "Feature",
            "properties": {"name": d.name},
            "geometry": _simplified(d.code, str(d.updated_at), json.dumps(d.geometry)),
        }
        for d in Division.objects.filter(level="district").exclude(geometry=None)
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


ASSESSMENT_LEVELS = {
    "street": gettext_lazy("Streets"),
    "community": gettext_lazy("Communities / villages"),
    "grid": gettext_lazy("Grids"),
    "grid_worker": gettext_lazy("Grid workers"),
    "department": gettext_lazy("Departments"),
}


@login_required
def assessment(request: HttpRequest) -> HttpResponse:
    """三率 ranking of units for a period, with the definitions on hover and an .xlsx download."""
    require_perm(request, "cases.view_assessment")
    level = request.GET.get("level", "street")
    level = level if level in ASSESSMENT_LEVELS else "street"
    today = timezone.localdate()
    start = _date(request.GET.get("start"), today.replace(day=1))
    end = _date(request.GET.get("end"), today)
    tz = timezone.get_current_timezone()
    cases = assess.in_period(
        Case.objects.restrict(request.user),
        dt.datetime.combine(start, dt.time.min, tz),
        dt.datetime.combine(end, dt.time.max, tz),
    )
    rows = _assessment_rows(cases, level)
    rows.sort(key=lambda r: (-r.score, r.unit))
    overall = assess.total(cases)
    if request.GET.get("format") == "xlsx":
        return _assessment_xlsx(rows, overall, level, start, end)
    return render(
        request,
        "cases/assessment.html",
        {
            "rows": rows,
            "overall": overall,
            "level": level,
            "levels": ASSESSMENT_LEVELS,
            "start": start,
            "end": end,
            "definitions": assess.DEFINITIONS,
        },
    )


def _assessment_rows(cases, level: str) -> list[assess.Rates]:
    if level == "department":
        return assess.by_department(cases)
    codes = Division.objects.values_list("code", "name")
    names = dict(codes)
    if level in ("grid", "grid_worker"):
        from territory.models import Grid

        names.update(Grid.objects.values_list("code", "name"))
        grids = assess.by_territory(cases, "grid", names)
        return grids if level == "grid" else assess.by_grid_worker(cases, grids)
    return assess.by_territory(cases, level, names)


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _assessment_xlsx(rows, overall, level: str, start: dt.date, end: dt.date) -> HttpResponse:
    from core.tabular import write_xlsx

    header = [
        str(_("Rank")),
        str(_("Code")),
        str(_("Unit")),
        str(_("Reported")),
        str(_("Replied in time")),
        str(_("Reply rate")),
        str(_("Accepted")),
        str(_("Resolved and confirmed")),
        str(_("Resolution rate")),
        str(_("Rated")),
        str(_("Satisfied")),
        str(_("Satisfaction rate")),
    ]
    body = [
        [
            i,
            r.unit,
            r.name,
            r.reported,
            r.replied_on_time,
            r.reply_rate,
            r.accepted,
            r.resolved_confirmed,
            r.resolution_rate,
            r.rated,
            r.satisfied,
            r.satisfaction_rate,
        ]
        for i, r in enumerate(rows, start=1)
    ]
    body.append(
        [
            "",
            "",
            overall.name,
            overall.reported,
            overall.replied_on_time,
            overall.reply_rate,
            overall.accepted,
            overall.resolved_confirmed,
            overall.resolution_rate,
            overall.rated,
            overall.satisfied,
            overall.satisfaction_rate,
        ]
    )
    data = write_xlsx(f"{level} {start}~{end}", header, body)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="assessment-{level}-{start}-{end}.xlsx"'
    return response


@login_required
def callbacks(request: HttpRequest) -> HttpResponse:
    """回访: resolved cases the resident has not answered for CALLBACK_AFTER_DAYS, oldest first, for hotline agents
    to call and record the resident's answer (confirm and rate, or not resolved)."""
    from django.conf import settings

    require_perm(request, "cases.change_case")
    cutoff = timezone.now() - dt.timedelta(days=settings.CALLBACK_AFTER_DAYS)
    cases = (
        Case.objects.restrict(request.user)
        .filter(status=Status.RESOLVED, resolved_at__lte=cutoff)
        .select_related("category", "holder_division", "holder_department")
        .order_by("resolved_at")
    )
    return render(request, "cases/callbacks.html", {"cases": cases[:200], "days": settings.CALLBACK_AFTER_DAYS})


@login_required
def import_cases(request: HttpRequest) -> HttpResponse:
    """Upload a file of cases; the same action and row report as `manage.py import_cases`."""
    from cases.bulk import CASE_COLUMNS, do_import_cases
    from cases.forms import CaseImportForm
    from core.tabular import FileError, read_rows

    if getattr(request.user, "role", "") not in ("district_command", "street_command", "administrator"):
        raise PermissionDenied
    form = CaseImportForm(request.POST or None, request.FILES or None)
    report, file_error = None, ""
    if request.method == "POST" and form.is_valid():
        upload, data = form.cleaned_data["file"], form.cleaned_data
        try:
            rows = read_rows(upload, name=upload.name, encoding=data["encoding"], required=CASE_COLUMNS)
            report = do_import_cases(
                rows, acting_user=request.user, dry_run=data["mode"] == "dry_run", skip_bad=data["mode"] == "skip_bad"
            )
        except FileError as exc:
            file_error = f"{upload.name}: {exc}"
    return render(request, "cases/import.html", {"form": form, "report": report, "file_error": file_error})


def _require_hotline(request: HttpRequest) -> None:
    if getattr(request.user, "role", "") not in ("hotline_agent", "district_command", "administrator"):
        raise PermissionDenied


@login_required
def hotline(request: HttpRequest) -> HttpResponse:
    """12345 console: type fast, see the caller's earlier cases and similar open cases before saving."""
    from cases.forms import HotlineForm

    _require_hotline(request)
    form = HotlineForm(request.POST or None)
    saved = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved, _created = intake(
                IntakeData(
                    channel=Channel.HOTLINE,
                    description=data["description"],
                    category_code=data["category"],
                    community_code=data["community"],
                    address=data["address"],
                    reporter_name=data["caller_name"],
                    reporter_phone=data["phone"],
                    urgency=data["urgency"],
                    idempotency_key=request.POST.get("form_token") or None,
                ),
                acting_user=request.user,
            )
            form = HotlineForm()
        except ValidationError as exc:
            for field, errors in error_messages(exc).items():
                name = {
                    "category": "category",
                    "community_code": "community",
                    "reporter_phone": "phone",
                    "location": "community",
                    "address": "address",
                }.get(field, field)
                form.add_error(name if name in form.fields else None, errors)
    import uuid

    return render(
        request,
        "cases/hotline.html",
        {
            "form": form,
            "saved": saved,
            "form_token": uuid.uuid4().hex,
            "communities": Division.objects.filter(level="community")
            .select_related("parent")
            .only("code", "name", "parent__name")
            .order_by("code"),
            "categories": _leaf_categories(),
        },
    )


def _leaf_categories():
    from cases.models import Category

    return Category.objects.filter(is_active=True, children__isnull=True).select_related("parent").order_by("code")


@login_required
def hotline_caller(request: HttpRequest) -> HttpResponse:
    _require_hotline(request)
    phone = request.GET.get("phone", "").strip()
    cases = (
        Case.objects.restrict(request.user)
        .filter(reporter_phone=phone)
        .select_related("category", "holder_division", "holder_department")
        .order_by("-created_at")[:20]
        if len(phone) == 11
        else []
    )
    return render(request, "cases/_caller.html", {"phone": phone, "cases": cases})


@login_required
def hotline_similar(request: HttpRequest) -> HttpResponse:
    from cases.similar import similar_open_cases

    _require_hotline(request)
    found = similar_open_cases(
        request.GET.get("description", ""),
        territory_code=_code(request.GET.get("community", "")),
        category_code=_code(request.GET.get("category", "")),
        cases=Case.objects.restrict(request.user),
    )
    return render(request, "cases/_similar.html", {"found": found})


def _code(value: str) -> str:
    """The code a datalist entry starts with ("330304001001 景山街道兰河社区" → "330304001001")."""
    return value.split()[0] if value.strip() else ""
