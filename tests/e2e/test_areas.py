"""The area page in Chromium, on a phone (360 px) and a desktop (1280 px): import 渝北区's tree
with its preview, open a town, and a close refused while elders live there."""

from __future__ import annotations

import pytest

from tests.areas.sheets import xlsx_bytes, yubei_rows
from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("label", "viewport"), [("phone", (360, 740)), ("desktop", (1280, 900))])
def test_area_tree_import_and_close(
    server,  # noqa: F811
    browser,  # noqa: F811
    make_user,
    make_elder,
    areas,
    tmp_path,
    label,
    viewport,
):
    make_elder(area="jingang1")
    admin = make_user("district", "district")
    # The fixture's 白岩村 and 草坪村 sit elsewhere in the sheet: rename them out of the way.
    areas["baiyan"].name = "白岩老村"
    areas["caoping"].name = "草坪老村"
    from caseman.extensions import db

    db.session.commit()
    sheet = tmp_path / "渝北区村社.xlsx"
    sheet.write_bytes(xlsx_bytes(yubei_rows(groups_per_village=2)))
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    log_in(page, server, admin.username)
    page.click("nav.mainnav >> text=区域管理")
    page.wait_for_url(server + "/areas/")

    page.click("text=从表格导入")
    page.set_input_files("#sheet", str(sheet))
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/areas/import/" in url)
    assert page.locator("#added-village").inner_text() == "171"
    assert page.locator("#added-group").inner_text() == "343"  # 金刚村一组 is there already
    assert page.locator("#problems").inner_text() == "0"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0] + 1
    page.screenshot(path=str(SHOTS / f"areas-import-preview-{label}.png"), full_page=False)
    page.click("button[type=submit]")
    page.wait_for_url(server + "/areas/")
    assert "区域表已导入" in page.content()

    page.click("summary >> text=木耳镇")
    assert page.get_by_role("link", name="金刚村").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0] + 1
    page.screenshot(path=str(SHOTS / f"areas-tree-{label}.png"), full_page=False)

    page.get_by_role("link", name="金刚村").click()
    page.fill("#close-reason", "并入白岩村")
    page.click("form[action$='/close'] button")
    assert page.locator(".form-errors").is_visible()
    assert "在册老年人 1 人" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0] + 1
    page.screenshot(path=str(SHOTS / f"area-close-refused-{label}.png"), full_page=True)
    context.close()
