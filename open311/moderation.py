"""The queue of Open311 requests held for moderation (batch services): accept into the intake or reject."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import error_text, require_perm
from open311 import catalog
from open311.models import ServiceRequest
from open311.submit import do_accept_request, do_reject_request

PERMISSION = "open311.moderate_servicerequest"


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    require_perm(request, PERMISSION)
    held = list(
        ServiceRequest.objects.filter(state=ServiceRequest.State.HELD)
        .select_related("category__parent__parent", "client")
        .prefetch_related("held_media")
        .order_by("received_at")[:200]
    )
    for item in held:
        item.answers = catalog.answers_text(item.category, item.attributes)  # type: ignore[attr-defined]
    recent = (
        ServiceRequest.objects.exclude(state=ServiceRequest.State.HELD)
        .exclude(moderated_at=None)
        .select_related("category", "case", "moderated_by")
        .order_by("-moderated_at")[:20]
    )
    return render(request, "open311/moderation.html", {"held": held, "recent": recent})


def _held(token: str) -> ServiceRequest:
    return get_object_or_404(ServiceRequest, token=token, state=ServiceRequest.State.HELD)


@login_required
@require_POST
def accept(request: HttpRequest, token: str) -> HttpResponse:
    require_perm(request, PERMISSION)
    try:
        done = do_accept_request(_held(token), acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("open311:moderation")
    assert done.case is not None
    messages.success(request, _("Accepted as case %(no)s.") % {"no": done.case.tracking_no})
    return redirect("open311:moderation")


@login_required
@require_POST
def reject(request: HttpRequest, token: str) -> HttpResponse:
    require_perm(request, PERMISSION)
    try:
        do_reject_request(_held(token), reason=request.POST.get("reason", ""), acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("open311:moderation")
    messages.success(request, _("Rejected; the application sees the reason."))
    return redirect("open311:moderation")
