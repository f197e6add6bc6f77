"""Triage (S7): what the classifier suggested, staff corrections, duplicate candidates, hot issues."""

from __future__ import annotations

from django.conf import settings  # noqa: F401
from django.db import models
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------------------------------------------------------------
# Classification: suggestions at intake, the human triage queue, corrections used in the next training
# ---------------------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------------------
# Duplicates and related cases (归并)
# ---------------------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------------------
# Addresses and hot issues
# ---------------------------------------------------------------------------------------------------------------------


class AddressResolution(models.Model):
    """Where triage.address placed a case's free-text address at intake: the level reached, the confidence and
    the parts it recognised (shown on the case page)."""

    class Level(models.TextChoices):
        GRID = "grid", _("grid")
        COMMUNITY = "community", _("community")
        NONE = "none", _("not placed")

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="address_resolution"
    )
    query = models.CharField(_("address"), max_length=300)
    level = models.CharField(_("placed at"), max_length=10, choices=Level.choices)
    community_code = models.CharField(_("community"), max_length=12, blank=True)
    grid_code = models.CharField(_("grid"), max_length=15, blank=True)
    confidence = models.FloatField(_("confidence"))
    used = models.BooleanField(_("used to locate the case"), default=True)
    parts = models.JSONField(_("recognised parts"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("address resolution")
        verbose_name_plural = _("address resolutions")

    def __str__(self) -> str:
        return f"{self.query} → {self.grid_code or self.community_code or '?'} ({self.confidence:.2f})"
