"""Every write to the grid network. Each `do_*` runs in one transaction and leaves an audit entry in it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import STAFF_ROLES
from core import audit
from core.actions import action
from territory import index
from territory.choices import KIND_LEVEL, AdmissionStatus, DivisionKind, GridKind, Level, StaffRole
from territory.geo import parse_polygon
from territory.models import AdmissionItem, Department, Division, Grid, GridAssignment
from territory.validation import Problems, check_division, check_geometry, check_grid


def _raise(problems: Problems) -> None:
    if problems:
        raise ValidationError(dict(problems))


def siblings_of(community: Division, exclude_code: str | None = None) -> list[tuple[str, Any]]:
    rows = Grid.objects.filter(community=community).exclude(geometry=None).values_list("code", "geometry")
    return [(code, parse_polygon(geom)) for code, geom in rows if code != exclude_code]


def create_division(
    *, code: str, name: str, kind: str, parent_code: str | None, geometry: Any, acting_user: Any
) -> Division:
    """Create one division inside an open transaction (the building block of do_create_division and imports)."""
    problems = Problems()
    geom = check_geometry(geometry, problems, required=False)
    parent = Division.objects.filter(code=parent_code).first() if parent_code else None
    problems.update(
        {k: v for k, v in check_division(code, name, kind, parent_code, parent, geom).items() if k not in problems}
    )
    if "code" not in problems and Division.objects.filter(code=code).exists():
        problems.add("code", f"code {code} already exists")
    _raise(problems)
    division = Division(code=code, name=name.strip(), kind=kind, level=KIND_LEVEL[DivisionKind(kind)], parent=parent)
    if geom is not None:
        division.set_geometry(geom)
    division.save()
    audit.record("territory.create_division", actor=acting_user, obj=division, after=audit.snapshot(division))
    return division


@action
def do_create_division(
    *, code: str, name: str, kind: str, parent_code: str | None = None, geometry: Any = None, acting_user: Any
) -> Division:
    return create_division(
        code=code, name=name, kind=kind, parent_code=parent_code, geometry=geometry, acting_user=acting_user
    )


@action
def do_update_division(
    division: Division, *, name: str | None = None, geometry: Any = None, acting_user: Any
) -> Division:
    division = Division.objects.select_for_update().get(pk=division.pk)
    before = audit.snapshot(division)
    problems = Problems()
    geom = check_geometry(geometry, problems, required=False) if geometry is not None else None
    if name is not None and not name.strip():
        problems.add("name", "name is required")
    _raise(problems)
    if name is not None:
        division.name = name.strip()
    if geom is not None:
        division.set_geometry(geom)
    division.save()
    audit.record(
        "territory.update_division", actor=acting_user, obj=division, before=before, after=audit.snapshot(division)
    )
    return division


def create_grid(
    *,
    code: str,
    name: str,
    kind: str,
    community_code: str,
    geometry: Any,
    acting_user: Any,
    siblings: list[tuple[str, Any]] | None = None,
) -> Grid:
    problems = Problems()
    geom = check_geometry(geometry, problems, required=True)
    community = Division.objects.filter(code=community_code).first()
    if community is not None and siblings is None:
        siblings = siblings_of(community)
    found = check_grid(code, name, kind or GridKind.RESIDENTIAL, community, geom, siblings or [])
    problems.update({k: v for k, v in found.items() if k not in problems})
    if "code" not in problems and Grid.objects.filter(code=code).exists():
        problems.add("code", f"grid code {code} already exists")
    _raise(problems)
    grid = Grid(code=code, name=name.strip(), kind=kind or GridKind.RESIDENTIAL, community=community)
    grid.set_geometry(geom)
    grid.save()
    index.bump_version()
    audit.record("territory.create_grid", actor=acting_user, obj=grid, after=audit.snapshot(grid))
    return grid


@action
def do_create_grid(
    *, code: str, name: str, kind: str = GridKind.RESIDENTIAL, community_code: str, geometry: Any, acting_user: Any
) -> Grid:
    return create_grid(
        code=code, name=name, kind=kind, community_code=community_code, geometry=geometry, acting_user=acting_user
    )


def update_grid(
    grid: Grid, *, name: str | None = None, kind: str | None = None, geometry: Any = None, acting_user: Any
) -> Grid:
    grid = Grid.objects.select_for_update().select_related("community").get(pk=grid.pk)
    before = audit.snapshot(grid)
    problems = Problems()
    geom = check_geometry(geometry, problems, required=False) if geometry is not None else parse_polygon(grid.geometry)
    found = check_grid(
        grid.code,
        name if name is not None else grid.name,
        kind or grid.kind,
        grid.community,
        geom,
        siblings_of(grid.community, exclude_code=grid.code) if geometry is not None else [],
    )
    problems.update({k: v for k, v in found.items() if k not in problems})
    _raise(problems)
    grid.name = name.strip() if name is not None else grid.name
    grid.kind = kind or grid.kind
    if geometry is not None:
        grid.set_geometry(geom)
        index.bump_version()
    grid.save()
    audit.record("territory.update_grid", actor=acting_user, obj=grid, before=before, after=audit.snapshot(grid))
    return grid


@action
def do_update_grid(
    grid: Grid, *, name: str | None = None, kind: str | None = None, geometry: Any = None, acting_user: Any
) -> Grid:
    return update_grid(grid, name=name, kind=kind, geometry=geometry, acting_user=acting_user)


@action
def do_assign_grid_staff(
    grid: Grid, user: Any, role: str, *, start_date: dt.date | None = None, acting_user: Any
) -> GridAssignment:
    """Put a person on a grid. One grid may have many workers and one worker many grids (一格多员)."""
    problems = Problems()
    if role not in StaffRole.values:
        problems.add("role", f"unknown duty {role!r}; use one of {', '.join(StaffRole.values)}")
    if not user.is_active or user.role not in STAFF_ROLES:
        problems.add("user", f"{user} is not an active staff account")
    if GridAssignment.objects.filter(grid=grid, user=user, role=role, end_date__isnull=True).exists():
        problems.add("user", f"{user} already holds this duty on {grid.code}")
    _raise(problems)
    assignment = GridAssignment.objects.create(
        grid=grid, user=user, role=role, start_date=start_date or timezone.localdate()
    )
    audit.record("territory.assign_grid_staff", actor=acting_user, obj=assignment, after=audit.snapshot(assignment))
    return assignment


@action
def do_end_grid_assignment(
    assignment: GridAssignment, *, end_date: dt.date | None = None, acting_user: Any
) -> GridAssignment:
    assignment = GridAssignment.objects.select_for_update().get(pk=assignment.pk)
    end_date = end_date or timezone.localdate()
    if assignment.end_date is not None:
        raise ValidationError(
            {"end_date": _("this assignment already ended on %(date)s") % {"date": assignment.end_date}}
        )
    if end_date < assignment.start_date:
        raise ValidationError(
            {"end_date": _("cannot end before it started (%(date)s)") % {"date": assignment.start_date}}
        )
    before = audit.snapshot(assignment)
    assignment.end_date = end_date
    assignment.save(update_fields=["end_date", "updated_at"])
    audit.record(
        "territory.end_grid_assignment",
        actor=acting_user,
        obj=assignment,
        before=before,
        after=audit.snapshot(assignment),
    )
    return assignment


@action
def do_request_admission_item(
    *,
    district: Division,
    code: str,
    name: str,
    description: str,
    reason: str,
    department: Department | None = None,
    acting_user: Any,
) -> AdmissionItem:
    """Ask for an X item on the grid list; it counts only once a district administrator approves it."""
    problems = Problems()
    if district.level != Level.DISTRICT:
        problems.add("district", "admission items are kept per district")
    if not code.strip() or not code.replace("-", "").replace("_", "").isalnum():
        problems.add("code", "use letters, digits, - or _")
    elif AdmissionItem.objects.filter(district=district, code=code).exists():
        problems.add("code", f"an item with code {code!r} already exists")
    if not name.strip():
        problems.add("name", "name the matter")
    if not reason.strip():
        problems.add("request_reason", "say why grid workers should take this on")
    _raise(problems)
    item = AdmissionItem.objects.create(
        code=code.strip(),
        name=name.strip(),
        description=description.strip(),
        is_standing=False,
        status=AdmissionStatus.REQUESTED,
        district=district,
        department=department,
        requested_by=acting_user,
        request_reason=reason.strip(),
    )
    audit.record("territory.request_admission_item", actor=acting_user, obj=item, after=audit.snapshot(item))
    return item


@action
def do_decide_admission_item(item: AdmissionItem, *, approve: bool, reason: str, acting_user: Any) -> AdmissionItem:
    item = AdmissionItem.objects.select_for_update().get(pk=item.pk)
    if item.status != AdmissionStatus.REQUESTED:
        raise ValidationError({"status": _("this item was already %(status)s") % {"status": item.get_status_display()}})
    if not reason.strip():
        raise ValidationError({"decision_reason": _("give the reason for the decision")})
    before = audit.snapshot(item)
    item.status = AdmissionStatus.APPROVED if approve else AdmissionStatus.REJECTED
    item.decided_by, item.decided_at, item.decision_reason = acting_user, timezone.now(), reason.strip()
    item.save()
    audit.record(
        "territory.decide_admission_item", actor=acting_user, obj=item, before=before, after=audit.snapshot(item)
    )
    return item


def create_standing_items(district: Division, *, acting_user: Any) -> list[AdmissionItem]:
    """The standing four of 4+X, approved by definition (used when a district is first set up)."""
    from territory.standing import STANDING_FOUR

    items = []
    for code, name, description in STANDING_FOUR:
        item, created = AdmissionItem.objects.get_or_create(
            code=code,
            district=district,
            defaults={
                "name": name,
                "description": description,
                "is_standing": True,
                "status": AdmissionStatus.APPROVED,
            },
        )
        if created:
            audit.record("territory.create_standing_item", actor=acting_user, obj=item, after=audit.snapshot(item))
        items.append(item)
    return items
