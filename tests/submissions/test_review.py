"""The district accepts a town's half-year package or returns it with reasons; the town makes it
again and resubmits; the district's page shows each town and period as not built, built,
submitted, returned or accepted, with dates, and what changed since the last accepted package
(issue 19 item 3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.db import utcnow
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.jobs.models import Job, JobStatus
from caseman.rules.half_year import half_year_of
from caseman.submissions.models import Submission
from caseman.submissions.services import (
    KIND,
    accept_submission,
    changes_for,
    mark_submitted,
    return_submission,
)
from caseman.visits.services import new_submission_key, record_visit
from tests.conftest import TODAY, log_in, row_counts
from tests.visits.conftest import visit_values

PERIOD = half_year_of(TODAY).previous()  # closed: may be submitted today


@pytest.fixture
def staff(make_user):
    return {
        "muer": make_user("town", "muer", username="muer_town", full_name="木耳镇民政办"),
        "gulu": make_user("town", "gulu", username="gulu_town", full_name="古路镇民政办"),
        "district": make_user(
            "district", "district", username="district_staff", full_name="区民政局"
        ),  # fmt: skip
        "village": make_user("village", "jingang", username="jingang_staff"),
    }


def built(town_user, period=PERIOD, town=None) -> Submission:
    """A package made (its job done) without laying out the forms: the answer is what counts."""
    job = Job(kind=KIND, title="报送", user=town_user, status=JobStatus.DONE)
    submission = Submission(town=town or town_user.area, year=period.year, half=period.half,
                            created_by=town_user, job=job, built_at=utcnow(),
                            covered_until=period.closes_on,
                            summary={"sha256": "ab" * 32, "files": 1, "ledger_rows": 0,
                                     "annex2": 0, "annex3": 0})  # fmt: skip
    db.session.add(submission)
    db.session.flush()
    return submission


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_submitted_then_accepted(staff):
    submission = built(staff["muer"])
    assert submission.state == "built"
    mark_submitted(staff["muer"], submission, TODAY)
    assert submission.state == "submitted"
    accept_submission(staff["district"], submission)
    db.session.commit()
    assert submission.state == "accepted"
    assert submission.accepted_by_id == staff["district"].id
    assert submission.accepted_at is not None
    assert [e.action for e in submission.events] == ["submitted", "accepted"]
    assert submission.events[-1].sha256 == "ab" * 32
    assert {"submit", "submission_accept"} <= set(_actions())
    # Final: no second answer, no rebuild or resubmission.
    with pytest.raises(DomainError, match="waiting for an answer"):
        accept_submission(staff["district"], submission)
    with pytest.raises(DomainError, match="waiting for an answer"):
        return_submission(staff["district"], submission, "再看看")
    with pytest.raises(DomainError, match="already submitted"):
        mark_submitted(staff["muer"], submission, TODAY)


def test_returned_with_reasons_then_made_again_and_resubmitted(staff):
    submission = built(staff["muer"])
    with pytest.raises(DomainError, match="waiting for an answer"):
        return_submission(staff["district"], submission, "未报送")  # not sent yet
    mark_submitted(staff["muer"], submission, TODAY)
    with pytest.raises(DomainError) as error:
        return_submission(staff["district"], submission, "  ")
    assert error.value.field == "reason"
    return_submission(staff["district"], submission, "金刚村3名老人缺探访记录")
    db.session.commit()
    assert submission.state == "returned"
    assert submission.return_reason == "金刚村3名老人缺探访记录"
    assert submission.returned_by_id == staff["district"].id
    assert not submission.is_submitted
    assert "submission_return" in _actions()
    # The same package cannot simply be sent again: it is made again first.
    with pytest.raises(DomainError, match="make it again"):
        mark_submitted(staff["muer"], submission, TODAY)
    submission.built_at = utcnow() + timedelta(seconds=1)
    mark_submitted(staff["muer"], submission, TODAY)
    assert submission.state == "submitted"
    accept_submission(staff["district"], submission)
    assert [e.action for e in submission.events] == ["submitted", "returned", "submitted",
                                                     "accepted"]  # fmt: skip
    assert submission.events[1].note == "金刚村3名老人缺探访记录"


@pytest.mark.parametrize("who", ["muer", "gulu", "village"])
def test_only_the_district_answers(staff, who):
    submission = built(staff["muer"])
    mark_submitted(staff["muer"], submission, TODAY)
    with pytest.raises(DomainError, match="Only district staff"):
        accept_submission(staff[who], submission)
    with pytest.raises(DomainError, match="Only district staff"):
        return_submission(staff[who], submission, "退回")
    assert submission.state == "submitted"


def test_changes_count_from_the_last_accepted_package(staff, make_elder, make_user):
    elder = make_elder(filed_on=PERIOD.starts_on)
    earlier = built(staff["muer"], PERIOD.previous())
    mark_submitted(staff["muer"], earlier, TODAY)
    db.session.commit()
    current = built(staff["muer"], PERIOD)
    assert changes_for(current, utcnow()) is None  # sent but never accepted: no baseline
    accept_submission(staff["district"], earlier)
    db.session.commit()
    cadre = make_user("village", "jingang")
    record_visit(cadre, elder, visit_values(visited_on=TODAY), new_submission_key(), TODAY)
    make_elder(name="周新增")
    db.session.commit()
    changes = changes_for(current, utcnow() + timedelta(seconds=1))
    assert changes is not None
    assert changes.counts == {"added": 1, "archived": 0, "changed": 0, "visits": 1, "cares": 0}


def _login(client, user):
    client.post("/logout")
    log_in(client, user)
    return client


def test_the_district_page_shows_the_five_states_with_dates(client, staff, areas):
    now = half_year_of(TODAY)
    accepted = built(staff["muer"], PERIOD.previous())
    mark_submitted(staff["muer"], accepted, TODAY)
    accept_submission(staff["district"], accepted)
    returned = built(staff["muer"], PERIOD)
    mark_submitted(staff["muer"], returned, TODAY)
    return_submission(staff["district"], returned, "缺附件3")
    built(staff["muer"], now)
    sent = built(staff["gulu"], PERIOD)
    mark_submitted(staff["gulu"], sent, TODAY)
    db.session.commit()
    _login(client, staff["district"])
    page = client.get("/submissions/").get_data(as_text=True)
    muer = page.split('data-town="木耳镇"')[1].split("</tr>")[0]
    gulu = page.split('data-town="古路镇"')[1].split("</tr>")[0]
    day = f"{TODAY.year}年{TODAY.month}月{TODAY.day}日"
    assert "status-accepted" in muer
    assert "status-returned" in muer
    assert "status-built" in muer
    assert "status-submitted" in gulu
    assert "status-not_built" in gulu
    assert f"{day} 已通过" in muer
    assert f"{day} 已退回" in muer
    assert f"已于 {day} 报送" in gulu
    assert "未生成" in gulu
    assert "新增探访记录 0 份" in muer  # the changes since the accepted package
    assert "尚无审核通过的报送" in gulu


def test_the_district_returns_and_accepts_on_the_page(client, staff, areas):
    submission = built(staff["muer"])
    mark_submitted(staff["muer"], submission, TODAY)
    db.session.commit()
    _login(client, staff["district"])
    page = client.get(f"/submissions/{submission.id}").get_data(as_text=True)
    assert "审核通过" in page
    assert "退回镇街" in page
    before = row_counts()
    response = client.post(f"/submissions/{submission.id}/return", data={"reason": ""})
    assert response.status_code == 400
    assert "请填写" in response.get_data(as_text=True)
    assert row_counts() == before
    response = client.post(f"/submissions/{submission.id}/return",
                           data={"reason": "白岩村台帐缺电话"})  # fmt: skip
    assert response.status_code == 302
    _login(client, staff["muer"])
    page = client.get(f"/submissions/{submission.id}").get_data(as_text=True)
    assert "白岩村台帐缺电话" in page
    assert "重新生成" in page  # the town makes it again
    assert "退回镇街" not in page
    db.session.refresh(submission)
    submission.built_at = utcnow() + timedelta(seconds=1)
    db.session.commit()
    assert client.post(f"/submissions/{submission.id}/submit").status_code == 302
    _login(client, staff["district"])
    assert client.post(f"/submissions/{submission.id}/accept").status_code == 302
    db.session.refresh(submission)
    assert submission.state == "accepted"
    page = client.get(f"/submissions/{submission.id}").get_data(as_text=True)
    assert "区民政局 于" in page
    assert "退回镇街" not in page


@pytest.mark.parametrize("who", ["muer", "gulu", "village"])
def test_towns_and_villages_cannot_answer(client, staff, who):
    submission = built(staff["muer"])
    mark_submitted(staff["muer"], submission, TODAY)
    db.session.commit()
    _login(client, staff[who])
    before = row_counts(except_audit=True)
    assert client.post(f"/submissions/{submission.id}/accept").status_code == 404
    assert client.post(f"/submissions/{submission.id}/return",
                       data={"reason": "x"}).status_code == 404  # fmt: skip
    assert row_counts(except_audit=True) == before
    db.session.refresh(submission)
    assert submission.state == "submitted"
