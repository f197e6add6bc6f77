"""The case category tree: the government's 3-level tree (cases/data) plus the grid matters of the 4+X list."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.db import transaction

from core import audit
from territory.models import AdmissionItem, Department
from territory.standing import STANDING_FOUR

TREE_FILE = Path(__file__).resolve().parent / "data" / "category_tree.csv"
GRID_BRANCH = "网格事务"
# First-level category → short code of the district department usually responsible (territory.demo.names).
DEPARTMENT_BY_TOP = {
    "城乡建设": "zjj",
    "环境保护": "sthjj",
    "交通运输": "jtj",
    "教育文体": "jyj",
    "劳动和社会保障": "rsj",
    "卫生计生": "wjj",
    "商贸旅游": "swj",
    "民政": "mzj",
    "政法": "gaj",
    "农村农业": "nyncj",
    "国土资源": "zrzyj",
    "经济管理": "fgj",
    "科技与信息产业": "jxj",
}


def read_tree(path: Path = TREE_FILE) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        return [(a.strip(), b.strip(), c.strip()) for a, b, c in reader if a.strip()]


@transaction.atomic
def build_categories(*, departments: list[Department] | None = None, acting_user: Any = "seed") -> int:
    """Create the tree (codes 01, 0101, 010101 in file order). Idempotent; returns how many were created."""
    from cases.models import Category

    if Category.objects.exists():
        return 0
    by_short = {d.code.rsplit("-", 1)[-1]: d for d in departments or []}
    tree: dict[str, dict[str, list[str]]] = {}
    for top, mid, leaf in read_tree():
        tree.setdefault(top, {}).setdefault(mid, []).append(leaf)
    tree[GRID_BRANCH] = {name: [] for _, name, _ in STANDING_FOUR}
    items = {i.name: i for i in AdmissionItem.objects.filter(is_standing=True)}
    created = []
    for t, (top, mids) in enumerate(tree.items(), start=1):
        dept = by_short.get(DEPARTMENT_BY_TOP.get(top, ""))
        top_cat = Category.objects.create(code=f"{t:02d}", name=top, depth=1, department=dept)
        created.append(top_cat)
        for m, (mid, leaves) in enumerate(mids.items(), start=1):
            mid_cat = Category.objects.create(
                code=f"{t:02d}{m:02d}",
                name=mid,
                depth=2,
                parent=top_cat,
                department=dept,
                admission_item=items.get(mid),
            )
            created.append(mid_cat)
            for n, leaf in enumerate(leaves, start=1):
                created.append(
                    Category.objects.create(
                        code=f"{t:02d}{m:02d}{n:02d}", name=leaf, depth=3, parent=mid_cat, department=dept
                    )
                )
    audit.record(
        "cases.create_categories",
        actor=acting_user,
        object_type="cases.category",
        object_id="*",
        after={"count": len(created), "source": TREE_FILE.name},
    )
    return len(created)
