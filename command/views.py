"""Command-centre pages: overview, map and its layers, big screen, analysis, monthly reports, check-in."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.choices import Channel
from cases.models import Case, Category
from command import staff, stats
from command.models import DASHBOARD_PERMISSION, MonthlyReport
from core.scoping import get_restricted_or_404, territory_prefixes
from core.views import error_text, is_htmx, require_perm
from territory.models import Division, Grid

DEFAULT_DAYS = 30
MAP_LABELS = {
    "grids": gettext_lazy("Grids (colour)"),
    "cases": gettext_lazy("Cases (clustered)"),
    "heat": gettext_lazy("Heat"),
    "staff": gettext_lazy("Grid workers"),
    "track": gettext_lazy("Patrol track"),
    "places": gettext_lazy("Key places and hazard sources"),
    "shown": gettext_lazy("cases on the map"),
    "newest": gettext_lazy("newest cases on the map; the heat layer counts them all"),
    "minutes": gettext_lazy("min ago"),
    "km": gettext_lazy("km walked today"),
    "no_staff": gettext_lazy("No position in the last 7 days"),
}


@dataclass
class Filters:
    start: dt.date
    end: dt.date
    category: str
    state: str
    channel: str

    @classmethod
    def from_request(cls, request: HttpRequest, days: int = DEFAULT_DAYS) -> Filters:
        today = timezone.localdate()
        end = _date(request.GET.get("end"), today)
        start = _date(request.GET.get("start"), end - dt.timedelta(days=days - 1))
        if start > end:
            start, end = end, start
        state = request.GET.get("state", "all")
        channel = request.GET.get("channel", "")
        return cls(
            start=start,
            end=end,
            category="".join(ch for ch in request.GET.get("category", "") if ch.isdigit())[:6],
            state=state if state in stats.STATES else "all",
            channel=channel if channel in Channel.values else "",
        )

    def apply(self, qs):
        return stats.with_filters(
            stats.in_days(qs, self.start, self.end), category=self.category, state=self.state, channel=self.channel
        )


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _scope_name(user: Any) -> str:
    prefixes = territory_prefixes(user)
    if prefixes is None:
        division = Division.objects.filter(level="district").order_by("code").first()
        return division.name if division else _("All territory")
    names = stats.division_names()
    return "、".join(names.get(p, p) for p in prefixes[:3]) + ("…" if len(prefixes or []) > 3 else "")


def _dashboard(request: HttpRequest) -> None:
    require_perm(request, DASHBOARD_PERMISSION)


def _common(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "scope_name": _scope_name(request.user),
        "poll_seconds": settings.COMMAND_POLL_SECONDS,
        "top_categories": Category.objects.filter(depth=1).order_by("code"),
        "channels": Channel.choices,
        **extra,
    }


# -- overview ------------------------------------------------------------------------------------------------
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    _dashboard(request)
    data = stats.overview(request.user)
    return render(request, "command/overview.html", _common(request, o=data, chart_json=data.chart_data()))


@login_required
def live(request: HttpRequest) -> HttpResponse:
    """The overview's figures; htmx swaps them in every COMMAND_POLL_SECONDS."""
    _dashboard(request)
    data = stats.overview(request.user)
    template = "command/_screen_live.html" if request.GET.get("screen") else "command/_live.html"
    return render(request, template, _common(request, o=data, chart_json=data.chart_data()))


@login_required
def screen(request: HttpRequest) -> HttpResponse:
    """Big-screen mode for the wall display (1920×1080, dark)."""
    _dashboard(request)
    data = stats.overview(request.user)
    return render(request, "command/screen.html", _common(request, o=data, chart_json=data.chart_data()))


# -- map -----------------------------------------------------------------------------------------------------
@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    _dashboard(request)
    filters = Filters.from_request(request)
    return render(
        request,
        "command/map.html",
        _common(request, filters=filters, states=stats.STATES, today=timezone.localdate(), labels=MAP_LABELS),
    )


@login_required
def map_figures(request: HttpRequest) -> JsonResponse:
    """Figures per grid and community for the choropleth (period, category, state, channel filters)."""
    _dashboard(request)
    filters = Filters.from_request(request)
    scoped = stats.facts(request.user)
    period = stats.area_figures(filters.apply(scoped))
    open_now = stats.area_figures(stats.with_filters(scoped.filter(is_open=True), category=filters.category))
    return JsonResponse(
        {
            "start": filters.start.isoformat(),
            "end": filters.end.isoformat(),
            "period": period,
            "open_now": {code: {"open": f["open"], "red": f["red"]} for code, f in open_now.items()},
        }
    )


@login_required
def map_points(request: HttpRequest) -> JsonResponse:
    """Case points for the cluster layer: the newest COMMAND_MAX_POINTS (the heat layer counts every case)."""
    _dashboard(request)
    filters = Filters.from_request(request)
    qs = filters.apply(stats.facts(request.user)).filter(lon__isnull=False)
    limit = settings.COMMAND_MAX_POINTS
    rows = list(
        qs.order_by("-created_at").values_list("tracking_no", "lon", "lat", "status", "warning", "category_code")[
            :limit
        ]
    )
    names = stats.category_names()
    return JsonResponse(
        {
            "more": len(rows) == limit,
            "shown": len(rows),
            "fields": ["tracking_no", "lon", "lat", "status", "warning", "category"],
            "points": [[no, lon, lat, st, w, names.get(cat, cat)] for no, lon, lat, st, w, cat in rows],
        }
    )


@login_required
def map_heat(request: HttpRequest) -> JsonResponse:
    """Counts per h3 cell (resolution 8) for the heat layer: every matching case, however many."""
    import h3
    from django.db.models import Count

    _dashboard(request)
    filters = Filters.from_request(request)
    rows = filters.apply(stats.facts(request.user)).exclude(h3_cell="").values("h3_cell").annotate(n=Count("pk"))
    cells = []
    for row in rows.order_by():
        lat, lon = h3.cell_to_latlng(row["h3_cell"])
        cells.append([round(lat, 5), round(lon, 5), row["n"]])
    return JsonResponse({"cells": cells, "max": max((c[2] for c in cells), default=0)})


@login_required
def map_staff(request: HttpRequest) -> JsonResponse:
    require_perm(request, "command.view_staffcheckin")
    return JsonResponse({"staff": staff.last_positions(request.user)})


@login_required
def map_track(request: HttpRequest) -> JsonResponse:
    require_perm(request, "command.view_staffcheckin")
    day = _date(request.GET.get("date"), timezone.localdate())
    try:
        user_id = int(request.GET.get("user", ""))
    except ValueError:
        raise Http404("no such grid worker") from None
    track = staff.track(request.user, user_id, day)
    if track is None:
        raise Http404("no such grid worker")
    return JsonResponse(track)


@login_required
def area(request: HttpRequest, code: str) -> HttpResponse:
    """A grid's or a community's figures for the period and its latest cases (the map's side panel)."""
    _dashboard(request)
    if len(code) == 15:
        place: Any = get_restricted_or_404(Grid.objects.select_related("community__parent"), request.user, code=code)
    else:
        place = get_restricted_or_404(Division.objects.all(), request.user, code=code)
    filters = Filters.from_request(request)
    scoped = stats.facts(request.user).filter(territory_code__startswith=code)
    period = filters.apply(scoped)
    cases = (
        Case.objects.restrict(request.user)
        .filter(territory_code__startswith=code)
        .select_related("category", "holder_division", "holder_department")
        .order_by("-created_at")
    )
    if filters.category:
        cases = cases.filter(category__code__startswith=filters.category)
    context = {
        "place": place,
        "code": code,
        "filters": filters,
        "rates": stats.rates(period),
        "open": scoped.filter(is_open=True).count(),
        "red": scoped.filter(is_open=True, warning="red").count(),
        "categories": stats.top_categories(period, depth=3, limit=5),
        "cases": cases[:10],
    }
    template = "command/_area.html" if is_htmx(request) else "command/area.html"
    return render(request, template, context)


# -- analysis ------------------------------------------------------------------------------------------------
@login_required
def hotspots(request: HttpRequest) -> HttpResponse:
    from command import hotspots as spots

    _dashboard(request)
    today = timezone.localdate()
    end = _date(request.GET.get("end"), today)
    window = 7 if request.GET.get("window") != "1" else 1
    category = "".join(ch for ch in request.GET.get("category", "") if ch.isdigit())[:6]
    scoped = stats.facts(request.user)
    space = spots.space_hotspots(scoped, end=end, window_days=window, category=category)
    time = spots.time_hotspots(scoped, end=end)
    return render(
        request,
        "command/hotspots.html",
        _common(
            request,
            space=space,
            time=time,
            end=end,
            window=window,
            category=category,
            cells_json=[c.as_json() for c in space.cells if c.flagged],
        ),
    )


@login_required
def problems(request: HttpRequest) -> HttpResponse:
    from command.problems import common_problems

    _dashboard(request)
    today = timezone.localdate()
    end = _date(request.GET.get("end"), today)
    span = "day" if request.GET.get("span") == "day" else "week"
    start = end if span == "day" else end - dt.timedelta(days=6)
    found = common_problems(Case.objects.restrict(request.user), stats.facts(request.user), start, end)
    return render(request, "command/problems.html", _common(request, found=found, start=start, end=end, span=span))


@login_required
def forecast(request: HttpRequest) -> HttpResponse:
    from command.snapshots import forecast_for

    _dashboard(request)
    result = forecast_for(request.user)
    chart = {**result, "labels": {"actual": _("Actual (weekly)"), "forecast": _("Forecast (weekly)")}}
    return render(request, "command/forecast.html", _common(request, result=result, chart_json=chart))


@login_required
def guidance(request: HttpRequest) -> HttpResponse:
    from command.guidance import guide

    _dashboard(request)
    code = "".join(ch for ch in request.GET.get("category", "") if ch.isdigit())[:6]
    category = Category.objects.filter(code=code).first() if code else None
    result = guide(Case.objects.restrict(request.user), category) if category else None
    busiest = stats.top_categories(stats.facts(request.user).filter(status="closed"), depth=3, limit=15)
    return render(request, "command/guidance.html", _common(request, category=category, result=result, busiest=busiest))


# -- monthly reports -----------------------------------------------------------------------------------------
@login_required
def reports(request: HttpRequest) -> HttpResponse:
    from command.report import do_generate_monthly_report, previous_month

    require_perm(request, "command.view_monthlyreport")
    history = MonthlyReport.objects.restrict(request.user).order_by("-month", "scope_code", "-generated_at")
    scopes = _report_scopes(request.user)
    if request.method == "POST":
        require_perm(request, "command.add_monthlyreport")
        try:
            month = dt.date.fromisoformat(request.POST.get("month", "") + "-01")
        except ValueError:
            messages.error(request, _("month: give a month as YYYY-MM."))
            return redirect("command:reports")
        scope = next((s for s in scopes if s.code == request.POST.get("scope")), None)
        if scope is None:
            messages.error(request, _("scope: choose a territory of yours."))
            return redirect("command:reports")
        try:
            report = do_generate_monthly_report(month, scope, acting_user=request.user)
            messages.success(request, _("Report for %(month)s generated.") % {"month": f"{report.month:%Y-%m}"})
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return redirect("command:reports")
    return render(
        request,
        "command/reports.html",
        _common(
            request, history=history[:100], scopes=scopes, default_month=f"{previous_month(timezone.localdate()):%Y-%m}"
        ),
    )


def _report_scopes(user: Any) -> list[Division]:
    divisions = Division.objects.restrict(user).filter(level__in=["district", "street", "community"])
    prefixes = territory_prefixes(user)
    return [d for d in divisions.order_by("code") if prefixes is None or any(d.code.startswith(p) for p in prefixes)]


@login_required
def report_file(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    require_perm(request, "command.view_monthlyreport")
    report = get_restricted_or_404(MonthlyReport.objects.all(), request.user, pk=pk)
    if kind not in ("docx", "xlsx"):
        raise Http404("no such file")
    handle = getattr(report, kind)
    name = f"{report.scope_name}-{report.month:%Y-%m}-月度分析报告.{kind}"
    return FileResponse(handle.open("rb"), as_attachment=True, filename=name)


# -- check-in ------------------------------------------------------------------------------------------------
@login_required
def checkin(request: HttpRequest) -> HttpResponse:
    """Grid workers' mobile page: check in once or share positions while on patrol."""
    require_perm(request, "command.add_staffcheckin")
    if request.method == "POST":
        payload = _payload(request)
        try:
            entry = staff.do_check_in(
                acting_user=request.user,
                lon=payload.get("lon"),
                lat=payload.get("lat"),
                accuracy_m=payload.get("accuracy"),
                kind=payload.get("kind") or "check_in",
                note=payload.get("note") or "",
            )
        except ValidationError as exc:
            if _wants_json(request):
                return JsonResponse({"errors": exc.message_dict}, status=400)
            messages.error(request, error_text(exc))
            return redirect("command:checkin")
        if _wants_json(request):
            return JsonResponse({"id": entry.pk, "grid": entry.grid_code, "at": entry.at.isoformat()}, status=201)
        messages.success(request, _("Checked in."))
        return redirect("command:checkin")
    recent = staff.recent_for(request.user)
    return render(request, "command/checkin.html", {"recent": recent})


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get("Accept", "")


def _payload(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()
