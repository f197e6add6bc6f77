"""In Chromium: the 12345 agent sees the suggestion while typing and files without choosing a category; the street
command centre confirms it in the triage queue with one click."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from cases.categories import build_categories
from cases.models import Case
from cases.tests.test_browser import log_in
from cases.tests.test_workflow import account
from core.testing import build_test_district, community_code
from territory.models import Division
from triage.models import Correction
from triage.tests.classify_fixtures import model_dir  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("model_dir")
def test_suggestion_while_typing_then_one_click_confirmation(page, artifacts, settings):
    settings.TRIAGE_REVIEW_BELOW = 1.01  # every filled category waits for a person
    build_test_district()
    build_categories(acting_user="test")
    account("hotline1", Role.HOTLINE_AGENT, division=Division.objects.get(code="990100"))

    log_in(page, "hotline1")
    page.goto("/hotline/")
    page.fill("input[name=phone]", "13812345678")
    page.fill("input[name=community]", f"{community_code(0, 0)} A街道A1社区")
    page.locator("textarea[name=description]").press_sequentially("学校老师乱收补课费，学生家长意见很大", delay=5)
    page.wait_for_selector("[data-testid=suggested-category]")
    assert page.inner_text("[data-testid=suggested-category]") == "教育文体"
    assert page.locator("[data-testid=triage-suggestion] mark").count() > 0
    page.fill("input[name=address]", "A1社区门口")  # a paste or an IME commit fires input, not keyup
    page.wait_for_selector("#address-preview :text('A1社区')")
    page.screenshot(path=str(artifacts / "triage-hotline-suggestion.png"), full_page=True)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=saved]")
    case = Case.objects.get()
    assert case.category.name == "教育文体" and case.triage_suggestion.needs_review

    log_in(page, "bob")
    page.goto("/triage/queue/")
    assert page.inner_text("[data-testid=triage-nav] b") == "1"
    page.screenshot(path=str(artifacts / "triage-queue.png"), full_page=True)
    page.click("[data-testid=queue-row] [data-testid=confirm]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=queue-row]").count() == 0
    assert Correction.objects.get().kind == "confirmed"

    log_in(page, "frank")  # the resident's form: the category may stay empty, the suggestion shows while typing
    page.goto("/report/")
    assert page.input_value("select[name=category_code]") == ""
    page.locator("textarea[name=description]").press_sequentially("小区路灯坏了半年，晚上漆黑一片", delay=5)
    page.wait_for_selector("[data-testid=suggested-category]")
    assert page.inner_text("[data-testid=suggested-category]") == "城乡建设"
    assert page.locator("[data-testid=use-suggestion]").count() == 0  # only the console fills a text input
    page.screenshot(path=str(artifacts / "triage-report-suggestion.png"), full_page=True)
    assert page.console_errors == []
