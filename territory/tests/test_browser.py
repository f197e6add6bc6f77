"""The grid map in a real browser: a grid worker sees only their grid and gets 404 on another."""

from __future__ import annotations

import pytest

from core.testing import build_test_district, grid_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")


def test_grid_worker_sees_only_their_grid_on_the_map(page, artifacts):
    build_test_district()
    log_in(page, "carol")
    page.wait_for_url("**/map/")
    page.wait_for_selector("#map[data-ready='1']")
    assert page.get_attribute("#map", "data-grids") == "1"
    assert page.locator("path.leaflet-interactive").count() >= 1 or page.locator("canvas").count() >= 1
    assert "Carol" in page.inner_text("[data-testid=who]") and "A1社区第1网格" in page.inner_text("[data-testid=tree]")
    assert "B1社区" not in page.inner_text("[data-testid=tree]")

    page.click(f"[data-testid=tree] [data-grid='{grid_code(0, 0, 0)}']")
    panel = page.locator("[data-testid=grid-panel]")
    panel.wait_for()
    assert "Carol" in panel.inner_text() and "流动人口和出租房屋管理" in panel.inner_text()

    page.fill("[data-testid=search]", "社区")
    page.wait_for_selector("[data-testid=search-results]")
    assert "B1社区" not in page.inner_text("[data-testid=search-results]")
    page.screenshot(path=str(artifacts / "grid-worker-map.png"), full_page=True)
    assert page.console_errors == []

    response = page.goto(f"/grids/{grid_code(1, 0, 0)}/")
    assert response.status == 404


def test_english_is_one_click_away(page):
    build_test_district()
    log_in(page, "bob")
    page.wait_for_url("**/command/")  # street command centres land on the command centre
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert "Grid map" in page.inner_text("header")
