"""Demo Open311 services: which leaf categories the public API offers and their form fields (seed_demo)."""

from __future__ import annotations

from typing import Any

from cases.models import Category
from core import audit
from core.actions import action
from open311.actions import define_service
from open311.models import ServiceProfile

ACTOR = "seed_demo"
# Second-level branches of places and things residents report from the street (the rest of the 12345 tree —
# party affairs, discipline, criminal cases, pensions … — is not for a public location-based API).
OFFERED = {
    ("城乡建设", "城市建设和市政管理"),
    ("城乡建设", "城乡规划"),
    ("城乡建设", "安全生产"),
    ("环境保护", "环境污染"),
    ("交通运输", "建设管理"),
    ("政法", "交通管理"),
    ("卫生计生", "公共卫生"),
    ("商贸旅游", "市场监管"),
}
YES_NO = [("yes", "是"), ("no", "否")]
SERVICES: dict[tuple[str, str], dict[str, Any]] = {
    ("城市建设和市政管理", "城市公共设施"): {
        "keywords": "路灯, 井盖, 护栏, 公交站亭, 设施损坏",
        "attributes": [
            {
                "code": "facility",
                "datatype": "singlevaluelist",
                "required": True,
                "description": "哪类设施？",
                "values": [
                    ("streetlight", "路灯"),
                    ("manhole", "井盖"),
                    ("railing", "护栏"),
                    ("shelter", "公交站亭"),
                    ("other", "其他"),
                ],
            },
            {
                "code": "facility_no",
                "datatype": "string",
                "description": "设施编号",
                "datatype_description": "路灯杆、井盖上喷涂的编号，没有可不填",
            },
            {
                "code": "blocks_way",
                "datatype": "singlevaluelist",
                "required": True,
                "description": "是否影响通行安全？",
                "values": YES_NO,
            },
        ],
    },
    ("城市建设和市政管理", "环境卫生"): {
        "keywords": "垃圾, 保洁, 公厕",
        "attributes": [
            {
                "code": "problem",
                "datatype": "multivaluelist",
                "required": True,
                "description": "看到了什么？",
                "values": [
                    ("dumping", "垃圾乱堆"),
                    ("overflow", "垃圾桶满溢"),
                    ("dirty_road", "路面脏污"),
                    ("toilet", "公厕脏乱"),
                ],
            },
        ],
    },
    ("城市建设和市政管理", "自来水供应"): {
        "keywords": "停水, 水压, 漏水, 水质",
        "attributes": [
            {
                "code": "problem",
                "datatype": "singlevaluelist",
                "required": True,
                "description": "什么问题？",
                "values": [
                    ("outage", "停水"),
                    ("low_pressure", "水压低"),
                    ("quality", "水质异常"),
                    ("leak", "管道漏水"),
                ],
            },
            {
                "code": "households",
                "datatype": "number",
                "description": "大约影响多少户？",
                "datatype_description": "整数，不清楚可不填",
            },
        ],
    },
    ("城市建设和市政管理", "燃气供应"): {
        "keywords": "燃气, 煤气, 漏气",
        "service_notice": "闻到燃气味请立即离开并拨打燃气抢修电话，勿开关电器。",
        "attributes": [
            {
                "code": "safety",
                "datatype": "string",
                "variable": False,
                "description": "闻到燃气味请立即离开现场并拨打燃气抢修电话，本渠道不受理紧急抢修。",
            },
            {
                "code": "smell",
                "datatype": "singlevaluelist",
                "required": True,
                "description": "现在是否闻到燃气味？",
                "values": YES_NO,
            },
        ],
    },
    ("城市建设和市政管理", "园林绿化"): {
        "keywords": "树木, 绿地, 修剪",
        "attributes": [
            {
                "code": "problem",
                "datatype": "singlevaluelist",
                "required": True,
                "description": "什么问题？",
                "values": [
                    ("fallen", "树木倒伏"),
                    ("damaged", "绿地损毁"),
                    ("pests", "病虫害"),
                    ("pruning", "需要修剪"),
                ],
            },
        ],
    },
    ("城乡规划", "违章建筑"): {
        "keywords": "违建, 搭建, 加层",
        "attributes": [
            {
                "code": "stage",
                "datatype": "singlevaluelist",
                "required": True,
                "description": "建设情况",
                "values": [("building", "正在施工"), ("built", "已建成")],
            },
            {
                "code": "noticed_at",
                "datatype": "datetime",
                "description": "何时发现？",
                "datatype_description": "例如 2026-11-25T09:30:00+08:00",
            },
            {"code": "area_m2", "datatype": "number", "description": "大约面积（平方米）"},
        ],
    },
    ("环境污染", "噪音污染"): {
        "keywords": "噪音, 扰民, 施工噪声",
        "attributes": [
            {
                "code": "source",
                "datatype": "singlevaluelist",
                "required": True,
                "description": "噪音来自哪里？",
                "values": [
                    ("construction", "建筑施工"),
                    ("shop", "商铺经营"),
                    ("venue", "娱乐场所"),
                    ("traffic", "车辆"),
                    ("other", "其他"),
                ],
            },
            {"code": "when", "datatype": "text", "description": "通常在什么时间出现？"},
        ],
    },
    ("环境污染", "大气污染"): {
        "keywords": "油烟, 焚烧, 扬尘, 异味",
        "attributes": [
            {
                "code": "kind",
                "datatype": "multivaluelist",
                "required": True,
                "description": "污染类型",
                "values": [("fumes", "餐饮油烟"), ("burning", "露天焚烧"), ("dust", "工地扬尘"), ("odour", "异味")],
            },
        ],
    },
}


@action
def seed_open311_demo() -> int:
    """Offer the branches above as services (others hidden), catch-all 其他 leaves held for moderation, and the
    form fields of SERVICES. Idempotent: does nothing once any service profile exists. Returns services offered."""
    if ServiceProfile.objects.exists() or not Category.objects.exists():
        return 0
    categories = {c.pk: c for c in Category.objects.all()}
    parents = {c.parent_id for c in categories.values() if c.parent_id}
    offered, hidden = 0, []
    for leaf in (c for c in categories.values() if c.pk not in parents):
        mid = categories.get(leaf.parent_id) if leaf.parent_id else None
        top = categories.get(mid.parent_id) if mid and mid.parent_id else None
        if not (mid and top and (top.name, mid.name) in OFFERED):
            hidden.append(ServiceProfile(category=leaf, listed=False))
            continue
        spec = dict(SERVICES.get((mid.name, leaf.name), {}))
        define_service(
            leaf, attributes=spec.pop("attributes", []), acting_user=ACTOR, moderated=leaf.name == "其他", **spec
        )
        offered += 1
    ServiceProfile.objects.bulk_create(hidden)
    audit.record(
        "open311.hide_services",
        actor=ACTOR,
        object_type="open311.serviceprofile",
        object_id="*",
        after={"hidden": sorted(p.category.code for p in hidden)},
    )
    return offered
