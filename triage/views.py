"""Pages of triage: possible duplicates (the case page's panel posts here, and the dispatcher's list)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import Case
from cases.workflow import IllegalTransition
from core.views import error_text, require_perm
from triage import duplicates
from triage.models import DuplicateCandidate


def _candidate(request: HttpRequest, pk: int) -> DuplicateCandidate:
    """The candidate if both its cases are in the user's territory; 404 exactly like a missing one otherwise."""
    require_perm(request, "cases.view_case")
    candidate = DuplicateCandidate.objects.select_related("case", "other").filter(pk=pk).first()
    if candidate is None:
        raise Http404("No duplicate candidate matches the given query.")
    visible = Case.objects.restrict(request.user).filter(pk__in=[candidate.case_id, candidate.other_id]).count()
    if visible < 2:
        raise Http404("No duplicate candidate matches the given query.")
    return candidate


def _back(request: HttpRequest, candidate: DuplicateCandidate) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("cases:detail", tracking_no=candidate.case.tracking_no)


@login_required
@require_POST
def merge_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _candidate(request, pk)
    try:
        merged = duplicates.do_merge_candidate(candidate, acting_user=request.user)
        messages.success(
            request,
            _("%(dup)s merged into %(master)s.") % {"dup": merged.tracking_no, "master": candidate.other.tracking_no},
        )
    except IllegalTransition as exc:
        messages.error(request, _("Not possible now: %(why)s") % {"why": exc})
    except PermissionDenied:
        messages.error(request, _("This case is not yours to act on."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return _back(request, candidate)


@login_required
@require_POST
def dismiss_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _candidate(request, pk)
    try:
        duplicates.do_dismiss_candidate(candidate, acting_user=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("Marked as not a duplicate."))
    except PermissionDenied:
        messages.error(request, _("This case is not yours to act on."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return _back(request, candidate)


@login_required
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """Open candidates of the user's territory, newest first, for the dispatcher."""
    require_perm(request, "cases.view_case")
    if getattr(request.user, "role", "") == "resident":
        raise PermissionDenied
    page = Paginator(duplicates.visible_candidates(request.user), 50).get_page(request.GET.get("page"))
    rows = duplicates.rows_for(request.user, page.object_list)
    return render(request, "triage/duplicates.html", {"page": page, "rows": rows})
