"""Requests per minute per API key (the key's own limit, one count for /api/v1 and Open311) or, without a key, per
client address. Counted in the Django cache named by OPEN311_RATE_CACHE: use a shared cache (Redis, database) when
several processes serve."""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches

WINDOW = 60


def client_address(request: Any) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def over_limit(request: Any, client: Any) -> int | None:
    """Seconds to wait when this request is one too many, else None (and the request is counted)."""
    if client is not None:
        who, limit = f"key:{client.pk}", client.requests_per_minute
    else:
        who, limit = f"ip:{client_address(request)}", settings.OPEN311_ANONYMOUS_PER_MINUTE
    if limit <= 0:
        return None
    now = time.time()
    window = int(now // WINDOW)
    key = f"open311:rate:{who}:{window}"
    cache = caches[settings.OPEN311_RATE_CACHE]
    cache.add(key, 0, timeout=WINDOW * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW * 2)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * WINDOW - now))
