from __future__ import annotations

from typing import Any

from django import template

from triage import classification

register = template.Library()


@register.inclusion_tag("triage/_nav.html", takes_context=True)
def triage_queue_link(context: dict[str, Any]) -> dict[str, Any]:
    """The navigation link to the triage queue, with how many cases wait, for dispatching roles."""
    user = context.get("user")
    show = classification.may_dispatch(user)
    return {"show": show, "count": classification.waiting(user).count() if show else 0}


@register.inclusion_tag("triage/_case_suggestion.html", takes_context=True)
def triage_case_suggestion(context: dict[str, Any], case: Any) -> dict[str, Any]:
    """The classifier's suggestion on a case page, for staff (residents do not see it)."""
    from triage.models import Suggestion

    user = context.get("user")
    staff = getattr(user, "is_authenticated", False) and getattr(user, "role", "resident") != "resident"
    suggestion = Suggestion.objects.filter(case=case).select_related("reviewed_by").first() if staff else None
    return {
        "suggestion": suggestion,
        "case": case,
        "may_review": suggestion is not None and classification.may_dispatch(user),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
