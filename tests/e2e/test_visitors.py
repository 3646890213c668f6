"""Visitor assignment in Chromium, on a phone and a desktop: check elders on the list, assign them
all, see them on the load page (issue 16, item 5). Screenshots in artifacts/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from caseman import clock
from caseman.elders.models import ElderAssignment
from caseman.extensions import db
from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("label", "viewport"), [("phone", (360, 740)), ("desktop", (1280, 900))])
def test_bulk_assignment_and_load_page(
    server,  # noqa: F811 - the fixture
    browser,  # noqa: F811 - the fixture
    make_user,
    make_elder,
    label,
    viewport,
):
    staff = make_user("village", "jingang")
    worker = make_user("worker", "jingang", full_name="王小芳")
    make_user("worker", "jingang1", full_name="刘建国")
    long_ago = clock.today() - timedelta(days=40)
    for name in ("张秀英", "李桂兰", "陈德明", "周玉珍"):
        make_elder(area="jingang", name=name, filed_on=long_ago)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    log_in(page, server, staff.username)

    # Check two elders and assign them.
    page.goto(server + "/elders/")
    boxes = page.locator('input[name="elder"]')
    assert boxes.count() == 4
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.screenshot(path=str(SHOTS / f"visitors-elder-list-{label}.png"), full_page=True)
    page.get_by_role("button", name="将勾选的老年人分配给探访人员").click()
    page.wait_for_url("**/elders/assign?**")
    assert "已选2名老年人" in page.content()
    page.select_option("#visitor", str(worker.id))
    page.click("#submit")
    page.wait_for_url(server + "/elders/")

    # All matching the filters: the count is confirmed first.
    page.get_by_role("button", name="将符合条件的全部4人分配给探访人员").click()
    page.wait_for_url("**/elders/assign?**")
    page.select_option("#visitor", str(worker.id))
    page.click("#submit")
    assert page.locator(".field-error").count() == 1  # not confirmed
    assert page.input_value("#visitor") == str(worker.id)  # nothing chosen is lost
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0] + 1
    page.screenshot(path=str(SHOTS / f"visitors-bulk-confirm-{label}.png"), full_page=True)
    page.check("#confirm")
    page.click("#submit")
    page.wait_for_url(server + "/elders/")
    db.session.rollback()  # a fresh snapshot: the server wrote meanwhile
    active = db.session.scalar(
        sa.select(sa.func.count(ElderAssignment.id)).where(
            ElderAssignment.user_id == worker.id, ElderAssignment.ended_on.is_(None)
        )
    )
    assert active == 4

    page.goto(server + "/visitors/")
    assert page.get_by_text("王小芳").is_visible()
    assert page.get_by_text("刘建国").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0] + 1
    page.screenshot(path=str(SHOTS / f"visitors-load-{label}.png"), full_page=True)

    # The overdue list names each elder's visitor; the case file lists the current one.
    page.goto(server + "/visits/due?state=overdue")
    assert page.get_by_text("探访人员：王小芳").count() == 4
    page.screenshot(path=str(SHOTS / f"visitors-due-{label}.png"), full_page=True)
    page.get_by_role("link", name="张秀英").click()
    assert page.locator("section.visitors").get_by_text("王小芳").is_visible()
    page.screenshot(path=str(SHOTS / f"visitors-case-file-{label}.png"), full_page=True)
    context.close()
