"""The district answers a town's half-year package in Chromium, on a phone and a desktop (issue
19 item 3): the overview with the five states, returning one with reasons, accepting another.
Screenshots in artifacts/screenshots/submission-review-*.png."""

from __future__ import annotations

import pytest

from caseman.extensions import db
from caseman.rules.half_year import half_year_of
from caseman.submissions.models import Submission
from caseman.submissions.services import accept_submission, mark_submitted
from tests.conftest import TODAY
from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401 - fixtures
from tests.submissions.test_review import built

pytestmark = pytest.mark.e2e
PERIOD = half_year_of(TODAY).previous()
OVERFLOW = "document.documentElement.scrollWidth"


@pytest.mark.parametrize(("label", "viewport"), [("phone", (360, 740)), ("desktop", (1280, 900))])
def test_return_and_accept(server, browser, make_user, areas, label, viewport):  # noqa: F811
    muer = make_user("town", "muer", username="muer_town", full_name="木耳镇民政办")
    gulu = make_user("town", "gulu", username="gulu_town", full_name="古路镇民政办")
    district = make_user("district", "district", username="district_staff", full_name="区民政局")
    older = built(muer, PERIOD.previous())
    mark_submitted(muer, older, TODAY)
    accept_submission(district, older)
    sent = built(muer, PERIOD)
    mark_submitted(muer, sent, TODAY)
    other = built(gulu, PERIOD)
    mark_submitted(gulu, other, TODAY)
    built(muer, half_year_of(TODAY))
    db.session.commit()
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = viewport[0]
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": viewport[1]})
    page = context.new_page()
    log_in(page, server, district.username)

    page.goto(server + f"/submissions/{sent.id}")
    page.get_by_role("button", name="退回镇街").click()
    assert page.locator(".field-error").count() == 1  # the reasons are required
    page.fill("#reason", "金刚村3名老人缺本半年探访记录，请补录后重新报送。")
    assert page.evaluate(OVERFLOW) <= width + 1
    page.screenshot(path=str(SHOTS / f"submission-review-return-{label}.png"), full_page=True)
    page.get_by_role("button", name="退回镇街").click()
    page.wait_for_url(f"**/submissions/{sent.id}")
    assert "缺本半年探访记录" in page.content()

    page.goto(server + f"/submissions/{other.id}")
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_url(f"**/submissions/{other.id}")
    assert "审核通过" in page.content()

    page.goto(server + "/submissions/")
    for state in ("accepted", "returned", "built", "not_built"):
        assert page.locator(f".status-{state}").count() >= 1
    assert page.evaluate(OVERFLOW) <= width + 1
    page.screenshot(path=str(SHOTS / f"submission-review-overview-{label}.png"), full_page=True)
    context.close()
    db.session.rollback()
    assert db.session.get(Submission, sent.id).state == "returned"
    assert db.session.get(Submission, other.id).state == "accepted"
