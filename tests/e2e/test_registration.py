"""A phone-first registration (issue 18 item 4) in headless Chromium at 360 px: an elder with
three family members is registered without the page ever reloading to the top (measured), and
the same form still works with JavaScript off, coming back to the row or the suggestion.

Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.rules.enums import Gender
from caseman.rules.id_number import make_id_number
from tests.conftest import TODAY

# ruff: noqa: F811 - the tests take the fixtures imported here
from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e
PHONE = {"width": 360, "height": 740}
ID_NUMBER = make_id_number("500112", date(TODAY.year - 85, 6, 1), 11, Gender.MALE)
CHILDREN = [("王大", "son"), ("王二", "daughter"), ("王三", "son")]
# Scroll positions seen since the marker was set; the marker is lost if the page reloads.
WATCH = """() => { window.__watch = {positions: [], marker: true};
  window.addEventListener('scroll', () => window.__watch.positions.push(window.scrollY)); }"""
SEEN = "() => window.__watch ? {positions: window.__watch.positions, y: window.scrollY} : null"


def _fill_basic(page, areas) -> None:
    page.fill("#name", "王大山")
    page.click("label.choice:has(input[name=gender][value=male])")
    page.fill("#id_number", ID_NUMBER)
    page.select_option("#residence_area_id", str(areas["jingang"].id))
    page.click("label.choice:has(input[name=ability_level][value=intact])")


def _fill_member(page, index: int) -> None:
    name, relation = CHILDREN[index]
    page.fill(f"#members-{index}-name", name)
    page.select_option(f"#members-{index}-relation", relation)
    page.select_option(f"#members-{index}-residence", "elsewhere")


def _registered() -> Elder:
    db.session.rollback()  # see what the server committed
    elder = db.session.scalar(select(Elder))
    assert elder is not None
    return elder


def test_three_family_members_and_the_suggestion_never_reload_to_the_top(
    server, browser, make_user, areas
):
    user = make_user("village", "jingang")
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    log_in(page, server, user.username)
    page.goto(server + "/elders/new")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 5474  # the unfolded form was 5,474 px tall on a phone
    page.screenshot(path=str(SHOTS / "registration-folded-phone.png"), full_page=True)
    _fill_basic(page, areas)
    page.click("#family > summary")
    page.locator("#add_member").scroll_into_view_if_needed()
    page.evaluate(WATCH)
    measured = []
    for index in range(3):
        before = page.evaluate("window.scrollY")
        page.click("#add_member")
        page.wait_for_selector(f"#members-{index}-name")
        _fill_member(page, index)
        after = page.evaluate(SEEN)
        assert after is not None, "the page reloaded"
        measured.append((before, after["y"]))
        assert before > 0
        assert after["y"] > 0
    assert page.locator("fieldset[data-member]").count() == 3
    assert page.inner_text("#family > summary .summary-note") == "3 人"

    # The suggestion follows the facts as they are entered: three children far away, 85 years.
    page.click("#categories > summary")
    page.locator("#suggestions strong", has_text="独居").wait_for()
    assert "重点" in page.inner_text("#suggestions")
    before = page.evaluate("window.scrollY")
    page.click("#check")  # 查看系统建议: takes the suggestion into the choices, in the page
    page.wait_for_selector("input[name=categories][value=living_alone]:checked")
    assert page.is_checked("input[name=is_key][value=key]")
    after = page.evaluate(SEEN)
    assert after is not None, "the page reloaded"
    measured.append((before, after["y"]))
    assert after["y"] > 0
    assert min(after["positions"], default=1) > 0  # never at the top on the way either
    print("scrollY before/after each press:", measured)
    page.locator("#family").screenshot(path=str(SHOTS / "registration-family-phone.png"))
    page.screenshot(path=str(SHOTS / "registration-filled-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1

    page.click("#save")
    page.wait_for_url(re.compile(r"/elders/\d+$"))
    elder = _registered()
    assert sorted(m.name for m in elder.members) == ["王三", "王二", "王大"]
    assert [c.value for c in elder.categories] == ["living_alone"]
    assert elder.is_key
    context.close()


def test_the_error_summary_links_to_each_field(server, browser, make_user, areas):
    user = make_user("village", "jingang")
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    log_in(page, server, user.username)
    page.goto(server + "/elders/new")
    page.fill("#name", "王大山")
    page.fill("#monthly_income", "-1")
    page.click("#family > summary")
    page.click("#add_member")
    page.select_option("#members-0-relation", "son")
    page.fill("#members-0-phone", "12")
    page.click("#save")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    links = page.locator("#error-summary a[data-error-link]")
    assert links.count() >= 4
    page.screenshot(path=str(SHOTS / "registration-errors-phone.png"))
    page.locator("#error-summary a[href='#members-0-phone']").click()
    assert page.evaluate("document.activeElement.id") == "members-0-phone"
    assert page.evaluate("window.scrollY") > 0
    assert page.input_value("#members-0-phone") == "12"  # nothing typed is lost
    page.screenshot(path=str(SHOTS / "registration-error-field-phone.png"))
    context.close()


@pytest.mark.parametrize(
    ("label", "viewport"), [("phone", PHONE), ("desktop", {"width": 1280, "height": 900})]
)
def test_without_javascript_the_buttons_return_to_where_they_were_pressed(
    server, browser, make_user, areas, label, viewport
):
    user = make_user("village", "jingang")
    context = browser.new_context(locale="zh-CN", viewport=viewport, java_script_enabled=False)
    page = context.new_page()
    log_in(page, server, user.username)
    page.goto(server + "/elders/new")
    _fill_basic(page, areas)
    page.click("#family > summary")  # <details> folds without JavaScript too
    for index in range(3):
        page.click("#add_member")
        page.wait_for_url(f"**/elders/new#member-{index}")
        page.wait_for_load_state()
        assert page.evaluate("window.scrollY") > 0  # at the new row, not the top
        _fill_member(page, index)
    page.click("#categories > summary")
    page.click("#check")
    page.wait_for_url("**/elders/new#suggestions")
    page.wait_for_load_state()
    assert page.evaluate("window.scrollY") > 0
    assert "独居" in page.inner_text("#suggestions")
    assert page.is_checked("input[name=categories][value=living_alone]")
    page.screenshot(path=str(SHOTS / f"registration-nojs-suggestion-{label}.png"))
    page.click("#save")
    page.wait_for_url(re.compile(r"/elders/\d+$"))
    assert len(_registered().members) == 3
    context.close()
