"""Approval services (issue 19 item 1): each state change, who may make it, and what it leaves."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from caseman.approvals.models import ApprovalRequest
from caseman.approvals.queries import counts, inbox, latest_approver, open_states
from caseman.approvals.services import (
    approve,
    request_archive,
    resubmit,
    return_request,
    withdraw,
)
from caseman.audit import AuditEvent
from caseman.config import load_config
from caseman.elders.models import Elder
from caseman.elders.services import Registration, register_elder, update_elder
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.rules.approvals import ApprovalKind, ApprovalState
from caseman.rules.enums import ArchiveReason, Category, Gender
from caseman.rules.id_number import make_id_number
from caseman.rules.visit_periods import DueState
from caseman.visits.queries import dashboard, due_elder_ids
from tests.conftest import TODAY, registration_values


@pytest.fixture
def village(make_user):
    return make_user("village", "jingang", full_name="村干部")


@pytest.fixture
def town(make_user):
    return make_user("town", "muer", full_name="镇审核员")


def _register(areas, actor, serial=31, **overrides):
    overrides.setdefault(
        "id_number", make_id_number("500112", TODAY.replace(year=TODAY.year - 82), serial,
                                    Gender.FEMALE)
    )  # fmt: skip
    values = registration_values(areas["jingang"], **overrides)
    elder = register_elder(actor, Registration(values, [], {Category.LIVING_ALONE}), TODAY)
    db.session.commit()
    return elder


def _requests(elder):
    return db.session.scalars(
        select(ApprovalRequest).where(ApprovalRequest.elder_id == elder.id).order_by(
            ApprovalRequest.id)
    ).all()  # fmt: skip


def _review(actor, elder, **overrides):
    values = registration_values(
        elder.residence_area, name=elder.name, id_number=elder.id_number,
        filed_on=elder.filed_on, **overrides,
    )  # fmt: skip
    update_elder(actor, elder, Registration(values, [], set(elder.categories)), TODAY,
                 elder.version, review=True)  # fmt: skip
    db.session.commit()


def _actions(elder):
    return db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "approval",
                                        AuditEvent.elder_id == elder.id).order_by(AuditEvent.id)
    ).all()  # fmt: skip


def test_a_village_registration_waits_for_the_town_and_is_visited_and_counted_meanwhile(
    areas, village, town
):
    elder = _register(areas, village)
    (request,) = _requests(elder)
    assert request.kind is ApprovalKind.REGISTRATION
    assert request.state is ApprovalState.PENDING
    assert request.requested_by_id == village.id
    assert request.version_number == 1
    assert open_states([elder.id]) == {elder.id: ApprovalState.PENDING}
    # Nobody waits for paperwork to be visited: due and counted in the rates.
    assert elder.id in due_elder_ids(town, TODAY, DueState.DUE) + due_elder_ids(
        town, TODAY, DueState.OVERDUE
    )
    assert dashboard(town, TODAY).total.active == 1
    assert counts(town) == {"awaiting": 1, "returned": 0}
    assert [r.id for r in inbox(town).awaiting] == [request.id]
    assert _actions(elder) == ["approval_request"]


def test_a_town_registration_is_approved_at_once_by_its_author(areas, town):
    elder = _register(areas, town)
    (request,) = _requests(elder)
    assert request.state is ApprovalState.APPROVED
    assert request.decided_by_id == town.id
    assert request.decided_at is not None
    assert open_states([elder.id]) == {}
    assert latest_approver([elder.id]) == "镇审核员"


def test_return_then_resubmit_then_approve(areas, village, town):
    elder = _register(areas, village)
    (request,) = _requests(elder)
    with pytest.raises(DomainError) as refused:
        return_request(town, request, "  ")
    assert refused.value.field == "reason"
    with pytest.raises(DomainError):
        approve(village, request, TODAY)  # the village does not approve itself
    return_request(town, request, "身份证号码与户口簿不符")
    db.session.commit()
    assert request.state is ApprovalState.RETURNED
    assert request.times_returned == 1
    assert counts(town) == {"awaiting": 0, "returned": 1}
    assert counts(village)["returned"] == 1
    assert open_states([elder.id]) == {elder.id: ApprovalState.RETURNED}
    with pytest.raises(DomainError):
        return_request(town, request, "再次退回")  # already returned
    with pytest.raises(DomainError) as refused:
        resubmit(village, request, "")
    assert refused.value.field == "answer"
    resubmit(village, request, "已按户口簿更正")
    db.session.commit()
    assert request.state is ApprovalState.RESUBMITTED
    assert request.answer == "已按户口簿更正"
    assert counts(town)["awaiting"] == 1
    approve(town, request, TODAY)
    db.session.commit()
    assert request.state is ApprovalState.APPROVED
    assert request.decided_by_id == town.id
    assert request.reason == "身份证号码与户口簿不符"  # kept: what was asked and answered
    assert open_states([elder.id]) == {}
    assert _actions(elder) == ["approval_request", "return", "resubmit", "approve"]
    assert latest_approver([elder.id]) == "镇审核员"


def test_a_review_changing_key_status_waits_and_one_that_does_not_stands(areas, village, town):
    elder = _register(areas, town)
    _review(village, elder, phone="13999990000")  # categories and key status unchanged
    assert len(_requests(elder)) == 1
    _review(village, elder, is_key=False, key_override_reason="子女每日照料，经村委会核实")
    requests = _requests(elder)
    assert len(requests) == 2
    assert requests[1].kind is ApprovalKind.REVIEW
    assert requests[1].state is ApprovalState.PENDING
    assert requests[1].version_number == 3
    assert "is_key" in requests[1].changed_fields
    # The change stands meanwhile (the visit schedule follows it from the next period).
    assert db.session.get(Elder, elder.id).is_key is False


def test_a_change_of_a_case_still_awaiting_its_registration_joins_that_request(
    areas, village, town
):
    elder = _register(areas, village)
    _review(village, elder, is_key=False, key_override_reason="子女每日照料，经村委会核实")
    (request,) = _requests(elder)
    assert request.kind is ApprovalKind.REGISTRATION
    assert request.version_number == 2
    assert "is_key" in request.changed_fields


def test_a_village_archive_waits_and_the_elder_stays_active_until_approved(areas, village, town):
    elder = _register(areas, town)
    on = TODAY - timedelta(days=1) if elder.filed_on < TODAY else TODAY
    with pytest.raises(DomainError) as refused:
        request_archive(village, elder, ArchiveReason.DECEASED, on, "", TODAY, elder.version)
    assert refused.value.field == "note"
    request = request_archive(village, elder, ArchiveReason.DECEASED, on, "病故", TODAY,
                              elder.version)  # fmt: skip
    db.session.commit()
    assert request is not None
    assert request.state is ApprovalState.PENDING
    assert db.session.get(Elder, elder.id).archived_on is None
    with pytest.raises(DomainError):  # one archive request at a time
        request_archive(village, elder, ArchiveReason.DECEASED, on, "病故", TODAY, elder.version)
    db.session.rollback()
    approve(town, request, TODAY)
    db.session.commit()
    archived = db.session.get(Elder, elder.id)
    assert archived.archived_on == on
    assert archived.archive_reason is ArchiveReason.DECEASED
    assert archived.archive_note == "病故"
    assert request.state is ApprovalState.APPROVED


def test_the_village_may_withdraw_its_archive(areas, village, town):
    elder = _register(areas, town)
    request = request_archive(village, elder, ArchiveReason.MOVED_AWAY, TODAY, "搬去女儿家",
                              TODAY, elder.version)  # fmt: skip
    return_request(town, request, "未见迁出证明")
    withdraw(village, request)
    db.session.commit()
    assert request.state is ApprovalState.WITHDRAWN
    assert db.session.get(Elder, elder.id).archived_on is None
    with pytest.raises(DomainError):
        approve(town, request, TODAY)


def test_a_town_archive_stands_at_once_and_settles_the_village_request(areas, village, town):
    elder = _register(areas, town)
    request = request_archive(village, elder, ArchiveReason.DECEASED, TODAY, "病故", TODAY,
                              elder.version)  # fmt: skip
    db.session.commit()
    assert request_archive(town, elder, ArchiveReason.DECEASED, TODAY, "病故", TODAY,
                           elder.version) is None  # fmt: skip
    db.session.commit()
    assert db.session.get(Elder, elder.id).archived_on == TODAY
    assert request.state is ApprovalState.APPROVED
    assert request.decided_by_id == town.id


def test_with_approvals_off_everything_stands_at_once(app, areas, village):
    app.config["CASEMAN_APPROVALS"] = False
    elder = _register(areas, village)
    _review(village, elder, is_key=False, key_override_reason="子女每日照料，经村委会核实")
    assert request_archive(village, elder, ArchiveReason.DECEASED, TODAY, "病故", TODAY,
                           elder.version) is None  # fmt: skip
    db.session.commit()
    assert _requests(elder) == []
    assert db.session.get(Elder, elder.id).archived_on == TODAY
    assert latest_approver([elder.id]) == ""


@pytest.mark.parametrize(("value", "expected"), [("off", False), ("on", True), (None, True)])
def test_the_setting_reads_on_and_off(app, monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("CASEMAN_APPROVALS", raising=False)
    else:
        monkeypatch.setenv("CASEMAN_APPROVALS", value)
    assert load_config(Path(app.instance_path))["CASEMAN_APPROVALS"] is expected


def test_a_ledger_imported_by_a_village_user_waits_case_by_case(app, make_user, tmp_path):
    from caseman.imports.services import check_upload, import_upload, save_upload
    from tests.imports.sheets import annex1_workbook, id_number, ledger_row

    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")
    cadre = make_user("village", "baiyan")
    rows = [ledger_row("李四", "女", id_number(31), "白岩村"),
            ledger_row("赵六", "女", id_number(33), "白岩村")]  # fmt: skip
    upload = save_upload(cadre, "a.xlsx", annex1_workbook(rows))
    check_upload(cadre, upload, {}, TODAY)
    import_upload(cadre, upload, TODAY)
    db.session.commit()
    requests = db.session.scalars(select(ApprovalRequest)).all()
    assert len(requests) == 2
    assert {r.state for r in requests} == {ApprovalState.PENDING}
    assert {r.kind for r in requests} == {ApprovalKind.REGISTRATION}
