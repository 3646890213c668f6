"""Benefit applications (issue 20 item 5) and what a granted benefit changes in the case file.

004 一(四)2 "三协助"，三: "协助有可能符合相关社会保障政策待遇的老年人，依法按程序申请，
让其行使和享有相应的合法权益" — staff help elders apply, and follow each application to its
outcome. 004 一(四)1 "五了解"，二: "了解老年人的经济状况，包括……相关社会保障政策待遇等方面的
情况". The case file (附件2) records the outcome:

* 一、经济情况: "□特困人员    □低保、低保边缘" — a granted 特困供养, 低保 or 低保边缘 ticks
  its box;
* 三、家庭生活条件: "享受社会救助和社会福利补贴项目，每月补贴    元。（注明享受的什么补贴）"
  — a granted monthly allowance (高龄津贴, 护理补贴, 残疾人两项补贴, 养老服务补贴, other) is
  added to the items named, and its monthly amount (when given) to the monthly total.

临时救助 is paid once: it changes no box of the form; the grant is still written into the case
file's history (a version with its note). Pure: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class BenefitKind(StrEnum):
    DIBAO = "dibao"  # 最低生活保障（低保）
    DIBAO_EDGE = "dibao_edge"  # 低保边缘
    EXTREME_POVERTY = "extreme_poverty"  # 特困人员供养
    OLD_AGE_ALLOWANCE = "old_age_allowance"  # 高龄津贴
    CARE_SUBSIDY = "care_subsidy"  # 经济困难失能老年人护理补贴
    DISABILITY_SUBSIDIES = "disability_subsidies"  # 残疾人两项补贴
    SERVICE_SUBSIDY = "service_subsidy"  # 养老服务补贴
    TEMPORARY_ASSISTANCE = "temporary_assistance"  # 临时救助
    OTHER = "other"  # 其他 (named)


class Outcome(StrEnum):
    PENDING = "pending"  # 待审批
    GRANTED = "granted"  # 已批准
    REFUSED = "refused"  # 未批准


# The box of 附件2 一、经济情况 a granted benefit ticks.
FLAG_OF = {
    BenefitKind.DIBAO: "is_dibao",
    BenefitKind.DIBAO_EDGE: "is_dibao_edge",
    BenefitKind.EXTREME_POVERTY: "is_extreme_poverty",
}
# Paid once: nothing of the form changes.
ONE_OFF = frozenset({BenefitKind.TEMPORARY_ASSISTANCE})
# How a monthly allowance is named in 附件2's 享受社会救助和社会福利补贴项目 (stored, verbatim).
ITEM_NAME = {
    BenefitKind.OLD_AGE_ALLOWANCE: "高龄津贴",
    BenefitKind.CARE_SUBSIDY: "护理补贴",
    BenefitKind.DISABILITY_SUBSIDIES: "残疾人两项补贴",
    BenefitKind.SERVICE_SUBSIDY: "养老服务补贴",
}
# The record's name of each kind, for the version note (stored data, verbatim).
KIND_NAME = {
    BenefitKind.DIBAO: "低保",
    BenefitKind.DIBAO_EDGE: "低保边缘",
    BenefitKind.EXTREME_POVERTY: "特困人员供养",
    **ITEM_NAME,
    BenefitKind.TEMPORARY_ASSISTANCE: "临时救助",
    BenefitKind.OTHER: "其他",
}
ITEM_SEPARATOR = "、"
SUBSIDY_ITEMS_LENGTH = 200  # Elder.subsidy_items


@dataclass(frozen=True)
class Economy:
    """The case-file fields a grant may change (附件2 一 经济情况 and 三 补贴)."""

    is_dibao: bool = False
    is_dibao_edge: bool = False
    is_extreme_poverty: bool = False
    subsidy_items: str = ""
    subsidy_monthly: Decimal | None = None


def item_name(kind: BenefitKind, other_name: str = "") -> str:
    """The name written into the case file for ``kind`` (``other_name`` for 其他)."""
    if kind is BenefitKind.OTHER:
        return other_name.strip() or KIND_NAME[kind]
    return KIND_NAME[kind]


def grant_changes(
    kind: BenefitKind, economy: Economy, monthly_amount: Decimal | None, other_name: str = ""
) -> dict[str, object]:
    """The case-file fields to change when ``kind`` is granted (only those that differ).

    A box kind ticks its box; 低保 and 低保边缘 exclude each other (one box on the form, and a
    household on 低保 is no longer on its edge), so granting 低保 clears 低保边缘. A monthly
    allowance joins the named items once; its amount adds to the monthly subsidy.
    """
    changes: dict[str, object] = {}
    if kind in ONE_OFF:
        return changes
    flag = FLAG_OF.get(kind)
    if flag is not None:
        if not getattr(economy, flag):
            changes[flag] = True
        if kind is BenefitKind.DIBAO and economy.is_dibao_edge:
            changes["is_dibao_edge"] = False
        return changes
    name = item_name(kind, other_name)
    items = [part for part in economy.subsidy_items.split(ITEM_SEPARATOR) if part.strip()]
    if name not in (part.strip() for part in items):
        joined = ITEM_SEPARATOR.join([*items, name])
        if len(joined) <= SUBSIDY_ITEMS_LENGTH:
            changes["subsidy_items"] = joined
    if monthly_amount:
        changes["subsidy_monthly"] = (economy.subsidy_monthly or Decimal(0)) + monthly_amount
    return changes


def decision_problem(
    outcome: Outcome, applied_on: object, decided_on: object, reason: str, today: object
) -> tuple[str, str] | None:
    """(field, code) of what is wrong with a decision, or None. A refusal needs its reason; a
    decision is dated on or after the application and not in the future."""
    if outcome is Outcome.PENDING:
        return ("outcome", "pending")
    if decided_on is None:
        return ("decided_on", "missing")
    if decided_on < applied_on:  # type: ignore[operator]
        return ("decided_on", "before_applied")
    if decided_on > today:  # type: ignore[operator]
        return ("decided_on", "future")
    if outcome is Outcome.REFUSED and not reason.strip():
        return ("reason", "missing")
    return None
