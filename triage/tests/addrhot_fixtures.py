"""A few named communities, grids and houses added to the test district, for the address and hot-issue tests."""

from __future__ import annotations

from cases.testing import CaseTestCase
from core.testing import street_code
from registry.models import House, Place
from territory.models import Division, Grid
from triage import address

LANHE, MEIPU = "990100001003", "990100002003"  # 兰河社区 in A街道 (two grids), 梅浦村 in B街道 (one grid)
LANHE_1, LANHE_2, MEIPU_1 = LANHE + "001", LANHE + "002", MEIPU + "001"


def add_named_places() -> None:
    lanhe = Division.objects.create(
        code=LANHE,
        name="兰河社区",
        kind="community",
        level="community",
        parent=Division.objects.get(code=street_code(0)),
    )
    meipu = Division.objects.create(
        code=MEIPU, name="梅浦村", kind="village", level="community", parent=Division.objects.get(code=street_code(1))
    )
    grids = {
        LANHE_1: Grid.objects.create(code=LANHE_1, name="兰河社区第1网格", community=lanhe),
        LANHE_2: Grid.objects.create(code=LANHE_2, name="兰河社区第2网格", community=lanhe),
        MEIPU_1: Grid.objects.create(code=MEIPU_1, name="梅浦村第1网格", community=meipu),
    }
    rows = [("兰河花园", str(b), LANHE_1 if b <= 3 else LANHE_2) for b in range(1, 7)]
    rows += [("兰河嘉园", str(b), LANHE_2) for b in range(7, 9)]
    rows += [("梅浦村", f"{n}号", MEIPU_1) for n in range(1, 5)]
    for k, (estate, building, grid) in enumerate(rows):
        House.objects.create(
            code=f"H{k:05d}",
            estate=estate,
            building=building,
            unit="1" if not building.endswith("号") else "",
            room="101" if not building.endswith("号") else "",
            address=f"{estate}{building}",
            house_type="residential",
            use="own",
            grid=grids[grid],
        )
    Place.objects.create(
        kind="key_place",
        category="hotel",
        name="兰河宾馆",
        address="兰河社区88号",
        responsible_name="张三",
        grid=grids[LANHE_2],
    )
    address.reset()


class AddressTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        add_named_places()

    def setUp(self) -> None:
        address.reset()
