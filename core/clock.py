"""The clock: one loop that starts periodic work. Jobs are claimed with a conditional UPDATE, so running two
clocks (say, during a deploy) never runs a job twice (Healthchecks' pattern)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from core.models import ScheduledJob

log = logging.getLogger("fengqiao.clock")


@dataclass(frozen=True)
class Job:
    name: str
    interval: Callable[[], int]
    run: Callable[[], object]


def _enqueue_checkpoint() -> object:
    from core.tasks import audit_checkpoint

    return audit_checkpoint.enqueue()


JOBS: list[Job] = [Job("audit-checkpoint", lambda: settings.AUDIT_CHECKPOINT_SECONDS, _enqueue_checkpoint)]


def register(job: Job) -> None:
    if all(existing.name != job.name for existing in JOBS):
        JOBS.append(job)


def claim(job: Job, now: dt.datetime) -> bool:
    """True for exactly one caller per due period."""
    interval = job.interval()
    row, _created = ScheduledJob.objects.get_or_create(
        name=job.name, defaults={"interval_seconds": interval, "next_run_at": now}
    )
    claimed = ScheduledJob.objects.filter(pk=row.pk, next_run_at__lte=now).update(
        next_run_at=now + dt.timedelta(seconds=interval),
        last_run_at=now,
        run_count=F("run_count") + 1,
        interval_seconds=interval,
    )
    return claimed == 1


def tick(now: dt.datetime | None = None) -> list[str]:
    """Run every due job once; returns the names of the jobs this clock ran."""
    now = now or timezone.now()
    ran = []
    for job in JOBS:
        if claim(job, now):
            try:
                job.run()
                ran.append(job.name)
            except Exception:  # one failing job must not stop the clock
                log.exception("clock job %s failed", job.name)
    return ran
