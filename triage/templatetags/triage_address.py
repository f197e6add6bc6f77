"""How an address was read, in the reader's language: the resolver keeps its parts as plain keys and phrases."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

PART_LABELS = {
    "grid_by": _("grid from"),
    "why": _("why"),
    "building": _("building"),
    "unit": _("unit"),
    "room": _("room"),
    "road_number": _("door number"),
    "grid_number": _("grid number"),
    # names the gazetteer found, by kind
    "grid": _("grid"),
    "estate": _("compound"),
    "address": _("address"),
    "place": _("place"),
    "organisation": _("organisation"),
    "street": _("street / town"),
    "road": _("road"),
    "admin": _("administrative area"),
}
PHRASES = {
    "grid name": _("the grid's name"),
    "building": _("the building number"),
    "place": _("a registered place"),
    "organisation": _("a registered organisation"),
    "address": _("a registered address"),
    "estate": _("the compound"),
    "only grid": _("the community's only grid"),
    "several grids in the community": _("several grids in the community"),
    "no community, compound, grid or place of the district in the address": _(
        "no community, compound, grid or place of the district in the address"
    ),
    "the address fits more than one community equally": _("the address fits more than one community equally"),
}
HIDDEN = {"community", "candidates"}


@register.filter
def address_parts(parts: Any) -> str:
    """'grid from: the building number · building: 3 · …' for a resolution's parts (a dict or (key, value) pairs)."""
    items = parts.items() if isinstance(parts, dict) else parts or []
    shown = []
    for key, value in items:
        if key in HIDDEN or str(key).startswith("_"):
            continue
        label = PART_LABELS.get(key, key)
        phrase = PHRASES.get(value, value) if key in ("grid_by", "why") else value
        shown.append(f"{label}: {phrase}")
    return " · ".join(shown)
