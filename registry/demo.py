"""Demo base data for a seeded district: about 300,000 residents in households, about 100,000 houses, key places,
hazard sources and organisations across its grids. Every house, place and organisation lies inside its grid's
polygon (points are drawn inside the polygon); identity numbers and credit codes pass their checksums.

Rows are written with bulk inserts inside one transaction, with one summarising audit entry per
REGISTRY_BULK_AUDIT_ROWS objects (ids and a SHA-256 of the rows, see registry.writers.record_bulk). Deterministic
for a given seed; does nothing when the district already has people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction

from registry import bulk, classify, writers
from registry import choices as c
from registry.models import House, Household, Inspection, Organisation, Person, PersonLabel, Place, Tenancy
from registry.rows import compose_address
from registry.validators import PROVINCES, USCC_CHARS, make_credit_code, make_identity_number
from territory import people as names
from territory.geo import parse_polygon
from territory.models import Division, Grid

ACTOR = "seed_demo"
TODAY = dt.date(2025, 11, 1)
RESIDENTS = 300_000
HOUSEHOLD_SIZES = np.array([1, 2, 3, 4, 5, 6])
HOUSEHOLD_P = np.array([0.12, 0.24, 0.28, 0.18, 0.11, 0.07])
KIND_FACTOR = {"residential": 1.0, "school": 0.3, "hospital": 0.3, "market": 0.5, "industrial": 0.6, "scenic": 0.2}
# Address codes of the places most of Wenzhou's floating residents come from (遵义, 毕节, 上饶, 安庆, 南阳, 达州…).
ORIGINS = ["522101", "522401", "361102", "340803", "411302", "511702", "431102", "421281", "350583", "330327"]
ESTATE_SUFFIX = ["苑", "花园", "小区", "家园", "公寓", "新村", "嘉园", "华府"]
SHOPS = ["便利店", "餐馆", "理发店", "五金店", "汽修店", "水果店", "药店", "服装店", "茶楼", "超市"]
COMPANY_WORDS = ["鞋业", "服饰", "眼镜", "电气", "阀门", "包装", "印刷", "机械", "塑业", "贸易", "科技", "建材"]
SOCIAL_WORDS = ["志愿者协会", "老年协会", "慈善分会", "文体协会", "调解服务中心", "社会工作服务社", "邻里互助会"]


@dataclass
class SeedStats:
    houses: int = 0
    people: int = 0
    households: int = 0
    organisations: int = 0
    places: int = 0
    skipped: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def seed_registry(
    district: Division,
    *,
    residents: int = RESIDENTS,
    seed: int = 0,
    progress: Callable[[str, int], Callable[[], None]] | None = None,
) -> SeedStats:
    if Person.objects.filter(grid__code__startswith=district.code).exists():
        return SeedStats(skipped=True)
    step = progress or (lambda label, total: lambda: None)
    grids = list(Grid.objects.filter(code__startswith=district.code).select_related("community").order_by("code"))
    rng = np.random.default_rng(seed + 7)
    weights = np.array([KIND_FACTOR.get(g.kind, 1.0) for g in grids]) * rng.lognormal(0, 0.3, len(grids))
    targets = np.maximum(20, np.round(weights / weights.sum() * residents)).astype(int)
    stats = SeedStats()
    maker = _Maker(rng)
    # Another district seeded before may hold numbers this run would draw again: check those against the table.
    maker.check_existing = Person.objects.exists()
    tick = step("registry: people and houses", len(grids))
    with transaction.atomic(durable=True):
        for grid, target in zip(grids, targets, strict=True):
            maker.grid(grid, int(target))
            if len(maker.people) > 20_000:
                maker.flush(stats)
            tick()
        maker.flush(stats)
        tick = step("registry: organisations and places", len(grids))
        for grid in grids:
            maker.grid_extras(grid)
            tick()
        maker.flush_extras(stats)
    return stats


def home_code(grid: Grid) -> str:
    """The division code in numbers issued here: the district's (a made-up test district's cannot be one)."""
    return grid.code[:6] if grid.code[:2] in PROVINCES else ORIGINS[-1]


class _FastRng:
    """numpy's Generator interface for the calls the seed makes, with single draws from Python's `random` (a
    fraction of numpy's per-call cost, which dominated at 300,000 people); array draws stay with numpy."""

    def __init__(self, rng: np.random.Generator) -> None:
        import random

        self.np = rng
        self.py = random.Random(int(rng.integers(2**32)))

    def random(self) -> float:
        return self.py.random()

    def integers(self, low: int, high: int | None = None) -> int:
        return self.py.randrange(low) if high is None else self.py.randrange(low, high)

    def uniform(self, low: float, high: float, size: int | None = None) -> Any:
        return self.py.uniform(low, high) if size is None else self.np.uniform(low, high, size)

    def normal(self, mean: float, sigma: float) -> float:
        return self.py.gauss(mean, sigma)

    def choice(self, items: Any, size: int | None = None, p: Any = None) -> Any:
        if size is not None or p is not None:
            return self.np.choice(items, size=size, p=p)
        if isinstance(items, int):
            return self.py.randrange(items)
        return self.py.choice(list(items) if not isinstance(items, (list, tuple, str)) else items)

    def poisson(self, lam: float) -> int:
        return int(self.np.poisson(lam))


class _Maker:
    """Builds unsaved rows grid by grid and writes them in batches."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng: Any = _FastRng(rng)
        self.ids: set[str] = set()
        self.codes: set[str] = set()
        self.houses: list[House] = []
        self.people: list[Person] = []
        self.households: list[Household] = []
        self.owner_of: list[tuple[int, int]] = []  # (house index, person index) within the batch
        self.member_of: list[int] = []  # household index per person, -1 for none
        self.tenancies: list[tuple[int, dt.date]] = []  # (household index, start)
        self.labels: list[tuple[int, str]] = []
        self.orgs: list[Organisation] = []
        self.places: list[Place] = []
        self.points: dict[str, np.ndarray] = {}
        self.house_of_person: list[int] = []
        self.house_of_household: list[int] = []
        surname_p = names.SURNAME_WEIGHTS / names.SURNAME_WEIGHTS.sum()
        self.surnames = iter(())  # refilled in blocks: one rng.choice per 10,000 names is much faster than one each
        self._surname_p = surname_p
        self._sizes: list[int] = []
        self.numbers: dict[int, int] = {}
        self.check_existing = False

    # geometry ------------------------------------------------------------------------------------------------
    def points_in(self, grid: Grid, n: int) -> np.ndarray:
        geom = parse_polygon(grid.geometry)
        shapely.prepare(geom)
        west, south, east, north = geom.bounds
        found: list[np.ndarray] = []
        have = 0
        while have < n:
            xs = self.rng.uniform(west, east, n * 3 + 10)
            ys = self.rng.uniform(south, north, n * 3 + 10)
            inside = shapely.contains_xy(geom, xs, ys)
            pts = np.column_stack([xs[inside], ys[inside]])
            found.append(pts)
            have += len(pts)
        return np.round(np.vstack(found)[:n], 6)

    # people --------------------------------------------------------------------------------------------------
    def id_number(self, address: str, birth: dt.date, male: bool) -> str:
        seq = int(self.rng.integers(0, 500)) * 2 + (1 if male else 0)
        while True:
            number = make_identity_number(address, birth, seq % 1000)
            if number not in self.ids:
                self.ids.add(number)
                return number
            seq += 2

    def phone(self) -> str:
        return f"1{self.rng.choice([3, 5, 7, 8, 9])}{self.rng.integers(0, 10**9):09d}"

    def birth(self, age: float) -> dt.date:
        return TODAY - dt.timedelta(days=int(age * 365.25 + self.rng.integers(0, 365)))

    def sizes_block(self) -> int:
        if not self._sizes:
            self._sizes = self.rng.choice(HOUSEHOLD_SIZES, size=10_000, p=HOUSEHOLD_P).tolist()
        return self._sizes.pop()

    def surname(self) -> str:
        try:
            return next(self.surnames)
        except StopIteration:
            picks = self.rng.choice(len(names.SURNAMES), size=10_000, p=self._surname_p)
            self.surnames = iter([names.SURNAMES[i] for i in picks])
            return next(self.surnames)

    def given_name(self, sex: str) -> str:
        pool = names.GIVEN_MALE if sex == "1" else names.GIVEN_FEMALE
        last = pool[int(self.rng.integers(len(pool)))]
        if self.rng.random() < 0.25:
            return last
        return names.GIVEN_SHARED[int(self.rng.integers(len(names.GIVEN_SHARED)))] + last

    def person(
        self,
        grid: Grid,
        house: int,
        household: int,
        *,
        age: float,
        surname: str | None,
        sex: str,
        relation: str,
        residence: str,
        origin: str,
    ) -> int:
        birth = self.birth(age)
        self.people.append(
            bulk.build(
                Person,
                grid_id=grid.code,
                house_id=None,
                id_type=c.IdType.RESIDENT_ID,
                id_number=self.id_number(origin, birth, sex == "1"),
                name=(surname or self.surname()) + self.given_name(sex),
                sex=sex,
                birth_date=birth,
                ethnicity="01" if self.rng.random() < 0.97 else str(self.rng.choice(["03", "06", "08", "22"])),
                phone=self.phone() if age >= 16 else "",
                residence_type=residence,
                relation=relation,
                inflow_reason=str(self.rng.choice(["01", "03", "04", "06"])) if residence == "floating" else "",
                certificate=str(self.rng.choice(["01", "01", "99"])) if residence == "floating" else "",
                lodging="03" if residence == "floating" else "",
                since=max(birth, TODAY - dt.timedelta(days=int(self.rng.integers(30, 365 * 12)))),
                source=c.Source.SEED,
            )
        )
        self.member_of.append(household)
        self.house_of_person.append(house)
        return len(self.people) - 1

    def household(self, grid: Grid, house: int, size: int, floating: bool) -> None:
        origin = str(self.rng.choice(ORIGINS)) if floating else home_code(grid)
        residence = "floating" if floating else "registered"
        index = len(self.households)
        self.households.append(bulk.build(Household, number="", grid_id=grid.code, house_id=None))
        self.house_of_household.append(house)
        head_age = float(self.rng.uniform(24, 48) if floating else self.rng.uniform(26, 82))
        head_sex = "1" if self.rng.random() < 0.7 else "2"
        surname = self.surname()
        head = self.person(
            grid,
            house,
            index,
            age=head_age,
            surname=surname,
            sex=head_sex,
            relation="02",
            residence=residence,
            origin=origin,
        )
        members = [(head, head_age)]
        if size >= 2:
            spouse_age = max(20.0, head_age + float(self.rng.normal(-2, 3)))
            members.append(
                (
                    self.person(
                        grid,
                        house,
                        index,
                        age=spouse_age,
                        surname=None,
                        sex="2" if head_sex == "1" else "1",
                        relation="10",
                        residence=residence,
                        origin=origin,
                    ),
                    spouse_age,
                )
            )
        for _ in range(max(0, size - 2)):
            if head_age > 55 and self.rng.random() < 0.3:
                age, relation = float(self.rng.uniform(0, 14)), "40"
            elif head_age < 45 and self.rng.random() < 0.15:
                age, relation = head_age + float(self.rng.uniform(24, 32)), "50"
            else:
                age = float(self.rng.uniform(0, max(1.0, min(head_age - 22, 30))))
                relation = ""
            sex = "1" if self.rng.random() < 0.52 else "2"
            relation = relation or ("20" if sex == "1" else "30")
            members.append(
                (
                    self.person(
                        grid,
                        house,
                        index,
                        age=age,
                        surname=surname if relation != "50" else None,
                        sex=sex,
                        relation=relation,
                        residence=residence,
                        origin=origin,
                    ),
                    age,
                )
            )
        self._label_household(members, floating)
        if floating:
            start = TODAY - dt.timedelta(days=int(self.rng.integers(20, 365 * 3)))
            self.tenancies.append((index, start))

    def _label_household(self, members: list[tuple[int, float]], floating: bool) -> None:
        if len(members) == 1 and members[0][1] >= 70:
            self.labels.append((members[0][0], c.Label.ELDERLY_ALONE))
        if len(members) == 2 and min(a for _, a in members) >= 65 and self.rng.random() < 0.4:
            self.labels += [(i, c.Label.EMPTY_NEST) for i, _ in members]
        for person, age in members:
            r = self.rng.random()
            if r < 0.02:
                self.labels.append((person, c.Label.DISABLED))
            elif r < 0.03 and not floating:
                self.labels.append((person, c.Label.LOW_INCOME))
            elif r < 0.032 and age >= 18:
                self.labels.append(
                    (
                        person,
                        str(
                            self.rng.choice(
                                [
                                    c.Label.RELEASED_PRISONER,
                                    c.Label.COMMUNITY_CORRECTION,
                                    c.Label.MENTAL_DISORDER,
                                    c.Label.DRUG_USER,
                                    c.Label.KEY_PETITIONER,
                                ]
                            )
                        ),
                    )
                )
            elif r < 0.034 and 12 <= age < 18:
                self.labels.append((person, c.Label.KEY_YOUTH))

    # houses --------------------------------------------------------------------------------------------------
    def grid(self, grid: Grid, residents: int) -> None:
        sizes: list[int] = []
        total = 0
        while total < residents:
            sizes.append(int(self.sizes_block()))
            total += sizes[-1]
        urban = grid.community.kind == "community"
        floating_share = 0.42 if urban else 0.3
        n_homes = len(sizes)
        n_extra = max(1, int(n_homes * 0.07))
        per_building = 24 if urban else 1
        n_buildings = max(1, -(-(n_homes + n_extra) // per_building))
        spots = self.points_in(grid, n_buildings)
        self.points[grid.code] = spots
        estate = grid.community.name.removesuffix("社区").removesuffix("村")
        estates = [estate + str(self.rng.choice(ESTATE_SUFFIX)) for _ in range(max(1, n_buildings // 6))]
        first = len(self.houses)
        codes = iter(range(1, 100_000))
        # Building and door numbers run on across the community's grids, so no two houses share an address.
        numbered = self.numbers.get(grid.community_id, 0)
        self.numbers[grid.community_id] = numbered + (n_buildings if urban else n_homes + n_extra)
        for k in range(n_homes + n_extra):
            b = k // per_building
            lon, lat = spots[b]
            if urban:
                floor, flat = divmod(k % per_building, 2)
                est, building, unit, room = (
                    estates[b % len(estates)],
                    str(numbered + b + 1),
                    str(flat + 1),
                    f"{floor + 1}0{flat + 1}",
                )
                house_type = c.HouseType.RESIDENTIAL
            else:
                est, building, unit, room = grid.community.name, f"{numbered + k + 1}号", "", ""
                house_type = c.HouseType.SELF_BUILT
            code = f"{grid.code}{next(codes):05d}"
            address = compose_address(est, building, unit, room)
            self.houses.append(
                bulk.build(
                    House,
                    code=code,
                    grid_id=grid.code,
                    lon=float(lon),
                    lat=float(lat),
                    estate=est,
                    building=building,
                    unit=unit,
                    room=room,
                    address=address,
                    house_type=house_type,
                    use=c.HouseUse.OWN,
                    area_m2=float(np.round(self.rng.uniform(45, 160) if urban else self.rng.uniform(80, 260))),
                    status=c.HouseStatus.IN_USE,
                    source=c.Source.SEED,
                )
            )
        homes = list(range(first, first + n_homes))
        registered_heads = []
        for house_index, size in zip(homes, sizes, strict=True):
            floating = self.rng.random() < floating_share
            start = len(self.people)
            self.household(grid, house_index, size, floating)
            if floating:
                self.houses[house_index].use = c.HouseUse.RENTED
            else:
                self.owner_of.append((house_index, start))
                registered_heads.append(start)
        for house_index in homes:
            if self.houses[house_index].use == c.HouseUse.RENTED and registered_heads:
                self.owner_of.append((house_index, int(self.rng.choice(registered_heads))))
        for extra in range(first + n_homes, first + n_homes + n_extra):
            house = self.houses[extra]
            if self.rng.random() < 0.35:
                house.use, house.house_type = (
                    c.HouseUse.COMMERCIAL,
                    c.HouseType.MIXED if not urban else c.HouseType.COMMERCIAL,
                )
            else:
                house.use = c.HouseUse.VACANT
            if registered_heads:
                self.owner_of.append((extra, int(self.rng.choice(registered_heads))))

    def flush(self, stats: SeedStats) -> None:
        if not self.houses:
            return
        if self.check_existing:
            self.redraw_taken()
        occupancy: dict[int, list[int]] = {}
        for person_index, house_index in enumerate(self.house_of_person):
            occ = occupancy.setdefault(house_index, [0, 0])
            occ[0] += 1
            occ[1] += self.people[person_index].residence_type == "floating"
        for index, house in enumerate(self.houses):
            n, f = occupancy.get(index, (0, 0))
            classify.apply(house, classify.Occupancy(n, f))
        houses, households, people = self.houses, self.households, self.people
        for objects in (houses, households, people):
            bulk.assign_ids(objects)
        for household, house_index in zip(households, self.house_of_household, strict=True):
            household.house_id = houses[house_index].pk
            household.number = f"H{houses[house_index].code}-1"
        for person, house_index, household_index in zip(people, self.house_of_person, self.member_of, strict=True):
            person.house_id = houses[house_index].pk
            person.household_id = households[household_index].pk if household_index >= 0 else None
        for h, p in self.owner_of:
            houses[h].owner_id = people[p].pk
        for objects in (houses, households, people):
            bulk.insert(objects)
        bulk.insert(
            [
                bulk.build(Tenancy, house_id=households[i].house_id, household_id=households[i].pk, start_date=start)
                for i, start in self.tenancies
            ]
        )
        bulk.insert(
            [
                bulk.build(
                    PersonLabel,
                    person_id=people[i].pk,
                    kind=c.label_kind(label),
                    label=label,
                    since=max(people[i].since or TODAY, TODAY - dt.timedelta(days=400)),
                )
                for i, label in self.labels
            ]
        )
        writers.record_bulk(houses, "registry.seed_house", ACTOR)
        writers.record_bulk(people, "registry.seed_person", ACTOR)
        writers.record_bulk(households, "registry.seed_household", ACTOR)
        stats.houses += len(houses)
        stats.people += len(people)
        stats.households += len(households)
        self.houses, self.people, self.households = [], [], []
        self.owner_of, self.member_of, self.tenancies, self.labels = [], [], [], []
        self.house_of_person, self.house_of_household = [], []

    # organisations and places ---------------------------------------------------------------------------------
    def credit_code(self, prefix: str, division: str) -> str:
        while True:
            body = "".join(self.rng.choice(list(USCC_CHARS[:10] + "ABCDEFGHJKLMNPQRTUWXY"), 8))
            code = make_credit_code(prefix, division, body)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def grid_extras(self, grid: Grid) -> None:
        urban = grid.community.kind == "community"
        spots = self.points.get(grid.code)
        if spots is None or not len(spots):
            spots = self.points_in(grid, 4)
        short = grid.community.name.removesuffix("社区").removesuffix("村")
        n_companies = int(self.rng.poisson(30 if grid.kind == "industrial" else 9 if urban else 4))
        for _ in range(n_companies):
            lon, lat = spots[int(self.rng.integers(len(spots)))]
            individual = self.rng.random() < 0.45
            word = str(self.rng.choice(SHOPS if individual else COMPANY_WORDS))
            org_name = f"瓯海区{short}{word}" if individual else f"温州{short}{word}有限公司"
            self.orgs.append(
                bulk.build(
                    Organisation,
                    credit_code=self.credit_code("92" if individual else "91", home_code(grid)),
                    name=org_name + ("" if individual else str(len(self.orgs) % 97 or "")),
                    kind=c.OrganisationKind.INDIVIDUAL if individual else c.OrganisationKind.COMPANY,
                    legal_rep=names.person_name(self.rng),
                    phone=self.phone(),
                    address=f"{grid.community.name}{int(self.rng.integers(1, 300))}号",
                    grid_id=grid.code,
                    lon=float(lon),
                    lat=float(lat),
                    industry=word,
                    employees=int(self.rng.integers(1, 8 if individual else 300)),
                    registered_on=TODAY - dt.timedelta(days=int(self.rng.integers(60, 365 * 20))),
                    source=c.Source.SEED,
                )
            )
        if self.rng.random() < 0.9:
            lon, lat = spots[int(self.rng.integers(len(spots)))]
            self.orgs.append(
                bulk.build(
                    Organisation,
                    credit_code=self.credit_code("52", home_code(grid)),
                    name=f"瓯海区{short}{self.rng.choice(SOCIAL_WORDS)}",
                    kind=c.OrganisationKind.SOCIAL,
                    legal_rep=names.person_name(self.rng),
                    phone=self.phone(),
                    address=f"{grid.community.name}居民服务中心",
                    grid_id=grid.code,
                    lon=float(lon),
                    lat=float(lat),
                    registered_on=TODAY - dt.timedelta(days=int(self.rng.integers(60, 365 * 10))),
                    source=c.Source.SEED,
                )
            )
        for category, kind, name in self._places_for(grid, urban, short):
            lon, lat = spots[int(self.rng.integers(len(spots)))]
            risk = (
                c.RiskLevel.HIGH
                if kind == c.PlaceKind.HAZARD and self.rng.random() < 0.3
                else (c.RiskLevel.MEDIUM if kind != c.PlaceKind.KEY_PLACE else c.RiskLevel.LOW)
            )
            last = TODAY - dt.timedelta(days=int(self.rng.integers(5, 200)))
            self.places.append(
                bulk.build(
                    Place,
                    kind=kind,
                    category=category,
                    name=name,
                    address=f"{grid.community.name}{int(self.rng.integers(1, 300))}号",
                    grid_id=grid.code,
                    lon=float(lon),
                    lat=float(lat),
                    responsible_name=names.person_name(self.rng),
                    responsible_phone=self.phone(),
                    risk_level=risk,
                    last_inspected_on=last,
                    next_inspection_due=last + dt.timedelta(days=90 if risk == c.RiskLevel.HIGH else 180),
                    quantity=f"{int(self.rng.integers(5, 80))} 瓶" if category == c.PlaceCategory.GAS_CYLINDERS else "",
                    source=c.Source.SEED,
                )
            )

    def _places_for(self, grid: Grid, urban: bool, short: str) -> list[tuple[str, str, str]]:
        K, H, T, P = c.PlaceKind.KEY_PLACE, c.PlaceKind.HAZARD, c.PlaceKind.KEY_ITEM, c.PlaceCategory
        found: list[tuple[str, str, str]] = []
        special = {
            "school": (P.SCHOOL, f"{short}实验学校"),
            "hospital": (P.HOSPITAL, f"{short}社区卫生服务中心"),
            "market": (P.MARKET, f"{short}农贸市场"),
        }
        if grid.kind in special:
            found.append((special[grid.kind][0], K, special[grid.kind][1]))
        if grid.code.endswith("001"):
            found.append((P.KINDERGARTEN, K, f"{short}幼儿园"))
            if self.rng.random() < 0.4:
                found.append((P.CARE_HOME, K, f"{short}居家养老服务中心"))
        options = (
            [
                (P.HOTEL, K, f"{short}宾馆"),
                (P.INTERNET_CAFE, K, f"{short}网吧"),
                (P.GAS_CYLINDERS, T, f"{short}餐馆瓶装液化气"),
                (P.CONSTRUCTION, H, f"{short}安置房工地"),
            ]
            if urban
            else [
                (P.DANGEROUS_BUILDING, H, f"{short}老旧危房"),
                (P.RESERVOIR, H, f"{short}山塘"),
                (P.RELIGIOUS, K, f"{short}庙宇"),
            ]
        )
        if grid.kind == "industrial":
            options += [
                (P.CHEMICALS, H, f"{short}危化品仓库"),
                (P.EXPLOSIVE_PRECURSORS, T, f"{short}工业园易制爆化学品"),
            ]
        if self.rng.random() < 0.08:
            options.append((P.GAS_STATION, H, f"{short}加油站"))
        if self.rng.random() < 0.04:
            options.append((P.LPG_STATION, H, f"{short}液化气供应站"))
        for option in options:
            if self.rng.random() < 0.45:
                found.append(option)
        return found

    def redraw_taken(self) -> None:
        taken = writers.existing(Person, "id_number", [p.id_number or "" for p in self.people])
        for person in self.people:
            while person.id_number in taken and person.birth_date is not None:
                person.id_number = self.id_number((person.id_number or "")[:6], person.birth_date, person.sex == "1")
        codes = writers.existing(Organisation, "credit_code", [o.credit_code for o in self.orgs])
        for org in self.orgs:
            while org.credit_code in codes:
                org.credit_code = self.credit_code(org.credit_code[:2], org.credit_code[2:8])

    def flush_extras(self, stats: SeedStats) -> None:
        if self.check_existing:
            self.redraw_taken()
        orgs = self.orgs
        bulk.insert(orgs)
        places = self.places
        bulk.insert(places)
        inspections = [
            bulk.build(
                Inspection,
                place_id=p.pk,
                date=p.last_inspected_on,
                inspector_name="网格员",
                result=c.InspectionResult.PASSED,
                next_due=p.next_inspection_due,
            )
            for p in places
        ]
        bulk.insert(inspections)
        writers.record_bulk(orgs, "registry.seed_organisation", ACTOR)
        writers.record_bulk(places, "registry.seed_place", ACTOR)
        stats.organisations, stats.places = len(orgs), len(places)


def seed_for_demo(district: Division, progress: Any = None) -> SeedStats:
    """The call seed_demo makes after building (or reusing) the district; FENGQIAO_DEMO_RESIDENTS=0 skips it."""
    if settings.REGISTRY_DEMO_RESIDENTS <= 0:
        return SeedStats(skipped=True)
    return seed_registry(district, residents=settings.REGISTRY_DEMO_RESIDENTS, progress=progress)
