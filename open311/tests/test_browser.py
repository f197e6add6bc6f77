"""In Chromium: an application's report to a moderated service waits on the moderation page, the district
command centre accepts it, and the reporter follows the case on the public tracking page with the id."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from django.core.cache import caches

from cases.models import Case
from open311.tests.base import LAT, LONG, build_open311_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_moderate_then_track(page, live_server, artifacts):
    caches["default"].clear()
    world = build_open311_world()
    form = {
        "api_key": world["key"],
        "service_code": world["other"].code,
        "lat": LAT,
        "long": LONG,
        "description": "河边有人倾倒建筑垃圾",
        "phone": "13812345678",
        "first_name": "小明",
        "last_name": "王",
    }
    request = urllib.request.Request(
        f"{live_server.url}/open311/v2/requests.json", data=urllib.parse.urlencode(form).encode()
    )
    with urllib.request.urlopen(request) as response:
        token = json.loads(response.read())[0]["token"]

    page.goto("/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.click("nav >> text=Open311 审核")
    row = page.locator(f"[data-testid=held] tr[data-token='{token}']")
    assert "河边有人倾倒建筑垃圾" in row.inner_text()
    assert "受理为事件" in row.inner_text()
    page.screenshot(path=str(artifacts / "open311-moderation.png"), full_page=True)
    row.locator("form.action-accept button").click()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert case.tracking_no in page.inner_text(".messages")
    assert page.locator("[data-testid=held] tr[data-token]").count() == 0
    page.screenshot(path=str(artifacts / "open311-moderated.png"), full_page=True)

    with urllib.request.urlopen(f"{live_server.url}/open311/v2/tokens/{token}.json") as response:
        assert json.loads(response.read())[0]["service_request_id"] == case.tracking_no
    page.context.clear_cookies()
    page.goto(f"/track/?tracking_no={case.tracking_no}&phone=13812345678")
    assert page.locator("[data-testid=timeline] li").count() >= 1
    page.screenshot(path=str(artifacts / "open311-track.png"), full_page=True)
    assert page.console_errors == []
