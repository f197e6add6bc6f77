"""One intake for every channel (一单受理): validate, locate, route, start the clocks, store, audit."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cases import routing, sla
from cases.choices import Channel, Status, Urgency
from cases.models import Attachment, Case, CaseEvent, CaseUnit, Category, Counter
from core import audit
from core.bulk import insert
from core.memo import memoized
from core.models import ApiClient
from notify import service as notify
from territory import index
from territory.models import Division, Grid

PHONE = re.compile(r"^1[3-9]\d{9}$")
ATTACHMENT_TYPES = {
    "photo": {"image/jpeg", "image/png", "image/webp", "image/heic"},
    "voice": {
        "audio/mpeg",
        "audio/mp4",
        "audio/aac",
        "audio/amr",
        "audio/wav",
        "audio/x-wav",
        "audio/webm",
        "audio/ogg",
    },
    "video": {"video/mp4", "video/quicktime", "video/webm"},
}


@dataclass
class IntakeData:
    channel: str
    description: str
    category_code: str = ""  # empty: the triage classifier suggests one from the text (triage.classification)
    lon: float | None = None
    lat: float | None = None
    address: str = ""
    community_code: str = ""
    grid_code: str = ""  # a grid known without a map point (triage.address placed the address in it)
    title: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    urgency: str = Urgency.NORMAL
    idempotency_key: str | None = None
    external_ref: str = ""
    solved_on_spot: bool = False
    attachments: list[Any] = field(default_factory=list)  # UploadedFile-like: name, content_type, size, chunks()
    after_attachments: list[Any] = field(default_factory=list)  # 就地解决: photos after the fix


@dataclass
class Located:
    grid: Grid | None
    community: Division


def validate(data: IntakeData) -> tuple[Category, Located, dict[str, str]]:
    problems: dict[str, str] = {}
    if data.channel not in Channel.values:
        problems["channel"] = f"unknown channel {data.channel!r}"
    description = (data.description or "").strip()
    if not description:
        problems["description"] = "describe the problem"
    elif len(description) > 4000:
        problems["description"] = f"at most 4,000 characters, got {len(description):,}"
    category = active_categories().get(data.category_code)
    if not (data.category_code or "").strip():
        problems["category"] = "choose a category (none could be suggested from the description)"
    elif category is None:
        problems["category"] = f"unknown category {data.category_code!r}"
    if data.urgency not in Urgency.values:
        problems["urgency"] = f"use one of {', '.join(Urgency.values)}"
    if data.reporter_phone and not PHONE.match(data.reporter_phone):
        problems["reporter_phone"] = "an 11-digit mainland mobile number, e.g. 13812345678"
    if data.solved_on_spot and data.channel != Channel.GRID_WORKER:
        problems["solved_on_spot"] = "only a grid worker's report can be solved on the spot"
    located = locate(data, problems)
    for name in ("attachments", "after_attachments"):
        for n, upload in enumerate(getattr(data, name), start=1):
            problem = attachment_problem(upload)
            if problem:
                problems[f"{name}[{n}]"] = problem
    if data.solved_on_spot:
        # The evidence of 就地解决: what it looked like, and what it looks like now.
        if not any(_kind(u) == "photo" for u in data.attachments):
            problems.setdefault("attachments", "a photo of the problem before it was solved on the spot")
        if not any(_kind(u) == "photo" for u in data.after_attachments):
            problems.setdefault("after_attachments", "a photo after it was solved on the spot")
    elif data.after_attachments:
        problems["after_attachments"] = "photos after the fix go with a report solved on the spot"
    if problems:
        raise ValidationError(problems)
    assert category is not None and located is not None
    return category, located, problems


@memoized
def active_categories() -> dict[str, Category]:
    """Active categories by code, parents linked in memory (lineage() walks them without queries)."""
    nodes = {c.pk: c for c in Category.objects.all()}
    for node in nodes.values():
        node.parent = nodes.get(node.parent_id)  # type: ignore[assignment, arg-type]
    return {c.code: c for c in nodes.values() if c.is_active}


def locate(data: IntakeData, problems: dict[str, str]) -> Located | None:
    if data.lon is not None or data.lat is not None:
        if data.lon is None or data.lat is None or not (-180 <= data.lon <= 180 and -90 <= data.lat <= 90):
            problems["location"] = "give both lon and lat in WGS-84 degrees"
            return None
        hit = index.locate(data.lon, data.lat)
        if hit is None:
            problems["location"] = f"({data.lon}, {data.lat}) is outside the district's grids"
            return None
        grid = index.grid_with_lineage(hit.grid_code)
        return Located(grid, grid.community)
    if data.grid_code:
        try:
            grid = index.grid_with_lineage(data.grid_code)
        except Grid.DoesNotExist:
            problems["grid_code"] = f"unknown grid {data.grid_code!r}"
            return None
        return Located(grid, grid.community)
    if data.community_code:
        community = (
            Division.objects.filter(code=data.community_code, level="community")
            .select_related("parent__parent")
            .defer("geometry", "parent__geometry", "parent__parent__geometry")
            .first()
        )
        if community is None:
            problems["community_code"] = f"unknown community {data.community_code!r}"
            return None
        return Located(None, community)
    if data.address.strip():
        problems["address"] = (
            f"could not place {data.address.strip()!r} in the district; pin it on the map or choose the community"
        )
        return None
    problems["location"] = "give a map point (lon, lat) or the community the problem is in"
    return None


def _kind(upload: Any) -> str | None:
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    return next((k for k, types in ATTACHMENT_TYPES.items() if content_type in types), None)


def attachment_problem(upload: Any) -> str:
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    kind = _kind(upload)
    if kind is None:
        allowed = sorted(t for types in ATTACHMENT_TYPES.values() for t in types)
        return f"{upload.name}: type {content_type or 'unknown'} is not accepted (use {', '.join(allowed)})"
    limit = settings.ATTACHMENT_MAX_MB[kind] * 1024 * 1024
    if upload.size > limit:
        return f"{upload.name}: {upload.size / 1048576:.1f} MB is over the {settings.ATTACHMENT_MAX_MB[kind]} MB limit"
    return ""


def next_tracking_no(now) -> str:
    """The day's next number, in one statement (an upsert both SQLite ≥ 3.35 and PostgreSQL run atomically)."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, value) VALUES (%s, 1) "
            f"ON CONFLICT (name) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [f"case-{day}"],
        )
        (value,) = cursor.fetchone()
    return f"FQ{day}-{value:06d}"


def store_attachment(case: Case, upload: Any, event: CaseEvent | None, label: str = "") -> Attachment:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    content_type = upload.content_type.split(";")[0].strip().lower()
    kind = _kind(upload)
    assert kind is not None, "validate() rejects attachments of other types"
    return Attachment.objects.create(
        case=case,
        event=event,
        kind=kind,
        file=upload,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        label=label,
    )


def holder_label(case: Case) -> str:
    return str(case.holder_department or case.holder_division or "")


def intake(data: IntakeData, *, acting_user: Any) -> tuple[Case, bool]:
    """Create the case, or return the one already made with this idempotency key. (case, created).

    A repeated key is found by the unique index on the insert (the whole attempt rolls back, the day's counter
    too), not by a look-up first: repeats are rare and every first request would pay for the look-up."""
    try:
        return _intake(data, acting_user=acting_user), True
    except IntegrityError:
        if data.idempotency_key:
            existing = Case.objects.filter(idempotency_key=data.idempotency_key).first()
            if existing is not None:  # a concurrent request with the same key won the race
                return existing, False
        raise


def _intake(data: IntakeData, *, acting_user: Any) -> Case:
    with transaction.atomic(durable=True):
        return create_case(data, acting_user=acting_user)


def create_case(data: IntakeData, *, acting_user: Any) -> Case:
    """The intake inside an open transaction (a bulk import runs many in one); `intake()` for a single case."""
    from triage import hooks as triage

    triage.prepare(data)
    category, located, _ = validate(data)
    now = timezone.now()
    placement = routing.place(category, located.community)
    due = sla.deadlines(category, placement.level, now)
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    api_client = acting_user if isinstance(acting_user, ApiClient) else None
    case = Case.objects.create(
        api_client=api_client,
        tracking_no=next_tracking_no(now),
        channel=data.channel,
        status=Status.SUBMITTED,
        category=category,
        title=data.title.strip()[:200],
        description=data.description.strip(),
        urgency=data.urgency,
        address=data.address.strip()[:300],
        lon=data.lon,
        lat=data.lat,
        grid=located.grid,
        territory_code=located.grid.code if located.grid else located.community.code,
        reporter=user if user is not None and user.role == "resident" else None,
        reporter_name=data.reporter_name.strip()[:50],
        reporter_phone=data.reporter_phone,
        entered_by=user if user is not None and user.role != "resident" else None,
        idempotency_key=data.idempotency_key or None,
        external_ref=data.external_ref[:100],
        level=placement.level,
        holder_division=placement.division,
        holder_department=placement.department,
        dispatcher=placement.dispatcher,
        response_due=due.response_due,
        first_response_due=due.response_due,
        resolution_due=due.resolution_due,
        warn_at=due.warn_at,
        working_time=due.working_time,
    )
    insert(
        CaseUnit,
        [
            {
                "case_id": case.pk,
                "division_id": placement.division.pk if placement.division else None,
                "department_id": placement.department.pk if placement.department else None,
                "role": CaseUnit.Role.LEAD,
            }
        ],
    )
    event = CaseEvent.objects.create(
        case=case,
        at=now,
        actor=user,
        actor_label=str(acting_user),
        action="intake",
        to_status=case.status,
        holder_label=holder_label(case),
        data={"channel": data.channel, "level": placement.level},
    )
    before_label = "before" if data.solved_on_spot else ""
    stored = [store_attachment(case, upload, event, before_label) for upload in data.attachments]
    stored += [store_attachment(case, upload, event, "after") for upload in data.after_attachments]
    after = audit.snapshot(case)
    after["attachments"] = [
        {"name": a.original_name, "sha256": a.sha256, "size": a.size, "label": a.label} for a in stored
    ]
    audit.record("cases.intake", actor=acting_user, obj=case, after=after)
    triage.case_created(case, data)
    notify.case_event(case, "intake")
    if data.solved_on_spot:
        from cases.actions import resolve_on_spot

        case = resolve_on_spot(case, acting_user=acting_user)
    return case
