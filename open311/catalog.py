"""Which categories are Open311 services, their definitions, and checking the attribute answers of a request."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from cases.intake import active_categories
from cases.models import Category
from core.memo import memoized
from open311.models import Datatype, ServiceAttribute, ServiceProfile

ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


@dataclass
class Service:
    category: Category
    profile: ServiceProfile | None
    has_attributes: bool

    @property
    def code(self) -> str:
        return self.category.code

    @property
    def moderated(self) -> bool:
        return bool(self.profile and self.profile.moderated)

    def as_dict(self) -> dict[str, Any]:
        lineage = self.category.lineage()
        ancestors = [c.name for c in reversed(lineage[1:])]
        profile = self.profile
        return {
            "service_code": self.code,
            "service_name": self.category.name,
            "description": (profile.description if profile and profile.description else self.category.path),
            "metadata": self.has_attributes,
            "type": "batch" if self.moderated else "realtime",
            "keywords": (profile.keywords if profile and profile.keywords else ", ".join(ancestors)),
            "group": lineage[-1].name,
        }


@memoized
def services() -> dict[str, Service]:
    """Every active leaf category residents may report, by code, in code order (memoized like the categories)."""
    categories = active_categories()
    parents = {c.parent_id for c in categories.values() if c.parent_id}
    profiles = {p.category_id: p for p in ServiceProfile.objects.all()}
    with_attributes = set(ServiceAttribute.objects.values_list("category_id", flat=True).distinct())
    found = {}
    for code in sorted(categories):
        category = categories[code]
        profile = profiles.get(category.pk)
        if category.pk in parents or (profile is not None and not profile.listed):
            continue
        found[code] = Service(category, profile, category.pk in with_attributes)
    return found


@memoized
def _attributes() -> dict[int, list[ServiceAttribute]]:
    found: dict[int, list[ServiceAttribute]] = {}
    for attribute in ServiceAttribute.objects.prefetch_related("values").order_by("category_id", "order"):
        found.setdefault(attribute.category_id, []).append(attribute)
    return found


def attributes_of(category: Category) -> list[ServiceAttribute]:
    return _attributes().get(category.pk, [])


def definition(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description or None,
                "order": a.order,
                "description": a.description,
                "values": [{"key": v.key, "name": v.name} for v in a.values.all()],
            }
            for a in attributes_of(service.category)
        ],
    }


def submitted_attributes(data: Any) -> dict[str, list[str]]:
    """attribute[code]=v and attribute[code][]=v1&attribute[code][]=v2 from a QueryDict, as code → values."""
    answers: dict[str, list[str]] = {}
    for key in data:
        match = ATTRIBUTE_KEY.match(key)
        if match:
            values = [v.strip() for v in data.getlist(key) if v.strip()]
            if values:
                answers.setdefault(match.group(1), []).extend(values)
    return answers


def check_attributes(category: Category, answers: dict[str, list[str]]) -> tuple[dict[str, Any], list[str]]:
    """Validated answers (code → value or list of keys) and the problems, each naming attribute[code]."""
    problems: list[str] = []
    clean: dict[str, Any] = {}
    known = {a.code: a for a in attributes_of(category)}
    for code in answers:
        if code not in known or not known[code].variable:
            problems.append(
                _("attribute[%(code)s]: service %(service)s has no such attribute")
                % {"code": code, "service": category.code}
            )
    for code, attribute in known.items():
        if not attribute.variable:
            continue
        values = answers.get(code, [])
        if not values:
            if attribute.required:
                problems.append(
                    _("attribute[%(code)s] is required: %(question)s")
                    % {"code": code, "question": attribute.description}
                )
            continue
        value, problem = _check_value(attribute, values)
        if problem:
            problems.append(f"attribute[{code}]: {problem}")
        else:
            clean[code] = value
    return clean, problems


def _check_value(attribute: ServiceAttribute, values: list[str]) -> tuple[Any, str]:
    kind = attribute.datatype
    if kind == Datatype.MULTI:
        keys = {v.key for v in attribute.values.all()}
        unknown = [v for v in values if v not in keys]
        if unknown:
            return None, _("%(values)s not among the keys %(keys)s") % {
                "values": ", ".join(unknown),
                "keys": ", ".join(sorted(keys)),
            }
        return list(dict.fromkeys(values)), ""
    if len(values) > 1:
        return None, _("takes one value, got %(n)d") % {"n": len(values)}
    value = values[0]
    if kind == Datatype.SINGLE:
        keys = {v.key for v in attribute.values.all()}
        if value not in keys:
            return None, _("%(value)s is not among the keys %(keys)s") % {
                "value": value,
                "keys": ", ".join(sorted(keys)),
            }
    elif kind == Datatype.NUMBER:
        try:
            float(value)
        except ValueError:
            return None, _("%(value)s is not a number") % {"value": value}
    elif kind == Datatype.DATETIME:
        if parse_w3(value) is None:
            return None, _("%(value)s is not an ISO 8601 date and time, e.g. 2026-11-25T09:30:00+08:00") % {
                "value": value
            }
    elif kind == Datatype.STRING and ("\n" in value or "\r" in value):
        return None, _("a single line is expected")
    if len(value) > 1000:
        return None, _("at most 1,000 characters")
    return value, ""


def answers_text(category: Category, clean: dict[str, Any]) -> str:
    """The answers as lines staff read in the case description ("question: answer")."""
    lines = []
    for attribute in attributes_of(category):
        if attribute.code not in clean:
            continue
        names: dict[str, str] = {v.key: v.name for v in attribute.values.all()}
        value = clean[attribute.code]
        shown = (
            "、".join(str(names.get(v, v)) for v in value) if isinstance(value, list) else names.get(value, str(value))
        )
        lines.append(f"{attribute.description.rstrip('?？:：')}：{shown}")
    return "\n".join(lines)


def parse_w3(value: str) -> dt.datetime | None:
    """A w3 datetime (2010-01-01T00:00:00Z, with an offset) or a date (local midnight); None when malformed."""
    value = value.strip()
    try:
        parsed = parse_datetime(value.replace("z", "Z"))
    except ValueError:
        return None
    if parsed is not None:
        return parsed if parsed.tzinfo is not None else None
    try:
        day = dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None
    if day is None:
        return None
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time()))
