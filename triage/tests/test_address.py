"""Address parsing and resolution (triage.address), the intake with an address only, and the preview."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.audit import AuditEntry
from core.testing import community_code
from triage import address
from triage.models import AddressResolution
from triage.tests.addrhot_fixtures import LANHE, LANHE_1, LANHE_2, MEIPU_1, AddressTestCase


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("兰河花园３幢２单元３０１室", "兰河花园3幢2单元301室"),
        ("兰河花园 三号楼 十二单元", "兰河花园3号楼12单元"),
        ("一〇二室", "102室"),
        ("二十一幢", "21幢"),
        ("兰河社区，第二网格。", "兰河社区第2网格"),
    ],
)
def test_normalise_digits_and_punctuation(raw, clean):
    assert address.normalise(raw) == clean


def test_substring_distance_finds_the_near_span():
    assert address.substring_distance("兰河花园", "住在兰和花园3幢")[0] == 1
    assert address.substring_distance("兰河花园", "住在兰花园3幢")[0] == 1
    assert address.substring_distance("兰河花园", "梅浦村5号")[0] >= 3


class ResolveTests(AddressTestCase):
    def resolve(self, text: str) -> address.Resolution:
        return address.lookup(text)

    def test_parts_of_a_full_address(self):
        parts = address.parse("浙江省温州市测试区A街道兰河社区兰河花园5幢1单元101室门口")
        assert parts["street"] == "A街道" and parts["community"] == "兰河社区" and parts["estate"] == "兰河花园"
        assert (parts["building"], parts["unit"], parts["room"]) == (5, 1, 101)

    def test_a_building_decides_the_grid(self):
        assert self.resolve("兰河花园2幢1单元101室").grid_code == LANHE_1
        assert self.resolve("A街道兰河社区兰河花园5号楼").grid_code == LANHE_2
        assert self.resolve("兰河花园 五栋 一单元").grid_code == LANHE_2
        assert self.resolve("兰河花园5-1-101").grid_code == LANHE_2

    def test_noise_typos_missing_levels_and_extra_words(self):
        for text in ("兰和花园5幢", "兰花园5幢附近", "那个兰河花园对面5幢", "5幢兰河花园，兰河社区", "兰河5幢"):
            found = self.resolve(text)
            assert found.grid_code == LANHE_2, (text, found.parts)
        assert self.resolve("兰和社区").community_code == LANHE
        assert self.resolve("梅浦3号门口").grid_code == MEIPU_1

    def test_a_community_with_several_grids_stays_at_the_community(self):
        found = self.resolve("兰河社区门口")
        assert found.community_code == LANHE and found.grid_code == "" and found.level == "community"
        assert found.parts["grid_by"] == "several grids in the community"

    def test_grid_names_places_and_the_only_grid(self):
        assert self.resolve("兰河社区第2网格").grid_code == LANHE_2
        assert self.resolve("兰河第二网格").grid_code == LANHE_2
        assert self.resolve("兰河宾馆旁边").grid_code == LANHE_2
        assert self.resolve("梅浦村").grid_code == MEIPU_1

    def test_an_unknown_address_is_not_placed(self):
        found = self.resolve("火星基地101号")
        assert not found.placed and found.confidence == 0 and "why" in found.parts

    def test_a_road_name_is_not_a_community(self):
        assert not self.resolve("瓯海大道88号").placed

    def test_the_gazetteer_is_built_once(self):
        first = address.gazetteer()
        with self.assertNumQueries(0):
            assert address.gazetteer() is first

    def test_a_new_compound_is_found_after_the_next_check(self):
        from registry.models import House
        from territory.models import Grid

        assert not address.gazetteer().names.get("梅浦新苑")
        House.objects.create(
            code="HNEW1",
            estate="梅浦新苑",
            building="1",
            address="梅浦新苑1幢",
            house_type="residential",
            use="own",
            grid=Grid.objects.get(code=MEIPU_1),
        )
        address._cache["checked"] -= 10  # the next check is due
        assert address.lookup("梅浦新苑1幢").grid_code == MEIPU_1


class IntakeByAddressTests(AddressTestCase):
    def test_an_address_alone_places_the_case_and_the_resolution_is_kept(self):
        case = self.report(lon=None, lat=None, address="兰河花园5幢1单元101室门口")
        assert case.grid.code == LANHE_2 and case.territory_code == LANHE_2
        row = AddressResolution.objects.get(case=case)
        assert row.level == "grid" and row.used and row.confidence > 0.8 and row.parts["building"] == 5
        assert AuditEntry.objects.filter(action="triage.address_resolved", object_id=str(row.pk)).exists()

    def test_a_community_only_address_files_at_the_community(self):
        case = self.report(lon=None, lat=None, address="兰河社区")
        assert case.grid is None and case.territory_code == LANHE

    def test_an_address_that_cannot_be_placed_is_a_clear_error(self):
        with self.assertRaises(ValidationError) as caught:
            self.report(lon=None, lat=None, address="火星基地101号")
        message = caught.exception.message_dict["address"][0]
        assert "could not place" in message and "pin it on the map or choose the community" in message
        assert not AddressResolution.objects.exists()

    def test_a_map_point_wins_over_the_address(self):
        case = self.report(address="兰河花园5幢")  # lon/lat of the fixture: grid A-1-1
        assert case.territory_code != LANHE_2 and not AddressResolution.objects.filter(case=case).exists()

    def test_a_chosen_community_takes_the_grid_from_the_address(self):
        case = self.report(lon=None, lat=None, community_code=LANHE, address="兰河花园2幢")
        assert case.grid.code == LANHE_1
        other = self.report(lon=None, lat=None, community_code=community_code(0, 0), address="兰河花园2幢")
        assert other.grid is None and other.territory_code == community_code(0, 0)
        assert not AddressResolution.objects.get(case=other).used

    def test_the_case_page_shows_the_resolution(self):
        case = self.report(lon=None, lat=None, address="兰河花园5幢")
        self.login("alice")
        html = self.client.get(f"/cases/{case.tracking_no}/").content.decode()
        assert 'data-testid="address-resolution"' in html and "building: 5" in html

    def test_the_hotline_console_files_with_an_address_only(self):
        self.login("alice")
        response = self.client.post(
            "/hotline/",
            {
                "phone": "13812345678",
                "category": self.noise.code,
                "community": "",
                "address": "梅浦村3号",
                "description": "村口烧烤店每晚噪音扰民",
                "urgency": "normal",
            },
        )
        assert response.status_code == 200 and 'data-testid="saved"' in response.content.decode()
        response = self.client.post(
            "/hotline/",
            {
                "phone": "13812345678",
                "category": self.noise.code,
                "address": "火星基地",
                "description": "x",
                "urgency": "normal",
            },
        )
        assert "could not place" in response.content.decode()

    def test_the_resident_form_files_with_an_address_only(self):
        self.login("frank")
        response = self.client.post(
            "/report/",
            {"category_code": self.noise.code, "description": "噪音", "urgency": "normal", "address": "兰河花园2幢"},
        )
        assert response.status_code == 302
        assert AddressResolution.objects.get().grid_code == LANHE_1

    def test_the_forms_ask_for_the_preview(self):
        for name, url in (("frank", "/report/"), ("alice", "/hotline/")):
            self.login(name)
            html = self.client.get(url).content.decode()
            assert 'hx-get="/triage/address/"' in html and 'id="address-preview"' in html, url

    def test_the_preview_says_where_an_address_goes(self):
        self.login("frank")
        html = self.client.get("/triage/address/", {"q": "兰河花园5幢"}).content.decode()
        assert "兰河社区" in html and "兰河社区第2网格" in html
        html = self.client.get("/triage/address/", {"address": "火星基地"}).content.decode()
        assert "Could not place" in html or "无法" in html
        self.client.logout()
        assert self.client.get("/triage/address/", {"q": "兰河"}).status_code == 302


def test_the_parts_of_a_resolution_read_in_chinese():
    from django.utils import translation

    from triage.templatetags.triage_address import address_parts

    parts = {"grid_by": "building", "building": 3, "community": "A1社区", "_mentions": []}
    with translation.override("zh-hans"):
        assert address_parts(parts) == "网格依据: 楼栋号 · 楼栋: 3"
    with translation.override("en"):
        assert address_parts(parts) == "grid from: the building number · building: 3"
