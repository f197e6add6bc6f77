"""Per-process memo of small, rarely changing configuration (routing rules, deadline policies, categories).

Held for settings.CONFIG_CACHE_SECONDS: an administrator's change shows within that time in every process.
The hot path of intake reads these on every case; a database round trip each time would dominate its cost.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")
_lock = threading.Lock()
_values: dict[str, tuple[float, Any]] = {}


def memoized(func: Callable[[], T]) -> Callable[[], T]:
    key = f"{func.__module__}.{func.__qualname__}"

    @wraps(func)
    def wrapper() -> T:
        ttl = settings.CONFIG_CACHE_SECONDS
        now = time.monotonic()
        hit = _values.get(key)
        if ttl > 0 and hit is not None and now - hit[0] < ttl:
            return hit[1]
        value = func()
        with _lock:
            _values[key] = (now, value)
        return value

    return wrapper


def clear() -> None:
    with _lock:
        _values.clear()
