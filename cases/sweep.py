"""The clock's sweep over case deadlines. Each change is claimed with a conditional UPDATE (the row still has
the state this sweep saw), so two clocks running at once never both act on one case.

- yellow: the warning time has passed (warn_at, a share of the resolution time) → warning=yellow
- red: the resolution deadline has passed → warning=red and an automatic supervision order (督办) to the holder
- missed response at the community or street → the case goes one level up (automatic escalation)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cases.actions import escalate, supervise
from cases.choices import AWAITING_RESPONSE, FINAL_STATUSES, Level, Status, Warning
from cases.models import Case, CaseEvent
from core import audit

CLOCK = "clock"
RUNNING = [s for s in Status.values if s not in FINAL_STATUSES and s not in (Status.SUSPENDED, Status.RESOLVED)]
BATCH = 500
OVERDUE_NOTE = "已超过办结时限（{due:%m-%d %H:%M}），请立即办理并反馈"
MISSED_RESPONSE_NOTE = "超过响应时限（{due:%m-%d %H:%M}）未签收，自动上报上一级"


@dataclass
class SweepResult:
    yellow: int = 0
    red: int = 0
    escalated: int = 0


def sweep(now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    result.yellow = _flag(
        Case.objects.filter(status__in=RUNNING, warning=Warning.NONE, warn_at__lte=now, resolution_due__gt=now),
        Warning.YELLOW,
        now,
    )
    result.red = _flag(
        Case.objects.filter(status__in=RUNNING, warning__in=[Warning.NONE, Warning.YELLOW], resolution_due__lte=now),
        Warning.RED,
        now,
    )
    result.escalated = _escalate_missed_responses(now)
    return result


def _flag(candidates, warning: str, now: dt.datetime) -> int:
    ids = list(candidates.values_list("id", "warning")[:100_000])
    done = 0
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            for case_id, old in ids[start : start + BATCH]:
                if not Case.objects.filter(pk=case_id, warning=old).update(warning=warning):
                    continue  # another clock got there first
                done += 1
                case = Case.objects.select_related("holder_division", "holder_department").get(pk=case_id)
                CaseEvent.objects.create(
                    case=case,
                    at=now,
                    actor_label=CLOCK,
                    action=f"warning_{warning}",
                    from_status=case.status,
                    to_status=case.status,
                    holder_label=str(case.holder or ""),
                )
                audit.record(
                    f"cases.warning_{warning}",
                    actor=CLOCK,
                    obj=case,
                    before={"warning": old},
                    after={"warning": warning},
                )
                if warning == Warning.RED:
                    supervise(
                        case,
                        acting_user=CLOCK,
                        automatic=True,
                        reason=OVERDUE_NOTE.format(due=timezone.localtime(case.resolution_due)),
                    )
    return done


def _escalate_missed_responses(now: dt.datetime) -> int:
    candidates = list(
        Case.objects.filter(
            status__in=list(AWAITING_RESPONSE), response_due__lte=now, level__in=[Level.COMMUNITY, Level.STREET]
        ).values_list("id", "response_due")
    )
    done = 0
    for case_id, due in candidates:
        with transaction.atomic():
            # Claim: push the response deadline out of reach; the escalation sets the new holder's deadline.
            if not Case.objects.filter(pk=case_id, response_due=due).update(response_due=None):
                continue
            case = Case.objects.get(pk=case_id)
            escalate(
                case,
                acting_user=CLOCK,
                reason=MISSED_RESPONSE_NOTE.format(due=timezone.localtime(due)),
            )
            done += 1
    return done
