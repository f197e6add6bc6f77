from __future__ import annotations

import re

from django.http import HttpResponseBadRequest, JsonResponse

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


class RejectNulMiddleware:
    """Answer 400 to input carrying a NUL character. No text column can store one (PostgreSQL refuses it outright),
    so it is bad input, said once here rather than as a server error deep in whichever query meets it first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = self._where(request)
        if where:
            message = f"{where} contains a NUL character (\\u0000), which is not allowed"
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _where(request) -> str:
        if "\x00" in request.path:
            return "the path"
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return f"query parameter {name.replace(chr(0), '')!r}"
        content_type = request.content_type or ""
        if content_type == "application/json" or content_type.endswith("+json"):
            body = request.body
            if b"\x00" in body or b"\\u0000" in body:
                return "the JSON body"
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, values in request.POST.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    return f"form field {name.replace(chr(0), '')!r}"
        return ""
