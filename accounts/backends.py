from __future__ import annotations

from typing import Any

from accounts.roles import ROLE_PERMISSIONS


class RoleBackend:
    """Grants permissions by role (accounts.roles); authentication stays with Django's ModelBackend logic."""

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any):
        from django.contrib.auth.backends import ModelBackend

        return ModelBackend().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id: int):
        from accounts.models import User

        user = User.objects.select_related("division", "department__division").filter(pk=user_id).first()
        return user if user and user.is_active else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return set(ROLE_PERMISSIONS.get(user_obj.role, frozenset()))

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
