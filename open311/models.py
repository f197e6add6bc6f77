"""Open311 GeoReport v2 over the case loop: service attributes (a category's form fields), registered
applications (core.ApiClient keys of channel open311) and the Open311 side of each request."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import ApiClient


class Datatype(models.TextChoices):
    STRING = "string", _("Text on one line")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Text")
    SINGLE = "singlevaluelist", _("Choose one")
    MULTI = "multivaluelist", _("Choose several")


LIST_TYPES = frozenset({Datatype.SINGLE, Datatype.MULTI})


class ServiceProfile(models.Model):
    """How a leaf category shows as an Open311 service. A leaf without a profile is listed with defaults."""

    category = models.OneToOneField("cases.Category", on_delete=models.CASCADE, related_name="open311")
    listed = models.BooleanField(_("offered through Open311"), default=True)
    description = models.CharField(_("service description"), max_length=500, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True, help_text=_("comma separated"))
    service_notice = models.CharField(_("notice to the reporter"), max_length=500, blank=True)
    moderated = models.BooleanField(
        _("hold requests for moderation"),
        default=False,
        help_text=_("requests wait for a hotline agent or command centre; clients get a token (type batch)"),
    )

    class Meta:
        verbose_name = _("Open311 service")
        verbose_name_plural = _("Open311 services")

    def __str__(self) -> str:
        return str(self.category)


class ServiceAttribute(models.Model):
    """A form field of a category (a GeoReport service definition attribute)."""

    category = models.ForeignKey("cases.Category", on_delete=models.CASCADE, related_name="open311_attributes")
    code = models.CharField(_("code"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"))
    variable = models.BooleanField(_("asks for input"), default=True)
    datatype = models.CharField(_("type"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    description = models.CharField(_("question"), max_length=300)
    datatype_description = models.CharField(_("input hint"), max_length=300, blank=True)

    class Meta:
        ordering = ["category", "order"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_code_unique"),
            models.UniqueConstraint(fields=["category", "order"], name="open311_attribute_order_unique"),
        ]
        verbose_name = _("service attribute")

    def __str__(self) -> str:
        return f"{self.category.code}/{self.code}"


class AttributeValue(models.Model):
    """One option of a single- or multi-value list attribute."""

    attribute = models.ForeignKey(ServiceAttribute, on_delete=models.CASCADE, related_name="values")
    key = models.CharField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["attribute", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["attribute", "key"], name="open311_value_key_unique")]

    def __str__(self) -> str:
        return f"{self.key}={self.name}"


class Open311Key(ApiClient):
    """The core.ApiClient keys of channel open311, for the admin (no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("Open311 application key")


class ServiceRequest(models.Model):
    """What an Open311 client sent, kept beside the case it became (or waiting for moderation)."""

    class State(models.TextChoices):
        HELD = "held", _("Waiting for moderation")
        ACCEPTED = "accepted", _("Accepted as a case")
        REJECTED = "rejected", _("Not accepted after moderation")

    token = models.CharField(max_length=32, unique=True)
    client = models.ForeignKey("core.ApiClient", on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="open311_request"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACCEPTED, db_index=True)
    category = models.ForeignKey("cases.Category", on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("received"), db_index=True)
    description = models.TextField(_("request description"), max_length=4000, blank=True)
    lat = models.FloatField(null=True, blank=True)
    long = models.FloatField(null=True, blank=True)
    address_string = models.CharField(_("address"), max_length=300, blank=True)
    address_id = models.CharField(max_length=50, blank=True)
    community_code = models.CharField(max_length=12, blank=True)
    email = models.EmailField(blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    first_name = models.CharField(max_length=50, blank=True)
    last_name = models.CharField(max_length=50, blank=True)
    phone = models.CharField(max_length=11, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    moderation_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("Open311 request")
        permissions = [("moderate_servicerequest", "Can accept or reject held Open311 requests")]

    def __str__(self) -> str:
        return self.case.tracking_no if self.case_id else f"token {self.token}"  # type: ignore[union-attr]

    @property
    def reporter_name(self) -> str:
        # Chinese order: family name first.
        return f"{self.last_name}{self.first_name}".strip()


class HeldMedia(models.Model):
    """A file uploaded with a request that waits for moderation; it becomes a case attachment on acceptance."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="held_media")
    file = models.FileField(upload_to="open311/held/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.original_name
