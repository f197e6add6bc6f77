"""Writes of the open311 app besides requests (open311.submit): application keys and service definitions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.choices import Channel
from cases.models import Category
from core import audit, memo
from core.actions import action, api_clients_changed, do_create_api_client
from core.models import ApiClient
from open311.models import LIST_TYPES, AttributeValue, Datatype, ServiceAttribute, ServiceProfile


def create_key(name: str, *, acting_user: Any, requests_per_minute: int = 600) -> tuple[ApiClient, str]:
    """An Open311 application key: a core.ApiClient of channel open311 (the key is shown once)."""
    if requests_per_minute < 1:
        raise ValidationError({"requests_per_minute": _("at least 1 request per minute")})
    return do_create_api_client(name, Channel.OPEN311, acting_user=acting_user, requests_per_minute=requests_per_minute)


@action
def do_set_key_active(client: ApiClient, active: bool, *, acting_user: Any) -> ApiClient:
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    before = audit.snapshot(client, ["is_active"])
    client.is_active = active
    client.save(update_fields=["is_active", "updated_at"])
    api_clients_changed()
    audit.record(
        "open311.set_key_active",
        actor=acting_user,
        obj=client,
        before=before,
        after=audit.snapshot(client, ["is_active"]),
    )
    return client


def _attribute_problems(n: int, spec: dict[str, Any], seen: set[str]) -> list[str]:
    where = f"attributes[{n}]"
    problems = []
    code = str(spec.get("code", "")).strip()
    if not code or "[" in code or "]" in code:
        problems.append(f"{where}.code: " + _("a code without brackets is required"))
    elif code in seen:
        problems.append(f"{where}.code: " + _("%(code)s appears twice") % {"code": code})
    seen.add(code)
    if spec.get("datatype") not in Datatype.values:
        problems.append(f"{where}.datatype: " + _("use one of %(types)s") % {"types": ", ".join(Datatype.values)})
    if not str(spec.get("description", "")).strip():
        problems.append(f"{where}.description: " + _("the question shown to the reporter is required"))
    values = spec.get("values") or []
    if spec.get("datatype") in LIST_TYPES and not values:
        problems.append(f"{where}.values: " + _("a list attribute needs its options"))
    if spec.get("datatype") not in LIST_TYPES and values:
        problems.append(f"{where}.values: " + _("only list attributes have options"))
    keys = [str(k) for k, _name in values]
    if len(set(keys)) != len(keys):
        problems.append(f"{where}.values: " + _("option keys must differ"))
    return problems


def define_service(category: Category, *, attributes: list[dict[str, Any]], acting_user: Any, **profile: Any) -> None:
    """Set a leaf category's Open311 profile and replace its attributes (inside an action's transaction)."""
    if Category.objects.filter(parent=category).exists():
        raise ValidationError(
            {"category": _("%(code)s has sub-categories; only leaves are services") % {"code": category.code}}
        )
    seen: set[str] = set()
    problems = [p for n, spec in enumerate(attributes, start=1) for p in _attribute_problems(n, spec, seen)]
    if problems:
        raise ValidationError({"attributes": problems})
    service, _created = ServiceProfile.objects.update_or_create(category=category, defaults=profile)
    ServiceAttribute.objects.filter(category=category).delete()
    for order, spec in enumerate(attributes, start=1):
        attribute = ServiceAttribute.objects.create(
            category=category,
            code=spec["code"],
            order=order,
            variable=spec.get("variable", True),
            datatype=spec["datatype"],
            required=spec.get("required", False),
            description=spec["description"],
            datatype_description=spec.get("datatype_description", ""),
        )
        AttributeValue.objects.bulk_create(
            AttributeValue(attribute=attribute, key=str(key), name=name, order=i)
            for i, (key, name) in enumerate(spec.get("values") or [])
        )
    after = audit.snapshot(service)
    after["attributes"] = [{k: v for k, v in spec.items()} for spec in attributes]
    audit.record("open311.define_service", actor=acting_user, obj=service, after=after)
    transaction.on_commit(memo.clear)  # this process sees the new definition at once, others within the memo's TTL


@action
def do_define_service(
    category: Category, *, attributes: list[dict[str, Any]], acting_user: Any, **profile: Any
) -> None:
    define_service(category, attributes=attributes, acting_user=acting_user, **profile)
