"""The search box in headless Chromium: typing pinyin initials finds the elder in scope, the matched
visit words are highlighted, and the result leads to the case history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import TODAY
from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401  (fixtures)
from tests.referrals.conftest import add_visit, cadre  # noqa: F401  (fixtures)
from tests.search.conftest import id_number

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("label", "viewport"), [("phone", (360, 740)), ("desktop", (1280, 900))])
def test_search_box_finds_highlights_and_opens_the_history(
    server,  # noqa: F811
    browser,  # noqa: F811
    make_user,
    make_elder,
    add_visit,  # noqa: F811
    label,
    viewport,
):
    user = make_user("town", "muer", username="muer_e2e")
    zhang = make_elder(name="张三丰", gender="male", id_number=id_number(201), phone="13800001111",
                       emergency_phone="", filed_on=TODAY - timedelta(days=60))  # fmt: skip
    make_elder(area="caoping", name="张三", gender="male", id_number=id_number(202),
               phone="13900001111", emergency_phone="")  # fmt: skip
    add_visit(zhang, needs_note="<b>需要</b>助浴服务")
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    log_in(page, server, user.username)  # the password, then the town's second factor

    page.goto(server + "/elders/")
    page.fill("input[name=q]", "zsf")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/elders/?q=zsf*")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1
    assert "张三丰" in rows.first.inner_text()
    assert zhang.id_number not in page.content()

    page.fill("input[name=q]", "助浴")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**q=%E5%8A%A9%E6%B5%B4*")
    mark = page.locator(".search-match mark")
    assert mark.count() == 1
    assert mark.first.inner_text() == "助浴"
    assert "<b>需要</b>" in page.locator(".search-match").first.inner_text()  # shown as text
    page.screenshot(path=str(SHOTS / f"search-results-{label}.png"), full_page=True)

    page.locator("table.list a[href$='/history']").first.click()
    page.wait_for_url(f"**/elders/{zhang.id}/history*")
    assert page.locator("ol.history li").count() >= 2
    page.screenshot(path=str(SHOTS / f"case-history-{label}.png"), full_page=True)
    context.close()
