"""分类分级分色: a house's grade (1 = closest attention … 3 = routine) and colour from the rules in settings.

`settings.REGISTRY_HOUSE_RULES` is a list of rules tried in order; the first whose conditions all hold gives the
grade. Conditions: `house_type` / `use` (lists of codes), `min_occupants`, `min_floating` (people living there
now), `min_per_10m2` (occupants per 10 m² of floor area). A house no rule matches gets grade 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from registry.choices import Colour

COLOURS = {1: Colour.RED, 2: Colour.YELLOW, 3: Colour.GREEN}


@dataclass(frozen=True)
class Occupancy:
    occupants: int = 0
    floating: int = 0


def grade(house_type: str, use: str, area_m2: float | None, occupancy: Occupancy) -> tuple[int, str, str]:
    """(grade, colour, reason)."""
    rules: list[dict[str, Any]] = settings.REGISTRY_HOUSE_RULES
    for rule in rules:
        if _matches(rule.get("if", {}), house_type, use, area_m2, occupancy):
            level = int(rule["grade"])
            return level, COLOURS[level], str(rule.get("why", ""))
    return 3, COLOURS[3], ""


def _matches(cond: dict[str, Any], house_type: str, use: str, area_m2: float | None, occ: Occupancy) -> bool:
    if "house_type" in cond and house_type not in cond["house_type"]:
        return False
    if "use" in cond and use not in cond["use"]:
        return False
    if occ.occupants < cond.get("min_occupants", 0) or occ.floating < cond.get("min_floating", 0):
        return False
    if "min_per_10m2" in cond:
        if not area_m2 or occ.occupants * 10 / area_m2 < cond["min_per_10m2"]:
            return False
    return True


def apply(house: Any, occupancy: Occupancy) -> bool:
    """Set the house's grade fields; True when they changed."""
    new = grade(house.house_type, house.use, house.area_m2, occupancy)
    old = (house.grade, house.colour, house.grade_reason)
    house.grade, house.colour, house.grade_reason = new
    return old != new
