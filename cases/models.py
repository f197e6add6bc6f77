from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from cases.choices import CLOCK_RUNNING, Channel, Level, RouteAction, Status, Urgency, Warning
from core.models import JournalingMixin, TimestampedMixin
from core.scoping import RestrictedQuerySet


class Category(models.Model):
    """A node of the case category tree (事件分类). Leaves are what people report."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    depth = models.PositiveSmallIntegerField(_("level"))
    department = models.ForeignKey(
        "territory.Department",
        verbose_name=_("responsible department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    admission_item = models.ForeignKey(
        "territory.AdmissionItem",
        verbose_name=_("grid matter (4+X)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="categories",
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def lineage(self) -> list[Category]:
        """This category and its ancestors, nearest first (for most-specific-rule lookups)."""
        chain: list[Category] = []
        node: Category | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    @property
    def path(self) -> str:
        return " / ".join(c.name for c in reversed(self.lineage()))


class RoutingRule(models.Model):
    """三级流转 configured by administrators: at `level`, cases of `category` (and its sub-categories) are handled
    there, passed up, or dispatched to `department`. The most specific category wins; no rule means handle."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing_rules")
    level = models.CharField(_("level"), max_length=20, choices=[c for c in Level.choices if c[0] != Level.DEPARTMENT])
    action = models.CharField(_("action"), max_length=20, choices=RouteAction.choices)
    department = models.ForeignKey("territory.Department", on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "level"], name="one_rule_per_category_level")]
        verbose_name = _("routing rule")

    def __str__(self) -> str:
        return f"{self.category} @ {self.level}: {self.action}"


class SlaPolicy(models.Model):
    """Response and resolution deadlines (default 3 h / 48 h, `004`) for a category and level; blank = any."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    response_hours = models.FloatField(_("response deadline (hours)"), default=3)
    resolution_hours = models.FloatField(_("resolution deadline (hours)"), default=48)
    working_time = models.BooleanField(_("count working time only"), default=False)
    warning_fraction = models.FloatField(_("yellow warning when this share of the time is used"), default=0.8)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "level"], name="one_policy_per_category_level")]
        verbose_name = _("deadline policy")

    def __str__(self) -> str:
        return f"{self.category or '*'} @ {self.level or '*'}: {self.response_hours}h/{self.resolution_hours}h"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a public holiday, or a weekend made a working day (调休)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class CaseQuerySet(RestrictedQuerySet):
    def restrict(self, user: Any, action: str = "view") -> RestrictedQuerySet:
        """Residents see what they reported; departments what was sent to them; everyone else their territory."""
        if getattr(user, "is_authenticated", False) and user.is_active:
            if user.role == Role.RESIDENT and action == "view":
                return self.filter(Q(reporter=user) | Q(followers=user)).distinct()
            if user.role == Role.DEPARTMENT_HANDLER and user.department_id and user.has_perm(f"cases.{action}_case"):
                return self.filter(units__department_id=user.department_id).distinct()
        return super().restrict(user, action)


class Case(JournalingMixin, TimestampedMixin):
    """One matter a resident raised (事件/工单), from intake to the resident's confirmation."""

    tracking_no = models.CharField(_("tracking number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=30, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), max_length=4000)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    address = models.CharField(_("address"), max_length=300, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    grid = models.ForeignKey(
        "territory.Grid", verbose_name=_("grid"), on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    territory_code = models.CharField(_("territory"), max_length=15, db_index=True)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="reported_cases"
    )
    reporter_name = models.CharField(_("reporter"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=11, blank=True, db_index=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    followers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="followed_cases")
    api_client = models.ForeignKey(
        "core.ApiClient", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    external_ref = models.CharField(_("reference in the source system"), max_length=100, blank=True)

    level = models.CharField(_("held at"), max_length=20, choices=Level.choices)
    holder_division = models.ForeignKey(
        "territory.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    holder_department = models.ForeignKey(
        "territory.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dispatcher = models.ForeignKey(
        "territory.Division",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("the level that dispatched it to the department"),
    )

    response_due = models.DateTimeField(_("respond by"), null=True, blank=True, db_index=True)
    first_response_due = models.DateTimeField(
        _("first response deadline"),
        null=True,
        blank=True,
        help_text=_("the intake's response deadline, kept for the reply rate"),
    )
    resolution_due = models.DateTimeField(_("resolve by"), null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(_("warn from"), null=True, blank=True, db_index=True)
    warning = models.CharField(_("deadline"), max_length=10, choices=Warning.choices, default=Warning.NONE)
    working_time = models.BooleanField(default=False)
    paused_at = models.DateTimeField(null=True, blank=True)

    responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reply = models.TextField(_("reply to the resident"), blank=True)
    resolved_on_spot = models.BooleanField(_("solved on the spot (就地解决)"), default=False)
    resident_confirmed = models.BooleanField(_("confirmed by the resident"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True)
    master = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates")

    escalation_count = models.PositiveSmallIntegerField(default=0)
    return_count = models.PositiveSmallIntegerField(default=0)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    supervision_count = models.PositiveSmallIntegerField(default=0)

    objects = models.Manager.from_queryset(CaseQuerySet)()
    territory_field = "territory_code"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("supervise_case", "Can issue supervision orders (督办)"),
            ("view_assessment", "Can see the 三率 assessment"),
        ]
        indexes = [
            models.Index(fields=["status", "resolution_due"]),
            models.Index(fields=["status", "response_due"]),
            # The clock's sweep for warnings (cases.sweep): running cases not yet warned, so neither the closed
            # history nor the many cases with time left slow it down.
            models.Index(
                fields=["warn_at"], condition=Q(status__in=CLOCK_RUNNING, warning=Warning.NONE), name="case_sweep_warn"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(holder_division__isnull=True) | Q(holder_department__isnull=True), name="one_holder"
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_no

    @property
    def holder(self) -> Any:
        return self.holder_department or self.holder_division

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.CLOSED, Status.MERGED, Status.INVALID)


class CaseUnit(models.Model):
    """A unit working on a case: the lead (主办) holds it; co-handlers (协办) each reply. Kept after they finish
    so departments keep seeing cases they handled."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead (主办)")
        CO = "co", _("Co-handler (协办)")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="units")
    division = models.ForeignKey(
        "territory.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        "territory.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    active = models.BooleanField(default=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.department or self.division} ({self.role})"


class CaseEvent(models.Model):
    """One step in a case's life (who, when, from, to, why). The resident-facing timeline is built from these."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    holder_label = models.CharField(_("held by"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")

    def __str__(self) -> str:
        return f"{self.case} {self.action} {self.from_status}→{self.to_status}"


class Attachment(models.Model):
    """A photo, voice note, video or document, with its SHA-256 kept as evidence."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        VOICE = "voice", _("Voice")
        VIDEO = "video", _("Video")
        DOCUMENT = "document", _("Document")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(CaseEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to="cases/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    label = models.CharField(max_length=20, blank=True, help_text=_("e.g. before / after"))
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class Supervision(models.Model):
    """A supervision order (督办) to the unit holding a case, with its own deadline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    automatic = models.BooleanField(default=False)
    to_division = models.ForeignKey(
        "territory.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_department = models.ForeignKey(
        "territory.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField()
    due = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"督办 {self.case}"


class Counter(models.Model):
    """Named counters incremented under a row lock (daily tracking-number sequences)."""

    name = models.CharField(max_length=50, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class PointsEntry(models.Model):
    """以奖代补: points a resident earns for a valid report (closed and confirmed), and what they redeem. The
    ledger is keyed by the mobile number a report gave, so residents without an account earn points too."""

    class Kind(models.TextChoices):
        AWARD = "award", _("Earned for a valid report")
        REDEEM = "redeem", _("Redeemed")

    phone = models.CharField(_("mobile number"), max_length=11, db_index=True)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="points"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    points = models.IntegerField(_("points"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="points")
    reason = models.CharField(_("reason"), max_length=200)
    territory_code = models.CharField(_("territory"), max_length=15, db_index=True)
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = RestrictedQuerySet.as_manager()
    territory_field = "territory_code"

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        permissions = [("redeem_points", "Can record a resident's redemption of points")]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(kind="award"), name="one_award_per_case"),
            models.CheckConstraint(
                condition=Q(kind="award", points__gt=0) | Q(kind="redeem", points__lt=0), name="points_sign"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phone} {self.points:+d}"


class Commitment(models.Model):
    """亮诺/亮绩: a unit's commitments at the start of a year with target 三率, and its results at year end."""

    year = models.PositiveSmallIntegerField(_("year"))
    division = models.ForeignKey(
        "territory.Division", verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        "territory.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    territory_code = models.CharField(max_length=15, db_index=True)
    pledge = models.TextField(_("commitments (亮诺)"), max_length=2000)
    reply_target = models.FloatField(_("reply rate target"))
    resolution_target = models.FloatField(_("resolution rate target"))
    satisfaction_target = models.FloatField(_("satisfaction rate target"))
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    made_at = models.DateTimeField(_("made"))
    # Year-end results (亮绩), filled by do_record_results from the 三率 of the year.
    reported = models.PositiveIntegerField(_("cases reported"), null=True, blank=True)
    reply_rate = models.FloatField(_("reply rate"), null=True, blank=True)
    resolution_rate = models.FloatField(_("resolution rate"), null=True, blank=True)
    satisfaction_rate = models.FloatField(_("satisfaction rate"), null=True, blank=True)
    results_note = models.TextField(_("results (亮绩)"), max_length=2000, blank=True)
    results_at = models.DateTimeField(_("results recorded"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    territory_field = "territory_code"

    class Meta:
        ordering = ["-year", "territory_code", "id"]
        verbose_name = _("commitment (亮诺)")
        verbose_name_plural = _("commitments (亮诺/亮绩)")
        constraints = [
            models.UniqueConstraint(fields=["year", "division"], name="one_commitment_per_division_year"),
            models.UniqueConstraint(fields=["year", "department"], name="one_commitment_per_department_year"),
            models.CheckConstraint(
                condition=Q(division__isnull=True) ^ Q(department__isnull=True), name="commitment_one_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit}"

    @property
    def unit(self) -> Any:
        return self.department or self.division

    def met(self) -> dict[str, bool | None]:
        """Whether each target was reached (None until results are recorded or when nothing was rated)."""
        pairs = {
            "reply": (self.reply_rate, self.reply_target),
            "resolution": (self.resolution_rate, self.resolution_target),
            "satisfaction": (self.satisfaction_rate, self.satisfaction_target),
        }
        return {k: (None if v is None else v >= t) for k, (v, t) in pairs.items()}
