from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def pct(value: Any, digits: int = 1) -> str:
    """0.8734 → "87.3%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


@register.filter
def signed_pct(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:+.1f}%"
