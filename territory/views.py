from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from core.actions import do_add_journal_entry
from core.scoping import get_restricted_or_404
from core.tabular import FileError, read_rows
from core.views import StaffPermissionMixin, error_messages, error_text, is_htmx, require_perm
from territory import exports
from territory.actions import (
    do_assign_grid_staff,
    do_decide_admission_item,
    do_end_grid_assignment,
    do_request_admission_item,
)
from territory.choices import AdmissionStatus, Level
from territory.forms import AdmissionDecisionForm, AdmissionRequestForm, AssignStaffForm, ImportForm, JournalForm
from territory.importers import DIVISION_COLUMNS, do_import_divisions, do_import_grids, parse_feature_collection
from territory.models import AdmissionItem, Division, Grid, GridAssignment


def home(request: HttpRequest) -> HttpResponse:
    """Command centres and leaders land on the command centre, other staff on the grid map, residents on their
    cases, visitors on the log-in page."""
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.has_perm("command.view_dashboard"):
        return redirect("command:overview")
    if request.user.has_perm("territory.view_grid"):
        return redirect("territory:map")
    return redirect("cases:list")


class MapView(StaffPermissionMixin, TemplateView):
    """The grid map with the division tree beside it."""

    template_name = "territory/map.html"
    permission_required = "territory.view_grid"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        divisions = Division.objects.restrict(user).order_by("code")
        grids = Grid.objects.restrict(user).only("code", "name", "kind", "community_id").order_by("code")
        by_community: dict[int, list[Grid]] = {}
        for grid in grids:
            by_community.setdefault(grid.community_id, []).append(grid)
        children: dict[int | None, list[Division]] = {}
        for division in divisions:
            children.setdefault(division.parent_id, []).append(division)
        ids = {d.id for d in divisions}
        roots = [d for d in divisions if d.parent_id not in ids]
        context.update(
            roots=roots,
            children=children,
            grids_by_community=by_community,
            grid_count=len(grids),
            expand=len(grids) <= 30,
        )
        return context


@login_required
def map_data(request: HttpRequest) -> JsonResponse:
    require_perm(request, "territory.view_grid")
    return JsonResponse(exports.map_features(request.user))


@login_required
def search(request: HttpRequest) -> HttpResponse:
    require_perm(request, "territory.view_grid")
    query = request.GET.get("q", "").strip()
    grids, divisions = [], []
    if query:
        match = Q(name__icontains=query) | Q(code__startswith=query)
        grids = list(Grid.objects.restrict(request.user).filter(match).select_related("community")[:30])
        divisions = list(Division.objects.restrict(request.user).filter(match)[:30])
    return render(request, "territory/_search_results.html", {"query": query, "grids": grids, "divisions": divisions})


def _grid_context(request: HttpRequest, grid: Grid) -> dict:
    today = timezone.localdate()
    assignments = list(GridAssignment.objects.filter(grid=grid).select_related("user").order_by("end_date", "role"))
    current = [a for a in assignments if a.end_date is None or a.end_date > today]
    items = AdmissionItem.objects.restrict(request.user).filter(status=AdmissionStatus.APPROVED)
    chain = [grid.community, grid.community.parent, grid.community.parent.parent if grid.community.parent else None]
    return {
        "grid": grid,
        "current_staff": current,
        "past_staff": [a for a in assignments if a not in current],
        "admission_items": items,
        "ancestors": [d for d in reversed(chain) if d is not None],
        "journal": grid.journal_entries.select_related("author")[:20],
        "journal_form": JournalForm(),
        "assign_form": AssignStaffForm(),
        "can_assign": request.user.has_perm("territory.add_gridassignment"),
        "geometry_json": json.dumps(grid.geometry),
        "cases": _recent_cases(request, grid),
    }


def _recent_cases(request: HttpRequest, grid: Grid) -> list:
    from cases.models import Case

    if not request.user.has_perm("cases.view_case"):
        return []
    return list(
        Case.objects.restrict(request.user).filter(grid=grid).select_related("category").order_by("-created_at")[:10]
    )


@login_required
def grid_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_perm(request, "territory.view_grid")
    grid = get_restricted_or_404(Grid.objects.select_related("community__parent__parent"), request.user, code=code)
    template = "territory/_grid_panel.html" if is_htmx(request) else "territory/grid_detail.html"
    return render(request, template, _grid_context(request, grid))


@login_required
def division_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_perm(request, "territory.view_division")
    division = get_restricted_or_404(Division.objects.select_related("parent"), request.user, code=code)
    children = Division.objects.restrict(request.user).filter(parent=division).annotate(grid_count=Count("grids"))
    grids = Grid.objects.restrict(request.user).filter(code__startswith=division.code)
    context = {
        "division": division,
        "children": children,
        "grids": grids.select_related("community") if division.level == Level.COMMUNITY else [],
        "grid_count": grids.count(),
        "staff_count": GridAssignment.objects.restrict(request.user)
        .filter(grid__code__startswith=division.code, end_date__isnull=True)
        .values("user")
        .distinct()
        .count(),
        "journal": division.journal_entries.select_related("author")[:20],
        "journal_form": JournalForm(),
    }
    template = "territory/_division_panel.html" if is_htmx(request) else "territory/division_detail.html"
    return render(request, template, context)


@login_required
@require_POST
def add_journal_entry(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    require_perm(request, "core.add_journalentry")
    if kind not in ("grid", "division", "case"):
        return HttpResponse(status=404)
    if kind == "case":
        from cases.models import Case

        obj = get_restricted_or_404(Case.objects.all(), request.user, tracking_no=code)
    else:
        queryset = Grid.objects.all() if kind == "grid" else Division.objects.all()
        obj = get_restricted_or_404(queryset, request.user, code=code)
    form = JournalForm(request.POST)
    if form.is_valid():
        do_add_journal_entry(
            obj, form.cleaned_data["comments"], kind=form.cleaned_data["kind"], acting_user=request.user
        )
        messages.success(request, _("Note added."))
    else:
        messages.error(request, _("The note was not saved: %(errors)s") % {"errors": form.errors.as_text()})
    if kind == "case":
        return redirect("cases:detail", tracking_no=code)
    return redirect(f"territory:{kind}", code=code)


@login_required
@require_POST
def assign_staff(request: HttpRequest, code: str) -> HttpResponse:
    require_perm(request, "territory.add_gridassignment")
    grid = get_restricted_or_404(Grid.objects.select_related("community"), request.user, code=code)
    form = AssignStaffForm(request.POST)
    if form.is_valid():
        try:
            do_assign_grid_staff(grid, form.cleaned_data["user"], form.cleaned_data["role"], acting_user=request.user)
            messages.success(request, _("Assigned."))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("territory:grid", code=code)


@login_required
@require_POST
def end_assignment(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "territory.change_gridassignment")
    assignment = get_restricted_or_404(GridAssignment.objects.select_related("grid"), request.user, "change", pk=pk)
    try:
        do_end_grid_assignment(assignment, acting_user=request.user)
        messages.success(request, _("Assignment ended."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("territory:grid", code=assignment.grid.code)


@login_required
def admission_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "territory.view_admissionitem")
    items = AdmissionItem.objects.restrict(request.user).select_related("department", "requested_by", "decided_by")
    district = Division.objects.restrict(request.user).filter(level=Level.DISTRICT).first()
    form = AdmissionRequestForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, "territory.add_admissionitem")
        if district is not None and form.is_valid():
            try:
                do_request_admission_item(
                    district=district,
                    department=getattr(request.user, "department", None),
                    acting_user=request.user,
                    **form.cleaned_data,
                )
                messages.success(request, _("Request sent to the district administrator."))
                return redirect("territory:admission")
            except ValidationError as exc:
                for field, errors in error_messages(exc).items():
                    form.add_error(field if field in form.fields else None, errors)
    return render(
        request,
        "territory/admission_list.html",
        {
            "items": items,
            "form": form,
            "decision_form": AdmissionDecisionForm(),
            "can_request": request.user.has_perm("territory.add_admissionitem"),
            "can_decide": request.user.has_perm("territory.approve_admissionitem"),
        },
    )


@login_required
@require_POST
def admission_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "territory.approve_admissionitem")
    item = get_restricted_or_404(AdmissionItem.objects.all(), request.user, "approve", pk=pk)
    form = AdmissionDecisionForm(request.POST)
    if form.is_valid():
        try:
            do_decide_admission_item(
                item,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
            messages.success(request, _("Decision recorded."))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("territory:admission")


@login_required
def export(request: HttpRequest, name: str) -> HttpResponse:
    require_perm(request, "territory.export_territory")
    stamp = timezone.localdate().strftime("%Y%m%d")
    if name == "grids.geojson":
        body = json.dumps(exports.grids_geojson(request.user), ensure_ascii=False).encode()
        content_type = "application/geo+json"
    elif name == "grids.xlsx":
        body, content_type = exports.grids_xlsx(request.user), XLSX
    elif name == "divisions.csv":
        body, content_type = exports.divisions_csv(request.user), "text/csv; charset=utf-8"
    elif name == "divisions.xlsx":
        body, content_type = exports.divisions_xlsx(request.user), XLSX
    else:
        return HttpResponse(status=404)
    stem, ext = name.split(".")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.{ext}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload divisions or grids; the same actions and row report as the import commands."""
    require_perm(request, "territory.add_grid")
    form = ImportForm(request.POST or None, request.FILES or None)
    report, file_error = None, ""
    if request.method == "POST" and form.is_valid():
        upload, data = form.cleaned_data["file"], form.cleaned_data
        options = {"dry_run": data["mode"] == "dry_run", "skip_bad": data["mode"] == "skip_bad"}
        try:
            if data["kind"] == "divisions":
                rows = read_rows(upload, name=upload.name, encoding=data["encoding"], required=DIVISION_COLUMNS)
                report = do_import_divisions(rows, acting_user=request.user, **options)
            else:
                features = parse_feature_collection(upload.read(), data["encoding"])
                report = do_import_grids(features, acting_user=request.user, **options)
        except FileError as exc:
            file_error = f"{upload.name}: {exc}"
    return render(request, "territory/import.html", {"form": form, "report": report, "file_error": file_error})
