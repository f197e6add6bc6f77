"""Shared machinery: the hash-chained audit trail, the human journal and the clock's job table."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditEntry(models.Model):
    """One change to domain state (留痕). `hash` chains it to the entry before it, so edits show."""

    seq = models.BigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The single row every writer locks: it serialises the chain and remembers where it ends."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)


class AuditCheckpoint(models.Model):
    """A Merkle root over a run of entries, meant to be published outside the system."""

    created_at = models.DateTimeField(_("time"))
    first_seq = models.BigIntegerField()
    last_seq = models.BigIntegerField()
    entry_count = models.IntegerField()
    last_hash = models.CharField(max_length=64)
    merkle_root = models.CharField(_("Merkle root"), max_length=64)

    class Meta:
        ordering = ["last_seq"]
        verbose_name = _("audit checkpoint")

    def __str__(self) -> str:
        return f"{self.first_seq}-{self.last_seq} {self.merkle_root}"


class JournalEntry(models.Model):
    """A human note on any object, apart from the machine log (NetBox's journal)."""

    class Kind(models.TextChoices):
        INFO = "info", _("Info")
        SUCCESS = "success", _("Success")
        WARNING = "warning", _("Warning")
        DANGER = "danger", _("Danger")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INFO)
    comments = models.TextField(_("note"), max_length=4000)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal")

    def __str__(self) -> str:
        return self.comments[:50]


class JournalingMixin(models.Model):
    journal_entries = GenericRelation(JournalEntry, object_id_field="object_id")

    class Meta:
        abstract = True


class TimestampedMixin(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class ScheduledJob(models.Model):
    """A periodic job of the clock. Claimed with a conditional UPDATE so two clocks never both run it."""

    name = models.CharField(max_length=100, unique=True)
    interval_seconds = models.IntegerField()
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    run_count = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class ApiClient(TimestampedMixin):
    """A system allowed to call the API with its own key (a department system, an IoT platform, 110 linkage,
    an Open311 application). Only the SHA-256 of the key is stored."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    channel = models.CharField(_("channel of its cases"), max_length=30)
    key_prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    requests_per_minute = models.PositiveIntegerField(_("rate limit (requests per minute)"), default=600)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")

    def __str__(self) -> str:
        return f"api:{self.name}"
