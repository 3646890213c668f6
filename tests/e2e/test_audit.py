"""Headless Chromium: the case file's "show full numbers" button, then the district finds that
reveal (and a refused look at another town's elder) on the audit log page."""

from __future__ import annotations

import pytest

from tests.e2e.test_pages import SHOTS, browser, server  # noqa: F401  (fixtures)
from tests.e2e.test_pages import log_in as _login

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("label", "viewport"), [("phone", (360, 740)), ("desktop", (1280, 900))])
def test_reveal_is_audited_and_found_by_the_district(
    server,  # noqa: F811
    browser,  # noqa: F811
    make_user,
    make_elder,
    label,
    viewport,
):
    village = make_user("village", "jingang", username="cadre_e2e")
    make_user("district", "district", username="district_e2e")
    elder = make_elder(name="周桂兰")
    other = make_elder(area="caoping", name="外镇老人")
    elder_id, other_id, full = elder.id, other.id, elder.id_number
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = {"width": viewport[0], "height": viewport[1]}

    context = browser.new_context(locale="zh-CN", viewport=size)
    page = context.new_page()
    _login(page, server, "cadre_e2e")
    page.goto(f"{server}/elders/{elder_id}")
    assert full not in page.content()  # masked by default
    page.click("form.reveal button")
    page.wait_for_load_state()
    assert full in page.content()
    assert page.goto(f"{server}/elders/{other_id}").status == 404
    context.close()

    context = browser.new_context(locale="zh-CN", viewport=size)
    page = context.new_page()
    _login(page, server, "district_e2e")
    page.click("nav.mainnav a[href='/audit']")
    page.select_option("select[name=action]", "reveal")
    page.click("form.filters button")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1
    assert "cadre_e2e" in rows.first.inner_text()
    page.select_option("select[name=action]", "deny")
    page.click("form.filters button")
    assert "cadre_e2e" in page.locator("table.list tbody").inner_text()
    assert full not in page.content()  # the log holds who and what, never the values
    # Issue 17 item 14: found by the elder's name; each row names the elder, actions in words.
    page.select_option("select[name=action]", "")
    page.fill("input[name=elder]", "桂兰")
    page.click("form.filters button")
    table = page.locator("table.list tbody").inner_text()
    assert "周桂兰" in table
    assert "外镇老人" not in table
    assert "查看完整号码" in table
    assert "reveal" not in table
    page.screenshot(path=str(SHOTS / f"audit-log-{label}.png"), full_page=True)
    context.close()
    del village
