"""A town clerk uploads a messy ledger, confirms a village, imports, downloads the result."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from caseman.elders.models import Elder
from caseman.extensions import db
from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401 - fixtures
from tests.imports.sheets import annex1_workbook, id_number, ledger_row

pytestmark = pytest.mark.e2e
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


def test_upload_confirm_and_import_in_the_browser(server, browser, make_user):  # noqa: F811
    user = make_user("town", "muer")
    content = annex1_workbook(
        [
            ledger_row("张秀英", "女", id_number(1)),
            ledger_row("王德明", "男", id_number(3, gender="male"), "金钢村"),
            ledger_row("李桂兰", "女", 500112194403050000),
        ]
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, server, user.username)  # the town clerk's password, then the second factor

    page.goto(server + "/imports/")
    page.set_input_files("#sheet", files=[{"name": "台账.xlsx", "mimeType": XLSX,
                                           "buffer": content}])  # fmt: skip
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#count-new")
    assert page.inner_text("#count-new") == "1"
    assert page.inner_text("#count-rejected") == "2"
    assert "金钢村" in page.inner_text("#problems")
    page.screenshot(path=str(SHOTS / "import-preview.png"), full_page=True)

    page.click("form[action$='/check'] button")
    page.wait_for_function("document.querySelector('#count-new').innerText === '2'")
    assert page.inner_text("#count-rejected") == "1"
    page.click("form[action$='/import'] button")
    page.wait_for_selector("a[href$='/download']")
    page.screenshot(path=str(SHOTS / "import-done.png"), full_page=True)
    with page.expect_download() as download:
        page.click("a[href$='/download']")
    assert download.value.suggested_filename.endswith(".xlsx")
    context.close()
    db.session.rollback()  # end the test thread's read snapshot
    assert sorted(db.session.scalars(select(Elder.name))) == ["张秀英", "王德明"]


def test_pairing_ledger_preview_and_import_in_the_browser(server, browser, make_user, areas):  # noqa: F811
    from caseman.mutual_aid.models import PairedElder
    from tests.e2e.test_visits import _no_sideways_scroll
    from tests.imports.pairing_sheets import annex2_workbook, helper_row, pairing_row

    user = make_user("town", "muer")
    content = annex2_workbook(
        [
            pairing_row("陈大爷", "刘洋", gender="男", helper_gender="男"),
            pairing_row("吴奶奶", village="金钢村"),
            pairing_row("赵爷爷", "王芳", kind="划片式", group="一组片区", gender="男"),
            helper_row("刘洋"),
            pairing_row("孙奶奶", kind="划片式"),
        ]
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, width in (("phone", 360), ("desktop", 1280)):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
        page = context.new_page()
        log_in(page, server, user.username)
        page.goto(server + "/mutual-aid/")
        page.click("a[href='/imports/pairings/']")
        page.set_input_files("#sheet", files=[{"name": "结对台账.xlsx", "mimeType": XLSX,
                                               "buffer": content}])  # fmt: skip
        page.click("form[enctype] button[type=submit]")
        page.wait_for_selector("#count-new")
        assert page.inner_text("#count-new") == "2"
        assert page.inner_text("#count-helpers") == "2"  # 刘洋 and 王芳 join the team
        assert page.inner_text("#count-rejected") == "2"
        problems = page.inner_text("#problems")
        assert "金钢村" in problems
        assert "小组名称" in problems
        _no_sideways_scroll(page, width)
        page.screenshot(path=str(SHOTS / f"pairing-import-preview-{label}.png"), full_page=True)
        if label == "desktop":
            page.click("form[action$='/check'] button")  # confirm 金钢村 = 金刚村
            page.wait_for_function("document.querySelector('#count-new').innerText === '3'")
            page.click("form[action$='/import'] button")
            page.wait_for_url("**/mutual-aid/")
            assert "3" in page.inner_text(".flash")
        context.close()
    db.session.rollback()  # end the test thread's read snapshot
    names = sorted(db.session.scalars(select(PairedElder.name)))
    assert names == ["吴奶奶", "赵爷爷", "陈大爷"]
