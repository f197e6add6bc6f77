"""Hot issues (triage.hot): clustering a small crafted set, heat, the message-file command, the page and its scope."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import Case
from core.testing import community_code
from triage import hot
from triage.tests.addrhot_fixtures import LANHE, AddressTestCase

T0 = dt.datetime(2026, 3, 1, 9, 0)


def msg(ident: str, text: str, day: int, place: str, support: float = 0) -> hot.Message:
    return hot.Message(ident, "", text, T0 + dt.timedelta(days=day), support=support, places=frozenset({place}))


CRAFTED = [
    msg("e1", "兰河花园3幢楼道里有人给电动车飞线充电，很危险", 1, "兰河", 2),
    msg("e2", "兰河花园楼道电动车飞线充电太危险了，请管管", 20, "兰河", 5),
    msg("e3", "兰河花园3幢电动车在楼道充电，飞线很危险", 25, "兰河"),
    msg("e4", "电动车楼道飞线充电很危险", 26, "梅浦"),  # same problem elsewhere: not this issue
    msg("g1", "梅浦村口每天有人焚烧垃圾，烟很大呛人", 3, "梅浦", 1),
    msg("g2", "梅浦村口焚烧垃圾，烟很大，呛得人受不了", 4, "梅浦"),
    msg("s1", "路灯坏了好几天", 10, "兰河"),
]


def test_same_problem_same_place_is_one_issue():
    issues = hot.hot_issues(CRAFTED, start=T0, end=T0 + dt.timedelta(days=30), similar=0.8, same_place=0.3)
    groups = [sorted(m.id for m in issue.messages) for issue in issues]
    assert ["e1", "e2", "e3"] in groups and ["g1", "g2"] in groups
    assert all("s1" not in g for g in groups) and all(not ({"e4", "e1"} <= set(g)) for g in groups)
    first = issues[0]
    assert first.messages[0].id == "e2"  # most supported first
    assert first.parts["messages"] == 3 and first.parts["support"] == 7 and first.parts["later"] == 2
    assert "电动车" in first.words or "充电" in first.words


def test_heat_grows_with_count_support_and_growth():
    start, end = T0, T0 + dt.timedelta(days=30)
    base = [msg("a", "x", 1, "p"), msg("b", "x", 2, "p")]
    more = [*base, msg("c", "x", 3, "p")]
    liked = [msg("a", "x", 1, "p", 50), msg("b", "x", 2, "p")]
    late = [msg("a", "x", 25, "p"), msg("b", "x", 26, "p")]
    h = hot.heat(base, start, end)[0]
    assert (
        hot.heat(more, start, end)[0] > h and hot.heat(liked, start, end)[0] > h and hot.heat(late, start, end)[0] > h
    )


def test_place_phrases():
    found = hot.place_phrases("请问A7县泉塘街道丽发新城小区旁边的搅拌站")
    assert "泉塘街道" in found and "丽发新城小区" in found and not any(p.startswith("请") for p in found)


def test_read_messages_and_command(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "留言编号,留言用户,留言主题,留言时间,留言详情,反对数,点赞数\n"
        + "".join(
            f"{n},u{n},丽发新城小区搅拌站噪音扰民,2019/12/{n:02d} 10:00:00,丽发新城小区旁边搅拌站噪音扰民严重,0,{n}\n"
            for n in range(1, 4)
        )
        + "9,u9,路灯不亮,2019/12/20 10:00:00,某路路灯不亮,0,0\n",
        encoding="utf-8",
    )
    messages = hot.read_messages(path)
    assert len(messages) == 4 and messages[0].support == 1 and messages[0].at == dt.datetime(2019, 12, 1, 10)
    out = io.StringIO()
    call_command("triage_hot", "--input", str(path), "--top", "3", stdout=out)
    text = out.getvalue()
    assert "4 messages" in text and "3 messages" in text and "丽发新城小区" in text


class HotPageTests(AddressTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        texts = [
            "兰河花园楼道电动车飞线充电很危险",
            "兰河花园楼道里电动车飞线充电太危险",
            "兰河花园电动车楼道飞线充电危险",
        ]
        cls.lanhe_cases = [
            cls.report(cls, lon=None, lat=None, address="兰河花园2幢", description=t, reporter_phone="") for t in texts
        ]
        cls.other = [
            cls.report(cls, lon=None, lat=None, community_code=community_code(1, 0), description=t, reporter_phone="")
            for t in ["B1社区楼道有人飞线给电动车充电", "B1社区电动车楼道飞线充电", "B1社区楼道电动车充电飞线隐患"]
        ]

    def test_the_page_lists_issues_with_their_cases(self):
        self.login("alice")
        html = self.client.get("/triage/hot/", {"days": 7}).content.decode()
        assert 'data-testid="hot-issues"' in html and "兰河社区" in html
        for case in [*self.lanhe_cases, *self.other]:
            assert case.tracking_no in html

    def test_a_street_sees_only_its_territory(self):
        self.login("bob")  # street A: 兰河 is in it, community B-1 is not
        html = self.client.get("/triage/hot/").content.decode()
        assert all(c.tracking_no in html for c in self.lanhe_cases)
        assert not any(c.tracking_no in html for c in self.other)

    def test_who_may_see_it(self):
        for name, status in (("leo", 200), ("frank", 403), ("erin", 403), ("carol", 403)):
            self.login(name)
            assert self.client.get("/triage/hot/").status_code == status, name
        self.client.logout()
        assert self.client.get("/triage/hot/").status_code == 302

    def test_the_export(self):
        self.login("alice")
        response = self.client.get("/triage/hot.xlsx", {"days": 30})
        assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][1] == "热点问题" and len(rows) == 3
        assert {c.tracking_no for c in self.lanhe_cases} == set(str(rows[1][10]).split()) or {
            c.tracking_no for c in self.lanhe_cases
        } == set(str(rows[2][10]).split())

    def test_merged_duplicates_are_support_not_issues(self):
        Case.objects.filter(pk=self.lanhe_cases[2].pk).update(master=self.lanhe_cases[0])
        start = timezone.now() - dt.timedelta(days=1)
        cases = hot.period_cases(Case.objects.filter(territory_code__startswith=LANHE), start, timezone.now())
        messages = {m.id: m for m in hot.case_messages(cases)}
        assert set(messages) == {self.lanhe_cases[0].tracking_no, self.lanhe_cases[1].tracking_no}
        assert messages[self.lanhe_cases[0].tracking_no].support == 1
