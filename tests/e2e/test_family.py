"""In the browser (issue 20 item 2): the family-duty page and the family reminders on a phone
(360 px) and a desktop: a son away who does not visit often is due, the phone is masked, a contact
is recorded from the list and he leaves it; an entrustment agreement is recorded with its scan."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from caseman.extensions import db
from caseman.family.models import CareEntrustment, FamilyContact
from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401 - fixtures
from tests.family.conftest import SON_PHONE, family_elder  # noqa: F401 - fixture

pytestmark = pytest.mark.e2e
VIEWPORTS = [("phone", (360, 740)), ("desktop", (1280, 900))]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(("label", "viewport"), VIEWPORTS)
def test_family_duty_page_and_reminders(
    app,
    server,  # noqa: F811
    browser,  # noqa: F811
    make_user,
    family_elder,  # noqa: F811
    tmp_path,
    label,
    viewport,
):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path)
    user = make_user("village", "jingang")
    elder = family_elder()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    log_in(page, server, user.username)

    def fits() -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0] + 1

    # The case file's section names who is due.
    page.goto(f"{server}/elders/{elder.id}")
    section = page.locator("#family-duty")
    assert "李强" in section.inner_text()
    assert "有1名家庭成员需要提醒" in section.inner_text()
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"family-case-file-section-{label}.png"))
    fits()

    # The family-duty page: members, why the son is due, masked phones.
    page.get_by_role("link", name="查看家庭赡养责任").click()
    page.wait_for_url(f"{server}/elders/{elder.id}/family")
    text = (
        page.locator("main").inner_text()
        if page.locator("main").count()
        else page.inner_text("body")
    )
    assert "李强" in text
    assert "李梅" in text
    assert "在外地且不经常探访" in text
    assert "需提醒：从未联系" in text
    assert SON_PHONE not in page.content()
    fits()
    page.screenshot(path=str(SHOTS / f"family-duty-{label}.png"), full_page=True)

    # Record a care-entrustment agreement with its scan.
    page.get_by_role("link", name="登记协议").click()
    page.select_option("#entrusting", label="李强（儿子）")
    page.fill("#entrusted_name", "王大姐")
    page.fill("#ends_on", "2020-01-01")  # before the start: refused, input kept
    page.set_input_files("#scan", {"name": "协议.png", "mimeType": "image/png", "buffer": PNG})
    page.click("#submit")
    assert "协议的结束日期不能早于开始日期" in page.content()
    assert page.input_value("#entrusted_name") == "王大姐"
    fits()
    page.fill("#ends_on", "")
    page.set_input_files("#scan", {"name": "协议.png", "mimeType": "image/png", "buffer": PNG})
    page.click("#submit")
    page.wait_for_url(f"{server}/elders/{elder.id}/family#entrustments")
    assert "王大姐" in page.content()
    assert "已签协议（下载）" in page.content()
    page.screenshot(path=str(SHOTS / f"family-duty-with-agreement-{label}.png"), full_page=True)

    # The reminders list: call link (masked), record the contact, he leaves the list.
    page.goto(f"{server}/family/reminders")
    assert "李强" in page.inner_text("table.reminders")
    assert "139****1111" in page.content()
    assert SON_PHONE not in page.content()
    fits()
    page.screenshot(path=str(SHOTS / f"family-reminders-{label}.png"), full_page=True)
    page.get_by_role("link", name="登记联系").first.click()
    page.check("input[value=message]")
    page.fill("#note", "已提醒每周给母亲打电话")
    fits()
    page.screenshot(path=str(SHOTS / f"family-contact-form-{label}.png"), full_page=True)
    page.click("#submit")
    page.wait_for_url(f"{server}/family/reminders")
    assert page.locator("table.reminders").count() == 0
    assert "目前没有需要提醒的家庭成员" in page.content()
    context.close()
    db.session.commit()  # end the read snapshot taken before the server wrote
    assert db.session.scalar(select(FamilyContact)).note == "已提醒每周给母亲打电话"
    assert db.session.scalar(select(CareEntrustment)).has_scan


@pytest.mark.parametrize(("label", "viewport"), VIEWPORTS)
def test_benefit_list_with_counts(
    server,  # noqa: F811
    browser,  # noqa: F811
    make_user,
    make_elder,
    label,
    viewport,
):
    """Issue 20 item 5: the list with its filters and counts per area, on a phone and a desktop;
    a grant recorded in the browser updates the case file."""
    from datetime import timedelta

    from caseman.benefits.services import apply_for_benefit
    from caseman.rules.benefits import BenefitKind
    from tests.conftest import TODAY

    town = make_user("town", "muer")
    first = make_elder(area="jingang", name="甲老人", is_dibao=False)
    second = make_elder(area="baiyan", name="乙老人", is_dibao=False)
    for elder, kind in ((first, BenefitKind.DIBAO), (second, BenefitKind.OLD_AGE_ALLOWANCE),
                        (second, BenefitKind.CARE_SUBSIDY)):  # fmt: skip
        applied_on = TODAY - timedelta(days=5)
        apply_for_benefit(town, elder, kind=kind, other_name="", applied_on=applied_on, note="",
                          today=TODAY)  # fmt: skip
    db.session.commit()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    log_in(page, server, town.username)
    page.goto(f"{server}/benefits/")
    counts = page.inner_text("table.counts")
    assert "金刚村" in counts
    assert "白岩村" in counts
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0] + 1
    page.screenshot(path=str(SHOTS / f"benefits-list-{label}.png"), full_page=True)
    page.select_option("select[name=kind]", "dibao")
    page.click("form.filters button")
    assert "乙老人" not in page.inner_text("table.applications")
    page.get_by_role("link", name="登记审批结果").first.click()
    page.check("input[value=granted]")
    page.click("#submit")
    page.wait_for_url(f"{server}/elders/{first.id}#benefits")
    assert "已获批" in page.inner_text("#benefits")
    assert "待遇获批" in page.content()
    page.screenshot(path=str(SHOTS / f"benefits-granted-case-file-{label}.png"), full_page=True)
    context.close()
