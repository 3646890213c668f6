"""Referrals and risks in headless Chromium: from a visit to solved; a report reaching the town.

Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from caseman import clock
from caseman.extensions import db
from caseman.rules.enums import VisitMethod
from caseman.visits.services import new_submission_key, record_visit
from tests.e2e.test_pages import SHOTS, browser, server  # noqa: F401 - fixtures
from tests.e2e.test_visits import SIZES, _login, _no_sideways_scroll

pytestmark = pytest.mark.e2e


def _visit_with_need(user, elder):
    values = {
        "visited_on": clock.today(), "method": VisitMethod.HOME, "family_change": "unchanged",
        "expression": "unchanged", "mobility": "worse", "illness": "unchanged",
        "mood": "unchanged", "gas_safety": "safe", "water_heating_safety": "safe",
        "electricity_safety": "safe", "personal_hygiene": "unchanged",
        "home_hygiene": "unchanged", "indoor_environment": "unchanged",
        "needs": ["rehabilitation"], "needs_note": "腿脚无力，需要康复训练",
        "visitor_name": "王探访", "visited_person_name": elder.name, "recorder_name": "王探访",
    }  # fmt: skip
    visit = record_visit(user, elder, values, new_submission_key(), clock.today())
    db.session.commit()
    return visit


@pytest.mark.parametrize(("label", "viewport"), SIZES)
def test_referral_from_a_visit_to_solved(server, browser, make_user, make_elder, label, viewport):  # noqa: F811
    worker = make_user("worker", "jingang", full_name="王探访")
    elder = make_elder(name="张秀英", filed_on=clock.today() - timedelta(days=90))
    visit = _visit_with_need(worker, elder)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    _login(page, server, worker.username)
    page.goto(server + f"/visits/{visit.id}")
    page.click("text=转介：康复护理")
    assert page.is_checked("input[name=need][value=rehabilitation]")
    assert "腿脚无力" in page.input_value("#description")
    _no_sideways_scroll(page, viewport[0])
    page.screenshot(path=str(SHOTS / f"referral-form-{label}.png"), full_page=True)
    page.click("button[type=submit]")
    page.wait_for_url("**/referrals/*")

    # Skipping the referral is refused with a message; nothing changes.
    assert page.locator("button[value=solved]").count() == 0
    page.fill("#referred_to", "木耳镇卫生院康复科")
    # Referring first asks whether the elder agrees that their details go to the service.
    page.click("button[value=referred]")
    assert "请选择老年人（或监护人）是否同意" in page.content()
    assert page.input_value("#referred_to") == "木耳镇卫生院康复科"  # kept
    page.check("input[name=consent_answer][value=agreed]")
    page.check("input[name=consent_way][value=in_person]")
    page.screenshot(path=str(SHOTS / f"referral-consent-{label}.png"), full_page=True)
    page.click("button[value=referred]")
    assert "已转介" in page.locator("h1").inner_text()
    assert "同意向该机构提供个人信息" in page.content()
    for findings in ("电话回访：已预约康复科", "上门回访：已开始训练"):
        page.fill("#findings", findings)
        page.click("text=记录回访")
        assert findings in page.content()
    page.click("button[value=in_progress]")
    page.fill("#note", "康复师每周上门两次，老人能独立行走")
    page.click("button[value=solved]")
    assert "已解决" in page.locator("h1").inner_text()
    page.screenshot(path=str(SHOTS / f"referral-solved-{label}.png"), full_page=True)

    page.goto(server + f"/elders/{elder.id}")
    assert "解决问题数量：1" in page.content()
    _no_sideways_scroll(page, viewport[0])
    context.close()


def test_abuse_report_reaches_the_town_until_acknowledged(server, browser, make_user, make_elder):  # noqa: F811
    worker = make_user("worker", "jingang", full_name="王探访")
    town = make_user("town", "muer", full_name="木耳镇民政干事")
    other_town = make_user("town", "gulu")
    elder = make_elder(name="李大爷", filed_on=clock.today() - timedelta(days=90))
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    _login(page, server, worker.username)
    page.goto(server + f"/elders/{elder.id}/risks/new")
    page.click("label.choice:has(input[name=risk_type][value=abuse])")
    page.click("label.choice:has(input[name=severity][value=critical])")
    page.fill("#description", "邻居反映老人被儿子打骂，手臂有淤青")
    page.fill("#contact_reached", "村支书")
    page.screenshot(path=str(SHOTS / "risk-form-phone.png"), full_page=True)
    page.click("button[type=submit]")
    page.wait_for_url("**/risks/*")
    assert "已报告镇街" in page.content()
    risk_url = page.url
    context.close()

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, server, other_town.username)
    assert "李大爷" not in page.content()
    page.goto(risk_url)
    assert page.locator("h1").inner_text() == "404"
    context.close()

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, server, town.username)
    report = page.locator("section.reports")
    assert "李大爷" in report.inner_text()
    page.screenshot(path=str(SHOTS / "dashboard-report-desktop.png"), full_page=True)
    report.get_by_role("button", name="签收").click()
    page.wait_for_url(server + "/")
    assert page.locator("section.reports").count() == 0
    context.close()
