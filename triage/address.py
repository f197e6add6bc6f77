"""Chinese free-text address → grid (or community) with a confidence, from a gazetteer of the district.

No address library fits: cpca only knows province/city/district, which we know anyway. The gazetteer is built
from our own data: the district, its streets/towns and communities/villages (territory.Division), the grids
(territory.Grid), residential compounds and their buildings (registry.House), places and organisations
(registry.Place, registry.Organisation) and the demo's roads (cases.demo_texts.ROADS). Every name gets its aliases
(without 社区/村/街道/镇/小区, without the district prefix); a lookup finds the longest exact names in the
normalised text, then names with one wrong or missing character (candidates by character bigram overlap, checked by
edit distance), then reads building/unit/room numbers and votes on a community, then on a grid inside it.

    resolve("瓯海区景山街道兰河社区兰河花园3幢2单元301室门口") → Resolution(community, grid, confidence, parts)

Built once per process (`gazetteer()`), rebuilt when grids change or records are added (checked every 5 s), or
after TRIAGE_GAZETTEER_SECONDS.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

# kinds of gazetteer names, with the weight a mention of each gives to its community
WEIGHTS = {
    "grid": 1.2,
    "community": 1.0,
    "estate": 0.9,
    "address": 0.9,
    "place": 0.7,
    "organisation": 0.6,
    "stem": 0.7,
    "variant": 0.8,
    "street": 0.0,
    "road": 0.0,
    "admin": 0.0,
}
COMMUNITY_SUFFIXES = ("社区居委会", "村委会", "居委会", "社区", "村")
STREET_SUFFIXES = ("街道办事处", "街道", "镇", "乡")
ESTATE_SUFFIXES = ("小区", "花园", "家园", "公寓", "新村", "嘉园", "华府", "苑")
FILLERS = (
    "那个",
    "这个",
    "门口",
    "附近",
    "对面",
    "旁边",
    "边上",
    "那边",
    "这边",
    "一带",
    "周边",
    "里面",
    "楼下",
    "后面",
    "前面",
    "隔壁",
    "大门",
    "路口",
    "这里",
    "那里",
    "位于",
    "地址",
    "住在",
    "在",
    "的",
)
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUMBER_CONTEXT = r"(?=号楼|号|幢|栋|座|单元|室|层|楼|网格|组)"
CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+" + NUMBER_CONTEXT)
PUNCTUATION = re.compile(r"[\s,，。、;；:：!！?？()（）\[\]【】<>《》\"'“”‘’·•~～_|/\\]+")
BUILDING = re.compile(r"(\d+)(号楼|幢|栋|座|#|号|楼)")
TRIPLE = re.compile(r"(\d+)-(\d+)-(\d+)")
UNIT = re.compile(r"(\d+)单元")
ROOM = re.compile(r"(\d+)(室|房|号房)")
GRID_NUMBER = re.compile(r"第?(\d+)网格")
ROAD_NUMBER = re.compile(r"^(\d+)(号|弄)")
NEAR_CANDIDATES = 40  # names checked by edit distance per unmatched run of text
PREFIX = re.compile(r"^(?:[\u4e00-\u9fff]{2,3}省)?(?:[\u4e00-\u9fff]{2,3}市(?!场))?")


def cn_to_int(text: str) -> int:
    """一百零二 → 102, 十二 → 12, 三 → 3, 一〇二 → 102 (digit by digit when there is no 十/百)."""
    if "十" not in text and "百" not in text:
        return int("".join(str(CN_DIGITS[c]) for c in text))
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = CN_DIGITS[ch]
    return total + current


def normalise(text: str) -> str:
    """Full-width to half-width, Chinese numerals before 号/幢/单元/室… to digits, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text or "")
    text = PUNCTUATION.sub("", text)
    text = re.sub(r"[－—–]", "-", text)
    return CN_NUMBER.sub(lambda m: str(cn_to_int(m.group(0))), text)


def strip_fillers(text: str) -> str:
    for word in FILLERS:
        text = text.replace(word, "")
    return text


def bare(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Target:
    kind: str
    name: str
    community: str = ""
    grid: str = ""
    street: str = ""


@dataclass
class Mention:
    text: str
    start: int
    end: int
    targets: list[Target]
    distance: int = 0  # 0 exact, 1 one character off

    @property
    def kind(self) -> str:
        return self.targets[0].kind if self.targets else ""


@dataclass
class Resolution:
    query: str
    community_code: str = ""
    grid_code: str = ""
    street_code: str = ""
    confidence: float = 0.0
    parts: dict[str, Any] = field(default_factory=dict)

    @property
    def placed(self) -> bool:
        return bool(self.community_code)

    @property
    def level(self) -> str:
        return "grid" if self.grid_code else "community" if self.community_code else "none"

    def as_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "level": self.level,
            "community": self.community_code,
            "grid": self.grid_code,
            "street": self.street_code,
            "confidence": round(self.confidence, 3),
            "parts": self.parts,
        }


class Gazetteer:
    """Names → targets, the bigram index for near misses, and buildings → grids."""

    def __init__(self) -> None:
        self.names: dict[str, list[Target]] = defaultdict(list)
        self.longest = 2
        self.grams: dict[str, set[str]] = defaultdict(set)
        self.buildings: dict[tuple[str, int], set[str]] = defaultdict(set)  # (estate or community code, no.)
        self.grids_of: dict[str, list[str]] = defaultdict(list)  # community → residential grids
        self.grid_count: dict[str, int] = defaultdict(int)  # community → grids of every kind
        self.grid_numbers: dict[tuple[str, int], str] = {}  # (community, 3) → grid of 第3网格
        self.community_names: dict[str, str] = {}
        self.grid_names: dict[str, str] = {}
        self.street_of: dict[str, str] = {}  # community → street
        self.street_names: dict[str, str] = {}

    # building -------------------------------------------------------------------------------------------------
    def add(self, alias: str, target: Target) -> None:
        alias = normalise(alias)
        if len(alias) < 2 or target in self.names[alias]:
            return
        self.names[alias].append(target)
        self.longest = max(self.longest, len(alias))
        if len(alias) >= 3 and target.kind not in ("admin",):
            for gram in grams(alias):
                self.grams[gram].add(alias)

    def finish(self) -> None:
        self.names = dict(self.names)
        self.grams = dict(self.grams)

    # lookup ---------------------------------------------------------------------------------------------------
    def mentions(self, text: str, near: bool = True) -> list[Mention]:
        """Longest exact names left to right, then near misses in what is left (CJK runs of 3+ characters)."""
        found: list[Mention] = []
        covered = [False] * len(text)
        i = 0
        while i < len(text):
            for j in range(min(len(text), i + self.longest), i + 1, -1):
                targets = self.names.get(text[i:j])
                if targets:
                    found.append(Mention(text[i:j], i, j, targets))
                    for k in range(i, j):
                        covered[k] = True
                    i = j
                    break
            else:
                i += 1
        for start, end in _runs(text, covered) if near else ():
            found.extend(self._near(text, start, end))
        found.sort(key=lambda m: m.start)
        return found

    def _near(self, text: str, start: int, end: int) -> list[Mention]:
        """Names one edit away from part of text[start:end]: the NEAR_CANDIDATES names sharing the most character
        grams are checked by edit distance; names tied at the best distance on overlapping spans make one mention
        with all their targets (the street, the building number or the other names then decide)."""
        span = text[start:end]
        counts: dict[str, int] = defaultdict(int)
        for gram in set(grams(span)):
            for alias in self.grams.get(gram, ()):
                counts[alias] += 1
        ranked = sorted(
            (
                (shared / len(grams(alias)), alias)
                for alias, shared in counts.items()
                if shared >= max(1, len(grams(alias)) - 4)
            ),
            reverse=True,
        )[:NEAR_CANDIDATES]
        best: list[tuple[int, int, int, str]] = []
        for _share, alias in ranked:
            distance, s, e = substring_distance(alias, span)
            limit = 1 if len(alias) < 8 else 2
            if distance <= limit and e - s >= 2:
                best.append((distance, -len(alias), start + s, alias))
        if not best:
            return []
        best.sort()
        out: list[Mention] = []
        for distance, _neg, s, alias in best:
            e = min(s + len(alias), end)
            same = next((m for m in out if s < m.end and m.start < e), None)
            if same is None:
                out.append(Mention(alias, s, e, list(self.names[alias]), distance=max(distance, 1)))
            elif max(distance, 1) == same.distance:
                same.targets.extend(t for t in self.names[alias] if t not in same.targets)
        return out


def grams(text: str) -> list[str]:
    """Character bigrams plus skip-bigrams (x_z), so one wrong middle character still leaves shared grams."""
    out = [text[i : i + 2] for i in range(len(text) - 1)]
    out += [text[i] + "_" + text[i + 2] for i in range(len(text) - 2)]
    return out


def substring_distance(pattern: str, text: str) -> tuple[int, int, int]:
    """Smallest edit distance between `pattern` and any substring of `text` (Sellers), with that substring's span."""
    m = len(pattern)
    prev = list(range(m + 1))
    starts = [0] * (m + 1)
    best = (m + 1, 0, 0)
    for j, ch in enumerate(text, start=1):
        cur = [0] * (m + 1)
        cur_start = [j] * (m + 1)
        for i in range(1, m + 1):
            sub = prev[i - 1] + (pattern[i - 1] != ch)
            ins = prev[i] + 1
            dele = cur[i - 1] + 1
            if sub <= ins and sub <= dele:
                cur[i], cur_start[i] = sub, (starts[i - 1] if i > 1 else j - 1)
            elif dele <= ins:
                cur[i], cur_start[i] = dele, cur_start[i - 1]
            else:
                cur[i], cur_start[i] = ins, starts[i]
        if cur[m] < best[0]:
            best = (cur[m], cur_start[m], j)
        prev, starts = cur, cur_start
    return best


def _runs(text: str, covered: list[bool]) -> list[tuple[int, int]]:
    runs, start = [], None
    for k, ch in enumerate(text + "0"):
        free = k < len(text) and not covered[k] and "\u4e00" <= ch <= "\u9fff"
        if free and start is None:
            start = k
        elif not free and start is not None:
            if k - start >= 3:
                runs.append((start, k))
            start = None
    return runs


# ---------------------------------------------------------------------------------------------------------------------
# Built from the database
# ---------------------------------------------------------------------------------------------------------------------


def build() -> Gazetteer:
    from cases.demo_texts import ROADS
    from registry.models import House, Organisation, Place
    from territory.models import Division, Grid

    gz = Gazetteer()
    divisions = list(Division.objects.values_list("id", "code", "name", "level", "parent_id"))
    code_of = {pk: code for pk, code, _n, _l, _p in divisions}
    district_names = [name for _pk, _c, name, level, _p in divisions if level == "district"]
    for name in district_names:
        gz.add(name, Target("admin", name))
        gz.add(bare(name, ("区", "县", "市")), Target("admin", name))
    for _pk, code, name, level, parent in divisions:
        if level == "street":
            target = Target("street", name, street=code)
            gz.street_names[code] = name
            gz.add(name, target)
            gz.add(bare(name, STREET_SUFFIXES), target)
            if name.endswith("街道"):
                gz.add(name[:-1], target)  # 景山街
        elif level == "community":
            street = code_of.get(parent, "")
            gz.street_of[code] = street
            gz.community_names[code] = name
            full = Target("community", name, community=code, street=street)
            gz.add(name, full)
            stem = bare(name, COMMUNITY_SUFFIXES)
            gz.add(stem, Target("stem", name, community=code, street=street))
            variant = Target("variant", name, community=code, street=street)
            for suffix in ("社区", "村", "居委会", "村委会", "社区居委会"):
                if stem + suffix != name:
                    gz.add(stem + suffix, variant)
    for code, name, kind, community_id in Grid.objects.values_list("code", "name", "kind", "community_id"):
        community = code_of.get(community_id, "")
        gz.grid_names[code] = name
        target = Target("grid", name, community=community, grid=code, street=gz.street_of.get(community, ""))
        gz.add(name, target)
        gz.add(name.replace("社区", "").replace("村", ""), target)
        gz.grid_count[community] += 1
        if kind == "residential":
            gz.grids_of[community].append(code)
        grid_no = GRID_NUMBER.search(normalise(name))
        if grid_no:
            gz.grid_numbers[(community, int(grid_no.group(1)))] = code
    community_of_grid = {code: code_of.get(cid, "") for code, cid in Grid.objects.values_list("code", "community_id")}
    street_of_grid = {g: gz.street_of.get(c, "") for g, c in community_of_grid.items()}
    for estate, building, grid in House.objects.values_list("estate", "building", "grid_id").distinct():
        community = community_of_grid.get(grid, "")
        if estate:
            target = Target("estate", estate, community=community, grid=grid, street=street_of_grid.get(grid, ""))
            gz.add(estate, target)
            stem = bare(estate, ESTATE_SUFFIXES)
            if stem != estate and stem != bare(gz.community_names.get(community, ""), COMMUNITY_SUFFIXES):
                gz.add(stem, target)
        digits = re.match(r"\d+", normalise(building))
        if digits:
            number = int(digits.group(0))
            gz.buildings[(normalise(estate), number)].add(grid)
            gz.buildings[(community, number)].add(grid)
    district_prefixes = (*district_names, "温州")
    for model, kind in ((Place, "place"), (Organisation, "organisation")):
        for name, address, grid in model.objects.values_list("name", "address", "grid_id"):
            if not grid:
                continue
            community = community_of_grid.get(grid, "")
            target = Target(kind, name, community=community, grid=grid, street=gz.street_of.get(community, ""))
            short = name
            for prefix in district_prefixes:
                short = short.removeprefix(prefix)
            short = re.sub(r"(有限责任公司|有限公司)\d*$", "", short)
            gz.add(name, target)
            gz.add(short, target)
            if address and not re.search(r"\d+号$", address):  # 兰河社区居民服务中心; numbered ones repeat
                gz.add(address, Target("address", address, community=community, grid=grid))
    for road in ROADS:
        gz.add(road, Target("road", road))
    gz.finish()
    return gz


_lock = threading.Lock()
_cache: dict[str, Any] = {}


def gazetteer() -> Gazetteer:
    """The process's gazetteer: rebuilt when grids change (GridIndexVersion), when divisions, houses, places or
    organisations are added (checked at most every 5 s, by indexed max/count queries), or after
    TRIAGE_GAZETTEER_SECONDS (edits of existing names)."""
    now = time.monotonic()
    ttl = getattr(settings, "TRIAGE_GAZETTEER_SECONDS", 600)
    if _cache and now - _cache["checked"] < 5:
        return _cache["gz"]
    version = _version()
    with _lock:
        if not _cache or _cache["version"] != version or now - _cache["built"] > ttl:
            _cache.update(gz=build(), version=version, built=now)
        _cache["checked"] = now
        return _cache["gz"]


def _version() -> tuple[Any, ...]:
    from django.db.models import Max

    from registry.models import House, Organisation, Place
    from territory.models import Division, GridIndexVersion

    return (
        GridIndexVersion.objects.values_list("version", flat=True).first() or 0,
        Division.objects.aggregate(n=Max("id"))["n"],
        House.objects.aggregate(n=Max("id"))["n"],
        Place.objects.aggregate(n=Max("id"))["n"],
        Organisation.objects.aggregate(n=Max("id"))["n"],
    )


def reset() -> None:
    """Forget the built gazetteer (tests, after a registry import)."""
    with _lock:
        _cache.clear()


# ---------------------------------------------------------------------------------------------------------------------
# Resolving
# ---------------------------------------------------------------------------------------------------------------------


def parse(text: str, gz: Gazetteer | None = None) -> dict[str, Any]:
    """The parts of an address: names found (street, community, estate, grid, place, road …) and numbers."""
    gz = gz or gazetteer()
    clean = strip_fillers(PREFIX.sub("", normalise(text)))
    found = gz.mentions(clean)
    parts: dict[str, Any] = {}
    for m in found:
        kind = "community" if m.kind in ("stem", "variant") else m.kind
        entry = m.targets[0].name + ("~" if m.distance else "")
        parts.setdefault(kind, entry)
    rest = clean
    for m in sorted(found, key=lambda m: -m.start):  # numbers after a road are the road's door numbers
        after = clean[m.end :]
        if m.kind == "road":
            door = ROAD_NUMBER.match(after)
            if door:
                parts["road_number"] = int(door.group(1))
                rest = rest[: m.end] + "#" * len(door.group(0)) + rest[m.end + len(door.group(0)) :]
    masked = "".join("#" if any(m.start <= k < m.end for m in found) else ch for k, ch in enumerate(rest))
    triple = TRIPLE.search(masked)
    if triple:
        parts["building"], parts["unit"], parts["room"] = (int(g) for g in triple.groups())
    else:
        grid_no = GRID_NUMBER.search(clean)
        if grid_no:
            parts["grid_number"] = int(grid_no.group(1))
            masked = masked.replace(grid_no.group(0), "#" * len(grid_no.group(0)))
        unit = UNIT.search(masked)
        if unit:
            parts["unit"] = int(unit.group(1))
        room = ROOM.search(masked)
        if room:
            parts["room"] = int(room.group(1))
        for b in BUILDING.finditer(masked):
            if room and b.start() == room.start():
                continue
            if unit and b.start() > unit.start():  # 2单元301号: the 号 is the room
                parts.setdefault("room", int(b.group(1)))
                continue
            parts["building"] = int(b.group(1))
            break
    parts["_mentions"] = found
    return parts


def resolve(text: str, gz: Gazetteer | None = None) -> Resolution:
    gz = gz or gazetteer()
    parts = parse(text, gz)
    found: list[Mention] = parts.pop("_mentions")
    result = Resolution(query=text, parts={k: v for k, v in parts.items()})
    votes: dict[str, float] = defaultdict(float)
    streets = {t.street for m in found for t in m.targets if t.kind == "street"}
    for m in found:
        weights: dict[str, float] = {}
        for t in m.targets:
            if t.community:
                weights[t.community] = max(weights.get(t.community, 0.0), WEIGHTS.get(t.kind, 0.5))
        for c, weight in weights.items():
            votes[c] += weight * (0.75 if m.distance else 1.0) / len(weights)
    building = parts.get("building")
    for c in votes:
        if gz.street_of.get(c) in streets:
            votes[c] += 0.3
        if building is not None and (c, building) in gz.buildings:
            votes[c] += 0.1
    if not votes:
        if streets:
            result.street_code = sorted(streets)[0]
        result.parts["why"] = "no community, compound, grid or place of the district in the address"
        return result
    ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
    community, score = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    total = sum(votes.values())
    if runner and runner >= score * 0.999:
        result.parts["why"] = "the address fits more than one community equally"
        result.parts["candidates"] = [c for c, s in ranked if s >= score * 0.999][:5]
        return result
    result.community_code = community
    result.street_code = gz.street_of.get(community, "")
    share = score / total
    strength = min(1.0, score / 1.0)
    confidence = 0.5 + 0.45 * share * strength
    grid, how = pick_grid(gz, community, found, parts)
    if grid:
        result.grid_code = grid
        confidence = min(0.99, confidence + (0.05 if how in ("grid name", "building", "only grid") else 0.0))
        result.parts["grid_by"] = how
    elif how:
        result.parts["grid_by"] = how
    result.confidence = round(confidence, 3)
    result.parts["community"] = gz.community_names.get(community, community)
    return result


def pick_grid(gz: Gazetteer, community: str, found: list[Mention], parts: dict[str, Any]) -> tuple[str, str]:
    """(grid, how) inside the chosen community, or ("", why not) when the address leaves it open."""
    named = {t.grid for m in found for t in m.targets if t.kind == "grid" and t.community == community}
    if len(named) == 1:
        return named.pop(), "grid name"
    if "grid_number" in parts and (community, parts["grid_number"]) in gz.grid_numbers:
        return gz.grid_numbers[(community, parts["grid_number"])], "grid name"
    building = parts.get("building")
    if building is not None:
        estates = [
            normalise(t.name) for m in found for t in m.targets if t.kind == "estate" and t.community == community
        ]
        for key in [*((e, building) for e in estates), (community, building)]:
            grids = gz.buildings.get(key)
            if grids and len(grids) == 1:
                return next(iter(grids)), "building"
    for kind in ("place", "organisation", "address", "estate"):
        grids = {t.grid for m in found for t in m.targets if t.kind == kind and t.community == community}
        if len(grids) == 1:
            return grids.pop(), kind
    if gz.grid_count.get(community) == 1 and gz.grids_of.get(community):
        return gz.grids_of[community][0], "only grid"
    return "", "several grids in the community"


def lookup(text: str) -> Resolution:
    """resolve() against the process's gazetteer, for views and the intake hook."""
    return resolve(text, gazetteer())
