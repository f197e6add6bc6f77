"""Pages of the address and hot-issue parts of triage: the address preview (htmx) and the hot-issue list."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases.models import Case
from core.views import require_perm
from triage import address, hot

PERIODS = (7, 30, 90)


@login_required
def address_preview(request: HttpRequest) -> HttpResponse:
    """GET /triage/address/?q=… (or ?address=…): where an address would be placed, for the report forms."""
    require_perm(request, "cases.add_case")
    query = (request.GET.get("q") or request.GET.get("address") or "").strip()[:300]
    context: dict = {"query": query}
    if query:
        gz = address.gazetteer()
        found = address.resolve(query, gz)
        context.update(
            found=found,
            enough=found.confidence >= settings.TRIAGE_ADDRESS_MIN_CONFIDENCE,
            street_name=gz.street_names.get(found.street_code, ""),
            community_name=gz.community_names.get(found.community_code, ""),
            grid_name=gz.grid_names.get(found.grid_code, ""),
            parts=[(k, v) for k, v in found.parts.items() if k not in ("community", "candidates")],
        )
    return render(request, "triage/_address_preview.html", context)


def _period(request: HttpRequest) -> tuple[dt.date, int, dt.datetime, dt.datetime]:
    today = timezone.localdate()
    try:
        end = dt.date.fromisoformat(request.GET.get("end") or "") if request.GET.get("end") else today
    except ValueError:
        end = today
    try:
        days = int(request.GET.get("days") or 30)
    except ValueError:
        days = 30
    days = days if days in PERIODS else 30
    tz = timezone.get_current_timezone()
    stop = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz)
    return end, days, stop - dt.timedelta(days=days), stop


def _issues(request: HttpRequest) -> tuple[list[hot.Issue], dict]:
    require_perm(request, "command.view_dashboard")
    end, days, start, stop = _period(request)
    cases = hot.period_cases(Case.objects.restrict(request.user), start, stop).order_by("-created_at")
    messages = hot.case_messages(cases[: settings.TRIAGE_HOT_MAX_CASES])
    issues = hot.hot_issues(
        messages, start=start, end=stop, top=settings.TRIAGE_HOT_TOP, similar=settings.TRIAGE_HOT_SIMILARITY
    )
    return issues, {
        "end": end,
        "days": days,
        "start": start,
        "n_messages": len(messages),
        "capped": len(messages) >= settings.TRIAGE_HOT_MAX_CASES,
        "periods": PERIODS,
    }


@login_required
def hot_issues(request: HttpRequest) -> HttpResponse:
    """Hot issues of the user's territory over the chosen period, hottest first, each with its cases."""
    from command.views import _common

    issues, context = _issues(request)
    return render(request, "triage/hot.html", _common(request, issues=issues, **context))


@login_required
def hot_issues_xlsx(request: HttpRequest) -> HttpResponse:
    from core.tabular import write_xlsx

    issues, context = _issues(request)
    header = ["排名", "热点问题", "地点", "热度", "留言数", "支持数", "跨度(天)", "前半期", "后半期", "增长", "案件"]
    rows = [
        [
            n,
            issue.label,
            issue.place,
            issue.heat,
            issue.parts["messages"],
            issue.parts["support"],
            issue.parts["span_days"],
            issue.parts["earlier"],
            issue.parts["later"],
            issue.parts["growth"],
            " ".join(m.id for m in issue.messages),
        ]
        for n, issue in enumerate(issues, start=1)
    ]
    body = write_xlsx("热点问题", header, rows)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"hot-issues-{context['end']:%Y%m%d}-{context['days']}d.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
