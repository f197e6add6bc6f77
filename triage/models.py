"""Triage (S7): what the classifier suggested, staff corrections, duplicate candidates, hot issues."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# ---------------------------------------------------------------------------------------------------------------------
# Classification: suggestions at intake, the human triage queue, corrections used in the next training
# ---------------------------------------------------------------------------------------------------------------------


class Suggestion(models.Model):
    """What the classifier said about a case at intake (one per case with text), and whether a person checked it."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="triage_suggestion")
    label = models.CharField(_("suggested category"), max_length=100)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("suggested category"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    department = models.ForeignKey(
        "territory.Department",
        verbose_name=_("suggested department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confidence = models.FloatField(_("confidence"))
    words = models.JSONField(_("words that drove the decision"), default=list)
    probabilities = models.JSONField(default=dict)
    model_version = models.CharField(_("model version"), max_length=20)
    filled_category = models.BooleanField(_("category filled from the suggestion"), default=False)
    needs_review = models.BooleanField(_("waits in the triage queue"), default=False, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("triage suggestion")
        verbose_name_plural = _("triage suggestions")

    def __str__(self) -> str:
        return f"{self.label} ({self.confidence:.0%})"


class Correction(models.Model):
    """A category a person gave a message (corrected or confirmed): a labelled example for the next training."""

    class Kind(models.TextChoices):
        CORRECTED = "corrected", _("corrected")
        CONFIRMED = "confirmed", _("confirmed")

    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField()
    label = models.CharField(_("first-level category"), max_length=100)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("category given"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    predicted_label = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTED)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    first_used_in = models.PositiveIntegerField(_("first model version trained with it"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("triage correction")
        verbose_name_plural = _("triage corrections")

    def __str__(self) -> str:
        return f"{self.label} ← {self.predicted_label}"


# ---------------------------------------------------------------------------------------------------------------------
# Duplicates and related cases (归并)
# ---------------------------------------------------------------------------------------------------------------------


class DuplicateProfile(models.Model):
    """What the duplicate search compares, one row per indexed case (derived data like an index; not audited).
    No foreign-key constraint on the case, so the benchmark can build a million rows without cases."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.DO_NOTHING, db_constraint=False, related_name="duplicate_profile"
    )
    created_at = models.DateTimeField(db_index=True)
    text = models.CharField(max_length=1000, blank=True)  # normalised description (triage.duplicates.normalise)
    text_key = models.CharField(max_length=16, blank=True)  # hash of the normalised text: exact repeats
    phone = models.CharField(max_length=11, blank=True)
    reporter_id = models.IntegerField(null=True, blank=True)
    category_id = models.IntegerField(null=True, blank=True)
    category_top = models.CharField(max_length=12, blank=True)  # first-level category code
    territory_code = models.CharField(max_length=15, blank=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["phone", "created_at"], name="triage_dup_phone_idx"),
            models.Index(fields=["reporter_id", "created_at"], name="triage_dup_reporter_idx"),
        ]


class DuplicateBand(models.Model):
    """One LSH band of a case's MinHash signature: cases sharing a band value are candidates."""

    band = models.BigIntegerField()
    case = models.ForeignKey("cases.Case", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["band", "created_at", "case"], name="triage_dup_band_idx")]


class DuplicateCandidate(models.Model):
    """A possible duplicate: `case` (the later one) may repeat `other` (an earlier one), with score and reasons."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("duplicate candidate", "open")
        MERGED = "merged", pgettext_lazy("duplicate candidate", "merged")
        DISMISSED = "dismissed", pgettext_lazy("duplicate candidate", "dismissed")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="duplicate_candidates")
    other = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    reasons = models.JSONField(default=list)  # [{"code": "text", "value": 87}, …]; see triage.duplicates.reason_text
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "other"], name="triage_dup_pair_unique")]
        indexes = [models.Index(fields=["status", "created_at"], name="triage_dup_status_idx")]
        ordering = ["-score"]

    def __str__(self) -> str:
        return f"{self.case_id} ~ {self.other_id} ({self.score:.2f})"


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
