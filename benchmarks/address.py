"""Address → grid: share of noisy generated addresses placed in the right grid or community (target ≥ 95 %), and
lookups per second.

Seeds a small demo district (benchmarks/_triage_demo.py), then generates `--n` addresses from its gazetteer with a
fixed seed: a house (truth: its grid), a place or organisation by name (truth: its grid) or a bare community
(truth: the community), written with 1–3 kinds of noise each — missing levels (no province/city/district, no
street, no community), abbreviations (社区/村/街道 left off), one wrong or missing character in a name, extra words
(门口, 附近, 对面, 那个 …), reordered parts, full-width digits, 号楼/幢/栋/座 and Chinese numerals, a road in front.
Correct = the resolved grid is the true grid, or no grid is claimed and the community is the true one; a wrong
grid counts as wrong. The ceiling of the rate is a plain dict lookup of the exact (clean) address strings.

    .venv/bin/python benchmarks/address.py
    FENGQIAO_DATABASE_URL=postgres://root@127.0.0.1:5432/fq_addrhot_bench .venv/bin/python benchmarks/address.py
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

from _common import db_vendor, emit

PREFIX = "浙江省温州市"
EXTRA = ["门口", "附近", "对面", "那个", "旁边", "边上", "楼下", "这边"]
TYPO_POOL = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就"
    "分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
)
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CN = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    if n < 10:
        return CN[n]
    if n < 20:
        return "十" + (CN[n % 10] if n % 10 else "")
    if n < 100:
        return CN[n // 10] + "十" + (CN[n % 10] if n % 10 else "")
    return "".join(CN[int(d)] for d in str(n))


def typo(rng: random.Random, name: str) -> str:
    if len(name) < 3:
        return name
    k = rng.randrange(len(name) - 1)  # keep the last character (the suffix 区/村/园) mostly intact
    if rng.random() < 0.5:
        return name[:k] + rng.choice(TYPO_POOL) + name[k + 1 :]
    return name[:k] + name[k + 1 :]


def samples(n: int, seed: int = 7) -> list[tuple[str, str, str, list[str]]]:
    """(address, true grid or "", true community, noise applied)."""
    from registry.models import House, Organisation, Place
    from territory.models import Division, Grid

    rng = random.Random(seed)
    district = Division.objects.get(level="district")
    streets = {d.pk: d for d in Division.objects.filter(level="street")}
    communities = {d.code: d for d in Division.objects.filter(level="community")}
    grid_community = dict(Grid.objects.values_list("code", "community__code"))
    houses = list(House.objects.values_list("estate", "building", "unit", "room", "grid_id"))
    places = list(Place.objects.values_list("name", "grid_id")) + list(
        Organisation.objects.filter(kind="social").values_list("name", "grid_id")
    )
    out = []
    for _ in range(n):
        kind = rng.choices(["house", "place", "community"], weights=[0.75, 0.1, 0.15])[0]
        if kind == "house":
            estate, building, unit, room, grid = rng.choice(houses)
        elif kind == "place":
            name, grid = rng.choice(places)
        else:
            grid = ""
        community = communities[grid_community[grid]] if grid else rng.choice(list(communities.values()))
        street = streets[community.parent_id]
        cname, sname = community.name, street.name
        ops = rng.sample(
            ["levels", "abbrev", "typo", "extra", "reorder", "digits", "building", "road"], rng.randint(1, 3)
        )
        if "abbrev" in ops:
            cname = cname.removesuffix("社区").removesuffix("村")
            sname = sname.removesuffix("街道").removesuffix("镇")
        if "typo" in ops:
            which = rng.choice(["community", "estate", "street"] if kind == "house" else ["community", "street"])
            if which == "community":
                cname = typo(rng, cname)
            elif which == "street":
                sname = typo(rng, sname)
            elif kind == "house" and estate != community.name:
                estate = typo(rng, estate)
        parts: list[str] = []
        prefix = PREFIX + district.name
        if "levels" in ops:
            parts += rng.choice([[], [district.name], [cname], [sname]])
        else:
            parts += [prefix, sname, cname]
        if kind == "house":
            number = "".join(ch for ch in building if ch.isdigit())
            suffix = "号" if building.endswith("号") else "幢"
            if "building" in ops and not building.endswith("号"):
                suffix = rng.choice(["号楼", "栋", "座", "幢"])
                number = cn_number(int(number)) if rng.random() < 0.5 else number
            detail = f"{number}{suffix}" + (f"{unit}单元" if unit else "") + (f"{room}室" if room else "")
            here = [estate, detail] if estate != community.name else [cname if "levels" not in ops else estate, detail]
            if "levels" in ops and estate == community.name:
                parts = [p for p in parts if p != cname]
            if "reorder" in ops:
                here = [detail, estate] if rng.random() < 0.5 else here
                parts = [*here, *parts[::-1]]
            else:
                parts += here
        elif kind == "place":
            parts.append(name)
            if "reorder" in ops:
                parts = parts[::-1]
        else:
            if cname not in parts:
                parts.append(cname)
            if "reorder" in ops:
                parts = parts[::-1]
        if "road" in ops:
            parts.insert(0, rng.choice(["瓯海大道", "南湖路", "府东路", "娄桥路"]) + f"{rng.randint(1, 300)}号")
        if "extra" in ops:
            parts.append(rng.choice(EXTRA))
        text = ("" if rng.random() < 0.7 else " ").join(parts)
        if "digits" in ops:
            text = text.translate(FULLWIDTH)
        out.append((text, grid, community.code, ops))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--show-misses", type=int, default=0)
    args = parser.parse_args()
    from _triage_demo import small_demo_database

    small_demo_database(days=0)
    from rich.progress import track

    from triage import address

    started = time.perf_counter()
    gz = address.build()
    build_s = time.perf_counter() - started
    cases = samples(args.n)
    right = grid_right = 0
    misses: Counter[str] = Counter()
    shown = 0
    started = time.perf_counter()
    results = [address.resolve(text, gz) for text, *_ in track(cases, description="resolving", transient=True)]
    seconds = time.perf_counter() - started
    for (text, grid, community, ops), r in zip(cases, results, strict=True):
        ok = (bool(grid) and r.grid_code == grid) or (not r.grid_code and r.community_code == community)
        if not grid:
            ok = r.community_code == community
        right += ok
        grid_right += bool(grid) and r.grid_code == grid
        if not ok:
            misses.update(ops)
            if shown < args.show_misses:
                shown += 1
                print("MISS", text, grid or community, "→", r.grid_code or r.community_code, r.parts)
    with_grid = sum(1 for _t, g, _c, _o in cases if g)
    # ceiling: the exact longest-name scan alone (no near-miss search, no voting) over the same texts
    texts = [address.strip_fillers(address.normalise(text)) for text, *_ in cases]
    t0 = time.perf_counter()
    for text in texts:
        gz.mentions(text, near=False)
    ceiling_rate = len(texts) / max(time.perf_counter() - t0, 1e-9)
    vendor = db_vendor()
    emit("address", "correct_grid_or_community_pct", 100 * right / len(cases), "%", target=95, ceiling=100, db=vendor)
    emit(
        "address",
        "correct_grid_pct_of_grid_truths",
        100 * grid_right / with_grid,
        "%",
        target=None,
        ceiling=100,
        db=vendor,
    )
    emit("address", "lookups_per_s", len(cases) / seconds, "lookups/s", target=None, ceiling=ceiling_rate, db=vendor)
    emit("address", "lookup_ms_mean", 1000 * seconds / len(cases), "ms", target=10, ceiling=None, db=vendor)
    emit("address", "gazetteer_build_s", build_s, "s", target=None, ceiling=None, db=vendor)
    if misses:
        print({"misses_by_noise": dict(misses)}, flush=True)


if __name__ == "__main__":
    main()
