"""A transfer in Chromium, on a phone (issue 19 item 2 "done when": transfer → accept): 金刚村's
staff ask 草坪村 (another town) to take a case on; 草坪村's staff see only the summary, choose the
new visitor and accept; the case file then shows the dated transfer line. Screenshots in
artifacts/screenshots/transfer-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caseman import clock
from caseman.extensions import db
from caseman.referrals.services import raise_referral
from caseman.transfers.models import Transfer
from caseman.visitors.services import assign_visitor
from caseman.visits.services import new_submission_key
from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401 - fixtures
from tests.referrals.conftest import referral_values

pytestmark = pytest.mark.e2e
OVERFLOW = "document.documentElement.scrollWidth"


@pytest.mark.parametrize(("label", "viewport"), [("phone", (360, 740)), ("desktop", (1280, 900))])
def test_transfer_then_accept(server, browser, make_user, make_elder, areas, label,  # noqa: F811
                              viewport):  # fmt: skip
    sender = make_user("village", "jingang", username="jingang_staff", full_name="王芳")
    receiver = make_user("village", "caoping", username="caoping_staff", full_name="陈草坪")
    old = make_user("worker", "jingang", full_name="李探访")
    new = make_user("worker", "caoping", full_name="赵新探")
    today = clock.today()
    elder = make_elder(name="张秀英", filed_on=today - timedelta(days=200))
    assign_visitor(sender, [elder], old, today, today)
    raise_referral(sender, elder, referral_values(), new_submission_key(), today)
    db.session.commit()
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = viewport[0]

    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": viewport[1]})
    page = context.new_page()
    log_in(page, server, sender.username)
    page.goto(server + f"/elders/{elder.id}")
    page.get_by_role("link", name="转至其他村（社区）").click()
    page.wait_for_url(f"**/elders/{elder.id}/transfer")
    page.select_option("#to_area", str(areas["caoping"].id))
    page.fill("#to_address", "草坪村5组8号")
    page.click("#submit")  # no reason: refused beside the field, the rest kept
    assert page.locator(".field-error").count() == 1
    assert page.input_value("#to_address") == "草坪村5组8号"
    page.fill("#reason", "随女儿迁居草坪村")
    assert page.evaluate(OVERFLOW) <= width + 1
    page.screenshot(path=str(SHOTS / f"transfer-1-request-{label}.png"), full_page=True)
    page.click("#submit")
    page.wait_for_url("**/transfers/*")
    assert "等待接收方答复" in page.content()
    page.screenshot(path=str(SHOTS / f"transfer-2-sent-{label}.png"), full_page=True)
    context.close()

    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": viewport[1]})
    page = context.new_page()
    log_in(page, server, receiver.username)
    assert page.locator(".transfers-waiting").is_visible()
    page.screenshot(path=str(SHOTS / f"transfer-3-dashboard-{label}.png"), full_page=True)
    page.goto(server + "/transfers/")
    assert elder.id_number not in page.content()
    page.get_by_role("link", name="张秀英").first.click()
    page.wait_for_url("**/transfers/*")
    assert elder.id_number not in page.content()  # the summary only: masked ID
    assert page.get_by_text("李探访").is_visible()  # the visitor who stops
    page.select_option("#visitor", str(new.id))
    assert page.evaluate(OVERFLOW) <= width + 1
    page.screenshot(path=str(SHOTS / f"transfer-4-accept-{label}.png"), full_page=True)
    page.click("#submit")
    page.wait_for_url(f"**/elders/{elder.id}")
    assert page.locator("#transfers").get_by_text("已接收").is_visible()
    assert page.get_by_text("赵新探").first.is_visible()
    assert page.evaluate(OVERFLOW) <= width + 1
    page.locator("#transfers").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"transfer-5-case-file-{label}.png"), full_page=False)
    page.screenshot(path=str(SHOTS / f"transfer-5-case-file-full-{label}.png"), full_page=True)
    context.close()

    db.session.rollback()  # a fresh snapshot: the server wrote meanwhile
    transfer = db.session.query(Transfer).one()
    assert transfer.status.value == "accepted"
    assert db.session.get(type(elder), elder.id).residence_area_id == areas["caoping"].id
