"""Forecasts take seconds, so the clock computes the district's and each street's every night and keeps them
(`Snapshot`); other scopes (a community) are computed when asked. Snapshots are derived data, not audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from command import forecast
from command.models import CaseFact, Snapshot
from core.scoping import territory_prefixes
from territory.models import Division

KIND = "forecast"


def scope_code(user: Any) -> str:
    prefixes = territory_prefixes(user)
    if prefixes is None:
        return "*"
    return prefixes[0] if len(prefixes) == 1 else ",".join(prefixes)[:15]


def forecast_for(user: Any) -> dict[str, Any]:
    """The latest forecast for the user's territory (last complete day = yesterday)."""
    from command.stats import facts

    end = timezone.localdate() - dt.timedelta(days=1)
    code = scope_code(user)
    kept = Snapshot.objects.filter(kind=KIND, scope_code=code, day=end).first()
    if kept is not None:
        return kept.data
    return forecast.build(facts(user), end)


def _scoped(code: str):
    qs = CaseFact.objects.all()
    return qs if code == "*" else qs.filter(territory_code__startswith=code)


def refresh_forecasts(today: dt.date | None = None) -> int:
    end = (today or timezone.localdate()) - dt.timedelta(days=1)
    codes = ["*", *Division.objects.filter(level="street").values_list("code", flat=True)]
    done = 0
    for code in codes:
        if Snapshot.objects.filter(kind=KIND, scope_code=code, day=end).exists():
            continue
        data = forecast.build(_scoped(code), end)
        with transaction.atomic():
            Snapshot.objects.update_or_create(
                kind=KIND, scope_code=code, day=end, defaults={"computed_at": timezone.now(), "data": data}
            )
        done += 1
    Snapshot.objects.filter(kind=KIND, day__lt=end - dt.timedelta(days=7)).delete()
    return done
