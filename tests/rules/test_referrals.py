"""Referral and risk rules: 004 一(四)2 三协助, 004 二(五) 处置风险隐患, 003 三(二) reporting."""

from __future__ import annotations

import pytest

from caseman.rules.enums import NeedType
from caseman.rules.referrals import (
    ReferralStatus,
    RiskStatus,
    RiskType,
    can_move,
    problems_solved,
    referral_transitions,
    risk_transitions,
)

R = ReferralStatus
ALLOWED = {
    (R.OPEN, R.REFERRED),
    (R.OPEN, R.UNSOLVABLE),
    (R.REFERRED, R.IN_PROGRESS),
    (R.REFERRED, R.UNSOLVABLE),
    (R.IN_PROGRESS, R.SOLVED),
    (R.IN_PROGRESS, R.UNSOLVABLE),
    (R.SOLVED, R.IN_PROGRESS),
    (R.UNSOLVABLE, R.OPEN),
}


@pytest.mark.parametrize("current", list(R))
@pytest.mark.parametrize("target", list(R))
def test_every_transition_of_a_referred_need(current, target):
    """004 一(四)2 三协助 二: a rehabilitation need goes open → referred → in progress → solved,
    or to cannot-be-solved from any open state; reopening is allowed; nothing else."""
    expected = (current, target) in ALLOWED
    assert can_move(current, target, NeedType.REHABILITATION) is expected


@pytest.mark.parametrize("need", [NeedType.SAFETY_HAZARD, NeedType.EMOTIONAL, NeedType.OTHER])
def test_needs_settled_on_the_spot_may_be_solved_directly(need):
    """004 一(四)2 三协助 一: a hazard removed with the family on the visit needs no referral."""
    assert can_move(R.OPEN, R.SOLVED, need)


@pytest.mark.parametrize(
    "need",
    [NeedType.LIFE_CARE, NeedType.REHABILITATION, NeedType.MEDICAL, NeedType.ADAPTATION,
     NeedType.EMERGENCY, NeedType.BENEFITS],
)  # fmt: skip
def test_needs_for_a_service_cannot_skip_the_referral(need):
    """004 一(四)2 三协助 二、三: services and benefit applications go through a referral."""
    assert not can_move(R.OPEN, R.SOLVED, need)
    assert R.SOLVED not in referral_transitions(R.REFERRED, need)


def test_closed_statuses():
    assert R.SOLVED.is_closed
    assert R.UNSOLVABLE.is_closed
    assert not any(s.is_closed for s in (R.OPEN, R.REFERRED, R.IN_PROGRESS))


@pytest.mark.parametrize(
    ("risk", "report"),
    [(RiskType.MISSING, True), (RiskType.ABUSE, True), (RiskType.SUDDEN_ILLNESS, True),
     (RiskType.MENTAL_ILLNESS, True), (RiskType.HARDSHIP, True), (RiskType.FALL, False),
     (RiskType.HOME_HAZARD, False), (RiskType.OTHER, False)],
)  # fmt: skip
def test_risks_003_says_to_report_to_the_town_at_once(risk, report):
    """003 三(二): 外出流浪乞讨、遭受非法侵害、发生危重病情、患有严重精神疾病、面临重大困境 are
    reported to the town at once."""
    assert risk.must_report_to_town is report


def test_risk_transitions():
    """004 二(五): a risk is handled and followed up until closed; it may be reopened."""
    assert risk_transitions(RiskStatus.OPEN) == {RiskStatus.HANDLING, RiskStatus.CLOSED}
    assert risk_transitions(RiskStatus.HANDLING) == {RiskStatus.CLOSED}
    assert risk_transitions(RiskStatus.CLOSED) == {RiskStatus.HANDLING}


def test_problems_solved_counts_solved_referrals_and_closed_risks():
    """附件1 解决问题数量: solved referrals plus closed risks; open or unsolvable don't count."""
    referrals = [R.SOLVED, R.SOLVED, R.UNSOLVABLE, R.IN_PROGRESS, R.OPEN]
    risks = [RiskStatus.CLOSED, RiskStatus.HANDLING, RiskStatus.OPEN]
    assert problems_solved(referrals, risks) == 3
    assert problems_solved([], []) == 0
