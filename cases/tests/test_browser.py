"""The case loop in Chromium: a resident reports with a photo, the grid worker passes it up, the street
dispatches it, the department replies and resolves, the resident confirms and rates."""

from __future__ import annotations

import pytest

from cases.categories import build_categories
from cases.models import Case, Category
from core.testing import build_test_district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def act(page, tracking_no: str, action: str, **fields) -> None:
    page.goto(f"/cases/{tracking_no}/")
    form = page.locator(f"form.action-{action}")
    for name, value in fields.items():
        target = form.locator(f"[name={name}]")
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_the_whole_loop_in_the_browser(page, artifacts):
    build_test_district()
    build_categories(acting_user="test")
    noise = Category.objects.get(name="噪音污染", depth=3)

    log_in(page, "frank")
    page.goto("/report/")
    page.wait_for_selector("#pickmap[data-ready='1']")
    box = page.locator("#pickmap path").first.bounding_box()  # the district outline as drawn
    page.mouse.click(box["x"] + box["width"] * 0.12, box["y"] + box["height"] * 0.8)  # south-west: grid A-1-1
    page.select_option("select[name=category_code]", noise.code)
    page.fill("textarea[name=description]", "小区门口烧烤店油烟和噪音扰民")
    page.fill("input[name=reporter_phone]", "13812345678")
    page.set_input_files(
        "input[name=attachments]", files=[{"name": "scene.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.screenshot(path=str(artifacts / "resident-report.png"), full_page=True)
    page.click("button[type=submit]")
    tracking_no = page.inner_text("[data-testid=reported] [data-testid=tracking-no]").strip()
    case = Case.objects.get(tracking_no=tracking_no)
    assert case.grid.code == "990100001001001" and case.attachments.count() == 1

    log_in(page, "carol")
    act(page, tracking_no, "escalate", reason="需要执法部门处理")
    log_in(page, "bob")
    act(page, tracking_no, "dispatch", department="test-zfj")
    log_in(page, "erin")
    act(page, tracking_no, "accept")
    act(page, tracking_no, "reply", text="已责令店主安装油烟净化器")
    act(page, tracking_no, "resolve", note="复查已整改")
    log_in(page, "frank")
    act(page, tracking_no, "confirm", rating="5", comment="处理很快")
    assert page.inner_text("[data-testid=status]").strip() in ("已办结", "Closed")
    page.screenshot(path=str(artifacts / "case-closed.png"), full_page=True)
    case.refresh_from_db()
    assert case.status == "closed" and case.rating == 5
    assert list(case.events.values_list("action", flat=True)) == [
        "intake",
        "escalate",
        "dispatch",
        "accept",
        "reply",
        "resolve",
        "confirm",
    ]
    assert page.console_errors == []
