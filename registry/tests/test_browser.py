"""In Chromium: a grid worker registers a family moving into a rented flat, and the landlord's house shows them."""

from __future__ import annotations

import pytest

from core.testing import build_test_district, grid_code
from registry import actions
from registry.models import House, Tenancy
from registry.testing import id_number, make_house

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def landlord_with_a_flat():
    home = make_house("H-A11-1", grid_code(0, 0, 0), room="101")
    flat = make_house("H-A11-2", grid_code(0, 0, 0), room="502", use="vacant")
    landlord = actions.do_register_person(
        {"name": "潘建国", "id_number": id_number(40), "residence_type": "registered", "phone": "13906661234"},
        home,
        acting_user="test",
    )
    House.objects.filter(pk=flat.pk).update(owner=landlord)
    return landlord, flat


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_family_moves_into_a_rented_flat(page, artifacts):
    build_test_district()
    landlord, flat = landlord_with_a_flat()
    log_in(page, "carol")
    page.goto("/registry/")
    page.fill("nav.subnav input[name=q]", "潘建国")
    page.click("nav.subnav button[type=submit]")
    page.click("[data-testid=people] a:has-text('潘建国')")
    page.click(f"a[href='/registry/houses/{flat.pk}/']")
    assert "空置" in page.inner_text("[data-testid=use]") or "Vacant" in page.inner_text("[data-testid=use]")
    page.click("[data-testid=move-in-link]")
    page.select_option("select[name=residence_type]", "floating")
    assert page.is_checked("input[name=rent]")
    page.fill("input[name=start_date]", "2025-10-01")
    family = [
        ("吴志强", id_number(41), "02", "13712345678"),
        ("李丽", id_number(42, male=False), "10", ""),
        ("吴小雨", "", "30", ""),
    ]
    for n, (name, number, relation, phone) in enumerate(family):
        page.fill(f"input[name=m-{n}-name]", name)
        page.fill(f"input[name=m-{n}-id_number]", number)
        page.select_option(f"select[name=m-{n}-relation]", relation)
        page.fill(f"input[name=m-{n}-phone]", phone)
    page.fill("input[name=m-2-birth_date]", "2018-04-05")
    page.screenshot(path=str(artifacts / "registry-move-in.png"), full_page=True)
    page.click("[data-testid=move-in] button[type=submit]")
    page.wait_for_load_state()
    tenants = page.inner_text("[data-testid=tenants]")
    assert all(name in tenants for name, *_ in family), tenants
    assert id_number(41) not in page.content()  # masked

    page.goto(f"/registry/people/{landlord.pk}/")
    page.click(f"a[href='/registry/houses/{flat.pk}/']")
    assert "吴志强" in page.inner_text("[data-testid=tenants]")
    assert "出租" in page.inner_text("[data-testid=use]") or "Rented" in page.inner_text("[data-testid=use]")
    page.screenshot(path=str(artifacts / "registry-landlord-house.png"), full_page=True)
    tenancy = Tenancy.objects.get(house=flat)
    assert tenancy.end_date is None and tenancy.household.members.count() == 3
    assert page.console_errors == []


def test_places_and_hazards_are_markers_on_the_map(page, artifacts):
    users = build_test_district()
    for name, category, lon in (("实验小学", "school", 120.03), ("加油站", "gas_station", 120.07)):
        actions.do_register_place(
            {
                "category": category,
                "name": name,
                "address": "某路1号",
                "lon": lon,
                "lat": 28.05,
                "responsible_name": "张三",
            },
            acting_user=users["carol"],
        )
    log_in(page, "carol")
    page.goto("/registry/places/map/")
    page.wait_for_selector("#placesmap[data-ready='1']")
    assert page.get_attribute("#placesmap", "data-markers") == "2"
    page.screenshot(path=str(artifacts / "registry-places-map.png"), full_page=True)
    assert page.console_errors == []
