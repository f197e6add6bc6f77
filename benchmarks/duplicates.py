"""Duplicate detection (归并): pair precision / recall / F1 of the product's own scoring, and the latency of the
candidate search for one case among 1,000,000 recent cases.

Pairs. Positives: the reposts in triage/data/labelled_messages.csv (rows sharing a group_id; only 6 groups have two
rows), the messages of one hot issue in triage/data/messages_with_support.csv (the same title posted several times,
compared on their detail text only, so the label does not come from what is scored), and generated paraphrases of
case-length passages of the labelled messages (character deletions and insertions, synonym swaps, reordered clauses,
greetings and courtesy phrases added, a shorter retelling). Hard negatives: same category and different matter
(another message of the same first-level label), same place and different problem (another category, metres
apart), the same complaint 2–10 km away (another place is another case), and hot-issue messages of the same
district prefix with different titles, and the nearest other message of the same category among 300 (most shared
bigrams: the hardest negatives). Every other pair gets the same metadata whatever its label (within 300 m,
within 72 h, different phones; same category except the "same place" negatives), so the text has to decide. A pair
counts as found when the scorer gives at least DUPLICATES_MIN_SCORE ("score") and, end to end, also only when the
LSH bands make it a candidate ("search").

Latency. A scratch database (SQLite file, or the PostgreSQL database FENGQIAO_DATABASE_URL names, emptied first)
gets 1,000,000 profiles and their 12,000,000 band rows by bulk insert (index built after the load), all within the
last 30 days, texts cut from the messages with light noise, so popular passages collide like real repeats. Then
`triage.duplicates.find` runs for new probes; the ceiling is the bare indexed `band IN (…) AND created_at >= …`
query for the same probes in the same run.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import os
import random
import re
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from _common import ROOT, emit, setup_django

DATA = ROOT / "triage" / "data"
GREETINGS = ["您好，", "你好！", "尊敬的领导：您好！", "领导们好，", "麻烦问一下，"]
CLOSINGS = ["谢谢！", "请尽快处理，谢谢。", "盼复。", "辛苦了！", "希望有关部门重视。"]
SYNONYMS = [
    ("噪音", "噪声"),
    ("小区", "社区"),
    ("路灯", "街灯"),
    ("道路", "马路"),
    ("非常", "特别"),
    ("严重", "厉害"),
    ("居民", "住户"),
    ("反映", "投诉"),
    ("希望", "恳请"),
    ("尽快", "早日"),
    ("处理", "解决"),
    ("维修", "修理"),
    ("每天", "天天"),
    ("晚上", "夜里"),
    ("附近", "周边"),
    ("车辆", "汽车"),
    ("违规", "违章"),
    ("污水", "脏水"),
    ("群众", "老百姓"),
    ("目前", "现在"),
    ("没有", "没"),
    ("为什么", "为何"),
    ("政府", "有关部门"),
    ("问题", "情况"),
    ("已经", "早已"),
]
FILLER = "的了啊呢就都还也很"
CLAUSE = re.compile(r"(?<=[，。！？；,!?;])")


def clean(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def read_labelled() -> list[dict[str, str]]:
    with open(DATA / "labelled_messages.csv", encoding="utf-8") as f:
        return [dict(r, text=clean(r["text"])) for r in csv.DictReader(f) if len(clean(r["text"])) >= 20]


def read_hot() -> list[dict[str, str]]:
    with open(DATA / "messages_with_support.csv", encoding="utf-8") as f:
        return [
            {"title": clean(r["留言主题"]), "text": clean(r["留言详情"]), "user": r["留言用户"]}
            for r in csv.DictReader(f)
            if len(clean(r["留言详情"])) >= 20
        ]


def passage(text: str, rng: random.Random, low: int = 40, high: int = 200) -> str:
    """A case-length passage: the start of the message (where the matter is usually stated) or a window of it."""
    n = rng.randint(low, high)
    if len(text) <= n:
        return text
    start = 0 if rng.random() < 0.6 else rng.randrange(0, len(text) - n)
    return text[start : start + n]


def paraphrase(text: str, rng: random.Random) -> str:
    ops: list[Callable[[str], str]] = [
        lambda t: "".join(c for c in t if rng.random() > 0.04),
        lambda t: "".join(c + (rng.choice(FILLER) if rng.random() < 0.04 else "") for c in t),
        lambda t: _swap_synonyms(t, rng),
        lambda t: _reorder(t, rng),
        lambda t: rng.choice(GREETINGS) + t + rng.choice(CLOSINGS),
        lambda t: t[: max(20, int(len(t) * rng.uniform(0.6, 0.9)))],
    ]
    for op in rng.sample(ops, rng.randint(1, 3)):
        text = op(text)
    return text


def _swap_synonyms(text: str, rng: random.Random) -> str:
    pairs = [(a, b) if rng.random() < 0.5 else (b, a) for a, b in SYNONYMS]
    hits = [(a, b) for a, b in pairs if a in text]
    for a, b in rng.sample(hits, min(len(hits), 3)):
        text = text.replace(a, b)
    return text


def _reorder(text: str, rng: random.Random) -> str:
    parts = [p for p in CLAUSE.split(text) if p]
    if len(parts) < 2:
        return text
    i = rng.randrange(len(parts) - 1)
    parts[i], parts[i + 1] = parts[i + 1], parts[i]
    return "".join(parts)


def make_pairs(seed: int = 5) -> list[tuple[str, bool, str, str, bool]]:
    """(source, duplicate?, text a, text b, same category?)."""
    from triage.duplicates import bigrams, normalise

    rng = random.Random(seed)
    labelled, hot = read_labelled(), read_hot()
    pairs: list[tuple[str, bool, str, str, bool]] = []
    groups = defaultdict(list)
    for row in labelled:
        groups[row["group_id"]].append(row)
    for rows in groups.values():
        for a, b in itertools.pairwise(rows):
            pairs.append(("repost", True, a["text"], b["text"], True))
    by_title = defaultdict(list)
    for row in hot:
        by_title[normalise(row["title"])].append(row)
    for rows in by_title.values():
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                if rows[i]["text"] != rows[j]["text"] or rng.random() < 0.3:  # identical texts: a few suffice
                    pairs.append(("hot_issue", True, rows[i]["text"], rows[j]["text"], True))
    by_prefix = defaultdict(list)
    for row in hot:
        by_prefix[row["title"][:3]].append(row)
    prefixes = [p for p, rows in by_prefix.items() if len(rows) >= 2]
    negatives = 0
    while negatives < 300:
        a, b = rng.sample(by_prefix[rng.choice(prefixes)], 2)
        ta, tb = bigrams(normalise(a["title"])), bigrams(normalise(b["title"]))
        if ta and tb and len(ta & tb) / len(ta | tb) < 0.2:
            pairs.append(("hot_issue_other", False, a["text"], b["text"], True))
            negatives += 1
    by_label = defaultdict(list)
    for row in labelled:
        by_label[row["label"]].append(row)
    labels = sorted(by_label)
    for _ in range(1500):
        row = rng.choice(labelled)
        base = passage(row["text"], rng)
        pairs.append(("paraphrase", True, base, paraphrase(base, rng), True))
        pairs.append(("same_text_elsewhere", False, base, paraphrase(base, rng), True))
        other = rng.choice(by_label[row["label"]])
        if other["group_id"] != row["group_id"]:
            pairs.append(("same_category", False, base, passage(other["text"], rng), True))
        label = rng.choice([x for x in labels if x != row["label"]])
        pairs.append(("same_place", False, base, passage(rng.choice(by_label[label])["text"], rng), False))
    for _ in range(300):  # the nearest other message of the same category among 300: the hardest negatives
        row = rng.choice(labelled)
        base = row["text"][:200]
        pool = [o for o in rng.sample(by_label[row["label"]], 300) if o["group_id"] != row["group_id"]]
        mine = bigrams(normalise(base))
        nearest = max(pool, key=lambda o: len(mine & bigrams(normalise(o["text"][:200]))))
        pairs.append(("nearest_other", False, base, nearest["text"][:200], True))
    return pairs


def evaluate() -> None:
    from django.conf import settings

    from triage.duplicates import Probe, band_values, normalise, score, text_key

    rng = random.Random(11)
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    tp = fp = fn = 0
    tp_e2e = fp_e2e = fn_e2e = 0
    banded = positives = 0
    per_source: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for source, duplicate, a, b, same_category in make_pairs():

        def probe(text: str, pk: int, lon: float, lat: float, hours: float, category: int) -> Probe:
            norm = normalise(text)
            return Probe(
                case_id=pk,
                created_at=now - dt.timedelta(hours=hours),
                text=norm,
                text_key=text_key(norm),
                phone=f"139{pk:08d}",
                category_id=category,
                category_top=str(category),
                territory_code="330304001001001",
                lon=lon,
                lat=lat,
            )

        lon, lat = 120.6 + rng.uniform(-0.01, 0.01), 28.0 + rng.uniform(-0.01, 0.01)
        distance = (rng.uniform(2000, 10000) if source == "same_text_elsewhere" else rng.uniform(0, 300)) / 111_000
        pa = probe(a, 1, lon, lat, 0, 1)
        pb = probe(b, 2, lon + distance, lat, rng.uniform(0, 72), 1 if same_category else 2)
        s, _ = score(pa, pb)
        said = s >= settings.DUPLICATES_MIN_SCORE
        shares_band = bool(set(band_values(pa.text)) & set(band_values(pb.text)))
        found = said and shares_band
        per_source[source][0] += 1
        per_source[source][1] += int(said == duplicate)
        if duplicate:
            positives += 1
            banded += shares_band
        tp, fp, fn = tp + (said and duplicate), fp + (said and not duplicate), fn + (not said and duplicate)
        tp_e2e += found and duplicate
        fp_e2e += found and not duplicate
        fn_e2e += not found and duplicate
    for name, (t, f, n) in (("score", (tp, fp, fn)), ("search", (tp_e2e, fp_e2e, fn_e2e))):
        precision, recall = t / max(t + f, 1), t / max(t + n, 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        emit("duplicates", f"pair_precision_{name}", precision, "ratio", target=None, ceiling=1.0, db=None)
        emit("duplicates", f"pair_recall_{name}", recall, "ratio", target=None, ceiling=1.0, db=None)
        emit("duplicates", f"pair_f1_{name}", f1, "ratio", target=0.9, ceiling=1.0, db=None)
    emit("duplicates", "lsh_band_recall_of_duplicates", banded / positives, "ratio", target=None, ceiling=1.0, db=None)
    for source, (count, right) in sorted(per_source.items()):
        metric = f"pairs_right_{source}_of_{count}"
        emit("duplicates", metric, right / count, "ratio", target=None, ceiling=1.0, db=None)


# ---------------------------------------------------------------------------------------------------------------------
# Latency among 1,000,000 recent cases
# ---------------------------------------------------------------------------------------------------------------------


def scratch_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def load(n: int, now: dt.datetime) -> list[str]:
    """Bulk-insert n profiles and their bands; returns the message texts the probes are cut from."""
    from django.db import connection
    from rich.progress import Progress

    from triage.duplicates import band_values, normalise, text_key
    from triage.models import DuplicateBand, DuplicateProfile

    rng = random.Random(3)
    messages = [r["text"] for r in read_labelled()] + [r["text"] for r in read_hot()]
    vendor = connection.vendor
    profile_table, band_table = DuplicateProfile._meta.db_table, DuplicateBand._meta.db_table
    band_index = DuplicateBand._meta.indexes[0].name
    with connection.cursor() as cur:
        cur.execute(f"DROP INDEX {band_index}")
        if vendor == "sqlite":
            cur.execute("PRAGMA synchronous=OFF")
    span = 30 * 86400
    batch = 20_000
    with Progress(transient=True) as progress:
        task = progress.add_task(f"load {n:,} profiles and {12 * n:,} bands", total=n)
        for start in range(0, n, batch):
            profiles: list[tuple] = []
            bands: list[tuple] = []
            for pk in range(start + 1, min(start + batch, n) + 1):
                text = passage(rng.choice(messages), rng, 20, 150)
                if rng.random() < 0.3:
                    text = paraphrase(text, rng)
                norm = normalise(text)
                at = now - dt.timedelta(seconds=rng.uniform(60, span))
                ats = at.isoformat() if vendor == "sqlite" else at
                profiles.append(
                    (
                        pk,
                        ats,
                        norm,
                        text_key(norm),
                        f"13{rng.randrange(10**9):09d}",
                        None,
                        rng.randrange(1, 200),
                        str(rng.randrange(7)),
                        "330304001001001",
                        120.55 + rng.random() * 0.2,
                        27.95 + rng.random() * 0.15,
                    )
                )
                bands.extend((b, pk, ats) for b in band_values(norm))
            with connection.cursor() as cur:
                if vendor == "postgresql":
                    with cur.cursor.copy(
                        f"COPY {profile_table} (case_id, created_at, text, text_key, phone, reporter_id, category_id,"
                        " category_top, territory_code, lon, lat) FROM STDIN"
                    ) as copy:
                        for row in profiles:
                            copy.write_row(row)
                    with cur.cursor.copy(f"COPY {band_table} (band, case_id, created_at) FROM STDIN") as copy:
                        for row in bands:
                            copy.write_row(row)
                else:
                    cur.executemany(
                        f"INSERT INTO {profile_table} (case_id, created_at, text, text_key, phone, reporter_id,"
                        " category_id, category_top, territory_code, lon, lat) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        profiles,
                    )
                    cur.executemany(f"INSERT INTO {band_table} (band, case_id, created_at) VALUES (?,?,?)", bands)
            progress.advance(task, len(profiles))
        progress.add_task("index", total=None)
        with connection.cursor() as cur:
            cur.execute(f"CREATE INDEX {band_index} ON {band_table} (band, created_at, case_id)")
            cur.execute(f"ANALYZE {band_table}" if vendor == "postgresql" else "ANALYZE")
            if vendor == "postgresql":
                cur.execute(f"ANALYZE {profile_table}")
    return messages


def percentile(values: Sequence[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def latency(n: int, probes: int) -> None:
    from django.db import connection

    from triage.duplicates import Probe, band_values, find, normalise, text_key
    from triage.models import DuplicateBand

    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    messages = load(n, now)
    load_seconds = time.perf_counter() - started
    db = connection.vendor
    rng = random.Random(17)
    timed, bare, sizes = [], [], []
    table = DuplicateBand._meta.db_table
    for i in range(probes + 20):
        text = paraphrase(passage(rng.choice(messages), rng, 20, 150), rng)
        norm = normalise(text)
        probe = Probe(
            case_id=None,
            created_at=now,
            text=norm,
            text_key=text_key(norm),
            phone=f"13{rng.randrange(10**9):09d}",
            category_id=rng.randrange(1, 200),
            category_top=str(rng.randrange(7)),
            territory_code="330304001001001",
            lon=120.55 + rng.random() * 0.2,
            lat=27.95 + rng.random() * 0.15,
        )
        t0 = time.perf_counter()
        found = find(probe)  # bands computed inside: the whole search as the intake runs it
        t1 = time.perf_counter()
        bands = band_values(norm)
        since = now - dt.timedelta(days=30)
        t2 = time.perf_counter()
        with connection.cursor() as cur:
            marks = ", ".join(["%s"] * len(bands))
            cur.execute(f"SELECT case_id FROM {table} WHERE band IN ({marks}) AND created_at >= %s", [*bands, since])
            rows = cur.fetchall()
        t3 = time.perf_counter()
        if i >= 20:  # warm-up
            timed.append((t1 - t0) * 1000)
            bare.append((t3 - t2) * 1000)
            sizes.append(len(rows))
            del found
    emit("duplicates", "index_load_seconds_1m", load_seconds, "s", target=None, ceiling=None, db=db)
    for q, name in ((0.5, "p50"), (0.99, "p99")):
        value, ceiling = percentile(timed, q), percentile(bare, q)
        emit("duplicates", f"candidate_search_{name}_ms_1m", value, "ms", target=50, ceiling=ceiling, db=db)
    emit("duplicates", "band_rows_matched_p50_1m", percentile(sizes, 0.5), "rows", target=None, ceiling=None, db=db)
    emit("duplicates", "band_rows_matched_p99_1m", percentile(sizes, 0.99), "rows", target=None, ceiling=None, db=db)


def main(argv: Any = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-pairs", action="store_true")
    args = parser.parse_args(argv)
    scratch = None
    if "FENGQIAO_DATABASE_URL" not in os.environ:
        scratch = tempfile.mkdtemp()
        os.environ["FENGQIAO_DATABASE_URL"] = f"sqlite:///{scratch}/dupes.sqlite3"
    setup_django()
    try:
        if not args.skip_pairs:
            evaluate()
        if not args.skip_latency:
            scratch_database()
            latency(args.cases, args.probes)
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)  # about 2 GB for a million cases


if __name__ == "__main__":
    main()
