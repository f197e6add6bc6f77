"""Pages of the classifier: the live suggestion while typing (htmx fragment) and the human triage queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.models import Case, Category
from core.scoping import get_restricted_or_404
from core.views import error_text, require_perm
from triage import classification


@login_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """GET ?text=… (or description=…, title=…): category, department, confidence and the words that drove it."""
    require_perm(request, "cases.add_case")
    text = request.GET.get("text") or request.GET.get("description") or ""
    text = classification.classifier.message_text(request.GET.get("title", ""), text[:4000])
    suggested = classification.suggest(text, explain=6) if len(text.strip()) >= 4 else None
    no_model = suggested is None and classification.classifier.current_model() is None
    context = {"s": suggested, "no_model": no_model, "fill_input": request.GET.get("for") == "hotline"}
    return render(request, "triage/_suggestion.html", context)


def category_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The tree for a select: per first-level branch, the branch itself and its leaves."""
    nodes = list(Category.objects.filter(is_active=True).select_related("parent__parent").order_by("code"))
    has_children = {n.parent_id for n in nodes if n.parent_id}
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for n in nodes:
        if n.depth == 1:
            groups[n.pk] = (n.name, [(n.code, _("%(name)s (first level only)") % {"name": n.name})])
        elif n.pk not in has_children:
            top = n.lineage()[-1]
            label = f"{n.parent.name} · {n.name}" if n.parent and n.parent != top else n.name
            groups.setdefault(top.pk, (top.name, []))[1].append((n.code, label))
    return list(groups.values())


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The human triage queue: cases whose suggestion a dispatcher must confirm or correct."""
    if not classification.may_dispatch(request.user):
        raise PermissionDenied
    page = Paginator(classification.waiting(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "triage/queue.html",
        {
            "page": page,
            "groups": category_groups(),
            "threshold": classification.settings.TRIAGE_REVIEW_BELOW,
        },
    )


@login_required
@require_POST
def correct(request: HttpRequest, tracking_no: str) -> HttpResponse:
    """Confirm (category = the suggested one) or correct the category of a waiting case."""
    if not classification.may_dispatch(request.user):
        raise PermissionDenied
    case = get_restricted_or_404(Case.objects.all(), request.user, "change", tracking_no=tracking_no)
    category = Category.objects.filter(code=request.POST.get("category", ""), is_active=True).first()
    try:
        classification.do_correct_category(case, category, acting_user=request.user)
        if category is not None:
            messages.success(request, _("%(no)s: category %(cat)s.") % {"no": tracking_no, "cat": category.path})
    except ValidationError as exc:
        messages.error(request, f"{tracking_no}: {error_text(exc)}")
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("triage:queue")
