from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notes = request.user.notifications.filter(channel="in_app").select_related("case")[:100]  # type: ignore[union-attr]
    return render(request, "notify/inbox.html", {"notes": notes})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    # Reading one's own notices changes nothing of substance, so it is not an audited action.
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())  # type: ignore[union-attr]
    return redirect("notify:inbox")
