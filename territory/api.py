"""JSON API of the grid network (scoped through core.scoping like the pages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from core.scoping import get_restricted_or_404
from territory import index
from territory.models import Division, Grid, GridAssignment

router = Router(tags=["territory"])


class DivisionOut(Schema):
    code: str
    name: str
    kind: str
    level: str
    parent_code: str | None = Field(None, alias="parent.code")


class GridOut(Schema):
    code: str
    name: str
    kind: str
    community_code: str = Field(..., alias="community.code")
    area_m2: float | None
    centroid: list[float] | None = None

    @staticmethod
    def resolve_centroid(obj: Grid) -> list[float] | None:
        if obj.centroid_lon is None or obj.centroid_lat is None:
            return None
        return [obj.centroid_lon, obj.centroid_lat]


class StaffOut(Schema):
    name: str
    role: str
    since: str


class GridDetailOut(GridOut):
    geometry: dict[str, Any] | None
    staff: list[StaffOut]


class LocateOut(Schema):
    grid_code: str
    grid_name: str
    community_code: str
    street_code: str
    district_code: str


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise HttpError(403, "You do not have permission to read the grid network.")


@router.get("/divisions", response=list[DivisionOut])
def list_divisions(request: HttpRequest, level: str | None = None, q: str | None = None):
    _require(request, "territory.view_division")
    qs = Division.objects.restrict(request.user).select_related("parent")
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(code__startswith=q)
    return qs.order_by("code")[:2000]


@router.get("/grids", response=list[GridOut])
def list_grids(request: HttpRequest, within: str | None = None, q: str | None = None):
    """Grids in the caller's territory, optionally inside a division (`within` = its code) or matching `q`."""
    _require(request, "territory.view_grid")
    qs = Grid.objects.restrict(request.user).select_related("community")
    if within:
        qs = qs.filter(code__startswith=within)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(code__startswith=q)
    return qs.order_by("code")[:5000]


@router.get("/grids/{code}", response=GridDetailOut)
def get_grid(request: HttpRequest, code: str):
    _require(request, "territory.view_grid")
    grid = get_restricted_or_404(Grid.objects.select_related("community"), request.user, code=code)
    grid.staff = [
        {"name": str(a.user), "role": a.role, "since": a.start_date.isoformat()}
        for a in GridAssignment.objects.filter(grid=grid, end_date__isnull=True).select_related("user")
    ]
    return grid


@router.get("/locate", response=LocateOut)
def locate(request: HttpRequest, lon: float, lat: float):
    """The grid a WGS-84 point falls in. 404 when it is outside every grid or outside the caller's territory."""
    _require(request, "territory.view_grid")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise HttpError(400, "lon must be within -180..180 and lat within -90..90")
    hit = index.locate(lon, lat)
    if hit is None:
        raise HttpError(404, "The point is not inside any grid.")
    grid = get_restricted_or_404(Grid.objects.all(), request.user, code=hit.grid_code)
    return {
        "grid_code": grid.code,
        "grid_name": grid.name,
        "community_code": hit.community_code,
        "street_code": hit.street_code,
        "district_code": hit.district_code,
    }
