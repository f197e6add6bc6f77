"""Pages for units and residents beyond single cases: the 以奖代补 points ledger and 亮诺/亮绩 commitments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import commitments as pledges
from cases import rewards
from cases.models import Commitment, PointsEntry
from core.privacy import mask_phone
from core.tabular import write_xlsx
from core.views import error_text, require_perm
from territory.models import Department, Division

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def points(request: HttpRequest) -> HttpResponse:
    """Residents see their own points; community and street staff look a number up, redeem, and see the ledger."""
    require_perm(request, "cases.view_pointsentry")
    user = request.user
    if user.role == "resident":  # type: ignore[union-attr]
        entries = rewards.entries_of(user.phone, user).select_related("case")  # type: ignore[union-attr]
        return render(
            request,
            "cases/points_mine.html",
            {"entries": entries[:200], "balance": rewards.balance(user.phone, user)},  # type: ignore[union-attr]
        )
    # The number a staff member typed stays in the session, never in a URL (access logs) or in the page.
    if request.method == "POST" and "lookup" in request.POST:
        request.session["points_phone"] = request.POST.get("lookup", "").strip()
        return redirect(request.path)
    phone = request.session.get("points_phone", "")
    if request.method == "POST":
        require_perm(request, "cases.redeem_points")
        try:
            entry = rewards.do_redeem_points(
                phone, _int(request.POST.get("points")), request.POST.get("reason", ""), acting_user=user
            )
            messages.success(
                request,
                _("%(points)s points redeemed; balance %(balance)s.")
                % {"points": -entry.points, "balance": rewards.balance(phone)},
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return redirect(request.path)
    ledger = PointsEntry.objects.restrict(user).select_related("case", "by")
    if request.GET.get("format") == "xlsx":
        return _ledger_xlsx(ledger)
    lookup = None
    if phone:
        lookup = {
            "phone": phone,
            "balance": rewards.balance(phone),
            "entries": rewards.entries_of(phone).select_related("case")[:100],
        }
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    this_month = ledger.filter(at__gte=month_start)
    return render(
        request,
        "cases/points.html",
        {
            "ledger": ledger[:100],
            "lookup": lookup,
            "awarded": this_month.filter(kind="award").aggregate(n=Sum("points"))["n"] or 0,
            "redeemed": -(this_month.filter(kind="redeem").aggregate(n=Sum("points"))["n"] or 0),
            "can_redeem": user.has_perm("cases.redeem_points"),
            "rules": {"base": rewards.settings.POINTS_PER_VALID_REPORT, "bonus": rewards.settings.POINTS_HAZARD_BONUS},
        },
    )


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


def _ledger_xlsx(ledger) -> HttpResponse:
    header = [_("Time"), _("Mobile number"), _("Kind"), _("Points"), _("Reason"), _("Case")]
    rows = [
        [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
            mask_phone(e.phone),
            e.get_kind_display(),
            e.points,
            e.reason,
            e.case.tracking_no if e.case else "",
        ]
        for e in ledger.iterator()
    ]
    response = HttpResponse(write_xlsx(str(_("Points ledger")), [str(h) for h in header], rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="points-{timezone.localdate()}.xlsx"'
    return response


def _manageable_units(user) -> list[tuple[str, str]]:
    """(key, label) of the units the user may record commitments for: d:<code> divisions, p:<code> departments."""
    if not user.has_perm("cases.add_commitment"):
        return []
    prefixes = user.territory_prefixes()
    divisions = Division.objects.filter(level__in=["district", "street", "community"]).order_by("code")
    departments = Department.objects.select_related("division").order_by("code")
    out = []
    for d in divisions.only("code", "name", "level"):
        if prefixes is None or any(d.code.startswith(p) for p in prefixes):
            out.append((f"d:{d.code}", f"{d.code} {d.name}"))
    for p in departments:
        if prefixes is None or any(p.division.code.startswith(x) for x in prefixes):
            out.append((f"p:{p.code}", p.name))
    return out


def _unit(key: str) -> Division | Department:
    kind, _sep, code = key.partition(":")
    unit = (Division if kind == "d" else Department).objects.filter(code=code).first() if kind in "dp" else None
    if unit is None:
        raise ValidationError({"unit": _("choose a unit")})
    return unit


def _share(value: str | None) -> float | str:
    """A target typed as a percentage (95 or 95%) → 0.95; anything else is passed on for the action to reject."""
    text = (value or "").strip().rstrip("%")
    try:
        return float(text) / 100
    except ValueError:
        return text


@login_required
def commitments(request: HttpRequest) -> HttpResponse:
    require_perm(request, "cases.view_commitment")
    user = request.user
    today = timezone.localdate()
    if request.method == "POST":
        try:
            if request.POST.get("commitment"):
                commitment = Commitment.objects.restrict(user).filter(pk=_int(request.POST["commitment"])).first()
                if commitment is None:
                    raise PermissionDenied
                pledges.do_record_results(commitment, note=request.POST.get("note", ""), acting_user=user)
                messages.success(request, _("Results recorded for %(unit)s.") % {"unit": commitment.unit})
            else:
                pledges.do_make_commitment(
                    _unit(request.POST.get("unit", "")),
                    year=_int(request.POST.get("year")),
                    pledge=request.POST.get("pledge", ""),
                    reply_target=_share(request.POST.get("reply_target")),
                    resolution_target=_share(request.POST.get("resolution_target")),
                    satisfaction_target=_share(request.POST.get("satisfaction_target")),
                    acting_user=user,
                )
                messages.success(request, _("Commitments recorded."))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        except PermissionDenied:
            messages.error(request, _("This unit is not yours to record for."))
        return redirect(f"{request.path}?year={request.POST.get('year') or today.year}")
    year = _int(request.GET.get("year")) or today.year
    rows = []
    for c in Commitment.objects.restrict(user).filter(year=year).select_related("division", "department"):
        progress = pledges.year_rates(c.unit, year) if c.results_at is None else None
        rows.append(
            {
                "c": c,
                "progress": progress,
                "met": c.met(),
                "can_record": pledges.may_manage(user, c.unit)
                and (today.year, today.month) >= (year, pledges.RESULTS_FROM_MONTH),
            }
        )
    if request.GET.get("format") == "xlsx":
        return _commitments_xlsx(rows, year)
    return render(
        request,
        "cases/commitments.html",
        {
            "rows": rows,
            "year": year,
            "years": [today.year + 1, today.year, today.year - 1],
            "units": _manageable_units(user),
        },
    )


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _commitments_xlsx(rows, year: int) -> HttpResponse:
    header = [
        _("Unit"),
        _("Commitments (亮诺)"),
        _("Reply rate target"),
        _("Resolution rate target"),
        _("Satisfaction rate target"),
        _("Cases reported"),
        _("Reply rate"),
        _("Resolution rate"),
        _("Satisfaction rate"),
        _("Results (亮绩)"),
    ]
    body = []
    for row in rows:
        c, figures = row["c"], row["progress"] or row["c"]
        body.append(
            [
                str(c.unit),
                c.pledge,
                _pct(c.reply_target),
                _pct(c.resolution_target),
                _pct(c.satisfaction_target),
                figures.reported,
                _pct(figures.reply_rate),
                _pct(figures.resolution_rate),
                _pct(figures.satisfaction_rate),
                c.results_note or str(_("(in progress)")),
            ]
        )
    data = write_xlsx(f"{year}", [str(h) for h in header], body)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="commitments-{year}.xlsx"'
    return response
