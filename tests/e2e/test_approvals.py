"""In the browser, on a phone (360 px): register → the town returns with a reason → the village
corrects and resubmits with an answer → the town approves (issue 19 item 1).

Screenshots: artifacts/screenshots/approvals-<step>-<width>.png.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from caseman.approvals.models import ApprovalRequest
from caseman.extensions import db
from caseman.rules.approvals import ApprovalState
from caseman.rules.enums import Gender
from caseman.rules.id_number import make_id_number
from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def _page(browser, server_url, username, width):  # noqa: F811
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 740})
    page = context.new_page()
    log_in(page, server_url, username)
    return context, page


def _shot(page, name, width):
    assert page.evaluate(OVERFLOW) <= 1, f"{name} scrolls sideways at {width}px"
    page.screenshot(path=str(SHOTS / f"approvals-{name}-{width}.png"), full_page=True)


def _state():
    db.session.commit()  # end the read snapshot: the server wrote beside it
    return db.session.scalar(select(ApprovalRequest.state))


def test_register_return_resubmit_approve_on_a_phone(server, browser, make_user, areas):  # noqa: F811
    cadre = make_user("village", "jingang", username="cadre_e2e", full_name="王芳")
    town = make_user("town", "muer", username="town_e2e", full_name="刘镇")
    db.session.commit()
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = 360

    # 1. The village registers an elder: the case file says it awaits the town.
    village_context, village = _page(browser, server, cadre.username, width)
    village.goto(server + "/elders/new")
    village.fill("#name", "赵秀兰")
    village.check("input[name=gender][value=female]")
    village.fill("#id_number", make_id_number("500112", date(1944, 3, 5), 2, Gender.FEMALE))
    village.select_option("#residence_area_id", str(areas["jingang"].id))
    village.fill("#residence_address", "3组12号")
    village.check("input[name=ability_level][value=intact]")
    village.click("#categories > summary")  # the section is folded (issue 18 item 4)
    village.check("input[name=categories][value=living_alone]")
    village.click("#save")
    village.wait_for_url(lambda url: "/elders/new" not in url)
    notice = village.locator("#approvals")
    assert "待镇街审核" in notice.inner_text()
    assert _state() is ApprovalState.PENDING
    _shot(village, "1-registered-village", width)
    village.goto(server + "/elders/")
    assert "待审核" in village.locator("table.list").inner_text()
    _shot(village, "1b-elders-list", width)

    # 2. The town sees 待审核 1 on its dashboard, opens the inbox and returns it with a reason.
    town_context, office = _page(browser, server, town.username, width)
    tile = office.locator(".approvals-tiles a.tile").first
    assert "1" in tile.inner_text()
    assert "待审核" in tile.inner_text()
    _shot(office, "2-town-dashboard", width)
    tile.click()
    office.wait_for_url(server + "/approvals/")
    assert "赵秀兰" in office.content()
    _shot(office, "3-town-inbox", width)
    office.click("text=审核或退回")
    office.click("#send_back")  # no reason yet: said beside the field
    assert "请填写退回理由" in office.content()
    office.fill("#reason", "户籍地址未填写，请补充")
    office.click("#send_back")
    office.wait_for_url(server + "/approvals/")
    assert _state() is ApprovalState.RETURNED
    _shot(office, "4-town-returned", width)

    # 3. The village sees the reason, corrects the case file and resubmits with an answer.
    village.goto(server + "/")
    returned = village.locator(".approvals-tiles a.tile").first
    assert "镇街退回" in returned.inner_text()
    _shot(village, "5-village-dashboard", width)
    returned.click()
    village.click("text=答复")
    assert "户籍地址未填写，请补充" in village.content()
    _shot(village, "6-village-answer", width)
    village.click("main a.button.small:has-text('更正')")
    village.select_option("#household_area_id", str(areas["jingang"].id))
    village.fill("#household_address", "3组12号")
    village.click("#save")
    village.wait_for_url(lambda url: url.rstrip("/").split("/")[-1].isdigit())
    village.locator("#approvals a.button").click()
    village.fill("#answer", "已补充户籍地址")
    village.click("#resubmit")
    village.wait_for_load_state()
    assert _state() is ApprovalState.RESUBMITTED
    _shot(village, "7-village-resubmitted", width)

    # 4. The town reads the answer and approves; the ledger names the approver.
    office.goto(server + "/approvals/")
    office.click("text=审核或退回")
    assert "已补充户籍地址" in office.content()
    _shot(office, "8-town-answer", width)
    office.click("#approve")
    office.wait_for_url(server + "/approvals/")
    assert _state() is ApprovalState.APPROVED
    _shot(office, "9-town-approved", width)
    office.goto(server + "/ledger")
    assert "主要领导审核：刘镇" in office.content()
    village.goto(server + "/elders/")
    assert "待审核" not in village.locator("table.list").inner_text()
    office.set_viewport_size({"width": 1280, "height": 900})
    office.goto(server + "/approvals/")
    _shot(office, "10-town-inbox", 1280)
    village_context.close()
    town_context.close()
