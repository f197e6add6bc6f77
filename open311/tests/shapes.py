"""Element names and nesting of a document, for comparing a response with the spec's example."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any


def xml_shape(element: ET.Element) -> dict[str, Any]:
    """tag → shape of its children, repeated children merged (so a list of items is one item's shape)."""
    shape: dict[str, Any] = {}
    for child in element:
        merged = shape.setdefault(child.tag, {})
        _merge(merged, xml_shape(child))
    return shape


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        _merge(into.setdefault(key, {}), value)


def xml_document(body: bytes | str) -> tuple[str, dict[str, Any]]:
    root = ET.fromstring(body.encode() if isinstance(body, str) else body)
    return root.tag, xml_shape(root)


def json_shape(value: Any) -> Any:
    """Objects as key → shape, lists as [merged item shape], scalars as their JSON kind (null matches any)."""
    if isinstance(value, dict):
        return {key: json_shape(child) for key, child in value.items()}
    if isinstance(value, list):
        merged: Any = None
        for item in value:
            shape = json_shape(item)
            merged = shape if merged is None else _merge_json(merged, shape)
        return [merged]
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string"


def _merge_json(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: _merge_json(a.get(k), b.get(k)) if k in a and k in b else a.get(k, b.get(k)) for k in {**a, **b}}
    if isinstance(a, list) and isinstance(b, list):
        return [_merge_json(a[0], b[0]) if a[0] is not None and b[0] is not None else a[0] or b[0]]
    return a if a is not None else b


def json_matches(ours: Any, spec: Any, path: str = "$") -> list[str]:
    """Where `ours` differs from the spec's shape: missing or extra keys, other kinds (null matches anything)."""
    if ours is None or spec is None:
        return []
    if isinstance(spec, dict):
        if not isinstance(ours, dict):
            return [f"{path}: object expected"]
        problems = [f"{path}: keys {sorted(set(ours) ^ set(spec))} differ"] if set(ours) != set(spec) else []
        for key in set(ours) & set(spec):
            problems += json_matches(ours[key], spec[key], f"{path}.{key}")
        return problems
    if isinstance(spec, list):
        if not isinstance(ours, list):
            return [f"{path}: array expected"]
        return json_matches(ours[0], spec[0], f"{path}[]")
    return [] if ours == spec else [f"{path}: {ours} where the spec has a {spec}"]


def json_document(body: bytes | str) -> Any:
    return json_shape(json.loads(body))
