"""Half-years and the June/December submission (004 三(五): "每年6月和12月将更新后的台账、
附件2、附件3报送至区民政局")."""

from __future__ import annotations

from datetime import date

import pytest

from caseman.rules.half_year import HalfYear, half_year_of, parse_half_year, recent_half_years


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 1), HalfYear(2026, 1)),
        (date(2026, 6, 30), HalfYear(2026, 1)),  # the closing day belongs to H1
        (date(2026, 7, 1), HalfYear(2026, 2)),
        (date(2026, 12, 31), HalfYear(2026, 2)),
    ],
)
def test_half_year_of_a_date(day, expected):
    assert half_year_of(day) == expected


def test_bounds_closing_and_due_dates():
    first, second = HalfYear(2026, 1), HalfYear(2026, 2)
    assert (first.starts_on, first.closes_on) == (date(2026, 1, 1), date(2026, 6, 30))
    assert (second.starts_on, second.closes_on) == (date(2026, 7, 1), date(2026, 12, 31))
    # Sent in June and December: the window opens on the 1st, due by the closing day.
    assert first.opens_for_submission_on == date(2026, 6, 1)
    assert second.opens_for_submission_on == date(2026, 12, 1)
    assert first.due_on == date(2026, 6, 30)
    assert second.due_on == date(2026, 12, 31)


def test_may_submit_and_overdue():
    period = HalfYear(2026, 1)
    assert not period.may_submit(date(2026, 5, 31))
    assert period.may_submit(date(2026, 6, 1))
    assert not period.is_overdue(date(2026, 6, 30), submitted=False)
    assert period.is_overdue(date(2026, 7, 1), submitted=False)
    assert not period.is_overdue(date(2026, 7, 1), submitted=True)


def test_covered_until_stops_at_today_or_the_closing_day():
    period = HalfYear(2026, 2)
    assert period.covered_until(date(2026, 12, 10)) == date(2026, 12, 10)
    assert period.covered_until(date(2027, 1, 5)) == date(2026, 12, 31)


def test_previous_next_and_keys():
    assert HalfYear(2026, 1).previous() == HalfYear(2025, 2)
    assert HalfYear(2025, 2).next() == HalfYear(2026, 1)
    assert HalfYear(2026, 2).key == "2026H2"
    assert parse_half_year("2026h1") == HalfYear(2026, 1)
    for bad in ("2026H3", "26H1", "2026", "H1", "abcdH1", ""):
        assert parse_half_year(bad) is None
    with pytest.raises(ValueError, match="half"):
        HalfYear(2026, 3)


def test_recent_half_years_newest_first():
    assert recent_half_years(date(2026, 3, 1), 3) == [
        HalfYear(2026, 1), HalfYear(2025, 2), HalfYear(2025, 1)
    ]  # fmt: skip
