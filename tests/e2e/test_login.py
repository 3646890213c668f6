"""Logging in with a second factor in headless Chromium: a town user's first login enrols
(QR code, key as text, first code), the next login asks for the code.

Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from caseman.auth import totp
from caseman.auth.models import User
from caseman.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.test_pages import SHOTS, browser, server  # noqa: F401 - fixtures
from tests.e2e.test_visits import SIZES, _no_sideways_scroll

pytestmark = pytest.mark.e2e


def _next_code(user_id: int, secret: str) -> str:
    """A code the site has not seen yet: the current step's, or the next one's."""
    db.session.rollback()  # end the test thread's transaction: read what the server wrote
    last = db.session.scalar(select(User.totp_last_step).where(User.id == user_id))
    step = totp.current_step()
    return totp.code_at(secret, step if last is None or step > last else last + 1)


def _password(page, server_url: str, username: str) -> None:
    page.goto(server_url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(lambda url: not url.endswith("/login"))


@pytest.mark.parametrize(("label", "viewport"), SIZES)
def test_town_user_enrols_then_logs_in_with_a_code(server, browser, make_user, label, viewport):  # noqa: F811
    user = make_user("town", "muer", totp_secret=None, full_name="木耳镇民政干事")
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    # First login: the password, then the enrolment page with the QR code and the key.
    _password(page, server, user.username)
    assert page.url == server + "/login/enrol"
    qr = page.locator("svg.totp-qr")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] >= 150
    secret = page.get_attribute("#totp-secret", "data-secret")
    assert secret
    assert page.locator("#totp-secret").inner_text().replace(" ", "") == secret
    _no_sideways_scroll(page, viewport[0])
    page.screenshot(path=str(SHOTS / f"totp-enrol-{label}.png"), full_page=True)

    # A wrong code keeps the page (and the same key) with a message beside the field.
    page.fill("#code", "000000" if totp.code_at(secret, totp.current_step()) != "000000" else "1")
    page.click("#submit")
    assert page.locator(".field-error").is_visible()
    assert page.get_attribute("#totp-secret", "data-secret") == secret

    page.fill("#code", _next_code(user.id, secret))
    page.click("#submit")
    page.wait_for_url(server + "/")
    assert user.full_name in page.content()

    # Log out; the next login asks for the code (the one just used would be refused).
    page.click("text=退出登录")
    page.wait_for_url(server + "/login")
    _password(page, server, user.username)
    assert page.url == server + "/login/code"
    page.screenshot(path=str(SHOTS / f"totp-code-{label}.png"), full_page=True)
    page.fill("#code", _next_code(user.id, secret))
    page.click("#submit")
    page.wait_for_url(server + "/")
    assert csp_errors == []
    context.close()
