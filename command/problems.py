"""Common problems of a day or a week (`001`: from thousands of work orders, find the common problems).

Cases of the period are grouped by their (leaf) category; inside a category their descriptions are compared as
TF-IDF vectors of jieba words, and DBSCAN with cosine distance (eps 0.5, at least 3 cases) gathers the ones that
say the same thing. Each group is shown with its count, its most frequent words, the description nearest its
centre, and where it happened, so a leader reads "the 40 complaints about X in Y" instead of 40 lines.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import QuerySet

from command.stats import division_names, in_days

EPS = 0.5
MIN_CASES = 3
MAX_CASES = 60_000
STOPWORDS = set(
    "的 了 在 是 我 有 和 就 不 人 都 也 很 到 说 要 去 你 会 着 没有 看 好 自己 这 那 请 希望 反映 市民 来电 问题 "
    "一直 现在 已经 目前 相关 部门 处理 解决 要求 情况 附近 我们 他们 还是 没有 每天 可以 进行 存在 导致 影响 "
    "严重 多次 一下 这个 那个 什么 怎么 因为 所以 但是 而且 如果 以及 对于 关于 等 及 与 或 被 把 让 给".split()
)


@dataclass
class Problem:
    category: str
    category_code: str
    count: int
    words: list[str]
    example: str
    example_no: str
    places: list[tuple[str, int]]
    street_count: int
    first: dt.datetime
    last: dt.datetime
    tracking_nos: list[str] = field(default_factory=list)
    points: list[list[float]] = field(default_factory=list)

    @property
    def in_one_place(self) -> bool:
        return bool(self.places) and self.places[0][1] * 2 >= self.count

    @property
    def headline(self) -> str:
        where = self.places[0][0] if self.in_one_place else f"{self.street_count} 个街道"
        return f"{where}「{'、'.join(self.words[:3]) or self.category}」{self.category} {self.count} 件"


@dataclass
class ProblemReport:
    start: dt.date
    end: dt.date
    cases: int
    clustered: int
    problems: list[Problem]


def tokenize(text: str) -> list[str]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)  # it logs its dictionary loading at DEBUG to its own stderr handler
    return [w for w in jieba.lcut(text) if len(w) > 1 and w not in STOPWORDS and not w.isdigit() and w.strip()]


def common_problems(cases: QuerySet, facts: QuerySet, start: dt.date, end: dt.date, limit: int = 40) -> ProblemReport:
    from sklearn.cluster import DBSCAN
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids = in_days(facts, start, end).values("case_id")
    rows = list(
        cases.filter(id__in=ids, master__isnull=True)
        .order_by("-created_at")
        .values(
            "tracking_no",
            "description",
            "category__code",
            "category__name",
            "territory_code",
            "lon",
            "lat",
            "created_at",
        )[:MAX_CASES]
    )
    if len(rows) < MIN_CASES:
        return ProblemReport(start, end, len(rows), 0, [])
    vectorizer = TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None, min_df=2, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([r["description"] for r in rows])
    except ValueError:  # no word appears twice
        return ProblemReport(start, end, len(rows), 0, [])
    vocabulary = np.array(vectorizer.get_feature_names_out())
    by_category: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_category.setdefault(row["category__code"], []).append(i)
    problems: list[Problem] = []
    for members in by_category.values():
        if len(members) < MIN_CASES:
            continue
        sub = matrix[members]
        labels = DBSCAN(eps=EPS, min_samples=MIN_CASES, metric="cosine").fit_predict(sub)
        for label in set(labels) - {-1}:
            chosen = [members[j] for j in np.flatnonzero(labels == label)]
            problems.append(_problem([rows[i] for i in chosen], matrix[chosen], vocabulary))
    problems.sort(key=lambda p: (-p.count, p.category_code))
    return ProblemReport(start, end, len(rows), sum(p.count for p in problems), problems[:limit])


def _problem(rows: list[dict[str, Any]], vectors, vocabulary: np.ndarray) -> Problem:
    centre = np.asarray(vectors.mean(axis=0)).ravel()
    top = [str(vocabulary[i]) for i in np.argsort(centre)[::-1][:5] if centre[i] > 0]
    nearest = int(np.argmax(vectors @ centre))
    names = division_names()
    communities = Counter(r["territory_code"][:12] for r in rows)
    streets = {r["territory_code"][:9] for r in rows}
    times = [r["created_at"] for r in rows]
    return Problem(
        category=rows[0]["category__name"],
        category_code=rows[0]["category__code"],
        count=len(rows),
        words=top,
        example=rows[nearest]["description"],
        example_no=rows[nearest]["tracking_no"],
        places=[(names.get(code, code), n) for code, n in communities.most_common(3)],
        street_count=len(streets),
        first=min(times),
        last=max(times),
        tracking_nos=[r["tracking_no"] for r in rows[:50]],
        points=[[r["lat"], r["lon"]] for r in rows if r["lon"] is not None][:200],
    )
