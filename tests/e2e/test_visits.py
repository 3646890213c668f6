"""Visits in headless Chromium: my visits, the visit form on a phone, the dashboard.

Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from caseman import clock
from caseman.extensions import db
from tests.e2e.test_pages import SHOTS, browser, server  # noqa: F401 - fixtures
from tests.e2e.test_pages import log_in as _login

pytestmark = pytest.mark.e2e
SIZES = [("phone", (360, 740)), ("desktop", (1280, 900))]


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


@pytest.mark.parametrize(("label", "viewport"), SIZES)
def test_record_a_visit_from_my_visits(server, browser, make_user, make_elder, label, viewport):  # noqa: F811
    worker = make_user("worker", "jingang", full_name="王探访")
    filed = clock.today() - timedelta(days=120)
    elder = make_elder(name="张秀英", filed_on=filed)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    _login(page, server, worker.username)

    page.click("text=我的探访")
    assert page.get_by_text("张秀英").first.is_visible()
    assert page.locator(".due-item.state-overdue").count() == 1  # never visited since filing
    _no_sideways_scroll(page, viewport[0])
    page.screenshot(path=str(SHOTS / f"my-visits-{label}.png"), full_page=True)

    page.locator(".due-item").first.get_by_role("link", name="记录探访").click()
    # Nothing is answered for the visitor (issue 17 item 11); the names are filled in.
    for name in ("method", "family_change", "mood", "gas_safety", "indoor_environment"):
        assert page.locator(f"input[name={name}]:checked").count() == 0, name
    assert page.input_value("#visitor_name") == "王探访"
    assert page.input_value("#visited_person_name") == "张秀英"
    _no_sideways_scroll(page, viewport[0])
    page.screenshot(path=str(SHOTS / f"visit-form-{label}.png"), full_page=True)

    # Tap the big labels, as a thumb would: a home visit, unsafe gas, serious illness, a need,
    # and leave the other items unanswered.
    page.click("label.choice:has(input[name=method][value=home])")
    page.click("label.choice:has(input[name=gas_safety][value=unsafe])")
    page.click("label.choice:has(input[name=illness][value=serious])")
    page.click("label.choice:has(input[name=needs][value=medical])")
    page.fill("#suggested_care", "联系家庭医生上门")
    page.click("button[type=submit]")
    # Each unanswered item says so beside it; nothing typed is lost.
    for name in (
        "family_change",
        "expression",
        "mobility",
        "mood",
        "water_heating_safety",
        "electricity_safety",
        "personal_hygiene",
        "home_hygiene",
        "indoor_environment",
    ):
        assert page.locator(f"#{name}-error").inner_text() == "请选择一项。", name
    assert page.locator("#gas_safety-error").count() == 0
    assert page.is_checked("input[name=gas_safety][value=unsafe]")
    assert page.is_checked("input[name=needs][value=medical]")
    assert page.input_value("#suggested_care") == "联系家庭医生上门"
    _no_sideways_scroll(page, viewport[0])
    page.screenshot(path=str(SHOTS / f"visit-form-error-{label}.png"), full_page=True)

    for name in (
        "family_change",
        "expression",
        "mobility",
        "mood",
        "personal_hygiene",
        "home_hygiene",
        "indoor_environment",
    ):
        page.click(f"label.choice:has(input[name={name}][value=unchanged])")
    for name in ("water_heating_safety", "electricity_safety"):
        page.click(f"label.choice:has(input[name={name}][value=safe])")
    page.click("button[type=submit]")
    # Now the missing illness name: the message is next to the field.
    assert "请填写疾病名称" in page.locator("#illness_name-error").inner_text()
    assert page.is_checked("input[name=mood][value=unchanged]")
    page.fill("#illness_name", "肺炎")
    page.click("button[type=submit]")
    page.wait_for_url("**/visits/*")
    assert "第1次探访" in page.content()
    assert page.locator(".tag.alert").count() >= 2  # unsafe gas, serious illness

    page.goto(server + f"/elders/{elder.id}")
    assert page.locator("#timeline li.attention").count() == 1
    assert "本期已探访" in page.locator(".schedule").inner_text()
    # Filed 120 days ago and first visited today: the past half months stay missed.
    assert page.locator(".periods .period.state-missed").count() >= 6
    assert page.locator(".periods .period.state-served").count() == 1
    _no_sideways_scroll(page, viewport[0])
    page.screenshot(path=str(SHOTS / f"case-file-timeline-{label}.png"), full_page=True)

    page.goto(server + "/visits/due")
    assert page.locator(".due-item").count() == 0
    context.close()


@pytest.mark.parametrize(("label", "viewport"), SIZES)
def test_dashboard_shows_rates_and_trend(server, browser, make_user, make_elder, label, viewport):  # noqa: F811
    from caseman.rules.enums import VisitMethod
    from caseman.visits.services import new_submission_key, record_visit

    town = make_user("town", "muer")
    filed = clock.today() - timedelta(days=200)
    visited = make_elder(name="陈大爷", filed_on=filed)
    make_elder(name="刘奶奶", filed_on=filed, area="baiyan")
    values = {
        "visited_on": clock.today(), "method": VisitMethod.HOME, "family_change": "unchanged",
        "expression": "unchanged", "mobility": "unchanged", "illness": "unchanged",
        "mood": "unchanged", "gas_safety": "safe", "water_heating_safety": "safe",
        "electricity_safety": "safe", "personal_hygiene": "unchanged",
        "home_hygiene": "unchanged", "indoor_environment": "unchanged", "needs": [],
        "visitor_name": "王探访", "visited_person_name": "陈大爷", "recorder_name": "王探访",
    }  # fmt: skip
    record_visit(town, visited, values, new_submission_key(), clock.today())
    db.session.commit()
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    _login(page, server, town.username)
    text = page.content()
    assert "月探访率" in text
    assert "50%" in text  # one of two elders visited at home this month
    assert page.locator("svg.trend circle").count() >= 1
    assert page.locator("table.rates").first.is_visible()
    _no_sideways_scroll(page, viewport[0])
    page.screenshot(path=str(SHOTS / f"dashboard-{label}.png"), full_page=True)
    context.close()
