"""Key or general target (重点对象/一般对象, the last boxes of 附件2 part 一): 004 一(四).

"对失能、重病、重残、高龄独居等重点对象，每半月至少上门探访服务1次；对其他特殊困难老年人，每月至少
上门探访服务1次。" Key targets need a home visit every half month, others every month. 高龄 is a
setting (``target_age``, 80 by default, DESIGN.md). The result is a suggestion: staff confirm or
override it with a reason.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from caseman.rules.categories import Reason
from caseman.rules.enums import N_, Category

DEFAULT_TARGET_AGE = 80


@dataclass(frozen=True)
class KeySuggestion:
    """Whether the elder should be a key target (重点对象), and why."""

    is_key: bool
    reasons: tuple[Reason, ...]


def suggest_key(
    categories: Set[Category],
    has_serious_illness: bool,
    age: int,
    target_age: int = DEFAULT_TARGET_AGE,
) -> KeySuggestion:
    """Suggest key or general from the elder's (confirmed) categories, illness and age.

    Key when any of 004 一(四)'s conditions holds, each listed as a reason in the notice's order:
    失能 (category DISABLED_CARE), 重病 (serious illness), 重残 (SEVERE_DISABILITY), 高龄独居
    (``age >= target_age`` and LIVING_ALONE). Otherwise general, with one reason saying so.
    """
    reasons: list[Reason] = []
    if Category.DISABLED_CARE in categories:
        reasons.append(Reason(N_("The elder's ability is impaired (disabled).")))
    if has_serious_illness:
        reasons.append(Reason(N_("The elder has a serious illness.")))
    if Category.SEVERE_DISABILITY in categories:
        reasons.append(Reason(N_("The elder is severely disabled (grade 1 or 2).")))
    if Category.LIVING_ALONE in categories and age >= target_age:
        # 高龄独居: only elders living alone count; an old elder in an empty nest stays general.
        reasons.append(
            Reason(
                N_("The elder is %(age)s, aged %(target_age)s or over, and lives alone."),
                {"age": age, "target_age": target_age},
            )
        )
    if reasons:
        return KeySuggestion(is_key=True, reasons=tuple(reasons))
    return KeySuggestion(
        is_key=False,
        reasons=(
            Reason(
                N_("None of 失能, 重病, 重残 or aged ≥ %(age)s living alone applies."),
                {"age": target_age},
            ),
        ),
    )
