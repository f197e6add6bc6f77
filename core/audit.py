"""The evidence trail (信息证据化): every action appends one hash-chained entry in its own transaction.

hash = SHA-256(previous hash ‖ canonical JSON of the entry). Writers lock the single AuditHead row, so the
chain stays one line with any number of concurrent writers (on SQLite the IMMEDIATE transaction already
serialises them; on PostgreSQL the row lock does).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from core.bulk import insert
from core.context import current_request_id
from core.models import GENESIS_HASH, AuditCheckpoint, AuditEntry, AuditHead

PLAIN = (str, int, bool, type(None))


def jsonable(value: Any) -> Any:
    """Normalise a value so it reads back from a JSON column exactly as it was hashed."""
    if isinstance(value, PLAIN) or (
        isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, PLAIN) for k, v in value.items())
    ):
        return value  # already reads back as it is (the common case of the clock's entries)
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (dt.date, dt.time, Decimal)):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `instance`, foreign keys as ids, JSON-ready."""
    names = set(fields) if fields is not None else None
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if names is not None and field.name not in names:
            continue
        data[field.attname] = getattr(instance, field.attname)
    return jsonable(data)


def canonical(entry: AuditEntry) -> bytes:
    body = {
        "seq": entry.seq,
        "created_at": entry.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(entry)).hexdigest()


def record(
    action: str,
    *,
    actor: Any,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append one entry. Must run inside the action's transaction so the change and its entry commit together."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the action's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    last_seq, last_hash = _locked_head_values()
    user, label = _who(actor)
    entry = AuditEntry(
        seq=last_seq + 1,
        created_at=timezone.now(),
        actor=user,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=str(obj)[:200] if obj is not None else "",
        before=jsonable(before),
        after=jsonable(after),
        request_id=current_request_id(),
        prev_hash=last_hash,
    )
    entry.hash = chain_hash(last_hash, entry)
    insert(AuditEntry, [{f.attname: getattr(entry, f.attname) for f in AuditEntry._meta.concrete_fields}])
    _move_head(entry.seq, entry.hash)
    return entry


@dataclass
class Pending:
    """One entry for record_many(): the same fields as record() takes. `actor` and `request_id` default to the
    call's (a group commit files reports of several people and requests at once)."""

    action: str
    object_type: str
    object_id: str
    object_repr: str = ""
    before: Any = None
    after: Any = None
    actor: Any = None
    request_id: str | None = None

    @classmethod
    def of(
        cls,
        action: str,
        obj: models.Model,
        *,
        before: Any = None,
        after: Any = None,
        actor: Any = None,
        request_id: str | None = None,
    ) -> Pending:
        return cls(action, obj._meta.label_lower, str(obj.pk), str(obj)[:200], before, after, actor, request_id)


def record_many(items: list[Pending], *, actor: Any = None) -> int:
    """Append many entries in one go (the clock's sweep over thousands of cases, a batch of intakes): the head
    is locked once and the entries are chained and inserted together. Same transaction rule as record()."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record_many() must be called inside the action's transaction")
    if not items:
        return 0
    seq, prev = _locked_head_values()
    now, request_id = timezone.now(), current_request_id()
    rows = []
    entry = AuditEntry(created_at=now)
    default = _who(actor)
    for item in items:
        user, label = _who(item.actor) if item.actor is not None else default
        seq += 1
        entry.seq, entry.action, entry.object_type = seq, item.action, item.object_type
        entry.actor, entry.actor_label = user, label
        entry.request_id = item.request_id if item.request_id is not None else request_id
        entry.object_id, entry.object_repr = str(item.object_id), item.object_repr[:200]
        entry.before, entry.after, entry.prev_hash = jsonable(item.before), jsonable(item.after), prev
        digest = chain_hash(prev, entry)
        rows.append(
            {
                "seq": seq,
                "created_at": now,
                "actor_id": user.pk if user else None,
                "actor_label": label,
                "action": item.action,
                "object_type": item.object_type,
                "object_id": entry.object_id,
                "object_repr": entry.object_repr,
                "before": entry.before,
                "after": entry.after,
                "request_id": entry.request_id,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    insert(AuditEntry, rows)
    _move_head(seq, prev)
    return len(rows)


def _who(actor: Any) -> tuple[Any, str]:
    """(the user or None, the label kept in the entry) for an actor: a user, an API client, or a name."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return user, user.get_username() if user else str(actor or "system")


def _locked_head_values() -> tuple[int, str]:
    """(last seq, last hash) of the head, its row locked until the transaction ends. One plain statement: every
    action pays for it, so it skips the ORM."""
    table = connection.ops.quote_name(AuditHead._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_seq, last_hash FROM {table} WHERE id = 1{lock}")
        row = cursor.fetchone()
    if row is None:
        head = _locked_head()
        return head.last_seq, head.last_hash
    return int(row[0]), str(row[1])


def _move_head(seq: int, digest: str) -> None:
    table = connection.ops.quote_name(AuditHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, digest])


def _locked_head() -> AuditHead:
    """The migration creates the head; a flushed test database gets it back here (an empty chain only)."""
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        if AuditEntry.objects.exists():
            raise RuntimeError("the audit head is missing while entries exist: run audit_verify")
        head = AuditHead.objects.create(pk=1, last_seq=0, last_hash=GENESIS_HASH)
    return head


@dataclass
class VerifyResult:
    checked: int
    problem: str | None = None
    seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _entries(batch: int = 2000) -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=batch)


def verify(progress: Any = None) -> VerifyResult:
    """Walk the chain from the start and name the first broken link."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for entry in _entries():
        if entry.seq != expected_seq:
            kind = "missing (deleted?)" if entry.seq > expected_seq else "out of order (inserted?)"
            return VerifyResult(
                checked, f"entry #{expected_seq} is {kind}; next entry found is #{entry.seq}", entry.seq
            )
        if entry.prev_hash != expected_prev:
            return VerifyResult(checked, f"entry #{entry.seq} does not link to the entry before it", entry.seq)
        if chain_hash(entry.prev_hash, entry) != entry.hash:
            return VerifyResult(checked, f"entry #{entry.seq} was changed after it was written", entry.seq)
        expected_prev, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
        if progress is not None:
            progress(1)
    head = AuditHead.objects.filter(pk=1).first() or AuditHead(last_seq=0, last_hash=GENESIS_HASH)
    if head.last_seq != checked or head.last_hash != expected_prev:
        return VerifyResult(
            checked, f"the chain ends at #{checked} but its head says #{head.last_seq} (entries removed from the end?)"
        )
    return _verify_checkpoints(checked)


def _verify_checkpoints(checked: int) -> VerifyResult:
    for cp in AuditCheckpoint.objects.order_by("last_seq"):
        hashes = list(
            AuditEntry.objects.filter(seq__gte=cp.first_seq, seq__lte=cp.last_seq)
            .order_by("seq")
            .values_list("hash", flat=True)
        )
        if len(hashes) != cp.entry_count or merkle_root(hashes) != cp.merkle_root:
            return VerifyResult(checked, f"checkpoint #{cp.first_seq}–#{cp.last_seq} no longer matches its Merkle root")
    return VerifyResult(checked)


def merkle_root(hashes: list[str]) -> str:
    """RFC 6962-style tree: leaves and nodes are hashed with different prefixes so neither can pose as the other."""
    if not hashes:
        return hashlib.sha256(b"").hexdigest()
    level = [hashlib.sha256(b"\x00" + bytes.fromhex(h)).digest() for h in hashes]
    while len(level) > 1:
        paired = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()


def create_checkpoint(*, actor: Any = "clock") -> AuditCheckpoint | None:
    """Seal the entries written since the last checkpoint; None when there are none."""
    with transaction.atomic():
        head = _locked_head()
        last = AuditCheckpoint.objects.order_by("-last_seq").first()
        first_seq = last.last_seq + 1 if last else 1
        if head.last_seq < first_seq:
            return None
        hashes = list(
            AuditEntry.objects.filter(seq__gte=first_seq, seq__lte=head.last_seq)
            .order_by("seq")
            .values_list("hash", flat=True)
        )
        cp = AuditCheckpoint.objects.create(
            created_at=timezone.now(),
            first_seq=first_seq,
            last_seq=head.last_seq,
            entry_count=len(hashes),
            last_hash=head.last_hash,
            merkle_root=merkle_root(hashes),
        )
        record("audit.checkpoint", actor=actor, obj=cp, after={"merkle_root": cp.merkle_root, "last_seq": cp.last_seq})
    return cp
