"""The base-data registry (人、地、事、物、组织, S2): people, households, houses, places and things, organisations.

Every row carries the code of the grid it lies in (`grid`, a foreign key to Grid.code), so territory scoping is a
prefix filter on one indexed column without a join. Field verbose names are the GB/T 31000-2015 data items.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimestampedMixin
from core.scoping import RestrictedManager
from registry import choices as c


class GridMixin(models.Model):
    """The grid an object lies in; `grid_id` is the 15-digit grid code itself."""

    grid = models.ForeignKey(
        "territory.Grid",
        verbose_name=_("grid"),
        to_field="code",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # each model's composite index starting with grid serves the territory prefix filter
    )
    territory_field = "grid__code"

    class Meta:
        abstract = True


class LocationMixin(models.Model):
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)

    class Meta:
        abstract = True


class House(GridMixin, LocationMixin, TimestampedMixin):
    """实有房屋: one dwelling or premises (a flat, a self-built house, a shop) at an address inside a grid."""

    code = models.CharField(_("house code (房屋编号)"), max_length=24, unique=True)
    estate = models.CharField(_("estate or village (小区/自然村)"), max_length=100, blank=True)
    building = models.CharField(_("building (楼栋)"), max_length=20, blank=True)
    unit = models.CharField(_("unit (单元)"), max_length=20, blank=True)
    room = models.CharField(_("room (室)"), max_length=20, blank=True)
    address = models.CharField(_("address (门(楼)详址)"), max_length=200, db_index=True)
    house_type = models.CharField(_("house type"), max_length=20, choices=c.HouseType.choices)
    use = models.CharField(_("use (房屋用途)"), max_length=20, choices=c.HouseUse.choices)
    area_m2 = models.FloatField(_("floor area (m²)"), null=True, blank=True)
    owner = models.ForeignKey(
        "Person", verbose_name=_("owner"), on_delete=models.PROTECT, null=True, blank=True, related_name="houses_owned"
    )
    owner_organisation = models.ForeignKey(
        "Organisation",
        verbose_name=_("owning organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="houses_owned",
    )
    owner_name = models.CharField(_("owner's name (not registered here)"), max_length=100, blank=True)
    owner_phone = models.CharField(_("owner's phone"), max_length=20, blank=True)
    status = models.CharField(
        _("lifecycle"), max_length=20, choices=c.HouseStatus.choices, default=c.HouseStatus.IN_USE
    )
    grade = models.PositiveSmallIntegerField(_("grade (分级)"), default=3)
    colour = models.CharField(_("colour (分色)"), max_length=10, choices=c.Colour.choices, default=c.Colour.GREEN)
    grade_reason = models.CharField(_("why this grade"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=c.Source.choices, default=c.Source.FORM)

    objects = RestrictedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        indexes = [models.Index(fields=["grid", "use"]), models.Index(fields=["grid", "colour"])]

    def __str__(self) -> str:
        return self.address


class Household(GridMixin, TimestampedMixin):
    """户: the people registered together, living in one house; its head has relation 02."""

    number = models.CharField(_("household number (户号)"), max_length=30, unique=True)
    house = models.ForeignKey(House, verbose_name=_("house"), on_delete=models.PROTECT, related_name="households")
    is_collective = models.BooleanField(_("collective household (集体户)"), default=False)

    objects = RestrictedManager()

    class Meta:
        ordering = ["number"]
        indexes = [models.Index(fields=["grid"])]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.number


class Person(GridMixin, TimestampedMixin):
    """实有人口: a registered resident, floating resident or overseas person living in a house of the district."""

    id_type = models.CharField(
        _("document type"), max_length=20, choices=c.IdType.choices, default=c.IdType.RESIDENT_ID
    )
    # NULL (not "") for a person without a number yet, e.g. a newborn: the unique index ignores NULLs.
    id_number = models.CharField(_("identity number (公民身份号码)"), max_length=30, null=True, blank=True, unique=True)
    name = models.CharField(_("name (姓名)"), max_length=50)
    sex = models.CharField(_("sex (性别)"), max_length=1, choices=c.Sex.choices, default=c.Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth (出生日期)"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnic group (民族)"), max_length=2, blank=True)
    phone = models.CharField(_("phone (联系方式)"), max_length=20, blank=True)
    residence_type = models.CharField(_("population type"), max_length=20, choices=c.ResidenceType.choices)
    domicile = models.CharField(_("place of household registration (户籍地详址)"), max_length=200, blank=True)
    nationality = models.CharField(_("nationality (国籍)"), max_length=3, blank=True)
    house = models.ForeignKey(
        House, verbose_name=_("lives at (现住门(楼)详址)"), on_delete=models.PROTECT, related_name="residents"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    relation = models.CharField(
        _("relation to head (与户主关系)"), max_length=2, choices=c.Relation.choices, blank=True
    )
    inflow_reason = models.CharField(
        _("reason for coming (流入原因)"), max_length=2, choices=c.InflowReason.choices, blank=True
    )
    certificate = models.CharField(_("permit (办证类型)"), max_length=2, choices=c.Certificate.choices, blank=True)
    lodging = models.CharField(_("lodging (住所类型)"), max_length=2, choices=c.Lodging.choices, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=c.PersonStatus.choices, default=c.PersonStatus.LIVING)
    since = models.DateField(_("living here since"), null=True, blank=True)
    status_date = models.DateField(_("status since"), null=True, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=c.Source.choices, default=c.Source.FORM)

    objects = RestrictedManager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # Name and phone searches match from the start: the pattern opclass lets PostgreSQL use the index for
        # LIKE 'x%' under any collation (SQLite ignores opclasses and gets a plain index, searched by range).
        indexes = [
            models.Index(fields=["grid", "status"]),
            models.Index(fields=["name"], name="registry_person_name", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["phone"], name="registry_person_phone", opclasses=["varchar_pattern_ops"]),
        ]
        permissions = [
            ("unmask_person", "Can see identity numbers, phones and addresses in full (logged)"),
            ("export_person", "Can export personal data (logged, with a reason)"),
            ("import_registry", "Can import registry files"),
            ("view_care_label", "Can see care labels"),
            ("change_care_label", "Can add and end care labels"),
            ("view_key_label", "Can see key-person labels"),
            ("change_key_label", "Can add and end key-person labels"),
            ("merge_person", "Can merge duplicate people"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == c.PersonStatus.LIVING


class PersonLabel(TimestampedMixin):
    """A care or key-person label, kept apart from the person so each kind has its own permission."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="labels")
    kind = models.CharField(_("kind"), max_length=10, choices=c.LabelKind.choices)
    label = models.CharField(_("label"), max_length=30, choices=c.Label.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["label"]
        verbose_name = _("label")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "label"], condition=models.Q(until__isnull=True), name="one_open_label"
            )
        ]
        indexes = [models.Index(fields=["label", "until"])]

    def __str__(self) -> str:
        return self.get_label_display()


class Tenancy(TimestampedMixin):
    """出租登记: a household renting a house over a period."""

    house = models.ForeignKey(House, verbose_name=_("house"), on_delete=models.PROTECT, related_name="tenancies")
    household = models.ForeignKey(
        Household, verbose_name=_("tenant household"), on_delete=models.PROTECT, related_name="tenancies"
    )
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=c.TenancyPurpose.choices, default=c.TenancyPurpose.LIVING
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    contract_no = models.CharField(_("contract number"), max_length=50, blank=True)

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")
        constraints = [
            models.UniqueConstraint(
                fields=["house", "household"], condition=models.Q(end_date__isnull=True), name="one_open_tenancy"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} @ {self.house}"


class Organisation(GridMixin, LocationMixin, TimestampedMixin):
    """A company, individual business, social organisation or public institution with its credit code."""

    credit_code = models.CharField(_("unified social credit code (统一社会信用代码)"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=c.OrganisationKind.choices)
    legal_rep = models.CharField(_("legal representative (法定代表人)"), max_length=50, blank=True)
    legal_rep_id_number = models.CharField(_("legal representative's identity number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200)
    house = models.ForeignKey(
        House, verbose_name=_("premises"), on_delete=models.PROTECT, null=True, blank=True, related_name="organisations"
    )
    industry = models.CharField(_("line of business"), max_length=100, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=c.OrganisationStatus.choices, default=c.OrganisationStatus.REGISTERED
    )
    status_date = models.DateField(_("status since"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=c.Source.choices, default=c.Source.FORM)

    objects = RestrictedManager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["grid", "status"])]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Place(GridMixin, LocationMixin, TimestampedMixin):
    """A key place, hazard source or key item, with who answers for it and its inspections."""

    kind = models.CharField(_("kind"), max_length=20, choices=c.PlaceKind.choices)
    category = models.CharField(_("category"), max_length=30, choices=c.PlaceCategory.choices)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    address = models.CharField(_("address"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("run by"), on_delete=models.PROTECT, null=True, blank=True, related_name="places"
    )
    responsible_name = models.CharField(_("responsible person"), max_length=50)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=20, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=c.RiskLevel.choices, default=c.RiskLevel.LOW)
    quantity = models.CharField(_("quantity (key items)"), max_length=100, blank=True)
    is_active = models.BooleanField(_("in operation"), default=True)
    last_inspected_on = models.DateField(_("last inspected"), null=True, blank=True)
    next_inspection_due = models.DateField(_("next inspection due"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=c.Source.choices, default=c.Source.FORM)

    objects = RestrictedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("place or thing")
        verbose_name_plural = _("places and things")
        indexes = [models.Index(fields=["grid", "kind"])]

    def __str__(self) -> str:
        return self.name


class Inspection(TimestampedMixin):
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="inspections")
    date = models.DateField(_("date"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    inspector_name = models.CharField(_("inspector"), max_length=50, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=c.InspectionResult.choices)
    findings = models.TextField(_("findings"), blank=True)
    next_due = models.DateField(_("next inspection due"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("inspection")

    def __str__(self) -> str:
        return f"{self.place} {self.date}"


class Event(models.Model):
    """One lifecycle event (move in, birth, rent, demolish, cancel …) on the timeline of what it concerns."""

    kind = models.CharField(_("event"), max_length=20, choices=c.EventKind.choices)
    date = models.DateField(_("date"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    house = models.ForeignKey(House, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    place = models.ForeignKey(Place, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("lifecycle event")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class MergeCandidate(TimestampedMixin):
    """Two records that look like one person (same name, date of birth and house) waiting for a decision."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not the same person")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("why"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager()
    territory_field = "person__grid__code"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("possible duplicate")
        constraints = [models.UniqueConstraint(fields=["person", "other"], name="one_merge_candidate_per_pair")]

    def __str__(self) -> str:
        return f"{self.person_id} ~ {self.other_id}"


class AccessLog(models.Model):
    """Who saw or exported personal data in full, when, and why (S20)."""

    class Action(models.TextChoices):
        UNMASK = "unmask", _("Unmasked")
        EXPORT = "export", _("Exported")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("who"), max_length=150)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("what"), max_length=50)
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    count = models.PositiveIntegerField(_("records"), default=1)
    fields = models.JSONField(_("fields"), default=list)
    purpose = models.CharField(_("why"), max_length=300, blank=True)
    scope = models.CharField(_("filter"), max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_type}:{self.object_id}"
