"""A test district with the category tree, a few Open311 services with form fields, and an application key."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.cache import caches

from cases.categories import build_categories
from cases.models import Category
from core.testing import DistrictTestCase, build_test_district
from open311.actions import create_key, do_define_service
from open311.models import ServiceProfile

# South-west quarter of the test district: street A, community A1, grid A-1-1.
LAT, LONG = "28.02", "120.02"
NOISE_ATTRIBUTES = [
    {
        "code": "source",
        "datatype": "singlevaluelist",
        "required": True,
        "description": "噪音来自哪里？",
        "values": [("construction", "建筑施工"), ("shop", "商铺经营")],
    },
    {"code": "when", "datatype": "text", "description": "通常在什么时间出现？"},
    {"code": "nights", "datatype": "number", "description": "每周几晚？"},
    {"code": "since", "datatype": "datetime", "description": "从何时开始？"},
    {
        "code": "kinds",
        "datatype": "multivaluelist",
        "description": "还有什么？",
        "values": [("smoke", "油烟"), ("light", "强光")],
    },
    {"code": "notice", "datatype": "string", "variable": False, "description": "夜间施工须持许可证。"},
]


def build_open311_world() -> dict[str, Any]:
    """For tests that cannot use setUpTestData (live server): the same world, committed."""
    users = build_test_district()
    build_categories(acting_user="test")
    noise = Category.objects.get(name="噪音污染", depth=3)
    light = Category.objects.get(name="城市公共设施", depth=3)
    other = Category.objects.get(name="其他", parent__name="环境污染")
    hidden = Category.objects.get(name="刑案侦破", depth=2).children.first()
    do_define_service(noise, attributes=NOISE_ATTRIBUTES, acting_user="test", keywords="噪音, 扰民")
    do_define_service(light, attributes=[], acting_user="test", service_notice="路灯报修三日内修复。")
    do_define_service(other, attributes=[], acting_user="test", moderated=True)
    if hidden is not None:
        do_define_service(hidden, attributes=[], acting_user="test", listed=False)
    client, key = create_key("随手拍", acting_user="test", requests_per_minute=1000)
    return {"users": users, "noise": noise, "light": light, "other": other, "client": client, "key": key}


class Open311TestCase(DistrictTestCase):
    noise: ClassVar[Category]
    light: ClassVar[Category]
    other: ClassVar[Category]
    key: ClassVar[str]
    app: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_categories(acting_user="test")
        cls.noise = Category.objects.get(name="噪音污染", depth=3)
        cls.light = Category.objects.get(name="城市公共设施", depth=3)
        cls.other = Category.objects.get(name="其他", parent__name="环境污染")
        do_define_service(cls.noise, attributes=NOISE_ATTRIBUTES, acting_user="test", keywords="噪音, 扰民")
        do_define_service(cls.light, attributes=[], acting_user="test", service_notice="路灯报修三日内修复。")
        do_define_service(cls.other, attributes=[], acting_user="test", moderated=True)
        cls.app, cls.key = create_key("随手拍", acting_user="test", requests_per_minute=1000)
        assert ServiceProfile.objects.count() == 3

    def setUp(self) -> None:
        caches["default"].clear()  # rate-limit counters of earlier tests

    def post(self, fmt: str = "json", remote_addr: str = "127.0.0.1", **fields: Any):
        data = {
            "api_key": self.key,
            "service_code": self.noise.code,
            "lat": LAT,
            "long": LONG,
            "description": "工地夜间施工噪音",
            "attribute[source]": "construction",
            "phone": "13812345678",
        }
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        return self.client.post(f"/open311/v2/requests.{fmt}", data, REMOTE_ADDR=remote_addr)
