"""The staff accounts page in Chromium, on a phone (360 px) and a desktop (1280 px): the list,
a new account refused without a real name (the input kept), then created with its one-time
password, and the account page with its buttons."""

from __future__ import annotations

import pytest

from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("label", "viewport"), [("phone", (360, 740)), ("desktop", (1280, 900))])
def test_users_page(server, browser, make_user, areas, label, viewport):  # noqa: F811
    admin = make_user("district", "district", full_name="刘明")
    make_user("town", "muer", username="muer.li", full_name="李木耳")
    make_user("village", "jingang", username="jg.zhang", full_name="张金刚")
    make_user("worker", "jingang", username="jg.chen", full_name="陈探访")
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    log_in(page, server, admin.username)
    if label == "phone":
        page.goto(server + "/users/")
    else:
        page.click("nav.mainnav >> text=账号管理")
    page.wait_for_url(server + "/users/")
    content = page.content()
    for name in ("李木耳", "张金刚", "陈探访", "已开启", "从未登录"):
        assert name in content
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0] + 1
    page.screenshot(path=str(SHOTS / f"users-list-{label}.png"), full_page=True)

    page.click("text=新增账号")
    page.fill("#username", "jg.wang")
    page.select_option("#role", "worker")
    page.select_option("#area_id", label="渝北区木耳镇金刚村")
    page.click("button[type=submit]")
    assert page.locator(".field-error").first.is_visible()
    assert page.input_value("#username") == "jg.wang"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0] + 1
    page.screenshot(path=str(SHOTS / f"users-new-refused-{label}.png"), full_page=True)

    page.fill("#full_name", "王小芳")
    page.fill("#phone", "13800001234")
    page.click("button[type=submit]")
    password = page.locator("#one-time-password").inner_text()
    assert len(password) == 14
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0] + 1
    page.screenshot(path=str(SHOTS / f"users-one-time-password-{label}.png"), full_page=True)

    page.click("text=查看账号")
    assert "王小芳" in page.locator("h1").inner_text()
    page.click("text=停用账号")
    assert "账号已停用" in page.content()
    assert "已停用" in page.locator("#account-status").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0] + 1
    page.screenshot(path=str(SHOTS / f"users-account-{label}.png"), full_page=True)
    context.close()
