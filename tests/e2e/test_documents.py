"""Printing as a person does it in Chromium: the case file's print buttons, and a batch of forms
made in the background, followed on the job page and downloaded."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import PASSWORD
from tests.e2e.test_pages import SHOTS, browser, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e


def _pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return int(next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
               .split()[1])  # fmt: skip


def test_print_buttons_and_a_batch(server, browser, make_user, make_elder, app, tmp_path):  # noqa: F811
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")
    user = make_user("village", "jingang")
    elder = make_elder(name="张秀英")
    make_elder(name="李桂兰")
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740},
                                  accept_downloads=True)  # fmt: skip
    page = context.new_page()
    page.goto(server + "/login")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(server + "/")

    # The case file offers the registration form as PDF (opens in a new tab) and as Word.
    page.goto(f"{server}/elders/{elder.id}")
    pdf_link = page.get_by_role("link", name="打印信息登记表（PDF）")
    assert pdf_link.is_visible()
    response = context.request.get(server + pdf_link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    with page.expect_download() as download:
        page.get_by_role("link", name="Word").click()
    assert download.value.suggested_filename.endswith(".docx")

    # A batch: every 附件2 of the village, made in the background, then downloaded.
    page.goto(server + "/documents/batches/new")
    page.screenshot(path=str(SHOTS / "batch-form-phone.png"), full_page=True)
    page.get_by_label("在册每位老年人的信息登记表（附件2）").check()
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/jobs/*")
    assert "已完成" in page.content()
    page.screenshot(path=str(SHOTS / "batch-job-done-phone.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载").first.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("附件2_金刚村")
    assert _pages(saved) == 2 * 3
    context.close()
