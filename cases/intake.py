"""One intake for every channel (一单受理): validate, locate, route, start the clocks, store, audit."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import routing, sla
from cases.choices import Channel, Status, Urgency
from cases.models import Attachment, Case, CaseEvent, CaseUnit, Category, Counter
from core import audit
from core.bulk import create, insert
from core.context import current_request_id, request_id_as
from core.groupcommit import GroupCommit
from core.memo import memoized
from core.models import ApiClient
from notify import service as notify
from territory import index
from territory.models import Division, Grid

PHONE = re.compile(r"^1[3-9]\d{9}$")
CHANNELS, URGENCIES = frozenset(Channel.values), frozenset(Urgency.values)  # (.values builds a new list each time)
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
    request_id: str | None = None  # the request that filed it, for the audit trail (default: the current one)


@dataclass
class Located:
    grid: Grid | None
    community: Division


def validate(data: IntakeData) -> tuple[Category, Located]:
    problems: dict[str, str] = {}
    if data.channel not in CHANNELS:
        problems["channel"] = _("unknown channel %(value)r") % {"value": data.channel}
    description = (data.description or "").strip()
    if not description:
        problems["description"] = _("describe the problem")
    elif len(description) > 4000:
        problems["description"] = _("at most 4,000 characters, got %(n)s") % {"n": f"{len(description):,}"}
    category = active_categories().get(data.category_code)
    if not (data.category_code or "").strip():
        problems["category"] = _("choose a category (none could be suggested from the description)")
    elif category is None:
        problems["category"] = _("unknown category %(value)r") % {"value": data.category_code}
    if data.urgency not in URGENCIES:
        problems["urgency"] = _("use one of %(values)s") % {"values": ", ".join(Urgency.values)}
    if data.reporter_phone and not PHONE.match(data.reporter_phone):
        problems["reporter_phone"] = _("an 11-digit mainland mobile number, e.g. 13812345678")
    if data.solved_on_spot and data.channel != Channel.GRID_WORKER:
        problems["solved_on_spot"] = _("only a grid worker's report can be solved on the spot")
    located = locate(data, problems)
    for name in ("attachments", "after_attachments"):
        for n, upload in enumerate(getattr(data, name), start=1):
            problem = attachment_problem(upload)
            if problem:
                problems[f"{name}[{n}]"] = problem
    if data.solved_on_spot:
        # The evidence of 就地解决: what it looked like, and what it looks like now.
        if not any(_kind(u) == "photo" for u in data.attachments):
            problems.setdefault("attachments", _("a photo of the problem before it was solved on the spot"))
        if not any(_kind(u) == "photo" for u in data.after_attachments):
            problems.setdefault("after_attachments", _("a photo after it was solved on the spot"))
    elif data.after_attachments:
        problems["after_attachments"] = _("photos after the fix go with a report solved on the spot")
    if problems:
        raise ValidationError(problems)
    assert category is not None and located is not None
    return category, located


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
            problems["location"] = _("give both lon and lat in WGS-84 degrees")
            return None
        hit = index.locate(data.lon, data.lat)
        if hit is None:
            problems["location"] = _("(%(lon)s, %(lat)s) is outside the district's grids") % {
                "lon": data.lon,
                "lat": data.lat,
            }
            return None
        grid = index.grid_with_lineage(hit.grid_code)
        return Located(grid, grid.community)
    if data.grid_code:
        try:
            grid = index.grid_with_lineage(data.grid_code)
        except Grid.DoesNotExist:
            problems["grid_code"] = _("unknown grid %(value)r") % {"value": data.grid_code}
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
            problems["community_code"] = _("unknown community %(value)r") % {"value": data.community_code}
            return None
        return Located(None, community)
    if data.address.strip():
        problems["address"] = _(
            "could not place %(address)r in the district; pin it on the map or choose the community"
        ) % {"address": data.address.strip()}
        return None
    problems["location"] = _("give a map point (lon, lat) or the community the problem is in")
    return None


def _kind(upload: Any) -> str | None:
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    return next((k for k, types in ATTACHMENT_TYPES.items() if content_type in types), None)


def attachment_problem(upload: Any) -> str:
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    kind = _kind(upload)
    if kind is None:
        allowed = sorted(t for types in ATTACHMENT_TYPES.values() for t in types)
        return _("%(name)s: type %(type)s is not accepted (use %(allowed)s)") % {
            "name": upload.name,
            "type": content_type or _("unknown"),
            "allowed": ", ".join(allowed),
        }
    limit = settings.ATTACHMENT_MAX_MB[kind] * 1024 * 1024
    if upload.size > limit:
        return _("%(name)s: %(size).1f MB is over the %(limit)s MB limit") % {
            "name": upload.name,
            "size": upload.size / 1048576,
            "limit": settings.ATTACHMENT_MAX_MB[kind],
        }
    return ""


def next_tracking_no(now) -> str:
    return next_tracking_nos(now, 1)[0]


def next_tracking_nos(now, count: int) -> list[str]:
    """The day's next `count` numbers, in one statement (an upsert both SQLite ≥ 3.35 and PostgreSQL run
    atomically)."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, value) VALUES (%s, %s) "
            f"ON CONFLICT (name) DO UPDATE SET value = {table}.value + %s RETURNING value",
            [f"case-{day}", count, count],
        )
        (last,) = cursor.fetchone()
    return [f"FQ{day}-{value:06d}" for value in range(last - count + 1, last + 1)]


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

    The report is validated, placed and timed in the caller's thread, outside any transaction; it is then stored
    in a durable transaction of its own, or, when several requests of this process file at once, together with
    theirs in one (group commit, see _COMMIT and core.groupcommit). A repeated key is found by the unique index on
    the insert (that attempt rolls back; on PostgreSQL its tracking number stays unused), not by a look-up first:
    repeats are rare and every first request would pay for the look-up."""
    drafts, (outcome,) = prepare([(data, acting_user)])
    if outcome.error is not None:
        raise outcome.error
    (draft,) = drafts
    draft.n = 0
    if settings.INTAKE_GROUP_COMMIT and not connection.in_atomic_block:
        outcome = _COMMIT.submit(draft)
    else:
        outcome = _file_one(draft)
    if outcome.failure is not None:
        raise outcome.failure
    if outcome.error is not None:
        raise outcome.error
    assert outcome.case is not None
    return outcome.case, outcome.created


@dataclass
class Outcome:
    """What became of one report of a batch: its case (new, or the one its idempotency key already made), or why
    it was refused (`error`), or what went wrong storing it (`failure`, any other exception: raised by intake())."""

    case: Case | None = None
    created: bool = False
    error: ValidationError | None = None
    failure: BaseException | None = None


def intake_many(items: list[tuple[IntakeData, Any]]) -> list[Outcome]:
    """Many reports (with who filed each) in one transaction: one commit, multi-row statements (benchmarks, and
    what the group commit does with the drafts of concurrent requests). A refused report leaves the others
    standing. Should another writer take one of the batch's idempotency keys meanwhile, or a report be refused
    after it was stored (a grid worker who may not record it as solved on the spot), the batch is filed again one
    report per transaction."""
    drafts, out = prepare(items)
    for draft, outcome in zip(drafts, file_drafts(drafts), strict=True):
        out[draft.n] = outcome
    for outcome in out:
        if outcome.failure is not None:
            raise outcome.failure
    return out


def file_drafts(drafts: list[_Draft]) -> list[Outcome]:
    """Store prepared reports, each batch in one durable transaction; one Outcome per draft, in order. Called by
    intake_many() and, with the drafts of several request threads, by the group commit."""
    if len(drafts) > 1:
        out = [Outcome() for _ in drafts]
        batch = [dataclasses.replace(d, n=i, case=None, repeats=[]) for i, d in enumerate(drafts)]
        try:
            numbers = _numbers_first(len(batch))
            with transaction.atomic(durable=True):
                store(batch, out, numbers)
            return out
        except (IntegrityError, ValidationError):
            pass  # one report spoils the batch: file them one by one below, so it costs only itself
    return [_file_one(dataclasses.replace(d, n=0, case=None, repeats=[])) for d in drafts]


def _file_one(draft: _Draft) -> Outcome:
    out = [Outcome()]
    try:
        numbers = _numbers_first(1)
        with transaction.atomic(durable=True):
            store([draft], out, numbers)
    except IntegrityError as exc:
        key = draft.data.idempotency_key
        existing = Case.objects.filter(idempotency_key=key).first() if key else None
        # a concurrent request with the same key won the race: its case is this report's case
        return Outcome(existing, False) if existing is not None else Outcome(failure=exc)
    except ValidationError as exc:
        return Outcome(error=exc)
    except Exception as exc:  # kept for the thread that filed it (group commit), raised there
        return Outcome(failure=exc)
    return out[0]


def _numbers_first(count: int) -> list[str] | None:
    """On PostgreSQL the day's tracking numbers are taken before the intake's transaction, in one of their own: the
    counter's row stays locked until commit once updated, and would queue every concurrent intake behind the whole
    of this one (a batch that fails leaves a gap in the day's numbers). That transaction commits without waiting
    for its WAL flush (synchronous_commit off): the cases that use the numbers commit after it with a flush, which
    makes it durable too, and should the machine fail before, no stored case has the numbers. SQLite has one writer
    at a time anyway, and a transaction of their own would cost a turn of its write lock: there, and inside an
    open transaction, store() takes them."""
    if connection.vendor == "sqlite" or connection.in_atomic_block:
        return None
    with transaction.atomic(durable=True):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return next_tracking_nos(timezone.now(), count)


_COMMIT: GroupCommit[_Draft, Outcome] = GroupCommit(file_drafts, max_batch=max(1, settings.INTAKE_GROUP_COMMIT_MAX))


def create_case(data: IntakeData, *, acting_user: Any) -> Case:
    """The intake of one report inside an open transaction; `intake()` for a single case in its own."""
    (outcome,) = create_cases([(data, acting_user)])
    if outcome.error is not None:
        raise outcome.error
    assert outcome.case is not None
    return outcome.case


@dataclass
class _Draft:
    """A report that passed validation, placed and timed, on its way to the database."""

    n: int  # its place among the outcomes it is stored with
    data: IntakeData
    actor: Any
    category: Category
    located: Located
    placement: routing.Placement
    due: sla.Deadlines
    now: Any
    case: Case | None = None
    repeats: list[int] = field(default_factory=list)  # later reports of the batch with the same idempotency key


def create_cases(items: list[tuple[IntakeData, Any]]) -> list[Outcome]:
    """The intake inside an open transaction (the bulk import): prepare() every report, then store() the lot.
    Outcomes in the order given."""
    drafts, out = prepare(items)
    store(drafts, out)
    return out


def prepare(items: list[tuple[IntakeData, Any]]) -> tuple[list[_Draft], list[Outcome]]:
    """Validate, locate, route and time every report (reads only, no transaction needed). The drafts of those that
    pass, numbered by their place in `items`, and an Outcome for each item (the error of those refused)."""
    from triage import hooks as triage

    out = [Outcome() for _ in items]
    now = timezone.now()
    drafts: list[_Draft] = []
    for n, (data, actor) in enumerate(items):
        try:
            triage.prepare(data)
            category, located = validate(data)
        except ValidationError as exc:
            out[n].error = exc
            continue
        if data.request_id is None:
            data.request_id = current_request_id()
        placement = routing.place(category, located.community)
        due = sla.deadlines(category, placement.level, now)
        drafts.append(_Draft(n, data, actor, category, located, placement, due, now))
    return drafts, out


def store(drafts: list[_Draft], out: list[Outcome], numbers: list[str] | None = None) -> None:
    """Store prepared reports inside an open transaction with one statement per table (cases, units, log, audit,
    triage, notices); each draft's Outcome goes to out[draft.n]. `numbers`: tracking numbers taken already, at
    least one per draft (see _numbers_first), else they are taken here."""
    from triage import hooks as triage

    drafts = _repeats(drafts, out)
    if not drafts:
        return
    numbers = numbers[: len(drafts)] if numbers is not None else next_tracking_nos(timezone.now(), len(drafts))
    for draft, number in zip(drafts, numbers, strict=True):
        draft.case = _new_case(draft, number)
    cases = create([d.case for d in drafts if d.case is not None])  # core.bulk: bulk_create without its field prep
    insert(CaseUnit, [_lead_unit(c) for c in cases])
    events = create([_intake_event(d) for d in drafts])
    entries = []
    for draft, event in zip(drafts, events, strict=True):
        data, case = draft.data, draft.case
        assert case is not None
        before_label = "before" if data.solved_on_spot else ""
        stored = [store_attachment(case, upload, event, before_label) for upload in data.attachments]
        stored += [store_attachment(case, upload, event, "after") for upload in data.after_attachments]
        after = audit.snapshot(case)
        after["attachments"] = [
            {"name": a.original_name, "sha256": a.sha256, "size": a.size, "label": a.label} for a in stored
        ]
        entries.append(
            audit.Pending.of("cases.intake", case, after=after, actor=draft.actor, request_id=data.request_id)
        )
    pairs = [(d.case, d.data) for d in drafts]
    triage.cases_stored(pairs)
    notify.case_events(cases, "intake")
    audit.record_many(entries)  # late: every writer locks the chain's head until commit (core.audit)
    triage.cases_created(pairs)
    for draft, event in zip(drafts, events, strict=True):
        case = draft.case
        assert case is not None
        if draft.data.solved_on_spot:
            from cases.actions import resolve_on_spot

            with request_id_as(draft.data.request_id):
                case = resolve_on_spot(case, acting_user=draft.actor)
        elif case.status == Status.SUBMITTED:  # not merged: its whole log is this event (the API answers with it)
            case.intake_event = event  # type: ignore[attr-defined]
        out[draft.n] = Outcome(case, created=True)
        for n in draft.repeats:
            out[n] = Outcome(case, created=False)


def _new_case(draft: _Draft, tracking_no: str) -> Case:
    data, located, placement, due, actor = draft.data, draft.located, draft.placement, draft.due, draft.actor
    user = actor if getattr(actor, "is_authenticated", False) else None
    return Case(
        api_client=actor if isinstance(actor, ApiClient) else None,
        tracking_no=tracking_no,
        channel=data.channel,
        status=Status.SUBMITTED,
        category=draft.category,
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


def _lead_unit(case: Case) -> dict[str, Any]:
    return {
        "case_id": case.pk,
        "division_id": case.holder_division_id,
        "department_id": case.holder_department_id,
        "role": CaseUnit.Role.LEAD,
    }


def _intake_event(draft: _Draft) -> CaseEvent:
    case, actor = draft.case, draft.actor
    assert case is not None
    return CaseEvent(
        case=case,
        at=draft.now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=str(actor),
        action="intake",
        to_status=case.status,
        holder_label=holder_label(case),
        data={"channel": draft.data.channel, "level": draft.placement.level},
    )


def _repeats(drafts: list[_Draft], out: list[Outcome]) -> list[_Draft]:
    """A batch's reports whose idempotency key made a case already, or that repeat a key earlier in the batch,
    take that case (created=False). One look-up for the batch; a single report skips it (see intake())."""
    keyed = [d for d in drafts if d.data.idempotency_key]
    if len(drafts) < 2 or not keyed:
        return drafts
    made = {
        c.idempotency_key: c for c in Case.objects.filter(idempotency_key__in={d.data.idempotency_key for d in keyed})
    }
    first: dict[str, _Draft] = {}
    kept = []
    for draft in drafts:
        key = draft.data.idempotency_key
        if key and key in made:
            out[draft.n] = Outcome(made[key], created=False)
        elif key and key in first:
            first[key].repeats.append(draft.n)  # given the first one's case once it is made
        else:
            if key:
                first[key] = draft
            kept.append(draft)
    return kept
