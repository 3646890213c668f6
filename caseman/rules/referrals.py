"""Referrals (转介), risks (风险隐患) and the ledger's 解决问题数量.

004 一(四)2 "三协助": remove safety hazards; connect needs (生活照料、康复护理、精神慰藉、
紧急救援、居家适老化改造 …) with services; help apply for social-security benefits.

004 二(五): on a major risk or emergency the visitor calls the emergency number and reaches
the family or emergency contact; the town follows up (跟踪回访) the hazards, the urgent
hardships and the referrals until they are settled.

003 三(二): wandering or begging, unlawful harm (abuse), critical illness, severe mental
illness and major hardship are reported to the town (乡镇人民政府) at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from caseman.rules.enums import NeedType


class ReferralStatus(StrEnum):
    OPEN = "open"  # 待转介: found, nothing arranged yet
    REFERRED = "referred"  # 已转介: handed to a service or organisation
    IN_PROGRESS = "in_progress"  # 服务中
    SOLVED = "solved"  # 已解决
    UNSOLVABLE = "unsolvable"  # 无法解决 (with the reason)

    @property
    def is_closed(self) -> bool:
        return self in (ReferralStatus.SOLVED, ReferralStatus.UNSOLVABLE)


# Needs the visitor may settle on the spot (a hazard removed with the family, a talk that comforts,
# something else small): they may go from open straight to solved. Every other need goes through
# a service: open → referred → in progress → solved (三协助 二, 三).
SETTLED_ON_THE_SPOT = frozenset({NeedType.SAFETY_HAZARD, NeedType.EMOTIONAL, NeedType.OTHER})

_FORWARD: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.OPEN: frozenset({ReferralStatus.REFERRED, ReferralStatus.UNSOLVABLE}),
    ReferralStatus.REFERRED: frozenset({ReferralStatus.IN_PROGRESS, ReferralStatus.UNSOLVABLE}),
    ReferralStatus.IN_PROGRESS: frozenset({ReferralStatus.SOLVED, ReferralStatus.UNSOLVABLE}),
    # Reopening: the problem came back, or the refusal was wrong. The history keeps both.
    ReferralStatus.SOLVED: frozenset({ReferralStatus.IN_PROGRESS}),
    ReferralStatus.UNSOLVABLE: frozenset({ReferralStatus.OPEN}),
}


def referral_transitions(current: ReferralStatus, need: NeedType) -> frozenset[ReferralStatus]:
    """The statuses a referral of ``need`` may move to from ``current``."""
    allowed = set(_FORWARD[current])
    if current is ReferralStatus.OPEN and need in SETTLED_ON_THE_SPOT:
        allowed.add(ReferralStatus.SOLVED)
    return frozenset(allowed)


def can_move(current: ReferralStatus, target: ReferralStatus, need: NeedType) -> bool:
    return target in referral_transitions(current, need)


class RiskType(StrEnum):
    """风险隐患 / 突发事件."""

    HOME_HAZARD = "home_hazard"  # 居家安全隐患
    SUDDEN_ILLNESS = "sudden_illness"  # 突发疾病、危重病情
    FALL = "fall"  # 跌倒
    MISSING = "missing"  # 走失、外出流浪乞讨
    ABUSE = "abuse"  # 遭受虐待、遗弃或非法侵害
    MENTAL_ILLNESS = "mental_illness"  # 严重精神疾病
    HARDSHIP = "hardship"  # 面临重大困境
    OTHER = "other"  # 其他

    @property
    def must_report_to_town(self) -> bool:
        """003 三(二): reported to the town at once (及时向乡镇人民政府或民政部门报告)."""
        return self in REPORT_AT_ONCE


REPORT_AT_ONCE = frozenset(
    {
        RiskType.MISSING,
        RiskType.ABUSE,
        RiskType.SUDDEN_ILLNESS,
        RiskType.MENTAL_ILLNESS,
        RiskType.HARDSHIP,
    }
)


class Severity(StrEnum):
    LOW = "low"  # 一般
    HIGH = "high"  # 较大
    CRITICAL = "critical"  # 重大、紧急


class RiskStatus(StrEnum):
    OPEN = "open"  # 待处置
    HANDLING = "handling"  # 处置中
    CLOSED = "closed"  # 已消除 / 已处置完毕

    @property
    def is_closed(self) -> bool:
        return self is RiskStatus.CLOSED


_RISK_MOVES: dict[RiskStatus, frozenset[RiskStatus]] = {
    RiskStatus.OPEN: frozenset({RiskStatus.HANDLING, RiskStatus.CLOSED}),
    RiskStatus.HANDLING: frozenset({RiskStatus.CLOSED}),
    RiskStatus.CLOSED: frozenset({RiskStatus.HANDLING}),  # reopened: it came back
}


def risk_transitions(current: RiskStatus) -> frozenset[RiskStatus]:
    return _RISK_MOVES[current]


def problems_solved(
    referral_statuses: Iterable[ReferralStatus], risk_statuses: Iterable[RiskStatus]
) -> int:
    """解决问题数量 of 附件1: the elder's solved referrals plus closed risks.

    The one definition used by the ledger, the case file and every export.
    """
    solved = sum(1 for status in referral_statuses if status is ReferralStatus.SOLVED)
    closed = sum(1 for status in risk_statuses if status is RiskStatus.CLOSED)
    return solved + closed
