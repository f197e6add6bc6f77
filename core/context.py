"""Per-request context that actions read without threading it through every call."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str | None = None) -> str:
    value = (value or uuid.uuid4().hex)[:64]
    _request_id.set(value)
    return value


@contextmanager
def request_id_as(value: str | None) -> Iterator[None]:
    """Act for another request for a while (a group commit writes reports of several requests in one thread)."""
    if value is None:
        yield
        return
    token = _request_id.set(value)
    try:
        yield
    finally:
        _request_id.reset(token)
