"""The risk level rule (风险等级): 003 (渝民发〔2018〕30号) 二(二) asks for risk levels and timely
intervention for the high ones; the findings are those of 004 一(四)1 (五了解) on 附件3."""

from __future__ import annotations

from datetime import date

import pytest

from caseman.rules.enums import Category, IllnessChange, Safety, Trend
from caseman.rules.risk_level import (
    DEFAULT_HIGH_RISK_VISIT_DAYS,
    RiskLevel,
    assess_risk,
    effective_level,
    weekly_due,
)

CALM = {
    "mobility": Trend.UNCHANGED,
    "expression": Trend.UNCHANGED,
    "mood": Trend.UNCHANGED,
    "illness": IllnessChange.UNCHANGED,
    "gas_safety": Safety.SAFE,
    "water_heating_safety": Safety.SAFE,
    "electricity_safety": Safety.SAFE,
}


def messages(result) -> list[str]:
    return [r.message for r in result.reasons]


def test_disabled_and_living_alone_is_high_003_2_1():
    """003 二(一): "避免让生活不能自理的老年人单独居住生活"; 二(三) 失能、独居 are 重点帮扶对象."""
    result = assess_risk({Category.DISABLED_CARE, Category.LIVING_ALONE}, CALM, 0)
    assert result.level == RiskLevel.HIGH
    assert any("Disabled and living alone" in m for m in messages(result))


@pytest.mark.parametrize("item", ["gas_safety", "electricity_safety"])
def test_unsafe_gas_or_power_is_high_004_1_4(item):
    """004 一(四)1 五了解 五 (水电气设施设备) and 2 三协助 一 (安全隐患)."""
    result = assess_risk(set(), {**CALM, item: Safety.UNSAFE}, 0)
    assert result.level == RiskLevel.HIGH
    reason = result.reasons[0]
    assert reason.params["items"] == ["gas" if item == "gas_safety" else "electricity"]


def test_both_unsafe_are_named_in_one_reason():
    findings = {**CALM, "gas_safety": "unsafe", "electricity_safety": "unsafe"}  # stored values
    result = assess_risk(set(), findings, 0)
    assert result.reasons[0].params["items"] == ["gas", "electricity"]


def test_fairly_safe_is_not_a_risk():
    result = assess_risk(set(), {**CALM, "gas_safety": Safety.FAIRLY_SAFE}, 0)
    assert result.level == RiskLevel.LOW


def test_an_open_risk_is_high_004_2_5():
    """004 二(五) 处置风险隐患: until the risk is closed the elder is high risk."""
    result = assess_risk(set(), CALM, 2)
    assert result.level == RiskLevel.HIGH
    assert result.reasons[0].params == {"count": 2}


def test_serious_illness_is_high_003_2_3():
    """003 二(三) "发生危重病情" is reported at once."""
    assert assess_risk(set(), {**CALM, "illness": IllnessChange.SERIOUS}, 0).level == "high"


def test_poor_mobility_is_medium_and_high_when_alone_004_1_4():
    """004 一(四)1 五了解 一 (行动能力); alone it is high (003 二(一))."""
    findings = {**CALM, "mobility": Trend.WORSE}
    assert assess_risk(set(), findings, 0).level == RiskLevel.MEDIUM
    assert assess_risk({Category.LIVING_ALONE}, findings, 0).level == RiskLevel.HIGH
    # living_alone given explicitly wins over the categories
    assert assess_risk(set(), findings, 0, living_alone=True).level == RiskLevel.HIGH


@pytest.mark.parametrize(
    "categories",
    [{Category.DISABLED_CARE}, {Category.SEVERE_DISABILITY}, {Category.LIVING_ALONE}],
)
def test_disabled_severely_disabled_or_alone_is_medium_004_1_3(categories):
    """004 一(三)1, 4, 5: 独居, 失能, 重残 — key groups of 一(四), medium without other findings."""
    assert assess_risk(categories, CALM, 0).level == RiskLevel.MEDIUM


@pytest.mark.parametrize(
    ("item", "value"),
    [("water_heating_safety", Safety.UNSAFE), ("expression", Trend.WORSE), ("mood", Trend.WORSE)],
)
def test_other_findings_are_medium_004_1_4(item, value):
    assert assess_risk(set(), {**CALM, item: value}, 0).level == RiskLevel.MEDIUM


def test_nothing_found_is_low_and_says_so():
    low = assess_risk({Category.EMPTY_NEST}, CALM, 0)
    assert low.level == RiskLevel.LOW
    assert len(low.reasons) == 1
    never = assess_risk(set(), None, 0)
    assert never.level == RiskLevel.LOW
    assert "no visit recorded yet" in never.reasons[0].message


def test_high_lists_the_medium_reasons_too():
    result = assess_risk({Category.SEVERE_DISABILITY}, {**CALM, "mood": Trend.WORSE}, 1)
    assert result.level == RiskLevel.HIGH
    assert len(result.reasons) == 3


def test_negative_open_risks_are_refused():
    with pytest.raises(ValueError, match="negative"):
        assess_risk(set(), None, -1)


def test_the_override_wins_and_clearing_returns_the_computed_level():
    assert effective_level(RiskLevel.LOW, RiskLevel.HIGH) == RiskLevel.HIGH
    assert effective_level(RiskLevel.MEDIUM, None) == RiskLevel.MEDIUM


def test_weekly_rhythm_of_a_high_risk_elder_003_2_2():
    """003 二(二) "对风险等级高的留守老年人及时进行干预": a home visit every N days (default 7)."""
    assert DEFAULT_HIGH_RISK_VISIT_DAYS == 7
    filed = date(2026, 1, 1)
    last = date(2026, 11, 20)
    due = weekly_due(date(2026, 11, 26), filed, last, 7)
    assert (due.due_on, due.is_due, due.days_overdue) == (date(2026, 11, 27), False, 0)
    assert weekly_due(date(2026, 11, 27), filed, last, 7).is_due  # due on the day
    late = weekly_due(date(2026, 11, 30), filed, last, 7)
    assert late.is_due
    assert late.days_overdue == 3
    never = weekly_due(date(2026, 11, 30), date(2026, 11, 28), None, 7)
    assert never.due_on == date(2026, 11, 28)
    assert never.is_due
    assert weekly_due(date(2026, 11, 30), filed, last, 14).due_on == date(2026, 12, 4)
    with pytest.raises(ValueError, match="at least 1"):
        weekly_due(date(2026, 11, 30), filed, last, 0)
