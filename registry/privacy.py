"""Personal data is masked everywhere by default (S20); seeing it in full is a permission and leaves a trace.

Identity numbers keep the first four and last four characters (3301**********1234), phones the first three and
last four (138****5678), addresses lose the building, unit and room. Unmasking and every export of personal
data go through an action that writes an AccessLog row and an audit entry in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core import audit
from core.actions import action
from core.context import current_request_id
from core.privacy import mask_phone
from registry.models import AccessLog, House, Person

__all__ = ["MaskedPerson", "do_log_export", "do_unmask", "house_address", "mask_id", "mask_name", "mask_phone"]

UNMASK = "registry.unmask_person"
EXPORT = "registry.export_person"


def mask_id(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(value: str | None) -> str:
    """For owners and representatives shown to people who need the house, not the person: 陈**."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def house_address(house: House, *, full: bool) -> str:
    if full or not (house.building or house.unit or house.room):
        return house.address
    return f"{house.estate or house.address.split(' ')[0]} **幢**单元***室"


def can_unmask(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(UNMASK))


class MaskedPerson:
    """A person as a page or export shows them: masked unless `full`."""

    def __init__(self, person: Person, *, full: bool = False) -> None:
        self.person, self.full = person, full

    @property
    def id_number(self) -> str:
        return (self.person.id_number or "") if self.full else mask_id(self.person.id_number)

    @property
    def phone(self) -> str:
        return self.person.phone if self.full else mask_phone(self.person.phone)

    @property
    def address(self) -> str:
        return house_address(self.person.house, full=self.full)


@action
def do_unmask(obj: Person | Any, *, fields: list[str], purpose: str, acting_user: Any) -> AccessLog:
    """Record that `acting_user` is about to see `fields` of `obj` in full."""
    if not can_unmask(acting_user):
        raise PermissionDenied
    return _log(
        AccessLog.Action.UNMASK, obj._meta.label_lower, str(obj.pk), str(obj), 1, fields, purpose, "", acting_user
    )


@action
def do_log_export(
    *, object_type: str, count: int, fields: list[str], purpose: str, scope: str, full: bool, acting_user: Any
) -> AccessLog:
    """An export of personal data: the reason is required; `full` (unmasked) needs the unmask permission."""
    if not purpose.strip():
        raise ValidationError(
            {"purpose": _("say why the data is exported (required for every export of personal data)")}
        )
    if full and not can_unmask(acting_user):
        raise PermissionDenied
    label = f"{scope} ({'full' if full else 'masked'})"
    return _log(AccessLog.Action.EXPORT, object_type, "", "", count, fields, purpose, label, acting_user)


def _log(
    kind: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    count: int,
    fields: list[str],
    purpose: str,
    scope: str,
    user: Any,
) -> AccessLog:
    entry = AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        actor_label=user.get_username() if getattr(user, "is_authenticated", False) else str(user),
        action=kind,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        count=count,
        fields=fields,
        purpose=purpose.strip()[:300],
        scope=scope[:300],
        request_id=current_request_id(),
    )
    audit.record(f"registry.{kind}", actor=user, obj=entry, after=audit.snapshot(entry))
    return entry
