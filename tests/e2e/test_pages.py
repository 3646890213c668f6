"""The real thing: pages rendered by headless Chromium (Debian's), on a phone and a desktop.

Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = ["--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def _buffered(app):
    """Read each response body whole and close it before the server writes a byte.

    Chromium drops connections it no longer needs (the manifest icon's range requests);
    the development server then loses the open static file it was streaming, and its
    ResourceWarning fails the run at random. Buffering keeps every file closed in time.
    """

    def wsgi(environ, start_response):
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture
def server(app) -> Iterator[str]:
    srv = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def log_in(page, server_url: str, username: str) -> None:
    """Log in through the pages: the password, then the TOTP code when the site asks for it."""
    from sqlalchemy import select

    from caseman.auth.models import User
    from caseman.extensions import db
    from tests.conftest import fresh_totp_code

    page.goto(server_url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(lambda url: not url.endswith("/login"))
    if page.url.endswith("/login/code"):
        user = db.session.scalar(select(User).where(User.username == username))
        page.fill("#code", fresh_totp_code(user))
        page.click("#submit")
    page.wait_for_url(server_url + "/")


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize(("label", "viewport"), [("phone", (360, 740)), ("desktop", (1280, 900))])
def test_list_form_and_case_file_render(server, browser, make_user, make_elder, label, viewport):
    user = make_user("village", "jingang")
    elder = make_elder(
        members=[{"name": "李强", "gender": "male", "id_number": "", "relation": "son",
                  "health": "健康", "is_dibao_or_poverty": False, "visits_often": True,
                  "phone": "13900000000", "residence": "elsewhere", "working_away_since": None,
                  "is_deceased": False, "disability_grade": None, "is_only_child": False}],
    )  # fmt: skip
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    page.goto(server + "/login")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(server + "/")

    page.goto(server + "/elders/")
    assert page.locator("table.list").is_visible()
    assert elder.id_number not in page.content()
    page.screenshot(path=str(SHOTS / f"elders-list-{label}.png"), full_page=True)

    page.goto(server + "/elders/new")
    page.fill("#name", "赵一")
    page.fill("#id_number", "500112194501011235")  # wrong check digit
    page.fill("#monthly_income", "-1")
    page.click("#save")
    assert page.locator(".field-error").count() >= 2
    assert page.input_value("#name") == "赵一"  # nothing typed is lost
    assert "金额不能为负数" in page.content()
    page.screenshot(path=str(SHOTS / f"elder-form-errors-{label}.png"), full_page=True)

    page.goto(server + f"/elders/{elder.id}")
    assert elder.id_number not in page.content()  # masked until asked for (rules.masking)
    page.click("form.reveal button")
    page.wait_for_load_state()
    assert page.get_by_text(elder.id_number).is_visible()
    assert page.get_by_text("李强").first.is_visible()
    # Nothing overflows sideways on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport[0] + 1
    page.screenshot(path=str(SHOTS / f"case-file-{label}.png"), full_page=True)
    context.close()
