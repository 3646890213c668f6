"""What a granted benefit changes in the case file (caseman.rules.benefits): 渝北民〔2024〕24号
(seed 004) 一(四)2 "三协助" 三 and the boxes of 附件2."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from caseman.rules.benefits import (
    BenefitKind,
    Economy,
    Outcome,
    decision_problem,
    grant_changes,
)

TODAY = date(2026, 12, 5)


def test_dibao_and_extreme_poverty_tick_their_boxes():
    """附件2 一、经济情况: "□特困人员    □低保、低保边缘": a grant ticks the box (004 一(四)2 三协助
    三: "协助有可能符合相关社会保障政策待遇的老年人，依法按程序申请")."""
    assert grant_changes(BenefitKind.DIBAO, Economy(), None) == {"is_dibao": True}
    assert grant_changes(BenefitKind.EXTREME_POVERTY, Economy(), None) == {
        "is_extreme_poverty": True
    }
    # 低保 replaces 低保边缘 (a household on 低保 is no longer at its edge).
    assert grant_changes(BenefitKind.DIBAO, Economy(is_dibao_edge=True), None) == {
        "is_dibao": True,
        "is_dibao_edge": False,
    }
    # Already ticked: nothing changes.
    assert grant_changes(BenefitKind.DIBAO, Economy(is_dibao=True), None) == {}


def test_allowances_join_the_subsidy_items_and_the_monthly_amount():
    """附件2 三: "享受社会救助和社会福利补贴项目，每月补贴    元。（注明享受的什么补贴）"."""
    changes = grant_changes(
        BenefitKind.CARE_SUBSIDY,
        Economy(subsidy_items="高龄津贴", subsidy_monthly=Decimal("100")),
        Decimal("200"),
    )
    assert changes == {"subsidy_items": "高龄津贴、护理补贴", "subsidy_monthly": Decimal("300")}
    # Named once, even if granted again.
    again = grant_changes(BenefitKind.OLD_AGE_ALLOWANCE, Economy(subsidy_items="高龄津贴"), None)
    assert again == {}
    other = grant_changes(BenefitKind.OTHER, Economy(), Decimal("50"), "重残护理补贴")
    assert other == {"subsidy_items": "重残护理补贴", "subsidy_monthly": Decimal("50")}


def test_temporary_assistance_changes_no_box():
    """临时救助 is paid once: 附件2 has no box for it (the grant stays in the history)."""
    assert grant_changes(BenefitKind.TEMPORARY_ASSISTANCE, Economy(), Decimal("500")) == {}


def test_decisions_need_a_date_and_a_refusal_its_reason():
    applied = date(2026, 11, 1)
    assert decision_problem(Outcome.PENDING, applied, TODAY, "", TODAY) == ("outcome", "pending")
    assert decision_problem(Outcome.GRANTED, applied, None, "", TODAY) == ("decided_on", "missing")
    assert decision_problem(Outcome.GRANTED, applied, date(2026, 10, 1), "", TODAY) == (
        "decided_on",
        "before_applied",
    )
    assert decision_problem(Outcome.GRANTED, applied, date(2026, 12, 6), "", TODAY) == (
        "decided_on",
        "future",
    )
    assert decision_problem(Outcome.REFUSED, applied, TODAY, " ", TODAY) == ("reason", "missing")
    assert decision_problem(Outcome.REFUSED, applied, TODAY, "收入超标", TODAY) is None
    assert decision_problem(Outcome.GRANTED, applied, TODAY, "", TODAY) is None
