"""Visit periods and due states: 004 一(四), 一(一) and 三(五).

一(四): "对失能、重病、重残、高龄独居等重点对象，每半月至少上门探访服务1次；对其他特殊困难老年人，
每月至少上门探访服务1次。"
一(一): "到2025年底，确保特殊困难老年人月探访率达到100%".
三(五): "加强对象动态管理" (a key/general change takes effect from the next period).
"""

from datetime import date

import pytest

from caseman.rules.visit_periods import (
    DueState,
    KeyHistory,
    Period,
    counted_in_period,
    month_period,
    next_period,
    period_containing,
    previous_period,
    required_periods,
    visit_rate,
    visit_status,
)

D = date
KEY = KeyHistory(is_key=True)
GENERAL = KeyHistory(is_key=False)
TURNED_KEY = KeyHistory(is_key=True, changed_on=D(2026, 11, 10), was_key=False)
TURNED_GENERAL = KeyHistory(is_key=False, changed_on=D(2026, 11, 10), was_key=True)


def key_period(start, end):
    return Period(start, end, is_key=True)


# --- Periods -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (D(2026, 11, 1), D(2026, 11, 1), D(2026, 11, 15)),
        (D(2026, 11, 15), D(2026, 11, 1), D(2026, 11, 15)),
        (D(2026, 11, 16), D(2026, 11, 16), D(2026, 11, 30)),
        (D(2026, 11, 30), D(2026, 11, 16), D(2026, 11, 30)),
        (D(2026, 12, 31), D(2026, 12, 16), D(2026, 12, 31)),
    ],
)
def test_key_half_month_boundaries_15th_and_16th(day, start, end):
    """004 一(四): 每半月至少上门探访服务1次 — halves are the 1st–15th and the 16th–last day."""
    assert period_containing(day, is_key=True) == key_period(start, end)


@pytest.mark.parametrize(
    ("day", "end", "days"),
    [
        (D(2028, 2, 16), D(2028, 2, 29), 14),  # leap year
        (D(2028, 2, 29), D(2028, 2, 29), 14),
        (D(2026, 2, 16), D(2026, 2, 28), 13),  # common year
        (D(2026, 2, 28), D(2026, 2, 28), 13),
    ],
)
def test_key_second_half_of_february(day, end, days):
    """004 一(四) 每半月: the second half of February ends on the 29th or the 28th."""
    period = period_containing(day, is_key=True)
    assert period == key_period(day.replace(day=16), end)
    assert period.days == days


@pytest.mark.parametrize(
    ("day", "end", "days"),
    [
        (D(2028, 2, 10), D(2028, 2, 29), 29),
        (D(2026, 2, 10), D(2026, 2, 28), 28),
        (D(2026, 11, 30), D(2026, 11, 30), 30),
        (D(2026, 12, 1), D(2026, 12, 31), 31),
    ],
)
def test_general_period_is_the_calendar_month(day, end, days):
    """004 一(四): 对其他特殊困难老年人，每月至少上门探访服务1次 — the whole calendar month."""
    period = period_containing(day, is_key=False)
    assert period == Period(day.replace(day=1), end, is_key=False)
    assert period == month_period(day.year, day.month)
    assert period.days == days


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        (D(2026, 10, 31), False),
        (D(2026, 11, 1), True),
        (D(2026, 11, 15), True),
        (D(2026, 11, 16), False),
    ],
)
def test_period_bounds_are_inclusive(day, inside):
    """004 一(四) 每半月: both the first and the last day belong to the period."""
    assert key_period(D(2026, 11, 1), D(2026, 11, 15)).contains(day) is inside


def test_key_second_half_of_month_with_31_days():
    """004 一(四) 每半月: the 16th–31st is one period of 16 days."""
    assert period_containing(D(2026, 10, 20), is_key=True).days == 16
    assert period_containing(D(2026, 10, 5), is_key=True).days == 15


@pytest.mark.parametrize(
    ("period", "following"),
    [
        (key_period(D(2026, 12, 16), D(2026, 12, 31)), key_period(D(2027, 1, 1), D(2027, 1, 15))),
        (key_period(D(2026, 11, 1), D(2026, 11, 15)), key_period(D(2026, 11, 16), D(2026, 11, 30))),
        (key_period(D(2028, 2, 16), D(2028, 2, 29)), key_period(D(2028, 3, 1), D(2028, 3, 15))),
        (month_period(2026, 12), month_period(2027, 1)),
        (month_period(2026, 2), month_period(2026, 3)),
    ],
)
def test_next_and_previous_period_across_year_end(period, following):
    """004 一(四): 每半月 / 每月 periods follow each other without gaps, also over the year end."""
    assert next_period(period) == following
    assert previous_period(following) == period


# --- Required periods ----------------------------------------------------------------------------


def test_filing_period_is_required_for_an_elder_filed_mid_period():
    """004 一(四) 每月至少上门探访服务1次: filed on the 30th, that month is still required."""
    periods = required_periods(D(2026, 11, 30), None, GENERAL, until=D(2026, 12, 5))
    assert periods == [month_period(2026, 11), month_period(2026, 12)]


def test_required_key_periods_until_a_day():
    """004 一(四) 每半月: periods starting on or before ``until`` only."""
    periods = required_periods(D(2026, 11, 20), None, KEY, until=D(2026, 12, 15))
    assert periods == [
        key_period(D(2026, 11, 16), D(2026, 11, 30)),
        key_period(D(2026, 12, 1), D(2026, 12, 15)),
    ]
    assert required_periods(D(2026, 11, 20), None, KEY, until=D(2026, 11, 30)) == periods[:1]


@pytest.mark.parametrize(
    ("archived_on", "expected"),
    [
        (D(2026, 12, 10), [month_period(2026, 10), month_period(2026, 11)]),
        (D(2026, 12, 1), [month_period(2026, 10), month_period(2026, 11)]),
        (D(2026, 11, 30), [month_period(2026, 10)]),
        (D(2026, 10, 20), []),
    ],
)
def test_archiving_stops_the_schedule(archived_on, expected):
    """004 三(五) 动态管理: the period in which the elder is archived is not required, nor later."""
    periods = required_periods(D(2026, 10, 5), archived_on, GENERAL, until=D(2027, 3, 1))
    assert periods == expected


def test_turned_general_mid_month_takes_effect_next_month():
    """004 三(五) and 一(四): key→general on Nov 10; Nov 1–15 still required, then December."""
    periods = required_periods(D(2026, 10, 5), None, TURNED_GENERAL, until=D(2026, 12, 31))
    assert periods == [
        key_period(D(2026, 10, 1), D(2026, 10, 15)),
        key_period(D(2026, 10, 16), D(2026, 10, 31)),
        key_period(D(2026, 11, 1), D(2026, 11, 15)),
        month_period(2026, 12),
    ]


def test_turned_key_mid_month_keeps_the_month_and_adds_the_second_half():
    """004 三(五) and 一(四): general→key on Nov 10; November and the key halves from Nov 16."""
    periods = required_periods(D(2026, 10, 5), None, TURNED_KEY, until=D(2026, 12, 31))
    assert periods == [
        month_period(2026, 10),
        month_period(2026, 11),  # sorted by (end, start)
        key_period(D(2026, 11, 16), D(2026, 11, 30)),
        key_period(D(2026, 12, 1), D(2026, 12, 15)),
        key_period(D(2026, 12, 16), D(2026, 12, 31)),
    ]


def test_change_on_the_first_day_of_a_period_takes_effect_after_it():
    """004 三(五): key→general on Nov 1; the old key half Nov 1–15 starts that day, so it counts."""
    history = KeyHistory(is_key=False, changed_on=D(2026, 11, 1), was_key=True)
    periods = required_periods(D(2026, 10, 20), None, history, until=D(2026, 12, 31))
    assert periods == [
        key_period(D(2026, 10, 16), D(2026, 10, 31)),
        key_period(D(2026, 11, 1), D(2026, 11, 15)),
        month_period(2026, 12),
    ]


@pytest.mark.parametrize(
    "history",
    [
        KeyHistory(is_key=True, changed_on=D(2026, 10, 31), was_key=False),  # before filing period
        KeyHistory(is_key=True, changed_on=D(2026, 11, 10)),  # was_key unknown
        KeyHistory(is_key=True, changed_on=D(2026, 11, 10), was_key=True),  # same status
    ],
)
def test_change_that_is_no_change(history):
    """004 三(五): a change before the filing period, or without a former status, is ignored."""
    periods = required_periods(D(2026, 11, 5), None, history, until=D(2026, 11, 30))
    assert periods == required_periods(D(2026, 11, 5), None, KEY, until=D(2026, 11, 30))


def test_change_before_filing_within_the_old_period_keeps_the_filing_period():
    """004 一(四): key until Nov 10, filed Nov 20 as general — November is the filing period."""
    history = KeyHistory(is_key=False, changed_on=D(2026, 11, 10), was_key=True)
    periods = required_periods(D(2026, 11, 20), None, history, until=D(2026, 11, 30))
    assert periods == [month_period(2026, 11)]


# --- Due state -----------------------------------------------------------------------------------


def test_home_visit_on_the_last_day_of_the_period():
    """004 一(四) 每半月至少上门探访服务1次: a visit on the 15th counts for the 1st–15th."""
    visit = D(2026, 11, 15)
    on_the_day = visit_status(visit, D(2026, 10, 5), None, KEY, visit)
    assert on_the_day.state is DueState.DONE
    assert on_the_day.days_left == 0
    next_day = visit_status(D(2026, 11, 16), D(2026, 10, 5), None, KEY, visit)
    assert next_day.state is DueState.DUE
    assert next_day.current_period == key_period(D(2026, 11, 16), D(2026, 11, 30))


@pytest.mark.parametrize(
    ("today", "state"), [(D(2026, 11, 20), DueState.DUE), (D(2026, 12, 2), DueState.OVERDUE)]
)
def test_phone_call_only_is_not_a_home_visit(today, state):
    """004 一(四) 上门探访: a phone call does not count, so the caller passes no home visit."""
    assert visit_status(today, D(2026, 11, 3), None, GENERAL, None).state is state


def test_general_elder_overdue_since_october():
    """004 一(四) 每月至少上门探访服务1次: last visit Sep 20; October missed by Nov 22."""
    status = visit_status(D(2026, 11, 22), D(2026, 1, 5), None, GENERAL, D(2026, 9, 20))
    assert status.state is DueState.OVERDUE
    assert status.missed_since == month_period(2026, 10)
    assert status.days_overdue == 22
    assert status.current_period == month_period(2026, 11)
    assert status.due_by == D(2026, 11, 30)
    assert status.days_left == 8


def test_key_elder_due_then_overdue():
    """004 一(四) 每半月至少上门探访服务1次: visited Nov 3; due by Nov 30, overdue on Dec 2."""
    due = visit_status(D(2026, 11, 22), D(2026, 1, 5), None, KEY, D(2026, 11, 3))
    assert due.state is DueState.DUE
    assert due.due_by == D(2026, 11, 30)
    assert due.days_left == 8
    assert due.missed_since is None
    assert due.days_overdue == 0
    overdue = visit_status(D(2026, 12, 2), D(2026, 1, 5), None, KEY, D(2026, 11, 3))
    assert overdue.state is DueState.OVERDUE
    assert overdue.missed_since == key_period(D(2026, 11, 16), D(2026, 11, 30))
    assert overdue.days_overdue == 2
    assert overdue.due_by == D(2026, 12, 15)


def test_never_visited_elder_overdue_since_filing_month():
    """004 一(四) 每月: filed Oct 5, never visited; on Nov 22 overdue since October by 22 days."""
    status = visit_status(D(2026, 11, 22), D(2026, 10, 5), None, GENERAL, None)
    assert status.state is DueState.OVERDUE
    assert status.missed_since == month_period(2026, 10)
    assert status.days_overdue == 22


def test_visit_after_missed_periods_is_done():
    """004 一(四): a home visit in the current period makes it DONE, whatever was missed before."""
    status = visit_status(D(2026, 11, 22), D(2026, 1, 5), None, GENERAL, D(2026, 11, 2))
    assert status.state is DueState.DONE
    assert status.missed_since is None


def test_filed_mid_period_is_due_in_that_period():
    """004 一(四) 每月: filed on Nov 30, a visit is due that very day."""
    status = visit_status(D(2026, 11, 30), D(2026, 11, 30), None, GENERAL, None)
    assert status.state is DueState.DUE
    assert status.due_by == D(2026, 11, 30)
    assert status.days_left == 0
    assert visit_status(D(2026, 12, 1), D(2026, 11, 30), None, GENERAL, None).days_overdue == 1


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (D(2026, 11, 14), DueState.DUE),
        (D(2026, 11, 15), DueState.INACTIVE),
        (D(2026, 12, 20), DueState.INACTIVE),
    ],
)
def test_archived_mid_month_is_inactive_from_the_archive_day(today, state):
    """004 三(五) 动态管理: archived on Nov 15, the elder is no longer due from that day."""
    status = visit_status(today, D(2026, 10, 5), D(2026, 11, 15), GENERAL, D(2026, 10, 8))
    assert status.state is state
    if state is DueState.INACTIVE:
        assert status.current_period is None
        assert status.days_left is None
        assert status.days_overdue == 0


def test_not_yet_filed_is_inactive():
    """004 二(三) 确定服务对象: before filing there is no schedule."""
    status = visit_status(D(2026, 11, 1), D(2026, 11, 2), None, KEY, None)
    assert status.state is DueState.INACTIVE


def test_visit_date_after_today_is_taken_as_today():
    """004 一(四): a home visit dated in the future counts as a visit today."""
    status = visit_status(D(2026, 11, 22), D(2026, 10, 5), None, GENERAL, D(2026, 12, 3))
    assert status.state is DueState.DONE


@pytest.mark.parametrize(
    ("today", "last_visit", "state", "due_by"),
    [
        (D(2026, 11, 5), D(2026, 10, 20), DueState.DUE, D(2026, 11, 30)),  # still general
        (D(2026, 11, 12), D(2026, 11, 3), DueState.DONE, D(2026, 11, 30)),
        (D(2026, 11, 18), D(2026, 11, 3), DueState.DUE, D(2026, 11, 30)),  # key half now
        (D(2026, 11, 20), D(2026, 11, 20), DueState.DONE, D(2026, 11, 30)),
        (D(2026, 12, 1), D(2026, 11, 20), DueState.DUE, D(2026, 12, 15)),
        (D(2026, 12, 1), D(2026, 11, 3), DueState.OVERDUE, D(2026, 12, 15)),
    ],
)
def test_turned_key_mid_month_status(today, last_visit, state, due_by):
    """004 三(五) and 一(四): general→key on Nov 10; one visit on Nov 20 satisfies both periods."""
    status = visit_status(today, D(2026, 10, 5), None, TURNED_KEY, last_visit)
    assert status.state is state
    assert status.due_by == due_by


def test_turned_key_visit_on_the_20th_leaves_nothing_missed():
    """004 一(四): a Nov 20 visit satisfies both general November and key Nov 16–30."""
    status = visit_status(D(2026, 12, 3), D(2026, 10, 5), None, TURNED_KEY, D(2026, 11, 20))
    assert status.missed_since is None
    assert status.state is DueState.DUE


@pytest.mark.parametrize(
    ("today", "last_visit", "state", "due_by"),
    [
        (D(2026, 11, 12), D(2026, 11, 3), DueState.DONE, D(2026, 11, 15)),
        (D(2026, 11, 20), D(2026, 11, 3), DueState.DUE, D(2026, 12, 31)),  # gap: nothing due
        (D(2026, 11, 20), D(2026, 10, 20), DueState.OVERDUE, D(2026, 12, 31)),
        (D(2026, 12, 5), D(2026, 11, 3), DueState.DUE, D(2026, 12, 31)),
    ],
)
def test_turned_general_mid_month_status(today, last_visit, state, due_by):
    """004 三(五) and 一(四): key→general on Nov 10; Nov 16–30 is not required, December is."""
    status = visit_status(today, D(2026, 10, 5), None, TURNED_GENERAL, last_visit)
    assert status.state is state
    assert status.due_by == due_by


# --- Monthly visit rate --------------------------------------------------------------------------

NOVEMBER = month_period(2026, 11)


@pytest.mark.parametrize(
    ("filed_on", "archived_on", "visited", "counted"),
    [
        (D(2026, 10, 5), None, False, True),
        (D(2026, 11, 30), None, False, True),  # filed on the last day
        (D(2026, 12, 1), None, False, False),  # filed after the month
        (D(2026, 10, 5), D(2026, 12, 1), False, True),  # archived after the month
        (D(2026, 10, 5), D(2026, 11, 15), True, True),  # archived mid-month after a visit
        (D(2026, 10, 5), D(2026, 11, 15), False, False),  # archived mid-month, not visited
        (D(2026, 10, 5), D(2026, 11, 30), False, False),  # archived on the last day
        (D(2026, 10, 5), D(2026, 10, 31), True, False),  # archived before the month
    ],
)
def test_counted_in_monthly_visit_rate(filed_on, archived_on, visited, counted):
    """004 一(一) 月探访率: active at the month's end, or archived in it after a home visit."""
    assert counted_in_period(NOVEMBER, filed_on, archived_on, visited) is counted


@pytest.mark.parametrize(
    ("visited", "active", "rate"), [(0, 0, None), (0, 5, 0.0), (3, 4, 0.75), (7, 7, 1.0)]
)
def test_visit_rate(visited, active, rate):
    """004 一(一): 到2025年底，确保特殊困难老年人月探访率达到100%."""
    assert visit_rate(visited, active) == rate


@pytest.mark.parametrize(("visited", "active"), [(5, 4), (1, 0), (-1, 3), (0, -1)])
def test_visit_rate_rejects_impossible_counts(visited, active):
    """004 一(一) 月探访率 never exceeds 100%."""
    with pytest.raises(ValueError, match="visited|negative"):
        visit_rate(visited, active)


def _visit_status_by_walking(today, filed_on, archived_on, key, last_home_visit_on):
    """The status as first written (a walk through every period), kept to check the bisection."""
    from datetime import timedelta

    from caseman.rules.visit_periods import DueState, VisitStatus, required_periods

    if (archived_on is not None and archived_on <= today) or filed_on > today:
        return VisitStatus(DueState.INACTIVE, None, last_home_visit_on, None, None, None, 0)
    last = min(last_home_visit_on, today) if last_home_visit_on is not None else None
    periods = required_periods(filed_on, None, key, until=today + timedelta(days=31))
    containing = [p for p in periods if p.contains(today)]
    if containing:
        current = max(containing, key=lambda p: p.start)
    else:
        current = min((p for p in periods if p.start > today), key=lambda p: p.start)
    missed = [p for p in periods if p.end < today and (last is None or p.start > last)]
    missed_since = missed[0] if missed else None
    if last is not None and current.contains(last):
        state = DueState.DONE
    elif missed_since is not None:
        state = DueState.OVERDUE
    else:
        state = DueState.DUE
    return VisitStatus(state, current, last_home_visit_on, current.end,
                       (current.end - today).days, missed_since,
                       (today - missed_since.end).days if missed_since else 0)  # fmt: skip


def test_visit_status_by_bisection_equals_the_walk_through_every_period():
    """Issue 6 made visit_status bisect the periods; 004 一(四)'s answer must not change."""
    import random
    from datetime import timedelta

    from caseman.rules.visit_periods import KeyHistory, visit_status

    rng = random.Random(6)
    start = date(2022, 1, 1)
    for _ in range(4000):
        filed_on = start + timedelta(days=rng.randint(0, 900))
        today = filed_on + timedelta(days=rng.randint(-10, 400))
        is_key = rng.random() < 0.5
        changed = rng.random() < 0.4
        key = KeyHistory(
            is_key,
            filed_on + timedelta(days=rng.randint(-20, 300)) if changed else None,
            (not is_key) if changed else None,
        )
        last = (
            None
            if rng.random() < 0.15
            else filed_on + timedelta(days=rng.randint(-5, (today - filed_on).days + 5))
        )
        archived_on = today + timedelta(days=rng.randint(-30, 30)) if rng.random() < 0.1 else None
        args = (today, filed_on, archived_on, key, last)
        assert visit_status(*args) == _visit_status_by_walking(*args), args
