"""API plumbing shared by every router: key authentication, errors that name the field."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader

from core import ratelimit
from core.actions import find_api_client


class TooManyRequests(Exception):
    def __init__(self, limit: int, wait: int) -> None:
        super().__init__(f"too many requests: this key may make {limit} a minute; try again in {wait} s")
        self.wait = wait


class ApiKeyAuth(APIKeyHeader):
    """`X-Api-Key: fq_…` identifies a registered system (core.ApiClient), within its requests-per-minute limit
    (counted together with its Open311 requests)."""

    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        client = find_api_client(key or "")
        if client is not None:
            wait = ratelimit.over_limit(request, client)
            if wait is not None:
                raise TooManyRequests(client.requests_per_minute, wait)
            request.api_client = client  # type: ignore[attr-defined]
        return client


def actor_of(request: HttpRequest) -> Any:
    """The user logged in, or the API client that called."""
    return getattr(request, "api_client", None) or request.user


def field_errors(exc: Any) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {field: " ".join(messages) for field, messages in exc.message_dict.items()}
    return {"__all__": " ".join(exc.messages)}
