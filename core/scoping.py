"""One place decides who may see what (S20).

Territory is a code prefix: GB/T 2260 codes nest (district 6 digits, street 9, community 12, grid 15), so
"inside my street" is `code LIKE '330304001%'`. Every list, detail page, API endpoint, export and search
goes through `RestrictedQuerySet.restrict(user, action)`; objects outside the user's territory are simply
not in the queryset, so they answer 404 exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.http import Http404

ALL = None  # territory_prefixes() result meaning "no territorial limit"
LEVEL_LENGTHS = (6, 9, 12, 15)


def ancestor_codes(code: str) -> list[str]:
    return [code[:n] for n in LEVEL_LENGTHS if n < len(code)]


def territory_prefixes(user: Any) -> list[str] | None:
    """Code prefixes the user's territory covers; ALL for unlimited; [] for none. Cached on the user."""
    if not getattr(user, "is_authenticated", False):
        return []
    if hasattr(user, "_territory_prefixes"):
        return user._territory_prefixes
    prefixes = user.territory_prefixes() if hasattr(user, "territory_prefixes") else []
    user._territory_prefixes = prefixes
    return prefixes


def permission_name(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user: Any, action: str = "view") -> RestrictedQuerySet:
        """Objects `user` may `action`: none without the permission, only their territory with it."""
        if not getattr(user, "is_authenticated", False) or not user.has_perm(permission_name(self.model, action)):
            return self.none()
        prefixes = territory_prefixes(user)
        if prefixes is ALL:
            return self
        field = getattr(self.model, "territory_field", None)
        if field is None:
            return self
        if not prefixes:
            return self.none()
        query = Q()
        for prefix in prefixes:
            query |= Q(**{f"{field}__startswith": prefix})
        # Higher-level objects (a user's own street or district) are visible for reading when the model
        # says its ancestors are context, e.g. a grid worker sees the community their grid sits in.
        if action == "view" and getattr(self.model, "territory_shows_ancestors", False):
            ancestors = {code for prefix in prefixes for code in ancestor_codes(prefix)}
            if ancestors:
                query |= Q(**{f"{field}__in": sorted(ancestors)})
        return self.filter(query)


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    pass


def get_restricted_or_404(queryset: RestrictedQuerySet, user: Any, action: str = "view", **lookup: Any) -> Any:
    """Like get_object_or_404, after restrict(): outside the territory looks exactly like missing."""
    try:
        return queryset.restrict(user, action).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None


def in_territory(user: Any, code: str) -> bool:
    prefixes = territory_prefixes(user)
    return prefixes is ALL or any(code.startswith(p) for p in prefixes or [])
