"""Similar open cases, shown before a new one is saved (a simple, explainable measure until triage replaces it):
character-bigram overlap of the descriptions among open cases of the last 30 days in the same street, plus a bonus
for the same category and the same community."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from cases.choices import FINAL_STATUSES
from cases.models import Case

WINDOW_DAYS = 30
THRESHOLD = 0.25


@dataclass
class Similar:
    case: Case
    score: float
    why: list[str]


def bigrams(text: str) -> set[str]:
    text = "".join(ch for ch in text if not ch.isspace() and ch not in "，。！？、；：,.!?;:（）()")
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similar_open_cases(
    description: str, *, territory_code: str = "", category_code: str = "", limit: int = 5, cases=None
) -> list[Similar]:
    words = bigrams(description)
    if len(words) < 3:
        return []
    since = timezone.now() - dt.timedelta(days=WINDOW_DAYS)
    pool = (
        (cases if cases is not None else Case.objects.all())
        .exclude(status__in=list(FINAL_STATUSES))
        .filter(created_at__gte=since)
        .select_related("category")
    )
    if territory_code:
        pool = pool.filter(territory_code__startswith=territory_code[:9])
    found = []
    for case in pool.order_by("-created_at")[:500]:
        other = bigrams(case.description)
        overlap = len(words & other) / max(len(words | other), 1)
        why = [f"描述相似度 {overlap:.0%}"]
        score = overlap
        if category_code and case.category.code == category_code:
            score += 0.1
            why.append("同一类别")
        if territory_code and case.territory_code.startswith(territory_code[:12]) and len(territory_code) >= 12:
            score += 0.1
            why.append("同一社区")
        if score >= THRESHOLD:
            found.append(Similar(case, round(score, 2), why))
    return sorted(found, key=lambda s: -s.score)[:limit]
