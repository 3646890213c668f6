"""Per-period compliance (issue 17 item 6), from 004 一(四):

"对失能、重病、重残、高龄独居等重点对象，每半月至少上门探访服务1次；对其他特殊困难老年人，每月至少上门探访
服务1次。" — a key elder needs a home visit in every half month, any other elder in every month;
a missed half month stays missed whatever happens in the next one.
"""

from datetime import date

from caseman.rules.visit_periods import (
    KeyHistory,
    PeriodState,
    fully_served,
    month_period,
    period_compliance,
)

D = date
KEY = KeyHistory(is_key=True)
GENERAL = KeyHistory(is_key=False)
FILED = D(2026, 1, 10)
OCTOBER = month_period(2026, 10)


def states(result):
    return [(c.period.start, c.period.end, c.state) for c in result]


def test_a_visit_on_the_16th_leaves_the_first_half_missed():
    result = period_compliance(FILED, None, KEY, [D(2026, 10, 16)], D(2026, 10, 1),
                               D(2026, 10, 31), today=D(2026, 11, 3))  # fmt: skip
    assert states(result) == [
        (D(2026, 10, 1), D(2026, 10, 15), PeriodState.MISSED),
        (D(2026, 10, 16), D(2026, 10, 31), PeriodState.SERVED),
    ]
    assert fully_served(result, OCTOBER) is False


def test_key_elder_served_in_both_halves_is_fully_served():
    visits = [D(2026, 10, 2), D(2026, 10, 20)]
    result = period_compliance(FILED, None, KEY, visits, OCTOBER.start, OCTOBER.end, D(2026, 11, 1))
    assert [c.state for c in result] == [PeriodState.SERVED, PeriodState.SERVED]
    assert fully_served(result, OCTOBER) is True


def test_general_elder_needs_one_visit_a_month_and_is_not_counted_as_key():
    result = period_compliance(FILED, None, GENERAL, [D(2026, 10, 30)], D(2026, 9, 1),
                               D(2026, 10, 31), today=D(2026, 11, 3))  # fmt: skip
    assert states(result) == [
        (D(2026, 9, 1), D(2026, 9, 30), PeriodState.MISSED),
        (D(2026, 10, 1), D(2026, 10, 31), PeriodState.SERVED),
    ]
    assert fully_served(result, OCTOBER) is None


def test_running_period_is_open_until_it_ends_and_later_ones_are_left_out():
    result = period_compliance(FILED, None, KEY, [], D(2026, 12, 1), D(2026, 12, 31),
                               today=D(2026, 12, 5))  # fmt: skip
    assert states(result) == [(D(2026, 12, 1), D(2026, 12, 15), PeriodState.OPEN)]
    assert fully_served(result, month_period(2026, 12)) is False


def test_status_in_force_then_governs_each_period():
    """Key until 10 November: the change takes effect from the next period of the new schedule
    (004 三(五), ``required_periods``): December; the half month after the change is a gap."""
    turned_general = KeyHistory(is_key=False, changed_on=D(2026, 11, 10), was_key=True)
    result = period_compliance(FILED, None, turned_general, [D(2026, 11, 3)], D(2026, 11, 1),
                               D(2026, 12, 31), today=D(2027, 1, 2))  # fmt: skip
    assert states(result) == [
        (D(2026, 11, 1), D(2026, 11, 15), PeriodState.SERVED),
        (D(2026, 12, 1), D(2026, 12, 31), PeriodState.MISSED),  # general from December
    ]


def test_no_period_before_filing_or_after_archiving():
    result = period_compliance(D(2026, 10, 20), D(2026, 12, 10), KEY, [], D(2026, 9, 1),
                               D(2026, 12, 31), today=D(2027, 1, 5))  # fmt: skip
    assert [c.period.start for c in result] == [D(2026, 10, 16), D(2026, 11, 1), D(2026, 11, 16)]
    assert all(c.missed for c in result)
