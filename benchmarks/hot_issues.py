"""Hot issues: how well the clustering groups the shipped messages, how much support the top issues capture, and
how long it takes.

What it measures (triage/data/messages_with_support.csv, 4,326 messages with 点赞数/反对数, no issue labels):
- reference groups = messages whose titles are identical after removing punctuation and spaces (reposts of one
  issue; groups of ≥ 2). `title_group_pair_recall_pct`: of the pairs inside a reference group, the share the
  clustering puts in one issue (target ≥ 90). `title_group_purity_pct`: for every issue, the share of its
  reference-group members that belong to its largest reference group (an issue that mixes reposts of different
  titles is impure; issues of one problem under different titles also lower it, so it is a lower bound).
- `top5_issue_support_share_pct` vs `top5_message_support_share_pct`: the share of the file's total likes held by
  the 5 hottest issues, against the 5 most-liked single messages (the ceiling the top-5 issues are compared to).
  The file's likes sit on a few messages (the top 5 hold half of them), mostly posted once, so heat (which counts
  messages first) ranks other issues higher; `top5_messages_inside_an_issue` and `support_share_in_issues_pct`
  show how many of those messages, and how much of all support, the issues of ≥ 2 messages hold.
- runtimes: the whole file, and a month of demo cases (small seeded district, 30 days of case history) read from
  the database as the /triage/hot/ page does.

    .venv/bin/python benchmarks/hot_issues.py
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict

from _common import ROOT, emit


def main() -> None:
    from _triage_demo import small_demo_database

    small_demo_database(residents=5_000, days=30)
    from _common import db_vendor

    from triage import hot

    vendor = db_vendor()
    messages = hot.read_messages(ROOT / "triage/data/messages_with_support.csv")
    import jieba

    jieba.initialize()
    started = time.perf_counter()
    groups = hot.cluster(messages)
    issues = hot.hot_issues(messages, top=5, groups=groups)
    seconds = time.perf_counter() - started
    label = {i: g for g, members in enumerate(groups) for i in members}
    by_title: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(messages):
        by_title[re.sub(r"[\W_]+", "", m.title)].append(i)
    reference = {k: v for k, v in by_title.items() if len(v) > 1}
    pairs = together = 0
    for members in reference.values():
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                pairs += 1
                together += label[members[a]] == label[members[b]]
    ref_of = {i: k for k, v in reference.items() for i in v}
    pure = counted = 0
    for members in groups:
        keys = [ref_of[i] for i in members if i in ref_of]
        if keys:
            pure += Counter(keys).most_common(1)[0][1]
            counted += len(keys)
    likes = {m.id: max(0.0, m.support) for m in messages}
    total = sum(likes.values())
    top_issue = sum(sum(likes[m.id] for m in issue.messages) for issue in issues)
    top_single = sum(sorted(likes.values(), reverse=True)[:5])
    size = {g: len(members) for g, members in enumerate(groups)}
    most_liked = sorted(range(len(messages)), key=lambda i: -likes[messages[i].id])[:5]
    in_issue = sum(1 for i in most_liked if size[label[i]] > 1)
    in_issues = sum(likes[m.id] for i, m in enumerate(messages) if size[label[i]] > 1)
    emit("hot_issues", "title_group_pair_recall_pct", 100 * together / pairs, "%", target=90, ceiling=100, db=None)
    emit("hot_issues", "title_group_purity_pct", 100 * pure / counted, "%", target=None, ceiling=100, db=None)
    emit(
        "hot_issues",
        "top5_issue_support_share_pct",
        100 * top_issue / total,
        "%",
        target=None,
        ceiling=100 * top_single / total,
        db=None,
    )
    emit(
        "hot_issues", "top5_message_support_share_pct", 100 * top_single / total, "%", target=None, ceiling=100, db=None
    )
    emit(
        "hot_issues",
        "issues_of_2_or_more",
        sum(1 for g in groups if len(g) > 1),
        "issues",
        target=None,
        ceiling=None,
        db=None,
    )
    emit("hot_issues", "top5_messages_inside_an_issue", in_issue, "messages", target=None, ceiling=5, db=None)
    emit("hot_issues", "support_share_in_issues_pct", 100 * in_issues / total, "%", target=None, ceiling=100, db=None)
    emit("hot_issues", f"file_{len(messages)}_messages_s", seconds, "s", target=60, ceiling=None, db=None)
    month_run(vendor)


def month_run(vendor: str) -> None:
    import datetime as dt

    from django.db.models import Max

    from cases.models import Case
    from triage import address, hot

    last = Case.objects.aggregate(at=Max("created_at"))["at"]
    start = last - dt.timedelta(days=30)
    address.gazetteer()
    started = time.perf_counter()
    messages = hot.case_messages(hot.period_cases(Case.objects.all(), start, last + dt.timedelta(seconds=1)))
    issues = hot.hot_issues(messages, start=start, end=last, top=20)
    seconds = time.perf_counter() - started
    emit("hot_issues", f"demo_month_{len(messages)}_cases_s", seconds, "s", target=5, ceiling=None, db=vendor)
    biggest = issues[0] if issues else None
    if biggest is not None:
        print({"demo_month_top_issue": biggest.label, "cases": biggest.size, "heat": biggest.heat}, flush=True)


if __name__ == "__main__":
    main()
