from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import JournalingMixin, TimestampedMixin
from core.scoping import RestrictedManager
from territory.choices import AdmissionStatus, DivisionKind, GridKind, Level, StaffRole


class GeometryMixin(models.Model):
    """A GeoJSON polygon (WGS-84) with its bounding box and size kept beside it for cheap filtering."""

    geometry = models.JSONField(_("boundary"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    centroid_lon = models.FloatField(null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)
    area_m2 = models.FloatField(_("area (m²)"), null=True, blank=True)

    class Meta:
        abstract = True

    def set_geometry(self, geom) -> None:
        from territory.geo import area_m2, to_geojson

        self.geometry = to_geojson(geom)
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = (round(v, 7) for v in geom.bounds)
        point = geom.representative_point() if not geom.centroid.within(geom) else geom.centroid
        self.centroid_lon, self.centroid_lat = round(point.x, 7), round(point.y, 7)
        self.area_m2 = round(area_m2(geom), 1)

    @property
    def area_km2(self) -> float | None:
        return None if self.area_m2 is None else self.area_m2 / 1e6


class Division(GeometryMixin, JournalingMixin, TimestampedMixin):
    """A node of the administrative tree: district → street/township → community/village (GB/T 2260 codes)."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    kind = models.CharField(_("type"), max_length=20, choices=DivisionKind.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    objects = RestrictedManager()
    territory_field = "code"
    territory_shows_ancestors = True

    class Meta:
        ordering = ["code"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")

    def __str__(self) -> str:
        return self.name


class Department(TimestampedMixin):
    """A functional department (职能部门) that takes cases dispatched to it."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    division = models.ForeignKey(Division, verbose_name=_("serves"), on_delete=models.PROTECT, related_name="+")

    objects = RestrictedManager()
    territory_field = "division__code"
    territory_shows_ancestors = True

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Grid(GeometryMixin, JournalingMixin, TimestampedMixin):
    """A grid (网格): the smallest unit of the one grid network, inside one community."""

    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    kind = models.CharField(_("type"), max_length=20, choices=GridKind.choices, default=GridKind.RESIDENTIAL)
    community = models.ForeignKey(
        Division,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"level": Level.COMMUNITY},
    )

    objects = RestrictedManager()
    territory_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")

    def __str__(self) -> str:
        return self.name

    @property
    def is_specialised(self) -> bool:
        return self.kind != GridKind.RESIDENTIAL


class GridAssignment(TimestampedMixin):
    """A person's duty on a grid over a period; ended rows are the assignment history."""

    grid = models.ForeignKey(Grid, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="grid_assignments"
    )
    role = models.CharField(_("duty"), max_length=20, choices=StaffRole.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    objects = RestrictedManager()
    territory_field = "grid__code"

    class Meta:
        ordering = ["grid__code", "-start_date", "id"]
        verbose_name = _("grid assignment")
        verbose_name_plural = _("grid assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "user", "role"], condition=models.Q(end_date__isnull=True), name="one_open_assignment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.grid.code} ({self.get_role_display()})"

    @property
    def is_current(self) -> bool:
        return self.end_date is None or self.end_date > timezone.localdate()


class AdmissionItem(TimestampedMixin):
    """A matter admitted to grid work (网格事务准入, the 4+X list). X items need a district admin's approval."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("matter"), max_length=100)
    description = models.TextField(_("what grid workers do"), blank=True)
    is_standing = models.BooleanField(_("one of the standing four"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=AdmissionStatus.choices)
    district = models.ForeignKey(Division, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name=_("requested by department"), on_delete=models.PROTECT, null=True, blank=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    request_reason = models.TextField(_("why it belongs to grid work"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)

    objects = RestrictedManager()
    territory_field = "district__code"
    territory_shows_ancestors = True

    class Meta:
        ordering = ["-is_standing", "status", "code"]
        verbose_name = _("admission item")
        verbose_name_plural = _("4+X admission list")
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="admission_code_per_district")]
        permissions = [("approve_admissionitem", "Can approve or reject admission items")]

    def __str__(self) -> str:
        return self.name


class GridIndexVersion(models.Model):
    """Bumped by every action that changes grid polygons, so each process knows to rebuild its index."""

    version = models.BigIntegerField(default=0)
