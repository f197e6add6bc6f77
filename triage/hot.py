"""Hot issues (热点问题): cluster a period's messages into issues — same place and same problem — and score their heat.

Two messages are linked when their texts are alike (TF-IDF over character bi- and trigrams, cosine) and they
share a place (a community, grid or compound the address gazetteer finds, the case's own community, or a place
phrase such as 联丰路 / 米兰春天小区 in the text) with cosine ≥ 0.3, or when their texts are alike enough without
a shared place (cosine ≥ 0.7 for message files whose places are anonymised; 0.9 on the case page, where every case
has its community). Issues are the connected
components of that graph (each message linked only to its nearest neighbours, so chains stay short).

Heat = 10 × (1.5 · ln(1 + messages) + 0.5 · ln(1 + support) + 0.3 · ln(1 + span in days)) × growth^0.3, where support is
likes minus half the opposition (shipped data) or followers and merged duplicates (cases), and growth is the
messages of the later half of the period over the earlier half, (later + 1) / (earlier + 1), clipped to [0.5, 2].
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

TEXT_CHARS = 300  # of each message's text used for similarity (the title counts twice besides)
PLACE_PHRASE = re.compile(
    r"[\u4e00-\u9fffA-Za-z0-9]{2,8}?(?:小区|花园|家园|公寓|新村|嘉园|华府|苑|社区|村|镇|街道|大道|路|街|巷|广场|市场|"
    r"学校|中学|小学|幼儿园|医院|公园|大厦|商城|工业园|园区)"
)
STOP = set(
    "的 了 是 在 我 我们 你 你们 他 他们 有 和 与 及 也 都 就 而 被 把 对 从 向 为 这 那 个 些 不 没有 没 很 还 又 "
    "请 请问 希望 能否 能 可以 要求 相关 部门 领导 政府 问题 情况 反映 关于 一下 已经 现在 目前 一直 什么 怎么 如何 "
    "为什么 是否 尊敬 您好 你好 谢谢 感谢 市民 居民 业主 我家 自己 这个 那个 这样 因为 所以 但是 如果 以及 进行 "
    "A市 西地省 一个 没有 存在 问题 严重 影响 这里 那里 附近 周边".split()
)


@dataclass
class Message:
    id: str
    title: str
    text: str
    at: dt.datetime
    support: float = 0.0
    places: frozenset[str] = frozenset()
    place_label: str = ""
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Issue:
    messages: list[Message]
    label: str
    words: list[str]
    place: str
    heat: float
    parts: dict[str, float]

    @property
    def size(self) -> int:
        return len(self.messages)

    @property
    def first(self) -> dt.datetime:
        return min(m.at for m in self.messages)

    @property
    def last(self) -> dt.datetime:
        return max(m.at for m in self.messages)


WORD = re.compile(r"[\u4e00-\u9fff]{2,}|[A-Z][A-Za-z0-9]+")  # Chinese words, or codes such as A7 (not URLs)
LEADING = set("问请在我的是但和与对于关位就从到给把被让向这那有然而且")


def place_phrases(text: str) -> set[str]:
    """Place names in a text (联丰路, 丽发新城小区, 泉塘街道): what ends in a place word, after the last 市/县 and
    without leading function words."""
    out = set()
    for phrase in PLACE_PHRASE.findall(text):
        phrase = re.split(r"[市县]", phrase)[-1]
        while phrase and phrase[0] in LEADING:
            phrase = phrase[1:]
        if len(phrase) >= 3:
            out.add(phrase)
    return out


def tokenise(text: str) -> list[str]:
    import jieba

    return [w for w in jieba.lcut(text) if w not in STOP and WORD.fullmatch(w)]


def _matrix(messages: Sequence[Message]) -> Any:
    """Unit-length TF-IDF rows over character bi- and trigrams (title counted twice): fast, no word segmentation
    (jieba is used only for the labels of the issues shown)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    docs = [f"{m.title} {m.title} {m.text[:TEXT_CHARS]}" for m in messages]
    # grams in more than 30 % of a large set say nothing about the issue (请问, 小区, 领导); a small set keeps all
    common = 0.3 if len(docs) >= 50 else 1.0
    chars = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, min_df=1, max_df=common)
    try:
        x = chars.fit_transform(docs)
    except ValueError:  # nothing left after max_df (tiny or identical inputs)
        x = TfidfVectorizer(analyzer="char", ngram_range=(2, 3)).fit_transform(docs)
    return normalize(x)


def cluster(
    messages: Sequence[Message],
    *,
    similar: float = 0.7,
    same_place: float = 0.3,
    neighbours: int = 10,
) -> list[list[int]]:
    """Groups of message indexes: linked when cosine ≥ `similar`, or ≥ `same_place` and a shared place."""
    n = len(messages)
    if n == 0:
        return []
    x = _matrix(messages)
    rows: list[int] = []
    cols: list[int] = []
    block = max(64, 4_000_000 // n)  # rows of the dense similarity block: ≤ 4 M floats (32 MB) at a time
    for start in range(0, n, block):
        sims = (x[start : start + block] @ x.T).toarray()
        for offset in range(sims.shape[0]):
            i = start + offset
            row = sims[offset]
            row[i] = 0.0
            k = min(neighbours, n - 1)
            if k <= 0:
                continue
            top = np.argpartition(-row, k - 1)[:k] if k < n - 1 else np.arange(n)
            for j in top:
                s = row[j]
                if s >= similar or (s >= same_place and messages[i].places & messages[int(j)].places):
                    rows.append(i)
                    cols.append(int(j))
    graph = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _count, labels = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), []).append(i)
    return list(groups.values())


def heat(members: Sequence[Message], start: dt.datetime, end: dt.datetime) -> tuple[float, dict[str, float]]:
    count = len(members)
    support = max(0.0, sum(m.support for m in members))
    first, last = min(m.at for m in members), max(m.at for m in members)
    span = (last - first).total_seconds() / 86400
    middle = start + (end - start) / 2
    later = sum(1 for m in members if m.at >= middle)
    earlier = count - later
    growth = min(2.0, max(0.5, (later + 1) / (earlier + 1)))
    value = 10 * (1.5 * math.log1p(count) + 0.5 * math.log1p(support) + 0.3 * math.log1p(span)) * growth**0.3
    parts = {
        "messages": count,
        "support": round(support, 1),
        "span_days": round(span, 1),
        "earlier": earlier,
        "later": later,
        "growth": round(growth, 2),
    }
    return round(value, 2), parts


def hot_issues(
    messages: Sequence[Message],
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    top: int | None = 20,
    min_messages: int = 2,
    similar: float = 0.7,
    same_place: float = 0.3,
    groups: list[list[int]] | None = None,
) -> list[Issue]:
    """The period's issues by heat, hottest first (issues of fewer than `min_messages` messages left out)."""
    if not messages:
        return []
    start = start or min(m.at for m in messages)
    end = end or max(m.at for m in messages)
    if end <= start:
        end = start + dt.timedelta(days=1)
    if groups is None:
        groups = cluster(messages, similar=similar, same_place=same_place)
    scored = []
    for group in groups:
        if len(group) < min_messages:
            continue
        members = sorted((messages[i] for i in group), key=lambda m: (-m.support, m.at))
        value, parts = heat(members, start, end)
        scored.append((value, members, parts))
    scored.sort(key=lambda t: (-t[0], -len(t[1])))
    issues = []
    for value, members, parts in scored[:top] if top else scored:
        words = top_words(members)
        place = top_place(members)
        label = "·".join(([place] if place else []) + [w for w in words if w not in place][:4])
        issues.append(Issue(members, label, words, place, value, parts))
    return issues


def top_words(members: Sequence[Message], k: int = 5) -> list[str]:
    """The words most of the issue's messages use: document frequency in the issue, titles counted double; only
    words in two or more messages when the issue has two; 2–4 character words before longer ones on ties."""
    counts: Counter[str] = Counter()
    for m in members:
        counts.update(set(tokenise(m.title)))
        counts.update(set(tokenise(f"{m.title} {m.text[:TEXT_CHARS]}")))
    floor = 2 if len(members) > 1 else 0
    kept = [(w, c) for w, c in counts.items() if c > floor]  # in two messages at least (a title alone counts 2)
    ranked = sorted(kept or counts.items(), key=lambda kv: (-kv[1], len(kv[0]) > 4, -len(kv[0]), kv[0]))
    return [w for w, _c in ranked[:k]]


def top_place(members: Sequence[Message]) -> str:
    counts: Counter[str] = Counter(m.place_label for m in members if m.place_label)
    if counts:
        return counts.most_common(1)[0][0]
    phrases: Counter[str] = Counter()
    for m in members:
        phrases.update(place_phrases(f"{m.title} {m.text}"))
    best = phrases.most_common(1)
    return best[0][0] if best and best[0][1] > 1 else ""


# ---------------------------------------------------------------------------------------------------------------------
# Sources: the shipped message file and the cases of the database
# ---------------------------------------------------------------------------------------------------------------------


def read_messages(path: Any) -> list[Message]:
    """The shipped 留言 CSV (留言编号, 留言主题, 留言时间, 留言详情, 反对数, 点赞数), or any UTF-8 CSV with id, text
    and optionally title, time, likes, against."""
    import csv

    out = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            ident = (row.get("留言编号") or row.get("id") or str(n)).strip()
            title = (row.get("留言主题") or row.get("title") or "").strip()
            text = re.sub(r"\s+", " ", row.get("留言详情") or row.get("text") or "").strip()
            when = (row.get("留言时间") or row.get("time") or "").strip()
            at = _parse_time(when)
            likes = float(row.get("点赞数") or row.get("likes") or 0)
            against = float(row.get("反对数") or row.get("against") or 0)
            out.append(
                Message(
                    ident,
                    title,
                    text,
                    at,
                    support=likes - 0.5 * against,
                    places=frozenset(place_phrases(f"{title} {text}")),
                )
            )
    return out


def _parse_time(value: str) -> dt.datetime:
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return dt.datetime(1970, 1, 1)


def case_messages(cases: Iterable[Any]) -> list[Message]:
    """Cases (with `n_followers`, `n_duplicates` annotated) as messages: the place is the case's community and
    grid plus what the gazetteer finds in its address and text."""
    from django.urls import reverse

    from triage import address

    gz = address.gazetteer()
    out = []
    for case in cases:
        community = case.territory_code[:12]
        places = {community, case.territory_code}  # the grid's code when the case has one
        for mention in gz.mentions(address.normalise(f"{case.address}{case.description[:200]}")):
            for target in mention.targets:
                if target.kind in ("estate", "place", "organisation", "grid", "community", "stem", "variant"):
                    places.add(target.grid or target.community)
        out.append(
            Message(
                case.tracking_no,
                case.title or "",
                case.description,
                case.created_at,
                support=float(getattr(case, "n_followers", 0) + getattr(case, "n_duplicates", 0)),
                places=frozenset(places),
                place_label=gz.community_names.get(community, ""),
                url=reverse("cases:detail", args=[case.tracking_no]),
                extra={"status": case.get_status_display(), "category": str(case.category)},
            )
        )
    return out


def period_cases(queryset: Any, start: dt.datetime, end: dt.datetime) -> Any:
    from django.db.models import Count

    return (
        queryset.filter(created_at__gte=start, created_at__lt=end, master__isnull=True)
        .select_related("category")
        .annotate(n_followers=Count("followers", distinct=True), n_duplicates=Count("duplicates", distinct=True))
        .only("tracking_no", "title", "description", "address", "created_at", "territory_code", "category", "status")
    )
