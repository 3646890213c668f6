"""Referral and risk services: raising, every allowed and forbidden status move, follow-ups,
reports to the town, and 解决问题数量."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseman.elders.services import FormErrors, archive_elder
from caseman.errors import DomainError, StaleEdit
from caseman.extensions import db
from caseman.referrals.models import Benefit, BenefitOutcome, FollowUp, Referral, StatusChange
from caseman.referrals.queries import list_status_changes, solved_count, solved_counts
from caseman.referrals.services import (
    acknowledge_risk,
    add_follow_up,
    move_referral,
    move_risk,
    raise_referral,
    raise_risk,
)
from caseman.rules.enums import ArchiveReason, NeedType, VisitMethod
from caseman.rules.referrals import ReferralStatus, RiskStatus, RiskType
from caseman.visits.services import DuplicateSubmission, new_submission_key, void_record
from tests.conftest import TODAY, row_counts
from tests.referrals.conftest import FILED, NOW, referral_values, risk_values

S = ReferralStatus

# Written out by hand from the issue: open → referred → in progress → solved, or → cannot be
# solved; a solved one reopens into service, a refused one reopens as open.
SERVICE_PATH = {
    (S.OPEN, S.REFERRED),
    (S.OPEN, S.UNSOLVABLE),
    (S.REFERRED, S.IN_PROGRESS),
    (S.REFERRED, S.UNSOLVABLE),
    (S.IN_PROGRESS, S.SOLVED),
    (S.IN_PROGRESS, S.UNSOLVABLE),
    (S.SOLVED, S.IN_PROGRESS),
    (S.UNSOLVABLE, S.OPEN),
}
# A need settled on the spot (a hazard removed with the family) may also go open → solved.
ON_THE_SPOT_PATH = SERVICE_PATH | {(S.OPEN, S.SOLVED)}
# How to reach each status along the service path
ROUTE = {
    S.OPEN: [],
    S.REFERRED: [S.REFERRED],
    S.IN_PROGRESS: [S.REFERRED, S.IN_PROGRESS],
    S.SOLVED: [S.REFERRED, S.IN_PROGRESS, S.SOLVED],
    S.UNSOLVABLE: [S.UNSOLVABLE],
}
# A referral asks for the elder's consent first (caseman.rules.consent).
CONSENT = {"consent_answer": "agreed", "consent_by": "本人", "consent_way": "in_person",
           "consent_on": TODAY}  # fmt: skip
FULL = {"referred_to": "区康复中心", "referred_contact": "李医生 023-67000000", "note": "已办理",
        **CONSENT}  # fmt: skip
ALL_PAIRS = [(a, b) for a in S for b in S]


def move(actor, referral, target, today=TODAY, **values):
    move_referral(actor, referral, target, {**FULL, **values}, today, referral.version)
    db.session.commit()


def drive(actor, referral, status):
    for step in ROUTE[status]:
        move(actor, referral, step)
    assert referral.status is status


def history(referral):
    return [(c.from_status, c.to_status) for c in list_status_changes("referral", referral.id)]


# --- raising a referral ------------------------------------------------------------------------


def test_referral_raised_from_a_visit_is_open_owned_and_logged(
    elder, needs_visit, cadre, add_referral
):
    referral = add_referral(
        elder,
        need=NeedType.MEDICAL.value,
        visit_id=needs_visit.id,
        follow_up_on=TODAY + timedelta(days=5),
    )
    assert referral.status is S.OPEN
    assert referral.visit_id == needs_visit.id
    assert referral.need is NeedType.MEDICAL
    assert referral.owner_id == cadre.id
    assert referral.raised_on == TODAY
    assert referral.follow_up_on == TODAY + timedelta(days=5)
    assert history(referral) == [("", "open")]


def test_referral_raised_from_the_case_file_needs_no_visit(elder, add_referral, town_user):
    referral = add_referral(elder, owner_id=town_user.id, description="  需要适老化改造  ")
    assert referral.visit_id is None
    assert referral.owner_id == town_user.id
    assert referral.description == "需要适老化改造"


def test_visit_of_another_elder_or_a_void_record_is_refused(elder, make_elder, add_visit, cadre):
    other = make_elder(filed_on=FILED)
    theirs = add_visit(other)
    voided = add_visit(elder)
    void_record(cadre, voided, "录错了", voided.version)
    db.session.commit()
    before = row_counts()
    for visit in (theirs, voided):
        with pytest.raises(FormErrors) as caught:
            raise_referral(
                cadre, elder, referral_values(visit_id=visit.id), new_submission_key(), TODAY
            )
        assert set(caught.value.errors) == {"visit_id"}
        db.session.rollback()
    assert row_counts() == before


@pytest.mark.parametrize("description", ["", "   ", None])
def test_empty_description_is_refused(elder, cadre, description):
    before = row_counts()
    with pytest.raises(FormErrors) as caught:
        raise_referral(
            cadre, elder, referral_values(description=description), new_submission_key(), TODAY
        )
    assert set(caught.value.errors) == {"description"}
    db.session.rollback()
    assert row_counts() == before


def test_follow_up_date_in_the_past_and_inactive_owner_are_refused(elder, cadre, make_user):
    gone = make_user("village", "jingang")
    gone.is_active_user = False
    db.session.commit()
    with pytest.raises(FormErrors) as caught:
        raise_referral(
            cadre,
            elder,
            referral_values(follow_up_on=TODAY - timedelta(days=1), owner_id=gone.id),
            new_submission_key(),
            TODAY,
        )
    assert set(caught.value.errors) == {"follow_up_on", "owner_id"}


def test_archived_elder_gets_no_referral(elder, cadre):
    archive_elder(cadre, elder, ArchiveReason.MOVED_AWAY, TODAY, "搬去女儿家", TODAY, elder.version)
    db.session.commit()
    before = row_counts()
    with pytest.raises(DomainError) as caught:
        raise_referral(cadre, elder, referral_values(), new_submission_key(), TODAY)
    assert not isinstance(caught.value, FormErrors)
    assert "archived" in caught.value.message
    db.session.rollback()
    assert row_counts() == before


def test_double_submission_keeps_one_row(elder, cadre):
    key = new_submission_key()
    first = raise_referral(cadre, elder, referral_values(), key, TODAY)
    db.session.commit()
    with pytest.raises(DuplicateSubmission) as caught:
        raise_referral(cadre, elder, referral_values(description="再点一次"), key, TODAY)
    db.session.rollback()
    assert caught.value.record_id == first.id
    assert db.session.scalar(select(db.func.count(Referral.id))) == 1
    assert db.session.scalar(select(db.func.count(StatusChange.id))) == 1


# --- every status move -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("need", "allowed"),
    [
        (NeedType.REHABILITATION, SERVICE_PATH),
        (NeedType.SAFETY_HAZARD, ON_THE_SPOT_PATH),
    ],
    ids=["rehabilitation", "safety_hazard"],
)
@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=[f"{a}>{b}" for a, b in ALL_PAIRS])
def test_every_transition(elder, cadre, add_referral, need, allowed, current, target):
    referral = add_referral(elder, need=need.value)
    drive(cadre, referral, current)
    version = referral.version
    steps = history(referral)
    if (current, target) in allowed:
        move(cadre, referral, target, note="理由和结果")
        db.session.expire_all()
        assert referral.status is target
        assert referral.version == version + 1
        assert history(referral) == [*steps, (current.value, target.value)]
        assert (referral.closed_on == TODAY) is target.is_closed
    else:
        before = row_counts()
        with pytest.raises(DomainError) as caught:
            move_referral(cadre, referral, target, dict(FULL), TODAY, version)
        assert caught.value.field == "status"
        db.session.rollback()
        db.session.expire_all()
        assert referral.status is current
        assert referral.version == version
        assert row_counts() == before


def test_the_tables_above_match_the_rules():
    """Guard the hand-written tables: every pair is either allowed or forbidden."""
    from caseman.rules.referrals import can_move

    for a, b in ALL_PAIRS:
        assert can_move(a, b, NeedType.REHABILITATION) == ((a, b) in SERVICE_PATH)
        assert can_move(a, b, NeedType.SAFETY_HAZARD) == ((a, b) in ON_THE_SPOT_PATH)


def test_skipping_to_solved_says_refer_first(elder, cadre, add_referral):
    referral = add_referral(elder, need=NeedType.MEDICAL.value)
    with pytest.raises(DomainError) as caught:
        move_referral(cadre, referral, S.SOLVED, dict(FULL), TODAY, referral.version)
    assert caught.value.field == "status"
    assert "refer it first" in caught.value.message


def test_safety_hazard_solved_on_the_spot(elder, cadre, add_referral):
    referral = add_referral(elder, need=NeedType.SAFETY_HAZARD.value)
    move(cadre, referral, S.SOLVED, note="和家属一起更换了燃气软管")
    assert referral.status is S.SOLVED
    assert referral.outcome == "和家属一起更换了燃气软管"
    assert referral.referred_to == ""
    assert solved_count(elder) == 1


def test_referred_without_where_is_refused(elder, cadre, add_referral):
    referral = add_referral(elder)
    version = referral.version
    before = row_counts()
    with pytest.raises(FormErrors) as caught:
        move_referral(
            cadre,
            referral,
            S.REFERRED,
            {"referred_to": "  ", "note": "", **CONSENT},
            TODAY,
            version,
        )
    assert set(caught.value.errors) == {"referred_to"}
    db.session.rollback()
    db.session.expire_all()
    assert (referral.status, referral.version) == (S.OPEN, version)
    assert row_counts() == before


def test_referred_records_where_and_when(elder, cadre, add_referral):
    referral = add_referral(elder, today=TODAY - timedelta(days=3))
    move(
        cadre,
        referral,
        S.REFERRED,
        referred_to=" 区康复中心 ",
        referred_contact=" 李医生 ",
        follow_up_on=TODAY + timedelta(days=7),
    )
    assert (referral.referred_to, referral.referred_contact) == ("区康复中心", "李医生")
    assert referral.referred_on == TODAY
    assert referral.follow_up_on == TODAY + timedelta(days=7)


def test_next_follow_up_date_in_the_past_is_refused_on_a_move(elder, cadre, add_referral):
    referral = add_referral(elder, follow_up_on=TODAY + timedelta(days=2))
    version = referral.version
    before = row_counts()
    with pytest.raises(FormErrors) as caught:
        move_referral(
            cadre,
            referral,
            S.REFERRED,
            {**FULL, "follow_up_on": TODAY - timedelta(days=1)},
            TODAY,
            version,
        )
    assert set(caught.value.errors) == {"follow_up_on"}
    db.session.rollback()
    db.session.expire_all()
    assert (referral.status, referral.follow_up_on) == (S.OPEN, TODAY + timedelta(days=2))
    assert row_counts() == before
    move(cadre, referral, S.REFERRED, follow_up_on=TODAY)  # due today is fine


@pytest.mark.parametrize(
    ("route", "target"),
    [
        ([S.REFERRED, S.IN_PROGRESS], S.SOLVED),
        ([], S.UNSOLVABLE),
        ([S.REFERRED], S.UNSOLVABLE),
    ],
    ids=["solved", "unsolvable-from-open", "unsolvable-from-referred"],
)
def test_closing_without_a_note_is_refused(elder, cadre, add_referral, route, target):
    referral = add_referral(elder)
    for step in route:
        move(cadre, referral, step)
    current, version = referral.status, referral.version
    before = row_counts()
    with pytest.raises(FormErrors) as caught:
        move_referral(cadre, referral, target, {**FULL, "note": "   "}, TODAY, version)
    assert set(caught.value.errors) == {"note"}
    db.session.rollback()
    db.session.expire_all()
    assert (referral.status, referral.version, referral.closed_on) == (current, version, None)
    assert row_counts() == before


def test_closing_stores_the_outcome_or_the_reason(elder, cadre, add_referral):
    solved = add_referral(elder, follow_up_on=TODAY + timedelta(days=2))
    drive(cadre, solved, S.IN_PROGRESS)
    move(cadre, solved, S.SOLVED, note="康复中心每周上门两次，已能自己走路")
    assert solved.outcome == "康复中心每周上门两次，已能自己走路"
    assert solved.follow_up_on is None  # nothing left to follow up
    refused = add_referral(elder)
    move(cadre, refused, S.UNSOLVABLE, note="老人拒绝任何服务")
    assert refused.unsolvable_reason == "老人拒绝任何服务"
    assert refused.closed_on == TODAY


def test_reopening_needs_a_reason_and_keeps_the_whole_history(elder, cadre, add_referral):
    referral = add_referral(elder)
    drive(cadre, referral, S.SOLVED)
    version = referral.version
    with pytest.raises(FormErrors) as caught:
        move_referral(cadre, referral, S.IN_PROGRESS, {"note": ""}, TODAY, version)
    assert set(caught.value.errors) == {"note"}
    db.session.rollback()
    move(cadre, referral, S.IN_PROGRESS, note="三个月后又摔了，重新安排康复")
    assert referral.closed_on is None
    move(cadre, referral, S.SOLVED, note="第二轮康复结束")
    move(cadre, referral, S.IN_PROGRESS, note="再次复发")
    move(cadre, referral, S.UNSOLVABLE, note="转入养老院，不再跟进")
    move(cadre, referral, S.OPEN, note="老人回家了")
    assert history(referral) == [
        ("", "open"),
        ("open", "referred"),
        ("referred", "in_progress"),
        ("in_progress", "solved"),
        ("solved", "in_progress"),
        ("in_progress", "solved"),
        ("solved", "in_progress"),
        ("in_progress", "unsolvable"),
        ("unsolvable", "open"),
    ]
    notes = [c.note for c in list_status_changes("referral", referral.id)]
    assert notes[4] == "三个月后又摔了，重新安排康复"
    assert notes[-1] == "老人回家了"
    assert all(c.changed_by_id == cadre.id for c in list_status_changes("referral", referral.id))


def test_benefit_referral_cannot_close_without_benefit_date_and_outcome(elder, cadre, add_referral):
    raised = TODAY - timedelta(days=20)
    referral = add_referral(
        elder, need=NeedType.BENEFITS.value, description="帮助申请高龄津贴", today=raised
    )
    drive(cadre, referral, S.IN_PROGRESS)
    version = referral.version
    before = row_counts()
    with pytest.raises(FormErrors) as caught:
        move_referral(cadre, referral, S.SOLVED, dict(FULL), TODAY, version)
    assert set(caught.value.errors) == {"benefit", "benefit_applied_on", "benefit_outcome"}
    db.session.rollback()
    with pytest.raises(FormErrors) as caught:  # applied before the referral was raised
        move_referral(
            cadre,
            referral,
            S.SOLVED,
            {
                **FULL,
                "benefit": "old_age_allowance",
                "benefit_applied_on": raised - timedelta(1),
                "benefit_outcome": "granted",
            },
            TODAY,
            version,
        )
    assert set(caught.value.errors) == {"benefit_applied_on"}
    db.session.rollback()
    db.session.expire_all()
    assert (referral.status, referral.version) == (S.IN_PROGRESS, version)
    assert row_counts() == before
    move(
        cadre,
        referral,
        S.SOLVED,
        benefit="old_age_allowance",
        benefit_applied_on=TODAY - timedelta(days=10),
        benefit_outcome="granted",
    )
    assert referral.benefit is Benefit.OLD_AGE_ALLOWANCE
    assert referral.benefit_applied_on == TODAY - timedelta(days=10)
    assert referral.benefit_outcome is BenefitOutcome.GRANTED
    assert referral.status is S.SOLVED


def test_benefit_chosen_when_raised_counts_when_closing(elder, cadre, add_referral):
    referral = add_referral(elder, need=NeedType.BENEFITS.value, benefit=Benefit.DIBAO.value)
    drive(cadre, referral, S.IN_PROGRESS)
    with pytest.raises(FormErrors) as caught:
        move_referral(cadre, referral, S.SOLVED, dict(FULL), TODAY, referral.version)
    assert set(caught.value.errors) == {"benefit_applied_on", "benefit_outcome"}
    db.session.rollback()


def test_benefit_referral_the_elder_never_applied_for_can_be_closed_as_unsolvable(
    elder, cadre, add_referral
):
    """三协助 三 helps an elder apply; when they decline, there is no application to record."""
    referral = add_referral(elder, need=NeedType.BENEFITS.value, description="帮助申请低保")
    move(cadre, referral, S.UNSOLVABLE, note="老人不愿申请，已告知家属")
    assert referral.status is S.UNSOLVABLE
    assert referral.benefit_outcome is None


@pytest.mark.parametrize("expected", ["older", None])
def test_stale_version_is_refused(elder, cadre, add_referral, expected):
    referral = add_referral(elder)
    opened = referral.version
    move(cadre, referral, S.REFERRED)  # someone else moved it meanwhile
    before = row_counts()
    with pytest.raises(StaleEdit) as caught:
        move_referral(
            cadre, referral, S.IN_PROGRESS, dict(FULL), TODAY, opened if expected else None
        )
    assert caught.value.current_version == opened + 1
    db.session.rollback()
    db.session.expire_all()
    assert referral.status is S.REFERRED
    assert row_counts() == before


# --- follow-ups ------------------------------------------------------------------------------


def follow(actor, record, today=TODAY, **overrides):
    values = {
        "followed_on": TODAY,
        "method": VisitMethod.PHONE,
        "findings": "电话询问，情况稳定",
        "next_follow_up_on": None,
    }
    values.update(overrides)
    follow_up = add_follow_up(actor, record, values, today)
    db.session.commit()
    return follow_up


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"followed_on": TODAY - timedelta(days=11)}, "followed_on"),  # before the referral
        ({"followed_on": TODAY + timedelta(days=1)}, "followed_on"),  # in the future
        ({"followed_on": None}, "followed_on"),
        ({"findings": "  "}, "findings"),
        ({"next_follow_up_on": TODAY}, "next_follow_up_on"),  # next one not after today
        ({"next_follow_up_on": TODAY - timedelta(days=2)}, "next_follow_up_on"),
    ],
    ids=["before-referral", "future", "no-date", "no-findings", "next-today", "next-past"],
)
def test_bad_follow_up_is_refused(elder, cadre, add_referral, overrides, field):
    referral = add_referral(
        elder, today=TODAY - timedelta(days=10), follow_up_on=TODAY - timedelta(days=5)
    )
    before = row_counts()
    with pytest.raises(FormErrors) as caught:
        follow(cadre, referral, **overrides)
    assert set(caught.value.errors) == {field}
    db.session.rollback()
    db.session.expire_all()
    assert referral.follow_up_on == TODAY - timedelta(days=5)
    assert row_counts() == before


def test_follow_up_on_a_closed_referral_is_refused(elder, cadre, add_referral):
    referral = add_referral(elder, need=NeedType.EMOTIONAL.value)
    move(cadre, referral, S.SOLVED, note="聊了一下午，心情好多了")
    before = row_counts()
    with pytest.raises(FormErrors) as caught:
        follow(cadre, referral)
    assert "closed" in caught.value.errors["findings"][0]
    db.session.rollback()
    assert row_counts() == before


def test_follow_up_records_and_sets_the_next_date(elder, cadre, add_referral):
    referral = add_referral(elder, today=TODAY - timedelta(days=10))
    first = follow(
        cadre,
        referral,
        followed_on=TODAY - timedelta(days=10),
        next_follow_up_on=TODAY + timedelta(days=14),
    )
    assert referral.follow_up_on == TODAY + timedelta(days=14)
    second = follow(cadre, referral, method=VisitMethod.HOME, findings=" 上门查看 ")
    assert referral.follow_up_on is None  # no next date given
    db.session.expire_all()
    assert [f.id for f in referral.follow_ups] == [first.id, second.id]
    assert second.findings == "上门查看"
    assert (second.elder_id, second.risk_id, second.created_by_id) == (elder.id, None, cadre.id)


def test_follow_up_of_a_risk_starts_from_the_event(elder, cadre, add_risk):
    risk = add_risk(elder, occurred_at=NOW - timedelta(days=4))
    with pytest.raises(FormErrors):
        follow(cadre, risk, followed_on=TODAY - timedelta(days=5))
    db.session.rollback()
    done = follow(
        cadre,
        risk,
        followed_on=TODAY - timedelta(days=4),
        next_follow_up_on=TODAY + timedelta(days=3),
    )
    assert (done.risk_id, done.referral_id) == (risk.id, None)
    assert risk.follow_up_on == TODAY + timedelta(days=3)


# --- risks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("risk_type", "must_report"),
    [
        (RiskType.ABUSE, True),
        (RiskType.MISSING, True),
        (RiskType.SUDDEN_ILLNESS, True),
        (RiskType.MENTAL_ILLNESS, True),
        (RiskType.HARDSHIP, True),
        (RiskType.FALL, False),
        (RiskType.HOME_HAZARD, False),
        (RiskType.OTHER, False),
    ],
)
def test_report_at_once_types_are_flagged(elder, cadre, add_risk, risk_type, must_report):
    risk = add_risk(elder, risk_type=risk_type.value)
    assert risk.must_report is must_report
    assert risk.awaits_town is must_report
    assert risk.status is RiskStatus.OPEN
    assert risk.owner_id == cadre.id
    assert [(c.from_status, c.to_status) for c in list_status_changes("risk", risk.id)] == [
        ("", "open")
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurred_at": NOW + timedelta(minutes=5)}, "occurred_at"),
        ({"occurred_at": None}, "occurred_at"),
        ({"occurred_at": NOW - (TODAY - FILED) - timedelta(days=1)}, "occurred_at"),
        ({"emergency_called": True, "emergency_number": " "}, "emergency_number"),
        (
            {"contact_reached": "李强", "contact_reached_at": NOW - timedelta(hours=4)},
            "contact_reached_at",
        ),
        (
            {"contact_reached": "李强", "contact_reached_at": NOW + timedelta(hours=1)},
            "contact_reached_at",
        ),
        (
            {"contact_reached": "", "contact_reached_at": NOW - timedelta(hours=1)},
            "contact_reached",
        ),
        ({"description": " "}, "description"),
    ],
    ids=[
        "future",
        "no-time",
        "before-filing",
        "no-number",
        "contact-before-event",
        "contact-future",
        "contact-nobody",
        "no-description",
    ],
)
def test_bad_risk_is_refused(elder, cadre, overrides, field):
    before = row_counts()
    with pytest.raises(FormErrors) as caught:
        raise_risk(cadre, elder, risk_values(**overrides), new_submission_key(), TODAY, NOW)
    assert set(caught.value.errors) == {field}
    db.session.rollback()
    assert row_counts() == before


def test_risk_records_what_was_done_at_once(elder, cadre, add_risk):
    risk = add_risk(
        elder,
        risk_type=RiskType.SUDDEN_ILLNESS.value,
        emergency_called=True,
        emergency_number=" 120 ",
        contact_reached=" 李强（儿子） ",
        contact_reached_at=NOW - timedelta(hours=2),
        actions="陪同去医院",
    )
    assert (risk.emergency_called, risk.emergency_number) == (True, "120")
    assert risk.contact_reached == "李强（儿子）"
    assert risk.contact_reached_at == NOW - timedelta(hours=2)


def test_risk_double_submission_and_archived_elder(elder, cadre):
    key = new_submission_key()
    first = raise_risk(cadre, elder, risk_values(), key, TODAY, NOW)
    db.session.commit()
    with pytest.raises(DuplicateSubmission) as caught:
        raise_risk(cadre, elder, risk_values(), key, TODAY, NOW)
    assert caught.value.record_id == first.id
    db.session.rollback()
    archive_elder(cadre, elder, ArchiveReason.MOVED_AWAY, TODAY, "搬走", TODAY, elder.version)
    db.session.commit()
    before = row_counts()
    with pytest.raises(DomainError):
        raise_risk(cadre, elder, risk_values(), new_submission_key(), TODAY, NOW)
    db.session.rollback()
    assert row_counts() == before


def test_risk_moves_and_closing_needs_an_outcome(elder, cadre, add_risk):
    risk = add_risk(elder)
    before = row_counts()
    with pytest.raises(FormErrors) as caught:
        move_risk(cadre, risk, RiskStatus.CLOSED, "  ", TODAY, risk.version)
    assert set(caught.value.errors) == {"note"}
    db.session.rollback()
    assert row_counts() == before
    with pytest.raises(DomainError) as caught:
        move_risk(cadre, risk, RiskStatus.OPEN, "回到待处置", TODAY, risk.version)
    assert caught.value.field == "status"
    db.session.rollback()
    move_risk(cadre, risk, RiskStatus.HANDLING, "", TODAY, risk.version)
    db.session.commit()
    move_risk(cadre, risk, RiskStatus.CLOSED, "已安装扶手并防滑处理", TODAY, risk.version)
    db.session.commit()
    assert (risk.status, risk.outcome, risk.closed_on) == (
        RiskStatus.CLOSED,
        "已安装扶手并防滑处理",
        TODAY,
    )
    with pytest.raises(FormErrors):  # reopening needs a reason
        move_risk(cadre, risk, RiskStatus.HANDLING, "", TODAY, risk.version)
    db.session.rollback()
    with pytest.raises(StaleEdit):
        move_risk(cadre, risk, RiskStatus.HANDLING, "又摔了", TODAY, risk.version - 1)
    db.session.rollback()
    move_risk(cadre, risk, RiskStatus.HANDLING, "又摔了", TODAY, risk.version)
    db.session.commit()
    assert risk.closed_on is None
    assert [(c.from_status, c.to_status) for c in list_status_changes("risk", risk.id)] == [
        ("", "open"),
        ("open", "handling"),
        ("handling", "closed"),
        ("closed", "handling"),
    ]


def test_acknowledging_a_report(elder, cadre, town_user, make_user, add_risk):
    worker = make_user("worker", "jingang")
    risk = add_risk(elder, risk_type=RiskType.ABUSE.value)
    before = row_counts()
    for villager in (cadre, worker):  # village people cannot acknowledge for the town
        with pytest.raises(DomainError) as caught:
            acknowledge_risk(villager, risk, TODAY)
        assert "Only town" in caught.value.message
    db.session.rollback()
    db.session.expire_all()
    assert risk.awaits_town
    assert row_counts() == before
    acknowledge_risk(town_user, risk, TODAY)
    db.session.commit()
    assert risk.acknowledged_by_id == town_user.id
    assert risk.acknowledged_at is not None
    assert not risk.awaits_town
    assert list_status_changes("risk", risk.id)[-1].to_status == "acknowledged"
    with pytest.raises(DomainError) as caught:
        acknowledge_risk(town_user, risk, TODAY)
    assert "already" in caught.value.message
    db.session.rollback()
    fall = add_risk(elder)
    with pytest.raises(DomainError):
        acknowledge_risk(town_user, fall, TODAY)  # nothing to report
    db.session.rollback()


# --- 解决问题数量 ---------------------------------------------------------------------------------


def test_acceptance_raise_from_a_visit_follow_up_twice_solve_and_the_count_moves_by_one(
    elder, needs_visit, cadre, add_referral
):
    """Done when: a user can raise a referral from a visit, follow it up twice, and solve it;
    the ledger count moves by one."""
    assert solved_count(elder) == 0
    referral = add_referral(
        elder,
        need=NeedType.MEDICAL.value,
        visit_id=needs_visit.id,
        description=needs_visit.needs_note,
        today=TODAY - timedelta(days=6),
    )
    move(
        cadre,
        referral,
        S.REFERRED,
        referred_to="木耳镇卫生院",
        today=TODAY - timedelta(days=5),
        consent_on=TODAY - timedelta(days=5),
    )
    follow(
        cadre,
        referral,
        followed_on=TODAY - timedelta(days=3),
        findings="卫生院已安排家庭医生",
        next_follow_up_on=TODAY + timedelta(days=3),
    )
    move(cadre, referral, S.IN_PROGRESS, today=TODAY - timedelta(days=2))
    follow(cadre, referral, followed_on=TODAY, method=VisitMethod.HOME, findings="血压已平稳")
    assert solved_count(elder) == 0
    move(cadre, referral, S.SOLVED, note="家庭医生每月上门，血压控制良好")
    db.session.expire_all()
    assert solved_count(elder) == 1
    assert len(referral.follow_ups) == 2
    assert db.session.scalar(select(db.func.count(FollowUp.id))) == 2
    assert [s for _, s in history(referral)] == ["open", "referred", "in_progress", "solved"]


def test_solved_counts_count_solved_referrals_and_closed_risks_only(
    elder, make_elder, cadre, add_referral, add_risk
):
    other = make_elder(filed_on=FILED)
    nothing = make_elder(filed_on=FILED)
    solved = add_referral(elder, need=NeedType.SAFETY_HAZARD.value)
    move(cadre, solved, S.SOLVED)
    refused = add_referral(elder)
    move(cadre, refused, S.UNSOLVABLE)  # not solved: not counted
    add_referral(elder)  # open: not counted
    closed = add_risk(elder)
    move_risk(cadre, closed, RiskStatus.CLOSED, "已处理", TODAY, closed.version)
    add_risk(elder)  # open
    theirs = add_risk(other)
    move_risk(cadre, theirs, RiskStatus.CLOSED, "已处理", TODAY, theirs.version)
    db.session.commit()
    assert solved_counts([elder.id, other.id, nothing.id]) == {
        elder.id: 2,
        other.id: 1,
        nothing.id: 0,
    }
    assert solved_count(elder) == 2
    move(cadre, solved, S.IN_PROGRESS, note="隐患又出现了")  # reopened: no longer counted
    assert solved_count(elder) == 1
    assert solved_counts([]) == {}
