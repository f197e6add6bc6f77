"""The command centre in Chromium: overview (map polygons, charts, no console errors), layered map, big screen;
a street account sees only its street. Screenshots go to var/artifacts/."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.categories import build_categories
from cases.models import Case
from command import facts, synthetic
from command.staff import do_check_in
from core.testing import build_test_district
from registry.actions import do_register_place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def district():
    users = build_test_district()
    build_categories(acting_user="test")
    synthetic.generate(1500, end=timezone.now(), days=120, seed=2)
    facts.rebuild()
    do_check_in(acting_user=users["carol"], lon=120.05, lat=28.05, kind="patrol")
    do_register_place(
        {
            "category": "gas_station",
            "name": "加油站",
            "address": "某路1号",
            "lon": 120.06,
            "lat": 28.04,
            "responsible_name": "张三",
            "risk_level": "high",
        },
        acting_user=users["carol"],
    )
    return users


def test_the_overview_map_and_big_screen_render(page, artifacts, district):
    log_in(page, "alice")
    assert page.url.rstrip("/").endswith("/command")
    page.wait_for_selector("#overview-map[data-ready='1']")
    page.wait_for_function("document.querySelectorAll('.echart[data-drawn=\"1\"]').length >= 4")
    assert page.locator("#overview-map path").count() >= 8  # 8 grids and the street outlines
    assert page.locator(".echart canvas").count() >= 4
    open_cases = Case.objects.exclude(status__in=["closed", "merged", "invalid"]).count()
    assert page.inner_text("[data-testid=tile-open] b").strip() == str(open_cases)
    page.screenshot(path=str(artifacts / "command-overview.png"), full_page=True)

    page.goto("/command/map/")
    page.wait_for_selector("#cmdmap[data-ready='1']")
    assert page.get_attribute("#cmdmap", "data-grids") == "8"
    assert int(page.get_attribute("#cmdmap", "data-point-count")) > 0
    assert page.get_attribute("#cmdmap", "data-staff-count") == "1"
    assert page.get_attribute("#cmdmap", "data-place-count") == "1"  # the registry's hazard source
    page.select_option("[data-testid=metric]", "satisfaction_rate")
    # A case point or a worker's marker may lie over the grid's middle: send the click to the polygon itself.
    page.locator("#cmdmap path.leaflet-interactive").first.dispatch_event("click")
    page.wait_for_selector("[data-testid=area]")
    page.screenshot(path=str(artifacts / "command-map.png"))

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/command/screen/")
    page.wait_for_selector("#screen-map[data-ready='1']")
    page.wait_for_function("document.querySelectorAll('.echart[data-drawn=\"1\"]').length >= 3")
    page.screenshot(path=str(artifacts / "command-screen.png"))
    assert page.console_errors == []


def test_a_street_account_sees_only_its_street(page, artifacts, district):
    log_in(page, "bob")
    page.wait_for_selector("#overview-map[data-ready='1']")
    assert page.get_attribute("#overview-map", "data-grids") == "4"
    street = Case.objects.filter(territory_code__startswith="990100001").exclude(
        status__in=["closed", "merged", "invalid"]
    )
    assert page.inner_text("[data-testid=tile-open] b").strip() == str(street.count())
    assert "A街道" in page.inner_text("[data-testid=command-nav]")
    page.wait_for_function("document.querySelectorAll('.echart[data-drawn=\"1\"]').length >= 4")
    page.screenshot(path=str(artifacts / "command-overview-street.png"), full_page=True)
    assert page.request.get("/command/area/990100002001001/").status == 404  # a grid of the other street
    assert page.request.get("/command/area/990100001001001/").status == 200
    assert page.console_errors == []
