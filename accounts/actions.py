from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from core import audit
from core.actions import action

_AUDITED_FIELDS = ("username", "display_name", "role", "phone", "division", "department", "is_active", "is_staff")


def create_account(
    *,
    username: str,
    role: str,
    display_name: str = "",
    phone: str = "",
    division: Any = None,
    department: Any = None,
    password: str | None = None,
    password_hash: str | None = None,
    is_staff: bool = False,
    acting_user: Any,
) -> User:
    """Inside an open transaction. password_hash lets bulk set-up reuse one hash instead of hashing per account."""
    if role not in Role.values:
        raise ValidationError({"role": _("unknown role %(value)r") % {"value": role}})
    if role == Role.DEPARTMENT_HANDLER and department is None:
        raise ValidationError({"department": _("a department handler needs a department")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("%(username)s is taken") % {"username": username}})
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        phone=phone,
        division=division,
        department=department,
        is_staff=is_staff,
    )
    user.full_clean(exclude=["password"])
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password) if password else user.set_unusable_password()
    user.save()
    audit.record("accounts.create_account", actor=acting_user, obj=user, after=audit.snapshot(user, _AUDITED_FIELDS))
    return user


@action
def do_create_account(**kwargs: Any) -> User:
    return create_account(**kwargs)
