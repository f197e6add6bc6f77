"""Staff positions (S9): grid workers check in with GPS from their phones; the map shows each one's last known
place (a check-in, or the place of a report they filed) and a day's patrol track."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import GRID_ROLES
from cases.choices import Channel
from command.models import CaseFact, StaffCheckIn
from core import audit
from core.actions import action
from core.scoping import in_territory
from territory import index
from territory.models import GridAssignment

POSITION_DAYS = 7  # a position older than this is not shown as "last known"


def _number(value: Any, field: str, low: float, high: float, *, required: bool = True) -> float | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("%(field)s is required") % {"field": field}})
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(
            {field: _("%(field)s must be a number, not %(value)r") % {"field": field, "value": value}}
        ) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValidationError(
            {field: _("%(field)s must be between %(low)g and %(high)g") % {"field": field, "low": low, "high": high}}
        )
    return number


@action
def do_check_in(
    *, acting_user: Any, lon: Any, lat: Any, accuracy_m: Any = None, kind: str = "check_in", note: str = ""
) -> StaffCheckIn:
    if getattr(acting_user, "role", "") not in GRID_ROLES:
        raise ValidationError({"user": _("only grid workers and grid leaders check in")})
    if kind not in StaffCheckIn.Kind.values:
        raise ValidationError(
            {"kind": _("kind must be one of %(kinds)s") % {"kinds": ", ".join(StaffCheckIn.Kind.values)}}
        )
    lon_v = _number(lon, "lon", -180, 180)
    lat_v = _number(lat, "lat", -90, 90)
    accuracy = _number(accuracy_m, "accuracy", 0, 100_000, required=False)
    hit = index.locate(lon_v, lat_v)  # type: ignore[arg-type]
    own = acting_user.current_grid_codes()
    if hit is not None and hit.grid_code in own:
        territory = hit.grid_code
    elif own:
        territory = sorted(own)[0]  # seen by whoever oversees the worker's own grid, wherever they walk
    else:
        raise ValidationError({"user": _("you have no grid assigned; ask your community to assign one")})
    entry = StaffCheckIn.objects.create(
        user=acting_user,
        at=timezone.now(),
        lon=round(lon_v, 6),  # type: ignore[arg-type]
        lat=round(lat_v, 6),  # type: ignore[arg-type]
        accuracy_m=accuracy,
        kind=kind,
        grid_code=hit.grid_code if hit else "",
        territory_code=territory,
        note=(note or "")[:200],
    )
    audit.record("command.check_in", actor=acting_user, obj=entry, after=audit.snapshot(entry))
    return entry


def _workers(viewer: Any) -> dict[int, dict[str, Any]]:
    """Grid workers on duty in the viewer's territory, with their grids."""
    duties = (
        GridAssignment.objects.restrict(viewer)
        .filter(end_date__isnull=True, user__role__in=list(GRID_ROLES))
        .select_related("user", "grid")
    )
    people: dict[int, dict[str, Any]] = {}
    for duty in duties:
        person = people.setdefault(
            duty.user_id, {"id": duty.user_id, "name": str(duty.user), "phone": duty.user.phone, "grids": []}
        )
        person["grids"].append(duty.grid.name)
    return people


def last_positions(viewer: Any, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    now = now or timezone.now()
    since = now - dt.timedelta(days=POSITION_DAYS)
    people = _workers(viewer)
    ids = list(people)
    latest: dict[int, tuple[dt.datetime, float, float, str]] = {}
    last_check = (
        StaffCheckIn.objects.filter(user_id__in=ids, at__gte=since).values("user_id").annotate(at=Max("at")).order_by()
    )
    wanted = {(row["user_id"], row["at"]) for row in last_check}
    for row in StaffCheckIn.objects.filter(user_id__in=ids, at__gte=since, at__in={at for _u, at in wanted}).values(
        "user_id", "at", "lon", "lat", "kind"
    ):
        if (row["user_id"], row["at"]) in wanted:
            latest[row["user_id"]] = (row["at"], row["lon"], row["lat"], row["kind"])
    reports = (
        CaseFact.objects.filter(entered_by_id__in=ids, channel=Channel.GRID_WORKER, created_at__gte=since)
        .exclude(lon=None)
        .values("entered_by_id")
        .annotate(at=Max("created_at"))
        .order_by()
    )
    for row in reports:
        if row["entered_by_id"] in latest and latest[row["entered_by_id"]][0] >= row["at"]:
            continue
        fact = CaseFact.objects.filter(entered_by_id=row["entered_by_id"], created_at=row["at"]).first()
        if fact is not None:
            latest[row["entered_by_id"]] = (row["at"], fact.lon, fact.lat, StaffCheckIn.Kind.REPORT)  # type: ignore[assignment]
    out = []
    for user_id, (at, lon, lat, kind) in latest.items():
        person = people[user_id]
        out.append(
            {
                **person,
                "at": timezone.localtime(at).isoformat(timespec="minutes"),
                "minutes_ago": int((now - at).total_seconds() // 60),
                "lon": lon,
                "lat": lat,
                "kind": kind,
            }
        )
    return sorted(out, key=lambda p: p["minutes_ago"])


def track(viewer: Any, user_id: int, day: dt.date) -> dict[str, Any] | None:
    """The worker's positions of one day in time order (check-ins and reports); None outside the territory."""
    people = _workers(viewer)
    if user_id not in people:
        return None
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tz)
    end = start + dt.timedelta(days=1)
    points = [
        (row["at"], row["lon"], row["lat"], row["kind"])
        for row in StaffCheckIn.objects.filter(user_id=user_id, at__gte=start, at__lt=end).values(
            "at", "lon", "lat", "kind"
        )
    ]
    points += [
        (row["created_at"], row["lon"], row["lat"], StaffCheckIn.Kind.REPORT)
        for row in CaseFact.objects.filter(entered_by_id=user_id, created_at__gte=start, created_at__lt=end)
        .exclude(lon=None)
        .values("created_at", "lon", "lat")
    ]
    points.sort()
    km = sum(_km(a[1], a[2], b[1], b[2]) for a, b in itertools.pairwise(points))
    return {
        **people[user_id],
        "date": day.isoformat(),
        "km": round(km, 2),
        "points": [[timezone.localtime(at).strftime("%H:%M"), lon, lat, kind] for at, lon, lat, kind in points],
    }


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def recent_for(user: Any) -> list[StaffCheckIn]:
    return list(StaffCheckIn.objects.filter(user=user).order_by("-at")[:10])


def visible(viewer: Any, entry: StaffCheckIn) -> bool:
    return in_territory(viewer, entry.territory_code)
