"""Who is an elder (老年人): 60 full years (周岁) on the filing date.

004 is the notice on visiting and caring for special-difficulty 老年人 (特殊困难老年人探访关爱服务);
a 老年人 is a citizen aged 60 and over (《中华人民共和国老年人权益保障法》第二条, 60周岁以上). A
younger person is filed only with a stated reason (for instance a spouse cared for with the
elder); the reason is kept on the case.
"""

from __future__ import annotations

from datetime import date

from caseman.rules.enums import N_
from caseman.rules.id_number import age_on

ELDER_AGE = 60  # 周岁, 老年人权益保障法 第二条

UNDER_AGE_MESSAGE = N_(
    "Aged %(age)s on the filing date: notice 004 concerns elders of 60 and over. Give the reason "
    "for filing a younger person."
)


def sixtieth_birthday(birth_on: date) -> date:
    """The day the person turns 60 (29 February: 1 March in a common year)."""
    try:
        return birth_on.replace(year=birth_on.year + ELDER_AGE)
    except ValueError:  # born on 29 February, the 60th year is a common year
        return date(birth_on.year + ELDER_AGE, 3, 1)


def is_under_age(birth_on: date, filed_on: date) -> bool:
    """Whether the person is under 60 full years on the filing date (a date before the birth
    is another error, reported by the filing-date check)."""
    return filed_on < sixtieth_birthday(birth_on)


def under_age_problem(birth_on: date, filed_on: date, reason: str) -> tuple[str, dict] | None:
    """The message (msgid, params) when a person under 60 is filed without a reason, else None."""
    if not is_under_age(birth_on, filed_on) or (reason or "").strip():
        return None
    age = age_on(birth_on, filed_on) if filed_on >= birth_on else 0
    return UNDER_AGE_MESSAGE, {"age": age}
