"""What the command centre keeps beside the cases: one fact row per case (the rollup it counts from), grid
workers' check-ins, cached analyses and the monthly reports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.memo import memoized
from core.scoping import ALL, RestrictedQuerySet, territory_prefixes

DASHBOARD_PERMISSION = "command.view_dashboard"


class FactQuerySet(RestrictedQuerySet):
    def restrict(self, user: Any, action: str = "view") -> RestrictedQuerySet:
        """Facts are read with the command-centre permission, limited to the user's territory; never written."""
        if action != "view" or not getattr(user, "is_authenticated", False) or not user.has_perm(DASHBOARD_PERMISSION):
            return self.none()
        prefixes = territory_prefixes(user)
        if prefixes is ALL or covers_every_district(prefixes):
            return self  # the same rows without a LIKE on every one of them
        query = Q()
        for prefix in prefixes or []:
            query |= Q(territory_code__startswith=prefix)
        return self.filter(query) if prefixes else self.none()


@memoized
def district_codes() -> frozenset[str]:
    from territory.models import Division

    return frozenset(Division.objects.filter(level="district").values_list("code", flat=True))


def covers_every_district(prefixes: list[str] | None) -> bool:
    return bool(prefixes) and district_codes() <= set(prefixes or [])


class CaseFact(models.Model):
    """One row per case with what the command centre counts (a star-schema fact), refreshed by the clock from
    the case event log (`command.facts`). Indexed by local day and territory, so a month of a million-case
    history is a range scan, not a scan of the case table."""

    case = models.OneToOneField("cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="+")
    tracking_no = models.CharField(max_length=20, default="")
    created_at = models.DateTimeField()
    day = models.DateField(_("day reported"))
    territory_code = models.CharField(max_length=15)
    grid_code = models.CharField(max_length=15, blank=True)
    category_code = models.CharField(max_length=12)
    channel = models.CharField(max_length=30)
    status = models.CharField(max_length=20)
    is_open = models.BooleanField()
    warning = models.CharField(max_length=10)
    lon = models.FloatField(null=True)
    lat = models.FloatField(null=True)
    h3_cell = models.CharField(max_length=16, blank=True)
    resolution_due = models.DateTimeField(null=True)
    closed_at = models.DateTimeField(null=True)
    replied_on_time = models.BooleanField()
    accepted = models.BooleanField()
    resolved_confirmed = models.BooleanField()
    rating = models.PositiveSmallIntegerField(null=True)
    entered_by_id = models.BigIntegerField(null=True)

    objects = models.Manager.from_queryset(FactQuerySet)()
    territory_field = "territory_code"

    class Meta:
        indexes = [
            # Covering: a period's figures per grid are read from this index alone, without touching the rows.
            models.Index(
                fields=[
                    "day",
                    "territory_code",
                    "is_open",
                    "warning",
                    "replied_on_time",
                    "accepted",
                    "resolved_confirmed",
                    "rating",
                ],
                name="fact_day_figures",
            ),
            models.Index(fields=["day", "h3_cell"], name="fact_day_cell"),
            # Open cases are a few thousand of a million: a partial index the planner cannot misjudge.
            models.Index(fields=["warning", "territory_code"], condition=Q(is_open=True), name="fact_open"),
            models.Index(fields=["created_at"], name="fact_created"),
            models.Index(fields=["category_code", "day"], name="fact_category_day"),
            models.Index(fields=["entered_by_id", "created_at"], name="fact_entered_by"),
        ]
        verbose_name = _("case fact")

    def __str__(self) -> str:
        return f"fact {self.case_id}"


class FactCursor(models.Model):
    """How far the fact refresh has read the case event log and the case table (one row)."""

    last_event_id = models.BigIntegerField(default=0)
    last_case_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"events≤{self.last_event_id} cases≤{self.last_case_id}"


class StaffCheckIn(models.Model):
    """A grid worker's GPS position (签到): on patrol, at a report, or by hand. The staff layer shows the last one;
    a day's check-ins in order are the patrol track."""

    class Kind(models.TextChoices):
        PATROL = "patrol", _("Patrol")
        CHECK_IN = "check_in", _("Check-in")
        REPORT = "report", _("At a report")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="check_ins")
    at = models.DateTimeField(_("time"))
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CHECK_IN)
    grid_code = models.CharField(_("grid"), max_length=15, blank=True)
    territory_code = models.CharField(max_length=15, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = models.Manager.from_queryset(RestrictedQuerySet)()
    territory_field = "territory_code"

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="checkin_user_at")]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M} ({self.lon:.5f}, {self.lat:.5f})"


class Snapshot(models.Model):
    """A computed analysis kept for reuse (forecasts take seconds): kind + scope + the day it describes."""

    kind = models.CharField(max_length=30)
    scope_code = models.CharField(max_length=15)
    day = models.DateField()
    computed_at = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "scope_code", "day"], name="one_snapshot")]

    def __str__(self) -> str:
        return f"{self.kind} {self.scope_code} {self.day}"


class MonthlyReport(models.Model):
    """An automatic monthly statistics table and analysis report (每月自动生成) for a district or street."""

    month = models.DateField(_("month"), help_text=_("first day of the month"))
    scope_code = models.CharField(_("territory"), max_length=12)
    scope_name = models.CharField(_("territory name"), max_length=100)
    generated_at = models.DateTimeField(_("generated"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    generated_label = models.CharField(_("generated by"), max_length=150)
    docx = models.FileField(upload_to="reports/%Y/")
    xlsx = models.FileField(upload_to="reports/%Y/")
    docx_sha256 = models.CharField(max_length=64)
    xlsx_sha256 = models.CharField(max_length=64)
    seconds = models.FloatField(_("seconds to build"))
    figures = models.JSONField(_("headline figures"), default=dict)

    objects = models.Manager.from_queryset(RestrictedQuerySet)()
    territory_field = "scope_code"

    class Meta:
        ordering = ["-month", "scope_code", "-generated_at"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        permissions = [("view_dashboard", "Can use the command centre (overview, map, analysis)")]

    def __str__(self) -> str:
        return f"{self.scope_name} {self.month:%Y-%m}"
