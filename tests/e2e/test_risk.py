"""The risk level on the case file in headless Chromium, at 360 px and 1280 px (issue 20 item 1):
the level and its reasons, setting it by hand with a reason, and the dashboard's 003 alert."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caseman.rules.enums import Category
from tests.conftest import TODAY
from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("label", "width"), [("phone", 360), ("desktop", 1280)])
def test_case_file_shows_the_risk_level_and_it_can_be_set_by_hand(
    server,  # noqa: F811
    browser,  # noqa: F811
    make_user,
    make_elder,
    label,
    width,
):
    user = make_user("village", "jingang", username=f"risk_e2e_{label}")
    elder = make_elder(name="刘失能", ability_level="moderate",
                       filed_on=TODAY - timedelta(days=40),
                       categories={Category.LIVING_ALONE, Category.DISABLED_CARE})  # fmt: skip
    calm = make_elder(name="陈独居", filed_on=TODAY - timedelta(days=40))
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, server, user.username)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"risk-dashboard-{width}.png"), full_page=True)
    assert page.locator("section.disabled-alone").inner_text().count("刘失能") == 1

    page.goto(f"{server}/elders/{elder.id}")
    section = page.locator("#risk-level")
    assert section.locator("[data-risk]").get_attribute("data-risk") == "high"
    assert "失能且独居" in section.inner_text()
    assert "每7天至少上门探访一次" in section.inner_text()
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(SHOTS / f"risk-case-file-{width}.png"))
    page.screenshot(path=str(SHOTS / f"risk-case-file-page-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    # Set the level of a medium-risk elder by hand: a reason is asked for beside the field.
    page.goto(f"{server}/elders/{calm.id}")
    assert page.locator("#risk-level [data-risk]").get_attribute("data-risk") == "medium"
    page.locator("#risk-level a.button").click()
    page.select_option("#set-level", "high")
    page.click("#set-submit")
    assert "请填写此项" in page.locator("#set-reason-error").inner_text()
    page.screenshot(path=str(SHOTS / f"risk-override-error-{width}.png"), full_page=True)
    page.fill("#set-reason", "上周独自外出走失，家属在外地")
    page.click("#set-submit")
    page.wait_for_url(f"**/elders/{calm.id}")
    section = page.locator("#risk-level")
    assert section.locator("[data-risk]").get_attribute("data-risk") == "high"
    assert "上周独自外出走失" in section.inner_text()
    assert "系统根据档案评定：中风险" in section.inner_text()
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(SHOTS / f"risk-case-file-override-{width}.png"))
    context.close()
