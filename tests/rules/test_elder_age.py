"""004 concerns 老年人: 60 full years on the filing date, or a stated reason."""

from __future__ import annotations

from datetime import date

import pytest

from caseman.rules.elder_age import (
    UNDER_AGE_MESSAGE,
    is_under_age,
    sixtieth_birthday,
    under_age_problem,
)


@pytest.mark.parametrize(
    ("birth_on", "filed_on", "under"),
    [
        (date(1964, 6, 1), date(2024, 6, 1), False),  # the 60th birthday itself
        (date(1964, 6, 1), date(2024, 5, 31), True),  # the day before
        (date(2000, 1, 1), date(2026, 12, 5), True),  # 26
        (date(1940, 1, 1), date(2026, 12, 5), False),
        (date(1964, 2, 29), date(2024, 2, 29), False),  # 2024 is a leap year
        (date(1963, 2, 28), date(2023, 2, 28), False),
    ],
)
def test_under_age_on_the_filing_date(birth_on, filed_on, under):
    assert is_under_age(birth_on, filed_on) is under


def test_born_on_29_february_turns_60_on_1_march_of_a_common_year():
    assert sixtieth_birthday(date(1960, 2, 29)) == date(2020, 2, 29)
    assert sixtieth_birthday(date(1964, 2, 29)) == date(2024, 2, 29)
    assert sixtieth_birthday(date(1956, 2, 29)) == date(2016, 2, 29)
    assert sixtieth_birthday(date(1962, 2, 28)) == date(2022, 2, 28)
    assert is_under_age(date(1961, 2, 28), date(2021, 2, 27))


def test_a_reason_lets_a_younger_person_be_filed():
    assert under_age_problem(date(2000, 1, 1), date(2026, 12, 5), "") == (
        UNDER_AGE_MESSAGE,
        {"age": 26},
    )
    assert under_age_problem(date(2000, 1, 1), date(2026, 12, 5), "  ") is not None
    assert under_age_problem(date(2000, 1, 1), date(2026, 12, 5), "随配偶一同照护") is None
    assert under_age_problem(date(1950, 1, 1), date(2026, 12, 5), "") is None
