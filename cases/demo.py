"""A year of demo cases, so rankings, 三率, dashboards and analysis are meaningful out of the box.

Past cases cannot go through the workflow actions (those stamp the present time), so the history is simulated:
each case walks the transition table (`cases.workflow.target`) from intake to its end with realistic delays,
using the district's own routing rules and deadline policies, and is written in bulk with its events, units and
supervision orders. One audit entry per batch records what was written (count, tracking numbers, digest).
Units differ in quality, reports follow the seasons and the week, and a few incidents come as bursts of
similar complaints in one place. Cases still open at the present keep the state they have reached, with
deadline warnings and automatic 督办 where overdue. `live_step` keeps the demo moving through the real actions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import shapely
from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from cases import routing, sla, workflow
from cases.choices import CLOCK_RUNNING, NEXT_LEVEL, Channel, Level, Status, Urgency, Warning
from cases.demo_texts import COMPOUND_SUFFIX, ROADS, SCENARIOS, SHOPS, Scenario
from cases.intake import active_categories
from cases.models import Case, CaseEvent, CaseUnit, Category, Commitment, Counter, PointsEntry, Supervision
from cases.sweep import MISSED_RESPONSE_NOTE, OVERDUE_NOTE
from core import audit
from core.actions import action
from territory import people as names
from territory.models import Department, Division, Grid, GridAssignment

T = TypeVar("T")
ACTOR = "seed_demo"
CLOCK = "clock"
BATCH = 2000
CASES_PER_DAY = 153  # about 56,000 a year, the figure for a district of this size

CHANNEL_WEIGHTS = {
    Channel.HOTLINE: 40,
    Channel.GRID_WORKER: 25,
    Channel.RESIDENT_WEB: 22,
    Channel.LINKAGE_110: 3,
    Channel.PETITION: 3,
    Channel.DEPARTMENT: 3,
    Channel.IOT: 2,
    Channel.OPEN311: 1,
    Channel.BULK: 1,
}
IOT_TOPICS = {"环境卫生", "大气污染", "水污染", "消防安全", "自来水供应", "电力供应"}
RATINGS = np.array([1, 2, 3, 4, 5])
REASONS_ESCALATE = ["涉及多个部门，社区无法单独解决，请街道协调", "需执法部门处理", "超出社区处置权限"]
REASONS_RETURN = ["不属于本部门职责范围，请重新派遣", "地址不详，无法核实，请补充", "该事项已由其他部门立案"]
REASONS_REJECT = ["问题没有解决，现场还是老样子", "只是临时处理了一下，过两天又出现了", "没有人联系过我"]
REASONS_INVALID = ["经核实不属实", "重复反映，已在其他工单办理", "咨询类，已当场解答"]
COMMENTS = {
    5: ["处理很及时，谢谢", "非常满意", "工作人员态度很好"],
    4: ["基本满意", "解决了，就是慢了点"],
    3: ["一般"],
    2: ["处理太慢"],
    1: ["没解决"],
}


@contextmanager
def keep_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let bulk_create keep given created_at/updated_at values (auto_now fields would stamp the present)."""
    saved = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))  # type: ignore[attr-defined]
                f.auto_now = f.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add  # type: ignore[attr-defined]


@dataclass
class _World:
    """The district as the simulation sees it: places, people and how good each unit is."""

    district: Division
    grids: list[Grid]
    grid_weights: np.ndarray
    communities: dict[int, Division]
    streets: dict[int, Division]
    departments: dict[str, Department]
    community_staff: dict[int, User]
    command_staff: dict[int, list[User]]
    dept_staff: dict[int, list[User]]
    grid_workers: dict[int, User]
    hotline: list[User]
    resident: User | None
    quality: dict[tuple[str, int], float]
    compounds: dict[int, list[str]]
    polygons: dict[int, Any]


def _load_world(district: Division, rng: np.random.Generator) -> _World:
    grids = list(
        Grid.objects.filter(code__startswith=district.code).select_related("community__parent").order_by("code")
    )
    communities = {g.community_id: g.community for g in grids}
    streets = {c.parent_id: c.parent for c in communities.values() if c.parent is not None}
    # Busier grids: a log-normal spread, heavier in the town centres (small grids) than in the hills.
    area = np.array([g.area_m2 or 1e6 for g in grids])
    weights = rng.lognormal(0, 0.6, len(grids)) * np.clip(1e6 / area, 0.3, 3) ** 0.3
    departments = {d.code.rsplit("-", 1)[-1]: d for d in Department.objects.filter(division=district)}
    users = User.objects.filter(is_active=True).select_related("division", "department")
    community_staff: dict[int, User] = {}
    command_staff: dict[int, list[User]] = {}
    dept_staff: dict[int, list[User]] = {}
    hotline, resident = [], None
    for u in users:
        if u.role == Role.COMMUNITY_STAFF and u.division_id:
            community_staff.setdefault(u.division_id, u)
        elif u.role in (Role.STREET_COMMAND, Role.DISTRICT_COMMAND) and u.division_id:
            command_staff.setdefault(u.division_id, []).append(u)
        elif u.role == Role.DEPARTMENT_HANDLER and u.department_id:
            dept_staff.setdefault(u.department_id, []).append(u)
        elif u.role == Role.HOTLINE_AGENT:
            hotline.append(u)
        elif u.role == Role.RESIDENT and u.username == "resident":
            resident = u
    grid_workers = {
        a.grid_id: a.user
        for a in GridAssignment.objects.filter(end_date__isnull=True, role="full_time", grid__in=grids).select_related(
            "user"
        )
    }
    quality: dict[tuple[str, int], float] = {}
    for s in streets.values():
        quality[("street", s.pk)] = float(rng.uniform(0.6, 1.4))
    for c in communities.values():
        quality[("community", c.pk)] = float(rng.uniform(0.7, 1.3)) * quality.get(("street", c.parent_id or 0), 1)
    for d in departments.values():
        quality[("department", d.pk)] = float(rng.uniform(0.6, 1.4))
    compounds = {
        c.pk: [c.name.removesuffix("社区").removesuffix("村") + suffix for suffix in rng.choice(COMPOUND_SUFFIX, 2)]
        for c in communities.values()
    }
    polygons = {g.pk: shapely.geometry.shape(g.geometry) for g in grids if g.geometry}
    return _World(
        district,
        grids,
        weights / weights.sum(),
        communities,
        streets,
        departments,
        community_staff,
        command_staff,
        dept_staff,
        grid_workers,
        hotline,
        resident,
        quality,
        compounds,
        polygons,
    )


@dataclass
class _Draft:
    """One simulated case: the row, its events, its units and orders, before they are written."""

    case: Case
    events: list[CaseEvent] = field(default_factory=list)
    units: list[CaseUnit] = field(default_factory=list)
    supervisions: list[Supervision] = field(default_factory=list)


class _Simulation:
    def __init__(self, world: _World, rng: np.random.Generator, now: dt.datetime) -> None:
        self.w, self.rng, self.now = world, rng, now
        cats = active_categories()
        self.scenarios: list[tuple[Scenario, Category]] = []
        for scenario in SCENARIOS:
            category = _by_path(cats, scenario.path)
            if category is None:
                raise LookupError(f"demo scenario category {'/'.join(scenario.path)} is not in the category tree")
            self.scenarios.append((scenario, category))
        self.phones = [self._phone() for _ in range(25_000)]
        self.phone_cdf = _cdf(1 / np.arange(1, len(self.phones) + 1) ** 0.6)  # a few callers call often
        self.channels = list(CHANNEL_WEIGHTS)
        self.channel_cdf = _cdf(np.array(list(CHANNEL_WEIGHTS.values()), dtype=float))
        self.grid_cdf = _cdf(world.grid_weights)

    def choose(self, cdf: np.ndarray) -> int:
        return int(np.searchsorted(cdf, self.rng.random(), side="right"))

    def pick_scenario(self, cdf: np.ndarray) -> tuple[Scenario, Category]:
        return self.scenarios[min(self.choose(cdf), len(self.scenarios) - 1)]

    def grid(self) -> Grid:
        return self.w.grids[min(self.choose(self.grid_cdf), len(self.w.grids) - 1)]

    def _phone(self) -> str:
        return f"1{self.rng.choice([3, 5, 7, 8, 9])}{self.rng.integers(0, 10**9):09d}"

    # -- what comes in -------------------------------------------------------------------------------------------
    def scenario_cdf(self, day: dt.date) -> np.ndarray:
        summer = math.cos((day.timetuple().tm_yday - 200) / 365 * 2 * math.pi)  # +1 mid-July, -1 mid-January
        out = []
        for scenario, _cat in self.scenarios:
            boost = {"summer": 1 + 0.6 * summer, "winter": 1 - 0.5 * summer}.get(scenario.season, 1.0)
            out.append(scenario.weight * max(boost, 0.2))
        return _cdf(np.array(out))

    def arrivals(self, day: dt.date, per_day: float) -> int:
        season = 1 + 0.15 * math.cos((day.timetuple().tm_yday - 200) / 365 * 2 * math.pi)
        week = 0.72 if day.weekday() >= 5 else 1.08
        holiday = 0.6 if (day.month, day.day) in {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)} else 1.0
        return int(self.rng.poisson(per_day * season * week * holiday))

    def arrival_time(self, day: dt.date) -> dt.datetime:
        hour = float(np.clip(self.rng.normal(14, 3.8), 0, 23.99))
        tz = timezone.get_current_timezone()
        return dt.datetime.combine(day, dt.time.min, tz) + dt.timedelta(hours=hour)

    def text(self, scenario: Scenario, grid: Grid) -> str:
        community = self.w.communities[grid.community_id]
        roads = self.rng.choice(ROADS, 2, replace=False)
        return str(self.rng.choice(scenario.texts)).format(
            compound=str(self.rng.choice(self.w.compounds[community.pk])),
            road=roads[0],
            road2=roads[1],
            community=community.name,
            shop=str(self.rng.choice(SHOPS)),
            n=int(self.rng.integers(2, 9)),
        )

    def point(self, grid: Grid) -> tuple[float | None, float | None]:
        poly = self.w.polygons.get(grid.pk)
        if poly is None:
            return None, None
        minx, miny, maxx, maxy = poly.bounds
        for _ in range(30):
            x, y = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            if poly.contains(shapely.Point(x, y)):
                return round(float(x), 6), round(float(y), 6)
        p = poly.representative_point()
        return round(p.x, 6), round(p.y, 6)

    # -- one case's life -----------------------------------------------------------------------------------------
    def draft(self, at: dt.datetime, scenario: Scenario, category: Category, grid: Grid, **extra: Any) -> _Draft:
        rng, w = self.rng, self.w
        community = w.communities[grid.community_id]
        channel = extra.pop("channel", None) or self.channels[self.choose(self.channel_cdf)]
        if channel == Channel.IOT and category.name not in IOT_TOPICS:
            channel = Channel.HOTLINE
        placement = routing.place(category, community)
        due = sla.deadlines(category, placement.level, at)
        worker = w.grid_workers.get(grid.pk)
        reporter = None
        phone = self.phones[min(self.choose(self.phone_cdf), len(self.phones) - 1)]
        if channel == Channel.RESIDENT_WEB and w.resident is not None and rng.random() < 0.004:
            reporter, phone = w.resident, w.resident.phone
        lon, lat = self.point(grid) if channel != Channel.HOTLINE or rng.random() < 0.3 else (None, None)
        entered_by = (
            worker
            if channel == Channel.GRID_WORKER
            else (self._pick(w.hotline) if channel == Channel.HOTLINE else None)
        )
        case = Case(
            channel=channel,
            status=Status.SUBMITTED,
            category=category,
            description=extra.pop("description", None) or self.text(scenario, grid),
            urgency=Urgency.URGENT if rng.random() < 0.06 else Urgency.NORMAL,
            lon=lon,
            lat=lat,
            grid=grid,
            territory_code=grid.code,
            reporter=reporter,
            reporter_name="" if channel == Channel.GRID_WORKER else self.caller_name(),
            reporter_phone="" if channel in (Channel.GRID_WORKER, Channel.IOT) else phone,
            entered_by=entered_by,
            level=placement.level,
            holder_division=placement.division,
            holder_department=placement.department,
            dispatcher=placement.dispatcher,
            response_due=due.response_due,
            first_response_due=due.response_due,
            resolution_due=due.resolution_due,
            warn_at=due.warn_at,
            working_time=due.working_time,
            created_at=at,
            updated_at=at,
        )
        d = _Draft(case)
        d.units.append(self._unit(case, placement.division, placement.department, at))
        self._event(d, at, "intake", entered_by or reporter or channel, data={"channel": channel})
        life = _Life(self, d, scenario, community, worker, master=extra.pop("master", None))
        life.run(at)
        life.flag_open()
        return d

    def caller_name(self) -> str:
        """How agents write down a caller: surname and 先生/女士."""
        name, sex = names.person(self.rng)
        return name[0] + ("先生" if sex == "M" else "女士")

    def _pick(self, items: list[T]) -> T | None:
        return items[int(self.rng.integers(len(items)))] if items else None

    def _unit(self, case: Case, division: Any, department: Any, at: dt.datetime, role: str = "lead") -> CaseUnit:
        return CaseUnit(case=case, division=division, department=department, role=role, created_at=at)

    def _event(self, d: _Draft, at: dt.datetime, name: str, actor: Any, note: str = "", data: dict | None = None):
        case = d.case
        to = case.status if name in ("intake", "supervise", "warning_yellow", "warning_red", "co_reply") else None
        if to is None:
            to = workflow.target(name, case.status)
        from_status = "" if name == "intake" else case.status
        case.status = to
        d.events.append(
            CaseEvent(
                case=case,
                at=at,
                actor=actor if isinstance(actor, User) else None,
                actor_label=actor.get_username() if isinstance(actor, User) else str(actor),
                action=name,
                from_status=from_status,
                to_status=to,
                holder_label=str(case.holder_department or case.holder_division or ""),
                note=note,
                data=data or {},
            )
        )


def _cdf(weights: np.ndarray) -> np.ndarray:
    cdf = np.cumsum(weights, dtype=float)
    return cdf / cdf[-1]


def _by_path(cats: dict[str, Category], path: tuple[str, ...]) -> Category | None:
    for c in cats.values():
        if [n.name for n in reversed(c.lineage())] == list(path):
            return c
    return None


class _Life:
    """Walks one case from intake to its end (or to the present), one allowed transition at a time."""

    def __init__(self, sim: _Simulation, d: _Draft, scenario: Scenario, community: Division, worker, master) -> None:
        self.sim, self.d, self.case, self.rng = sim, d, d.case, sim.rng
        self.scenario, self.community, self.worker, self.master = scenario, community, worker, master
        self.stopped = False

    # Each step happens at `at`; once `at` passes the present the case stays as it is.
    def step(self, at: dt.datetime, name: str, actor: Any, note: str = "", data: dict | None = None) -> bool:
        if self.stopped or at > self.sim.now:
            self.stopped = True
            return False
        self.sim._event(self.d, at, name, actor, note, data)
        self.case.updated_at = at
        return True

    def quality(self) -> float:
        c = self.case
        if c.holder_department is not None:
            return self.sim.w.quality.get(("department", c.holder_department.pk), 1.0)
        div = c.holder_division
        return self.sim.w.quality.get((str(c.level), div.pk if div else 0), 1.0)

    def staff(self) -> Any:
        w, c = self.sim.w, self.case
        if c.holder_department is not None:
            return self.sim._pick(w.dept_staff.get(c.holder_department.pk, [])) or CLOCK
        div_id = c.holder_division.pk if c.holder_division else 0
        if c.level == Level.COMMUNITY:
            return self.worker if self.worker and self.rng.random() < 0.6 else w.community_staff.get(div_id, CLOCK)
        return self.sim._pick(w.command_staff.get(div_id, [])) or CLOCK

    def hours(self, median: float, spread: float = 0.8) -> dt.timedelta:
        return dt.timedelta(hours=float(self.rng.lognormal(math.log(median), spread)))

    def run(self, at: dt.datetime) -> None:
        c, rng = self.case, self.rng
        if self.master is not None:
            self.merge(at + self.hours(2))
            return
        if c.channel == Channel.GRID_WORKER and c.level == Level.COMMUNITY and rng.random() < 0.45:
            self.on_spot(at)
            return
        accepted = self.respond(at)
        if accepted is None:
            return
        if rng.random() < 0.025:
            at = accepted + self.hours(1)
            if self.step(at, "invalidate", self.staff(), str(rng.choice(REASONS_INVALID))):
                c.closed_at = at
            return
        done = self.handle(accepted)
        if done is not None:
            self.judge(done)

    def flag_open(self) -> None:
        """A case still running at the present carries the warnings the clock has given it by now."""
        c = self.case
        if c.status not in CLOCK_RUNNING:
            return
        if c.warn_at and c.warn_at <= self.sim.now and c.warning == Warning.NONE:
            self.warn(c.warn_at, Warning.YELLOW)
        if c.resolution_due and c.resolution_due <= self.sim.now:
            self.warn(c.resolution_due, Warning.RED)

    def on_spot(self, at: dt.datetime) -> None:
        c = self.case
        t = at + dt.timedelta(minutes=1)
        if self.step(t, "accept", self.worker, "就地解决"):
            c.responded_at = t
        if self.step(t, "resolve", self.worker, "就地解决"):
            c.resolved_at = c.replied_at = t
            c.resolved_on_spot, c.reply = True, "网格员已就地解决"
            self.judge(t)

    def respond(self, at: dt.datetime) -> dt.datetime | None:
        """First response at the holding level, passing up on a missed deadline or when it is beyond the level."""
        c, rng = self.case, self.rng
        for _ in range(4):
            q = self.quality()
            delay = self.hours(0.6 / q, 1.0)
            due = c.response_due
            if c.level in NEXT_LEVEL and due is not None and at + delay > due and rng.random() < 0.7:
                # The clock escalates a missed response one level up.
                if not self.escalate(due, CLOCK, MISSED_RESPONSE_NOTE.format(due=timezone.localtime(due))):
                    return None
                at = due
                continue
            at = at + delay
            if c.level == Level.COMMUNITY and rng.random() < 0.18:
                if not self.escalate(at, self.staff(), str(rng.choice(REASONS_ESCALATE))):
                    return None
                continue
            if c.level in (Level.STREET, Level.DISTRICT) and rng.random() < 0.65:
                if not self.dispatch(at):
                    return None
                at = at + self.hours(0.7 / self.quality(), 1.0)
                if rng.random() < 0.06:
                    if not self.give_back(at):
                        return None
                    continue
            if not self.step(at, "accept", self.staff()):
                return None
            c.responded_at = c.responded_at or at
            return at
        return None

    def escalate(self, at: dt.datetime, actor: Any, reason: str) -> bool:
        c = self.case
        parent = c.holder_division.parent if c.holder_division else None
        if parent is None or c.level not in NEXT_LEVEL:
            return True
        if at > self.sim.now:
            self.stopped = True
            return False
        self._close_lead()
        c.level, c.holder_division, c.holder_department = NEXT_LEVEL[Level(c.level)], parent, None
        c.escalation_count += 1
        c.response_due = sla.deadlines(c.category, c.level, at).response_due
        self.d.units.append(self.sim._unit(c, parent, None, at))
        return self.step(at, "escalate", actor, reason, {"to": parent.code})

    def dispatch(self, at: dt.datetime, avoid: Department | None = None) -> bool:
        c, w = self.case, self.sim.w
        department = c.category.department or w.departments.get("zfj")
        if department is None or department == avoid:
            department = w.departments.get("zfj") if avoid is None or avoid.code[-3:] != "zfj" else None
        if department is None or at > self.sim.now:
            self.stopped = at > self.sim.now
            return not self.stopped and department is not None
        self._close_lead()
        c.dispatcher, c.holder_division, c.holder_department = c.holder_division, None, department
        c.level = Level.DEPARTMENT
        c.response_due = sla.deadlines(c.category, Level.DEPARTMENT, at).response_due
        c.responded_at = c.responded_at or at
        self.d.units.append(self.sim._unit(c, None, department, at))
        if self.rng.random() < 0.05:
            co = self.sim._pick([u for u in w.departments.values() if u != department])
            if co is not None:
                self.d.units.append(self.sim._unit(c, None, co, at, role="co"))
        by = self.sim._pick(w.command_staff.get(c.dispatcher.pk if c.dispatcher else 0, [])) or CLOCK
        return self.step(at, "dispatch", by)

    def give_back(self, at: dt.datetime) -> bool:
        c = self.case
        department, dispatcher = c.holder_department, c.dispatcher
        if dispatcher is None:
            return True
        actor = self.staff()
        if at > self.sim.now:
            self.stopped = True
            return False
        if not self.step(at, "accept", actor):
            return False
        c.responded_at = c.responded_at or at
        at = at + self.hours(2)
        self._close_lead()
        c.holder_department, c.holder_division = None, dispatcher
        c.level = Level.STREET if dispatcher.level == "street" else Level.DISTRICT
        c.return_count += 1
        c.response_due = sla.deadlines(c.category, c.level, at).response_due
        self.d.units.append(self.sim._unit(c, dispatcher, None, at))
        if not self.step(at, "return", actor, str(self.rng.choice(REASONS_RETURN))):
            return False
        return self.dispatch(at + self.hours(1), avoid=department)

    def _close_lead(self) -> None:
        for unit in self.d.units:
            if unit.role == "lead":
                unit.active = False

    def handle(self, at: dt.datetime) -> dt.datetime | None:
        c, rng = self.case, self.rng
        actor = self.staff()
        at = at + self.hours(0.5)
        if not self.step(at, "start", actor):
            return None
        if rng.random() < 0.03:
            paused = self.hours(20)
            if not self.step(at + self.hours(2), "suspend", actor, "需要与反映人约定上门时间"):
                return None
            c.paused_at = at
            resume = at + paused
            if not self.step(resume, "resume", actor):
                return None
            for name in ("resolution_due", "warn_at"):
                setattr(c, name, getattr(c, name) + paused)
            c.paused_at = None
            at = resume
        took = self.hours(18 / self.quality(), 0.9)
        done = at + took
        if c.warn_at and done > c.warn_at:
            self.warn(c.warn_at, Warning.YELLOW)
        if c.resolution_due and done > c.resolution_due:
            self.warn(c.resolution_due, Warning.RED)
        if self.stopped:
            return None
        reply = str(rng.choice(self.scenario.replies)).format(n=int(rng.integers(2, 9)))
        if not self.step(done, "reply", actor, reply):
            return None
        for unit in self.d.units:
            if unit.active and unit.replied_at is None:
                unit.replied_at, unit.reply = done, reply
        c.reply, c.replied_at = reply, done
        if not self.step(done + dt.timedelta(minutes=5), "resolve", actor, reply):
            return None
        c.resolved_at = done
        for order in self.d.supervisions:
            order.answered_at = order.answered_at or done
        return done

    def warn(self, at: dt.datetime, level: str) -> None:
        c = self.case
        if at > self.sim.now or c.warning == Warning.RED or (level == Warning.YELLOW and c.warning == Warning.YELLOW):
            return
        c.warning = level
        self.sim._event(self.d, at, f"warning_{level}", CLOCK)
        if level == Warning.RED:
            reason = OVERDUE_NOTE.format(due=timezone.localtime(at))
            self.d.supervisions.append(
                Supervision(
                    case=c,
                    issued_at=at,
                    automatic=True,
                    to_division=c.holder_division,
                    to_department=c.holder_department,
                    reason=reason,
                    due=at + dt.timedelta(hours=settings.SUPERVISION_HOURS),
                )
            )
            c.supervision_count += 1
            self.sim._event(self.d, at, "supervise", CLOCK, reason)

    def judge(self, at: dt.datetime) -> None:
        """The resident confirms and rates, or rejects (the case reopens); a call-back when they do not answer."""
        c, rng = self.case, self.rng
        q = self.quality()
        satisfied = float(np.clip(0.55 + 0.3 * (q - 1), 0.2, 0.9))
        if rng.random() < 0.05 * (2 - min(q, 1.5)) and c.reopen_count == 0:
            t = at + self.hours(20)
            if not self.step(t, "reject", c.reporter or "resident", str(rng.choice(REASONS_REJECT))):
                return
            due = sla.deadlines(c.category, c.level, t)
            c.resident_confirmed, c.reopen_count, c.resolved_at = False, c.reopen_count + 1, None
            c.response_due, c.resolution_due, c.warn_at, c.warning = (
                due.response_due,
                due.resolution_due,
                due.warn_at,
                Warning.NONE,
            )
            t = t + self.hours(1)
            if not self.step(t, "accept", self.staff()):
                return
            done = self.handle(t)
            if done is not None:
                self.judge(done)
            return
        callback = rng.random() < 0.3
        t = at + (dt.timedelta(days=settings.CALLBACK_AFTER_DAYS) + self.hours(4) if callback else self.hours(14))
        p = np.array([0.02, 0.03, 0.07, 0.23, 0.65])
        p[3:] *= satisfied / 0.55
        rating = int(rng.choice(RATINGS, p=p / p.sum()))
        actor = self.sim._pick(self.sim.w.hotline) if callback else (c.reporter or "resident")
        comment = str(rng.choice(COMMENTS[rating])) if rng.random() < 0.5 else ""
        if self.step(t, "confirm", actor, comment, {"callback": callback}):
            c.resident_confirmed, c.rating, c.rating_comment, c.closed_at = True, rating, comment, t

    def merge(self, at: dt.datetime) -> None:
        c, master = self.case, self.master
        if self.step(at, "merge", self.staff(), master.tracking_no, {"master": master.tracking_no}):
            c.master, c.closed_at = master, at


class _Bursts:
    """A few incidents a year that many people report within days (hot issues for the analysis pages)."""

    def __init__(self, sim: _Simulation, start: dt.date, days: int) -> None:
        rng = sim.rng
        self.by_day: dict[dt.date, list[tuple[Scenario, Category, Grid, str]]] = {}
        for _ in range(max(1, days // 30)):
            scenario, category = sim.scenarios[int(rng.integers(len(sim.scenarios)))]
            grid = sim.grid()
            text = sim.text(scenario, grid)
            first = start + dt.timedelta(days=int(rng.integers(0, days)))
            for offset in range(int(rng.integers(3, 9))):
                day = first + dt.timedelta(days=offset)
                for _n in range(int(rng.poisson(5))):
                    self.by_day.setdefault(day, []).append((scenario, category, grid, text))


def seed_history(
    district: Division,
    *,
    days: int = 365,
    per_day: float = CASES_PER_DAY,
    seed: int = 0,
    now: dt.datetime | None = None,
    progress: Callable[[str, int], Callable[[], None]] | None = None,
) -> int:
    """Simulate `days` of cases up to `now`; returns how many were written (0 if the district has cases)."""
    if days <= 0 or Case.objects.filter(territory_code__startswith=district.code).exists():
        return 0
    now = now or timezone.now()
    rng = np.random.default_rng(seed + 7)
    world = _load_world(district, rng)
    if not world.grids:
        return 0
    sim = _Simulation(world, rng, now)
    today = timezone.localtime(now).date()
    start = today - dt.timedelta(days=days - 1)
    bursts = _Bursts(sim, start, days)
    tick = (progress or (lambda label, total: lambda: None))("case history (days)", days)
    drafts: list[_Draft] = []
    recent: list[_Draft] = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        scenario_cdf = sim.scenario_cdf(day)
        todays: list[tuple[dt.datetime, Scenario, Category, Grid, dict]] = []
        for _ in range(sim.arrivals(day, per_day)):
            scenario, category = sim.pick_scenario(scenario_cdf)
            grid = sim.grid()
            todays.append((sim.arrival_time(day), scenario, category, grid, {}))
        for scenario, category, grid, text in bursts.by_day.get(day, []):
            todays.append((sim.arrival_time(day), scenario, category, grid, {"description": text}))
        for at, scenario, category, grid, extra in sorted(todays, key=lambda t: t[0]):
            if at >= now:
                continue
            # The same problem in the same grid while the first report is still open: half are merged (归并).
            master = next(
                (
                    r.case
                    for r in reversed(recent[-60:])
                    if r.case.grid_id == grid.pk
                    and r.case.category_id == category.pk
                    and r.case.master is None
                    and r.case.status != Status.INVALID
                    and (r.case.closed_at is None or r.case.closed_at > at + dt.timedelta(hours=3))
                ),
                None,
            )
            if master is not None and rng.random() < 0.5:
                extra = {**extra, "master": master}
            draft = sim.draft(at, scenario, category, grid, **extra)
            drafts.append(draft)
            recent.append(draft)
        recent = recent[-200:]
        tick()
    return do_write_history(drafts, district, _number(drafts), acting_user=ACTOR)


def _number(drafts: list[_Draft]) -> dict[str, int]:
    """Tracking numbers in order of arrival, day by day; returns the day counters to store."""
    counters: dict[str, int] = {}
    for d in drafts:
        day = timezone.localtime(d.case.created_at).strftime("%Y%m%d")
        counters[day] = counters.get(day, 0) + 1
        d.case.tracking_no = f"FQ{day}-{counters[day]:06d}"
    return counters


@action
def do_write_history(drafts: list[_Draft], district: Division, counters: dict[str, int], *, acting_user: Any) -> int:
    """Bulk-insert in batches; each batch gets one audit entry naming what it wrote."""
    if Case.objects.filter(territory_code__startswith=district.code).exists():
        return 0  # another run got there while this one simulated
    for day, value in counters.items():  # today's new reports continue the day's sequence
        Counter.objects.update_or_create(name=f"case-{day}", defaults={"value": value})
    # Masters are earlier than their duplicates, so a batch's masters are already saved or in the same batch.
    with keep_timestamps(Case, CaseUnit):
        for start in range(0, len(drafts), BATCH):
            batch = drafts[start : start + BATCH]
            singles = [d for d in batch if d.case.master is None]
            dups = [d for d in batch if d.case.master is not None]
            for group in (singles, dups):
                Case.objects.bulk_create([d.case for d in group])
            for d in batch:
                for item in (*d.events, *d.units, *d.supervisions):
                    item.case_id = d.case.pk  # type: ignore[attr-defined]
            CaseEvent.objects.bulk_create([e for d in batch for e in d.events])
            CaseUnit.objects.bulk_create([u for d in batch for u in d.units])
            Supervision.objects.bulk_create([s for d in batch for s in d.supervisions])
            PointsEntry.objects.bulk_create(_awards(batch))
            digest = hashlib.sha256(
                "\n".join(f"{d.case.tracking_no}|{d.case.status}|{d.case.rating}" for d in batch).encode()
            ).hexdigest()
            audit.record(
                "cases.seed_history",
                actor=acting_user,
                object_type="cases.case",
                object_id=f"{batch[0].case.tracking_no}..{batch[-1].case.tracking_no}",
                after={"district": district.code, "cases": len(batch), "sha256": digest},
            )
    _commitments(district, acting_user)
    return len(drafts)


def _awards(batch: list[_Draft]) -> list[PointsEntry]:
    """以奖代补 for the history: what do_confirm would have credited."""
    from cases.rewards import points_for

    out = []
    for d in batch:
        c = d.case
        points = points_for(c) if c.status == Status.CLOSED else 0
        if points:
            out.append(
                PointsEntry(
                    phone=c.reporter_phone or (c.reporter.phone if c.reporter else ""),
                    resident=c.reporter,
                    kind=PointsEntry.Kind.AWARD,
                    points=points,
                    case=c,
                    reason=f"有效反映 {c.tracking_no}（{c.category}）",
                    territory_code=c.territory_code,
                    at=c.closed_at or c.updated_at,
                )
            )
    return out


PLEDGES = [
    "群众诉求件件有回音、事事有着落，回复率不低于{reply}%",
    "小事不出网格、大事不出街道，矛盾纠纷就地化解",
    "重点领域隐患动态清零，督办件按期办结",
]


def _commitments(district: Division, actor: Any) -> None:
    """亮诺 of the streets and the busiest departments for this year, so the page has something to show."""
    year = timezone.localdate().year
    units: list[Any] = list(Division.objects.filter(parent=district).order_by("code"))
    units += list(Department.objects.filter(division=district).order_by("code")[:8])
    for n, unit in enumerate(units):
        key = {"department": unit} if isinstance(unit, Department) else {"division": unit}
        if Commitment.objects.filter(year=year, **key).exists():
            continue
        reply = 90 + n % 3 * 2
        commitment = Commitment.objects.create(
            year=year,
            territory_code=unit.division.code if isinstance(unit, Department) else unit.code,
            pledge="；".join(p.format(reply=reply) for p in PLEDGES),
            reply_target=reply / 100,
            resolution_target=0.95,
            satisfaction_target=0.85 + n % 4 / 100,
            made_at=dt.datetime(year, 1, 15, 10, tzinfo=timezone.get_current_timezone()),
            **key,
        )
        audit.record("cases.make_commitment", actor=actor, obj=commitment, after=audit.snapshot(commitment))


# -- the live demo ---------------------------------------------------------------------------------------------
NEXT_STEP = {
    Status.SUBMITTED: "accept",
    Status.DISPATCHED: "accept",
    Status.RETURNED: "dispatch",
    Status.REOPENED: "accept",
    Status.ACCEPTED: "start",
    Status.IN_PROGRESS: "reply",
    Status.SUSPENDED: "resume",
    Status.REPLIED: "resolve",
    Status.RESOLVED: "confirm",
}


@dataclass
class LiveResult:
    filed: list[str] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def live_step(*, new: float = 1.5, moves: int = 6, seed: int | None = None) -> LiveResult:
    """Keep the demo moving: file a few reports through the intake as grid workers, hotline agents and residents
    would, and take a few open cases one step on, each through its workflow action, as the unit holding it."""
    from cases.intake import IntakeData, intake

    rng = np.random.default_rng(seed)
    result = LiveResult()
    district = Division.objects.filter(level="district").order_by("code").first()
    if district is None or not active_categories():
        return result
    world = _load_world(district, rng)
    sim = _Simulation(world, rng, timezone.now())
    channels = {
        Channel.HOTLINE: world.hotline,
        Channel.GRID_WORKER: list(world.grid_workers.values()),
        Channel.RESIDENT_WEB: [world.resident] if world.resident else [],
    }
    for _ in range(int(rng.poisson(new))):
        channel = [Channel.HOTLINE, Channel.GRID_WORKER, Channel.RESIDENT_WEB][int(rng.choice(3, p=[0.5, 0.3, 0.2]))]
        actor = sim._pick(channels[channel])
        scenario, category = sim.scenarios[
            min(sim.choose(sim.scenario_cdf(timezone.localdate())), len(sim.scenarios) - 1)
        ]
        grid = sim.grid()
        if channel == Channel.GRID_WORKER:
            grid = next((g for g in world.grids if world.grid_workers.get(g.pk) == actor), grid)
        lon, lat = sim.point(grid)
        try:
            case, _created = intake(
                IntakeData(
                    channel=channel,
                    description=sim.text(scenario, grid),
                    category_code=category.code,
                    lon=lon,
                    lat=lat,
                    reporter_name="" if channel == Channel.GRID_WORKER else sim.caller_name(),
                    reporter_phone=""
                    if channel == Channel.GRID_WORKER
                    else (
                        actor.phone
                        if channel == Channel.RESIDENT_WEB and actor
                        else sim.phones[sim.choose(sim.phone_cdf) - 1]
                    ),
                ),
                acting_user=actor or ACTOR,
            )
            result.filed.append(case.tracking_no)
        except Exception as exc:  # the demo must keep going; the reason shows in the clock's log
            result.failed.append(("intake", str(exc)))
    open_cases = list(
        Case.objects.filter(status__in=list(NEXT_STEP), territory_code__startswith=district.code)
        .select_related("category", "grid", "holder_division", "holder_department")
        .order_by("?")[:moves]
    )
    for case in open_cases:
        name = NEXT_STEP[Status(case.status)]
        if case.status == Status.SUBMITTED and case.level == Level.STREET:
            name = "dispatch"
        actor = _live_actor(world, sim, case, name)
        reply = str(rng.choice(_scenario_for(sim, case).replies)).format(n=int(rng.integers(2, 9)))
        try:
            _take_step(case, name, actor, reply, rng, world)
            result.moved.append((case.tracking_no, name))
        except Exception as exc:  # a case another user moved meanwhile, say
            result.failed.append((case.tracking_no, f"{name}: {exc}"))
    return result


def _take_step(case: Case, name: str, actor: Any, reply: str, rng: np.random.Generator, world: _World) -> None:
    from cases import actions

    if name == "accept":
        actions.do_accept(case, acting_user=actor)
    elif name == "start":
        actions.do_start(case, acting_user=actor)
    elif name == "dispatch":
        actions.do_dispatch(case, case.category.department or world.departments["zfj"], acting_user=actor)
    elif name == "resume":
        actions.do_resume(case, acting_user=actor)
    elif name == "reply":
        actions.do_reply(case, reply, acting_user=actor)
    elif name == "resolve":
        actions.do_resolve(case, note=case.reply or reply, acting_user=actor)
    elif name == "confirm":
        rating = int(rng.choice(RATINGS, p=[0.02, 0.03, 0.07, 0.23, 0.65]))
        actions.do_confirm(case, rating=rating, acting_user=actor)


def _live_phone(sim: _Simulation, channel: str, actor: Any) -> str:
    if channel == Channel.GRID_WORKER:
        return ""
    if channel == Channel.RESIDENT_WEB and actor is not None and actor.phone:
        return actor.phone
    return sim.phones[min(sim.choose(sim.phone_cdf), len(sim.phones) - 1)]


def _scenario_for(sim: _Simulation, case: Case) -> Scenario:
    return next((s for s, c in sim.scenarios if c.pk == case.category_id), sim.scenarios[0][0])


def _live_actor(world: _World, sim: _Simulation, case: Case, name: str) -> Any:
    if name == "confirm":
        return case.reporter or sim._pick(world.hotline) or ACTOR
    if case.holder_department_id:
        return sim._pick(world.dept_staff.get(case.holder_department_id, [])) or ACTOR
    if case.level == Level.COMMUNITY:
        worker = world.grid_workers.get(case.grid_id or 0)
        return worker or world.community_staff.get(case.holder_division_id or 0) or ACTOR
    return sim._pick(world.command_staff.get(case.holder_division_id or 0, [])) or ACTOR
