"""The case file in headless Chromium (issue 6): the latest visits only, and a line that leads to
the whole case history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caseman.visits.queries import CASE_FILE_ITEMS
from tests.conftest import TODAY
from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401  (fixtures)
from tests.referrals.conftest import add_visit, cadre  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e


def test_case_file_shows_the_latest_visits_and_opens_the_history(
    server,  # noqa: F811
    browser,  # noqa: F811
    make_user,
    make_elder,
    add_visit,  # noqa: F811
):
    user = make_user("town", "muer", username="muer_case_e2e")
    elder = make_elder(name="李长寿", filed_on=TODAY - timedelta(days=200))
    total = CASE_FILE_ITEMS + 3
    for step in range(total):
        add_visit(elder, visited_on=TODAY - timedelta(days=6 * step + 1))
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    log_in(page, server, user.username)

    page.goto(f"{server}/elders/{elder.id}")
    assert page.locator("#timeline ol.timeline li.visit").count() == CASE_FILE_ITEMS
    more = page.locator("#timeline .more-history a")
    assert str(total) in more.inner_text()  # "of 23" / "共 23 条" once the catalogue has it
    page.screenshot(path=str(SHOTS / "case-file-latest-visits.png"), full_page=True)
    more.click()
    page.wait_for_url(f"**/elders/{elder.id}/history*")
    assert page.locator("ol.history li").count() >= total
    context.close()
