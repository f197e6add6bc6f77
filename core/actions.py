"""Actions of the core app. Every write in Fengqiao goes through a `do_<verb>(..., *, acting_user)` function
that runs in one durable transaction and appends an audit entry in it (Zulip's pattern)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from core import audit, memo
from core.memo import memoized
from core.models import JournalEntry

F = TypeVar("F", bound=Callable[..., Any])


def action(func: F) -> F:
    """Mark a top-level write: its own transaction, never nested inside another action's."""
    return transaction.atomic(durable=True)(func)  # type: ignore[return-value]


@action
def do_add_journal_entry(obj: models.Model, comments: str, *, kind: str = "info", acting_user: Any) -> JournalEntry:
    comments = (comments or "").strip()
    if not comments:
        raise ValidationError({"comments": _("A journal note cannot be empty.")})
    if kind not in JournalEntry.Kind.values:
        raise ValidationError(
            {
                "kind": _("Unknown kind %(kind)r; use one of %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(JournalEntry.Kind.values)}
            }
        )
    entry = JournalEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        author=acting_user,
        kind=kind,
        comments=comments,
    )
    audit.record("core.add_journal_entry", actor=acting_user, obj=entry, after=audit.snapshot(entry))
    return entry


def _hash_key(key: str) -> str:
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()


@action
def do_create_api_client(
    name: str, channel: str, *, acting_user: Any, requests_per_minute: int = 600
) -> tuple[Any, str]:
    """Returns (client, key). The key is shown once; only its hash is kept."""
    import secrets

    from core.models import ApiClient

    if not name.strip():
        raise ValidationError({"name": _("name the system that will use the key")})
    if ApiClient.objects.filter(name=name.strip()).exists():
        raise ValidationError({"name": _("an API client called %(name)r exists") % {"name": name}})
    key = f"fq_{secrets.token_urlsafe(32)}"
    client = ApiClient.objects.create(
        name=name.strip(),
        channel=channel,
        key_prefix=key[:10],
        key_hash=_hash_key(key),
        requests_per_minute=requests_per_minute,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    api_clients_changed()
    audit.record(
        "core.create_api_client",
        actor=acting_user,
        obj=client,
        after=audit.snapshot(client, ["name", "channel", "key_prefix"]),
    )
    return client, key


def find_api_client(key: str) -> Any:
    """The active client with this key, or None. Every API request asks, so the active clients are held in memory
    for CONFIG_CACHE_SECONDS (core.memo): a key made or disabled here counts at once in this process (the actions
    clear the memo on commit), in the other processes within that time."""
    if not key:
        return None
    return active_api_clients().get(_hash_key(key))


@memoized
def active_api_clients() -> dict[str, Any]:
    from core.models import ApiClient

    return {c.key_hash: c for c in ApiClient.objects.filter(is_active=True)}


def api_clients_changed() -> None:
    """Call inside an action that makes, enables or disables a key."""
    transaction.on_commit(memo.clear)
