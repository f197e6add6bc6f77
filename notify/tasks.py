from __future__ import annotations

from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from notify.models import Notification

BATCH = 500  # pending SMS read at a time


@task()
def send_pending_sms() -> int:
    """Send queued SMS. Each is claimed with a conditional UPDATE, so two workers never text twice."""
    from django.conf import settings

    backend = import_string(settings.SMS_BACKEND)()
    sent = 0
    pending = Notification.objects.filter(channel=Notification.Channel.SMS, state=Notification.State.PENDING)
    while batch := list(pending.order_by("pk").values_list("pk", flat=True)[:BATCH]):
        sent += _send(backend, batch)
    return sent


def _send(backend, batch: list[int]) -> int:
    sent = 0
    for pk in batch:
        if not Notification.objects.filter(pk=pk, state=Notification.State.PENDING).update(
            state=Notification.State.SENT, sent_at=timezone.now()
        ):
            continue
        note = Notification.objects.get(pk=pk)
        try:
            backend.send(note.phone, note.body)
            sent += 1
        except Exception as exc:  # a gateway failure must not stop the others
            Notification.objects.filter(pk=pk).update(state=Notification.State.FAILED, error=str(exc)[:300])
    return sent
