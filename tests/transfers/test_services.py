"""Transfers through the services (issue 19 item 2): each change of state, who may make it, and
what an accepted transfer hands over, with the past visit rates left where the work was done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.elders.models import ElderAssignment, ElderMove, ElderVersion
from caseman.elders.services import archive_elder
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.referrals.models import Referral, StatusChange
from caseman.referrals.services import raise_referral
from caseman.rules.enums import ArchiveReason
from caseman.rules.transfers import TransferStatus
from caseman.rules.visit_periods import month_period
from caseman.transfers.services import (
    accept_transfer,
    cancel_transfer,
    refuse_transfer,
    start_transfer,
)
from caseman.visitors.services import assign_visitor
from caseman.visits.queries import rate_counts
from caseman.visits.services import new_submission_key, record_visit
from tests.conftest import TODAY
from tests.referrals.conftest import referral_values
from tests.visits.conftest import visit_values


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_request_leaves_the_case_where_it_is_and_shows_only_a_summary(case, ask, areas):
    transfer = ask(case)
    db.session.refresh(case)
    assert transfer.status == TransferStatus.PENDING
    assert case.residence_area_id == areas["jingang"].id
    assert db.session.scalar(select(ElderMove)) is None
    assert transfer.summary["name"] == "张秀英"
    assert transfer.summary["id_number"] != case.id_number
    assert "*" in transfer.summary["id_number"]
    assert case.phone not in str(transfer.summary)
    assert "transfer_request" in _actions()


@pytest.mark.parametrize("who", ["baiyan", "gulu", "caoping", "old_worker"])
def test_only_the_sending_side_may_start(case, people, areas, who):
    with pytest.raises(DomainError, match="Only staff of the elder's village or town"):
        start_transfer(getattr(people, who), case, areas["caoping"], "", "迁居")


@pytest.mark.parametrize("who", ["muer", "district"])
def test_the_town_and_the_district_may_start(case, people, areas, who):
    transfer = start_transfer(getattr(people, who), case, areas["baiyan"], "", "迁居")
    assert transfer.is_pending


def test_a_request_needs_another_open_village_a_reason_and_none_waiting(case, people, areas, ask):
    staff = people.jingang
    for target in ("jingang", "muer", "jingang1", "district"):
        with pytest.raises(DomainError) as error:
            start_transfer(staff, case, areas[target], "", "迁居")
        assert error.value.field == "to_area"
    with pytest.raises(DomainError) as error:
        start_transfer(staff, case, areas["caoping"], "", "  ")
    assert error.value.field == "reason"
    ask(case)
    with pytest.raises(DomainError, match="already waiting"):
        start_transfer(staff, case, areas["baiyan"], "", "迁居")


def test_an_archived_case_is_not_transferred(case, people, areas):
    archive_elder(people.district, case, ArchiveReason.DECEASED, TODAY, "病故", TODAY, case.version)
    with pytest.raises(DomainError, match="archived"):
        start_transfer(people.jingang, case, areas["caoping"], "", "迁居")


def test_accepting_moves_the_case_and_hands_everything_over(case, people, areas, ask):
    assign_visitor(people.jingang, [case], people.old_worker, TODAY, TODAY)
    referral = raise_referral(people.jingang, case, referral_values(), new_submission_key(), TODAY)
    db.session.commit()
    transfer = ask(case)

    accept_transfer(people.caoping, transfer, people.new_worker, None, TODAY)
    db.session.commit()
    db.session.refresh(case)
    assert case.residence_area_id == areas["caoping"].id
    assert case.residence_address == "草坪村5组8号"
    move = db.session.scalar(select(ElderMove).where(ElderMove.elder_id == case.id))
    assert (move.moved_on, move.from_area_id, move.to_area_id) == (
        TODAY, areas["jingang"].id, areas["caoping"].id)  # fmt: skip
    version = case.versions[0]
    assert version.kind == "transferred"
    assert "residence_area_id" in version.changed_fields
    assert db.session.scalar(select(ElderVersion.kind).where(ElderVersion.number == 1,
                                                             ElderVersion.elder_id == case.id)) \
        == "created"  # fmt: skip
    # Assignments: the old visitor ends (history kept), the new one starts today.
    rows = db.session.scalars(select(ElderAssignment).where(ElderAssignment.elder_id == case.id)
                              .order_by(ElderAssignment.id)).all()  # fmt: skip
    assert [(r.user_id, r.ended_on) for r in rows] == [
        (people.old_worker.id, TODAY), (people.new_worker.id, None)]  # fmt: skip
    assert "草坪村" in rows[0].end_reason
    # The open referral passes to the accepting staff, with a line in its history.
    db.session.refresh(referral)
    assert referral.owner_id == people.caoping.id
    line = db.session.scalars(select(StatusChange).where(StatusChange.record_id == referral.id)
                              .order_by(StatusChange.id.desc())).first()  # fmt: skip
    assert "草坪村" in line.note
    assert line.from_status == line.to_status == referral.status.value
    db.session.refresh(transfer)
    assert transfer.status == TransferStatus.ACCEPTED
    assert transfer.moved_on == TODAY
    assert transfer.answered_by_id == people.caoping.id
    assert transfer.handover["referrals"] == [referral.id]
    assert transfer.handover["visitor"] == people.new_worker.id
    assert {"transfer_accept", "end_visitor", "assign_visitor"} <= set(_actions())


def test_accepting_without_a_visitor_leaves_the_case_unassigned(case, people, ask):
    assign_visitor(people.jingang, [case], people.old_worker, TODAY, TODAY)
    db.session.commit()
    referral = raise_referral(people.jingang, case, referral_values(), new_submission_key(), TODAY)
    transfer = ask(case)
    accept_transfer(people.gulu, transfer, None, people.new_worker, TODAY)
    db.session.commit()
    active = db.session.scalars(select(ElderAssignment).where(
        ElderAssignment.elder_id == case.id, ElderAssignment.ended_on.is_(None))).all()  # fmt: skip
    assert active == []
    assert transfer.handover["visitor"] is None
    assert db.session.get(Referral, referral.id).owner_id == people.new_worker.id


def test_the_visitor_and_the_owner_must_belong_to_the_receiving_side(case, people, ask):
    transfer = ask(case)
    with pytest.raises(DomainError) as error:
        accept_transfer(people.caoping, transfer, people.old_worker, None, TODAY)
    assert error.value.field == "visitor"
    with pytest.raises(DomainError) as error:
        accept_transfer(people.caoping, transfer, None, people.jingang, TODAY)
    assert error.value.field == "owner"


def test_past_months_stay_with_the_village_that_did_the_visits(case, people, areas, ask):
    last_month_day = TODAY.replace(day=1) - timedelta(days=1)
    record_visit(people.jingang, case, visit_values(visited_on=last_month_day),
                 new_submission_key(), TODAY)  # fmt: skip
    db.session.commit()
    last_month = month_period(last_month_day.year, last_month_day.month)

    def counts(area):
        found = rate_counts(people.district, last_month)
        return (sum(v for (a, _k), (v, _n) in found.items() if a == areas[area].id),
                sum(n for (a, _k), (_v, n) in found.items() if a == areas[area].id))  # fmt: skip

    before = (counts("jingang"), counts("caoping"))
    assert before == ((1, 1), (0, 0))
    accept_transfer(people.caoping, ask(case), None, None, TODAY)
    db.session.commit()
    assert (counts("jingang"), counts("caoping")) == before


@pytest.mark.parametrize("who", ["jingang", "muer", "baiyan", "old_worker"])
def test_only_the_receiving_side_answers(case, people, ask, who):
    transfer = ask(case)
    actor = getattr(people, who)
    with pytest.raises(DomainError, match="receiving village or town"):
        accept_transfer(actor, transfer, None, None, TODAY)
    with pytest.raises(DomainError, match="receiving village or town"):
        refuse_transfer(actor, transfer, "不接收")
    assert transfer.is_pending


def test_refusing_needs_a_reason_and_leaves_the_case(case, people, areas, ask):
    transfer = ask(case)
    with pytest.raises(DomainError) as error:
        refuse_transfer(people.caoping, transfer, " ")
    assert error.value.field == "reason"
    refuse_transfer(people.caoping, transfer, "老人实际仍住原址")
    db.session.commit()
    db.session.refresh(case)
    assert transfer.status == TransferStatus.REFUSED
    assert transfer.answer_note == "老人实际仍住原址"
    assert case.residence_area_id == areas["jingang"].id
    assert "transfer_refuse" in _actions()
    with pytest.raises(DomainError, match="already been answered"):
        accept_transfer(people.caoping, transfer, None, None, TODAY)


def test_the_sender_cancels_while_it_waits(case, people, areas, ask):
    transfer = ask(case)
    with pytest.raises(DomainError, match="sending village or town"):
        cancel_transfer(people.caoping, transfer, "撤回")
    with pytest.raises(DomainError) as error:
        cancel_transfer(people.muer, transfer, "")
    assert error.value.field == "reason"
    cancel_transfer(people.muer, transfer, "申请有误")
    db.session.commit()
    assert transfer.status == TransferStatus.CANCELLED
    assert "transfer_cancel" in _actions()
    with pytest.raises(DomainError, match="already been answered"):
        cancel_transfer(people.jingang, transfer, "再撤")
    # A new request may follow.
    assert start_transfer(people.jingang, case, areas["baiyan"], "", "迁居").is_pending


def test_a_case_archived_or_moved_after_the_request_is_not_accepted(case, people, areas, ask):
    transfer = ask(case)
    archive_elder(people.district, case, ArchiveReason.DECEASED, TODAY, "病故", TODAY, case.version)
    db.session.commit()
    with pytest.raises(DomainError, match="archived"):
        accept_transfer(people.caoping, transfer, None, None, TODAY)
