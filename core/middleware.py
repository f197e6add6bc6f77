from __future__ import annotations

import re

from core.context import set_request_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a well-formed X-Request-ID) so audit entries can be traced back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = set_request_id(incoming if _SAFE_ID.match(incoming) else None)
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response
