"""In the browser: the likely-duplicate warning beside the registration form (issue 20 item 4)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.extensions import db
from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e
VIEWPORTS = [("phone", (360, 740)), ("desktop", (1280, 900))]


@pytest.mark.parametrize(("label", "viewport"), VIEWPORTS)
def test_likely_duplicates_are_shown_and_confirmed(
    server,  # noqa: F811
    browser,  # noqa: F811
    make_user,
    make_elder,
    label,
    viewport,
):
    user = make_user("village", "jingang")
    edited = make_elder(name="李四")
    same = make_elder(name="王大山")  # same birth date, ID one digit from 李四's
    elsewhere = make_elder(area="caoping", name="王大山")  # 古路镇: out of the user's scope
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    log_in(page, server, user.username)
    page.goto(f"{server}/elders/{edited.id}/edit")
    page.fill("#name", "王大山")
    page.click("#save")
    box = page.locator(".likely-duplicates")
    assert box.is_visible()
    text = box.inner_text()
    assert "王大山" in text
    assert "姓名和出生日期相同" in text
    assert "古路镇已有一位可能相同的老人" in text
    assert same.id_number not in page.content()
    assert f"/elders/{elsewhere.id}" not in page.content()
    assert page.input_value("#name") == "王大山"  # the typed input is kept
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport[0] + 1
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"elder-likely-duplicates-{label}.png"))
    page.fill("#not_duplicate_reason", "已核对身份证原件，不是同一人")
    page.click("#confirm_not_duplicate")
    page.wait_for_url(f"{server}/elders/{edited.id}")
    assert "王大山" in page.locator("h1").inner_text()
    db.session.commit()  # end the read snapshot taken before the server wrote
    assert db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "confirm_not_duplicate", AuditEvent.elder_id == edited.id
        )
    )
    context.close()


@pytest.mark.parametrize(("label", "viewport"), VIEWPORTS)
def test_merge_shows_both_histories_on_the_kept_case_file(
    server,  # noqa: F811
    browser,  # noqa: F811
    make_user,
    make_elder,
    label,
    viewport,
):
    from caseman.visits.services import new_submission_key, record_visit
    from tests.conftest import TODAY
    from tests.visits.conftest import visit_values

    town = make_user("town", "muer")
    kept = make_elder(name="王大山")
    duplicate = make_elder(name="王大山")  # same birth date and name, ID one digit apart
    cadre = make_user("village", "jingang", full_name="王芳")
    visit = record_visit(
        cadre, duplicate, visit_values(visited_on=TODAY), new_submission_key(), TODAY
    )
    db.session.commit()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    log_in(page, server, town.username)
    page.goto(f"{server}/elders/{duplicate.id}")
    page.click("text=合并档案")
    page.check(f"input[name=kept_id][value='{kept.id}']")
    page.fill("#note", "同一人，重复建档")
    page.screenshot(path=str(SHOTS / f"elder-merge-{label}.png"), full_page=True)
    page.click("#submit")
    page.wait_for_url(f"{server}/elders/{kept.id}")
    assert page.locator(f"a[href='/visits/{visit.id}']").count() == 1  # the merged history
    assert page.locator(f".merged a[href='/elders/{duplicate.id}']").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport[0] + 1
    page.screenshot(path=str(SHOTS / f"elder-merged-case-file-{label}.png"))
    context.close()
