"""Per-request context that actions read without threading it through every call."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str | None = None) -> str:
    value = (value or uuid.uuid4().hex)[:64]
    _request_id.set(value)
    return value
