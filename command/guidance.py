"""Guiding analysis (疏导型研判): for one category, how the cases that residents were most satisfied with were
solved, so that streets handle the same kind of problem the same way (`004`: 同一类型 → 统一的处置意见).

Typical cases are closed cases of the category rated 5 (then 4) with a reply, quickest first. Handling
opinions are the replies of satisfied closures gathered by what they say (TF-IDF of jieba words, DBSCAN with
cosine distance), largest group first, each with its satisfaction rate and the reply nearest its centre."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone

from cases.choices import Status
from cases.models import CaseUnit, Category
from command.problems import tokenize

WINDOW_DAYS = 365
MAX_ROWS = 5000


@dataclass
class Opinion:
    reply: str
    count: int
    satisfied_share: float
    words: list[str]


@dataclass
class Guidance:
    category: Category
    closed: int
    rated: int
    satisfaction_rate: float | None
    median_hours: float | None
    on_spot_share: float | None
    units: list[tuple[str, int]]
    typical: list[dict[str, Any]]
    opinions: list[Opinion]


def guide(cases: QuerySet, category: Category, now: dt.datetime | None = None) -> Guidance:
    now = now or timezone.now()
    closed = cases.filter(
        category__code__startswith=category.code,
        status=Status.CLOSED,
        created_at__gte=now - dt.timedelta(days=WINDOW_DAYS),
    )
    rows = list(
        closed.order_by("-closed_at").values(
            "id",
            "tracking_no",
            "description",
            "reply",
            "rating",
            "created_at",
            "closed_at",
            "resolved_on_spot",
            "territory_code",
        )[:MAX_ROWS]
    )
    rated = [r for r in rows if r["rating"] is not None]
    hours = {r["id"]: (r["closed_at"] - r["created_at"]).total_seconds() / 3600 for r in rows if r["closed_at"]}
    leads = Counter(
        str(u.department or u.division)
        for u in CaseUnit.objects.filter(case_id__in=[r["id"] for r in rows[:2000]], role=CaseUnit.Role.LEAD)
        .select_related("department", "division")
        .order_by()
    )
    satisfied = [r for r in rated if r["rating"] >= 4 and r["reply"].strip()]
    typical = sorted(satisfied, key=lambda r: (-r["rating"], hours.get(r["id"], 1e9)))[:8]
    for r in typical:
        r["hours"] = round(hours.get(r["id"], 0), 1)
    return Guidance(
        category=category,
        closed=len(rows),
        rated=len(rated),
        satisfaction_rate=round(sum(r["rating"] >= 4 for r in rated) / len(rated), 4) if rated else None,
        median_hours=round(statistics.median(hours.values()), 1) if hours else None,
        on_spot_share=round(sum(r["resolved_on_spot"] for r in rows) / len(rows), 4) if rows else None,
        units=leads.most_common(6),
        typical=typical,
        opinions=opinions([r for r in rated if r["reply"].strip()]),
    )


def opinions(rows: list[dict[str, Any]], limit: int = 5) -> list[Opinion]:
    from sklearn.cluster import DBSCAN
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(rows) < 3:
        return []
    vectorizer = TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None, min_df=2)
    try:
        matrix = vectorizer.fit_transform([r["reply"] for r in rows])
    except ValueError:
        return []
    vocabulary = np.array(vectorizer.get_feature_names_out())
    labels = DBSCAN(eps=0.5, min_samples=3, metric="cosine").fit_predict(matrix)
    out = []
    for label in set(labels) - {-1}:
        members = np.flatnonzero(labels == label)
        vectors = matrix[members]
        centre = np.asarray(vectors.mean(axis=0)).ravel()
        nearest = members[int(np.argmax(vectors @ centre))]
        group = [rows[i] for i in members]
        out.append(
            Opinion(
                reply=rows[nearest]["reply"],
                count=len(group),
                satisfied_share=round(sum(r["rating"] >= 4 for r in group) / len(group), 4),
                words=[str(vocabulary[i]) for i in np.argsort(centre)[::-1][:4] if centre[i] > 0],
            )
        )
    return sorted(out, key=lambda o: (-o.satisfied_share * o.count, -o.count))[:limit]
