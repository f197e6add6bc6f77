"""GeoReport v2 documents in XML and JSON from one structure (the Spark convention the spec's JSON follows):
a list becomes repeated child elements named by ITEM_TAGS, None an empty element / null, booleans true/false."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

ITEM_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "service_requests_updates": "request_update",
    "service_request_stages": "request_stages",
    "stages": "stage",
}
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


def w3(value: dt.datetime | None) -> str | None:
    """A w3 datetime in the server's time zone, with its offset (2026-11-25T09:30:00+08:00)."""
    if value is None:
        return None
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3(value)
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_tag = ITEM_TAGS[element.tag]
        for child in value:
            _fill(ET.SubElement(element, item_tag), child)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8", xml_declaration=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return w3(value)
    return value


def to_json(data: Any) -> bytes:
    return json.dumps(_jsonable(data), ensure_ascii=False).encode()


def respond(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    body = to_xml(root, data) if fmt == "xml" else to_json(data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, problems: list[tuple[int, str]] | list[str]) -> HttpResponse:
    """The spec's error document: a list of {code, description}; `code` is the HTTP status unless given."""
    items = [
        {"code": p[0], "description": p[1]} if isinstance(p, tuple) else {"code": status, "description": p}
        for p in problems
    ]
    return respond(fmt, "errors", items, status=status)
