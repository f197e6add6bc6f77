"""Realistic Chinese names for the demo: places with Wenzhou morphemes, people with Wenzhou surnames, and the
functional departments of a district government."""

from __future__ import annotations

from typing import Any

import numpy as np

PLACE_FIRST = list("东西南北上下前后新老龙凤梅兰桂仙丽潘瞿郭娄茶梧景泽雅塘溪湖山桥垟岙浦埠林石白金园沙")
PLACE_SECOND = list("湖山桥溪垟岙塘浦埠头底岭坑湾洋田园庄港泾屿洲亭门殿")
COMMUNITY_SECOND = ["湖", "苑", "城", "桥", "山", "河", "园", "锦", "华", "景", "新", "安", "泰", "和", "康", "欣"]
SURNAMES = ("陈 林 黄 王 张 李 周 吴 郑 潘 徐 胡 叶 金 朱 杨 刘 蔡 谢 郭 孙 余 姜 戴 夏 董 项 季 邵 方").split()
SURNAME_WEIGHTS = np.array(
    [14, 9, 7, 7, 6, 5, 4, 4, 4, 4, 3.5, 3.5, 3, 3, 3, 3, 2.5, 2.5, 2, 2, 2, 1.5, 1.5, 1.2, 1.2, 1.2, 1, 1, 1, 1]
)
GIVEN_MALE = list("伟强军勇杰涛斌超明磊鹏飞浩宇建华国平志海波辉晨旭东俊")
GIVEN_FEMALE = list("丽静敏燕艳娟霞婷芳红玲琳慧莉雪颖倩洁娜晶萍")
GIVEN_SHARED = list("文晓小佳嘉一子思欣雨安春秋海")

DEPARTMENTS: list[tuple[str, str]] = [
    ("gaj", "区公安分局"),
    ("mzj", "区民政局"),
    ("rsj", "区人力社保局"),
    ("zjj", "区住建局"),
    ("zfj", "区综合行政执法局"),
    ("scjgj", "区市场监管局"),
    ("yjglj", "区应急管理局"),
    ("sthjj", "区生态环境分局"),
    ("wjj", "区卫生健康局"),
    ("jyj", "区教育局"),
    ("jtj", "区交通运输局"),
    ("slj", "区水利局"),
    ("zrzyj", "区自然资源和规划分局"),
    ("sfj", "区司法局"),
    ("xfj", "区信访局"),
    ("xfjy", "区消防救援大队"),
    ("nyncj", "区农业农村局"),
    ("wgltj", "区文化和广电旅游体育局"),
    ("fgj", "区发展和改革局"),
    ("jxj", "区经济和信息化局"),
    ("czj", "区财政局"),
    ("swj", "区商务局"),
    ("tyjrj", "区退役军人事务局"),
    ("ybj", "区医疗保障分局"),
    ("tjj", "区统计局"),
    ("sw", "区税务局"),
    ("gdj", "区供电分公司"),
    ("gs", "区自来水公司"),
    ("rq", "区燃气公司"),
    ("fl", "区妇联"),
]
SPECIAL_KINDS = {
    "school": ["第{n}中学", "实验小学", "第{n}小学", "职业技术学校", "外国语学校"],
    "hospital": ["人民医院", "中医院", "第{n}人民医院", "妇幼保健院"],
    "market": ["农贸市场", "批发市场", "商贸城"],
    "industrial": ["工业园区", "经济开发区", "小微企业园"],
    "scenic": ["风景区", "湿地公园"],
}
CN_DIGITS = "一二三四五六七八九十"


def person(rng: np.random.Generator) -> tuple[str, str]:
    """(name, sex) with Wenzhou's surname frequencies."""
    surname = SURNAMES[rng.choice(len(SURNAMES), p=SURNAME_WEIGHTS / SURNAME_WEIGHTS.sum())]
    sex = "M" if rng.random() < 0.52 else "F"
    pool = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
    if rng.random() < 0.25:
        given = pool[rng.integers(len(pool))]
    else:
        given = GIVEN_SHARED[rng.integers(len(GIVEN_SHARED))] + pool[rng.integers(len(pool))]
    return surname + given, sex


def person_name(rng: np.random.Generator) -> str:
    return person(rng)[0]


class PlaceNamer:
    """Unique community, village and grid names within one district."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.special_counts: dict[str, int] = {}

    def _unique(self, make: Any) -> str:
        """A fresh name; when the morphemes run out (very large synthetic districts) a number goes before the
        suffix, as real new communities are often named (南湖二社区 style, here with digits)."""
        name = make()
        for attempt in range(2, 100_000):
            if name not in self.used:
                self.used.add(name)
                return name
            base = make()
            suffix = 2 if base.endswith("社区") else 1
            name = base if attempt < 60 else f"{base[:-suffix]}{attempt - 58}{base[-suffix:]}"
        raise RuntimeError("ran out of place names")

    def _pick(self, pool: list[str]) -> str:
        return pool[self.rng.integers(len(pool))]

    def community(self) -> str:
        return self._unique(lambda: self._pick(PLACE_FIRST) + self._pick(COMMUNITY_SECOND) + "社区")

    def village(self) -> str:
        def make() -> str:
            stem = self._pick(PLACE_FIRST) + self._pick(PLACE_SECOND)
            return (stem + self._pick(["底", "头", "下", "上"]) if self.rng.random() < 0.15 else stem) + "村"

        return self._unique(make)

    def special(self, community_name: str, kind: str) -> str:
        """A specialised grid's name, e.g. 南湖第二中学专属网格."""
        short = community_name.removesuffix("社区").removesuffix("村")
        self.special_counts[kind] = n = self.special_counts.get(kind, 0) + 1
        label = self._pick(SPECIAL_KINDS[kind]).format(n=CN_DIGITS[(n - 1) % 10])
        name = f"{short}{label}专属网格"
        for extra in CN_DIGITS[1:]:
            if name not in self.used:
                break
            name = f"{short}{label}{extra}区专属网格"
        self.used.add(name)
        return name
