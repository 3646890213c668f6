"""The half-year submission in headless Chromium: a town makes its package, downloads it and marks
it submitted; the district sees it. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caseman.extensions import db
from caseman.rules.half_year import half_year_of
from caseman.visits.services import new_submission_key, record_visit
from tests.conftest import TODAY
from tests.e2e.test_pages import SHOTS, browser, server  # noqa: F401 - fixtures
from tests.e2e.test_visits import _login, _no_sideways_scroll
from tests.visits.conftest import visit_values

pytestmark = pytest.mark.e2e
PERIOD = half_year_of(TODAY).previous()


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


def test_town_makes_and_submits_its_package(server, browser, make_user, make_elder):  # noqa: F811
    town = make_user("town", "muer", full_name="木耳镇民政办")
    district = make_user("district", "district")
    cadre = make_user("village", "jingang", full_name="王芳")
    elder = make_elder(name="张秀英", filed_on=PERIOD.starts_on + timedelta(days=3))
    record_visit(cadre, elder, visit_values(visited_on=PERIOD.starts_on + timedelta(days=30)),
                 new_submission_key(), TODAY)  # fmt: skip
    db.session.commit()

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(
        300_000
    )  # the package is made in the request in tests (immediate mode)
    _login(page, server, town.username)
    page.goto(server + "/submissions/")
    page.click(f"form[action$='/{PERIOD.key}/build'] button")
    page.wait_for_url("**/jobs/*")
    link = page.locator("a[href$='/download']")
    assert link.count() == 1
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"报送_木耳镇_{PERIOD.key}.zip"

    page.goto(server + "/submissions/")
    row = page.locator("tr[data-town='木耳镇']")
    row.locator("a.status-built").click()
    page.wait_for_url("**/submissions/*")
    show_url = page.url
    page.screenshot(path=str(SHOTS / "submission-built.png"), full_page=True)
    page.click(".card form[action$='/submit'] button")
    assert page.locator(".submission-status").inner_text().strip() != ""
    assert "木耳镇民政办" in page.locator(".submission-status").inner_text()
    context.close()

    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    _login(page, server, district.username)
    page.goto(server + "/submissions/")
    assert page.locator("tr[data-town='木耳镇'] a.status-submitted").count() == 1
    assert page.locator("tr[data-town='古路镇'] a.status-submitted").count() == 0
    page.screenshot(path=str(SHOTS / "submissions-district-phone.png"), full_page=True)
    _ = _no_sideways_scroll  # the wide table scrolls inside its card on phones
    context.close()

    # Issue 17 item 15: the submission page fits a phone (the SHA-256 wraps), and a desktop.
    for label, (width, height) in (("phone", (360, 740)), ("desktop", (1280, 900))):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
        page = context.new_page()
        _login(page, server, district.username)
        page.goto(show_url)
        assert "SHA-256" in page.content()
        page.screenshot(path=str(SHOTS / f"submission-show-{label}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        context.close()
