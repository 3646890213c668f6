"""Risk level (风险等级) of an elder: 高 / 中 / 低, worked out from the confirmed categories and the
latest visit's findings (附件3 part 一), with the reasons why.

003 (渝民发〔2018〕30号) 二(二): "鼓励有条件的地区探索建立留守老年人风险评估制度，制定风险等级标准，
对风险等级高的留守老年人及时进行干预，实施关爱救助。" This module is that standard:

- 高 (high) when any of these holds:
  - 失能 and 独居 — 003 二(一) "避免让生活不能自理的老年人单独居住生活"; 003 二(三) names 失能 and
    独居 elders as 重点帮扶对象;
  - 燃气 or 用电 不安全 at the latest visit — 004 一(四)1 "五了解" 五 (水电气设施设备) and
    2 "三协助" 一 (安全隐患);
  - 疾病状况 严重 at the latest visit — 003 二(三) "发生危重病情";
  - 行动能力 较差 while living alone — 004 一(四)1 "五了解" 一 (行动能力) with 003 二(一);
  - an open risk (风险隐患 not yet closed) — 004 二(五) "处置风险隐患".
- 中 (medium) when none of those but any of: 失能, 重残 or 独居 (004 一(三)1, 4, 5; key targets of
  004 一(四)); 水暖 不安全, 行动能力 较差, 表达能力 or 情绪 较差 at the latest visit (004 一(四)1).
- 低 (low) otherwise.

High-risk elders get a tighter visit rhythm (003 二(二) "及时进行干预"): a home visit every
``days`` days (a setting, weekly by default) on top of the half-month / month rule of 004 一(四),
which stays as it is for the official rates (:func:`weekly_due`).

Pure: no Flask, no database. Staff may override the level with a reason (kept beside it).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from caseman.rules.categories import Reason
from caseman.rules.enums import N_, Category, IllnessChange, Safety, Trend

DEFAULT_HIGH_RISK_VISIT_DAYS = 7


class RiskLevel(StrEnum):
    """风险等级."""

    HIGH = "high"  # 高
    MEDIUM = "medium"  # 中
    LOW = "low"  # 低

    @property
    def rank(self) -> int:
        return {RiskLevel.HIGH: 0, RiskLevel.MEDIUM: 1, RiskLevel.LOW: 2}[self]


@dataclass(frozen=True)
class RiskAssessment:
    """The level the rule gives, and every reason that led to it (high reasons first)."""

    level: RiskLevel
    reasons: tuple[Reason, ...]


def _value(findings: Mapping[str, Any], name: str) -> str | None:
    """A finding's stored value ('unsafe', 'worse' …), whether given as an enum or a string."""
    value = findings.get(name)
    if value is None:
        return None
    return str(getattr(value, "value", value))


def assess_risk(
    categories: Set[Category],
    findings: Mapping[str, Any] | None,
    open_risks: int,
    living_alone: bool | None = None,
) -> RiskAssessment:
    """The risk level of an elder and its reasons.

    ``categories``: the confirmed 对象类别. ``findings``: the latest visit's assessment answers
    (附件3 part 一: ``mobility``, ``expression``, ``mood``, ``illness``, ``gas_safety``,
    ``water_heating_safety``, ``electricity_safety`` …, enum or value), None when never visited.
    ``open_risks``: risks (风险隐患) not closed. ``living_alone``: None reads it from the 独居
    category.
    """
    if open_risks < 0:
        raise ValueError("open_risks must not be negative")
    alone = Category.LIVING_ALONE in categories if living_alone is None else living_alone
    disabled = Category.DISABLED_CARE in categories
    found = findings or {}
    high: list[Reason] = []
    medium: list[Reason] = []

    if disabled and alone:
        high.append(Reason(N_("Disabled and living alone (003 II(1), II(3)).")))
    unsafe = [
        label
        for name, label in (
            ("gas_safety", N_("gas")),
            ("electricity_safety", N_("electricity")),
        )
        if _value(found, name) == Safety.UNSAFE
    ]
    if unsafe:
        high.append(
            Reason(
                N_("The latest visit found the %(items)s unsafe (004 I(4) 1–2)."),
                {"items": unsafe},
            )
        )
    if _value(found, "illness") == IllnessChange.SERIOUS:
        high.append(Reason(N_("The latest visit found a serious illness (003 II(3)).")))
    poor_mobility = _value(found, "mobility") == Trend.WORSE
    if poor_mobility and alone:
        high.append(
            Reason(
                N_("Poor mobility at the latest visit, and living alone (004 I(4) 1; 003 II(1)).")
            )
        )
    if open_risks:
        high.append(
            Reason(
                N_("%(count)s risk(s) not yet closed (004 II(5))."),
                {"count": open_risks},
            )
        )

    if disabled and not alone:
        medium.append(Reason(N_("Disabled (004 I(3) 4).")))
    if Category.SEVERE_DISABILITY in categories:
        medium.append(Reason(N_("Severely disabled (004 I(3) 5).")))
    if alone and not disabled:
        medium.append(Reason(N_("Living alone (004 I(3) 1).")))
    if _value(found, "water_heating_safety") == Safety.UNSAFE:
        medium.append(
            Reason(N_("The latest visit found the water or heating unsafe (004 I(4) 1–2)."))
        )
    if poor_mobility and not alone:
        medium.append(Reason(N_("Poor mobility at the latest visit (004 I(4) 1).")))
    if _value(found, "expression") == Trend.WORSE:
        medium.append(Reason(N_("Poorer ability to express at the latest visit (004 I(4) 1).")))
    if _value(found, "mood") == Trend.WORSE:
        medium.append(Reason(N_("Poorer mood at the latest visit (004 I(4) 1).")))

    if high:
        return RiskAssessment(RiskLevel.HIGH, tuple(high + medium))
    if medium:
        return RiskAssessment(RiskLevel.MEDIUM, tuple(medium))
    if findings is None:
        return RiskAssessment(
            RiskLevel.LOW, (Reason(N_("No finding raises the risk; no visit recorded yet.")),)
        )
    return RiskAssessment(RiskLevel.LOW, (Reason(N_("No finding raises the risk.")),))


def effective_level(computed: RiskLevel, override: RiskLevel | None) -> RiskLevel:
    """The level in force: the staff's override (given with a reason) or else the rule's."""
    return override if override is not None else computed


@dataclass(frozen=True)
class WeeklyDue:
    """The tighter rhythm of a high-risk elder: the next home visit due by ``due_on``."""

    due_on: date
    is_due: bool  # due_on is today or before: the 到期 flag
    days_overdue: int  # days past due_on, 0 when not past


def weekly_due(
    today: date, filed_on: date, last_home_visit_on: date | None, days: int
) -> WeeklyDue:
    """A high-risk elder's next home visit: ``days`` after the last one (003 二(二) 及时进行干预).

    Never visited: due from the filing date. An addition to 004 一(四)'s half-month / month rule,
    which keeps counting the official visit rates unchanged.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    due_on = filed_on if last_home_visit_on is None else last_home_visit_on + timedelta(days=days)
    return WeeklyDue(due_on, due_on <= today, max(0, (today - due_on).days))
