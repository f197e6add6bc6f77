"""三级流转: where a case starts, from the routing rules (category × level → handle / escalate / dispatch)."""

from __future__ import annotations

from dataclasses import dataclass

from cases.choices import Level, RouteAction
from cases.models import Category, RoutingRule
from core.memo import memoized
from territory.models import Department, Division


@dataclass(frozen=True)
class Placement:
    level: str
    division: Division | None = None
    department: Department | None = None
    dispatcher: Division | None = None


def rule_for(category: Category, level: str, rules: dict[tuple[int, str], RoutingRule]) -> RoutingRule | None:
    for node in category.lineage():
        rule = rules.get((node.pk, level))
        if rule is not None:
            return rule
    return None


@memoized
def all_rules() -> dict[tuple[int, str], RoutingRule]:
    return {(r.category_id, r.level): r for r in RoutingRule.objects.select_related("department")}


def chain_of(community: Division) -> list[tuple[str, Division]]:
    street = community.parent
    district = street.parent if street else None
    chain = [(Level.COMMUNITY, community), (Level.STREET, street), (Level.DISTRICT, district)]
    return [(level, division) for level, division in chain if division is not None]


def place(category: Category, community: Division, start_level: str = Level.COMMUNITY) -> Placement:
    """Walk up from `start_level` until a level handles the case or dispatches it to a department."""
    rules = all_rules()
    chain = chain_of(community)
    levels = [lvl for lvl, _ in chain]
    start = levels.index(start_level) if start_level in levels else 0
    for level, division in chain[start:]:
        rule = rule_for(category, level, rules)
        action = rule.action if rule else RouteAction.HANDLE
        if action == RouteAction.DISPATCH and rule is not None and rule.department is not None:
            return Placement(Level.DEPARTMENT, department=rule.department, dispatcher=division)
        if action != RouteAction.ESCALATE:
            return Placement(level, division=division)
    level, division = chain[-1]
    return Placement(level, division=division)
