"""View helpers shared by every app: permission checks that answer 403 for a missing permission and 404 for
an object outside the user's territory (core.scoping)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest


class StaffPermissionMixin(LoginRequiredMixin):
    """Anonymous → login page; logged in without `permission_required` → 403."""

    permission_required: str = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        if (
            request.user.is_authenticated
            and self.permission_required
            and not request.user.has_perm(self.permission_required)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def require_perm(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def error_messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def error_text(exc: ValidationError) -> str:
    """All messages of a ValidationError on one line, for a flash message."""
    return "; ".join(m for ms in error_messages(exc).values() for m in ms)


def healthz(request: HttpRequest):
    """For load balancers and monitoring: 200 when the database answers, 503 when it does not."""
    from django.db import connection
    from django.http import JsonResponse

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"; say which
        return JsonResponse({"ok": False, "database": type(exc).__name__}, status=503)
    return JsonResponse({"ok": True, "database": connection.vendor})
