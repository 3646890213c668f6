"""Visit periods (探访周期) and whether a home visit is due: 004 一(四) and 一(一).

004 一(四): "对失能、重病、重残、高龄独居等重点对象，每半月至少上门探访服务1次；对其他特殊困难
老年人，每月至少上门探访服务1次。" A key elder (重点对象) needs a home visit (上门探访) in
every half month (the 1st–15th, and the 16th to the month's last day); any other elder in every
calendar month.
Phone and video calls never satisfy the schedule.

004 一(一): "到2025年底，确保特殊困难老年人月探访率达到100%" gives the monthly visit rate
(月探访率): elders with a home visit in the month over the elders active in it.

004 三(五) (对象动态管理) keeps the key/general status up to date; a change takes effect from the
next period (see ``required_periods``).
"""

from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A visit period (探访周期) with inclusive bounds: a half month (key) or a calendar month."""

    start: date
    end: date
    is_key: bool

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@lru_cache(maxsize=4096)  # pure and called for every period of every elder: cache it
def month_period(year: int, month: int) -> Period:
    """The calendar month as a general elder's period (每月至少上门探访服务1次)."""
    last = calendar.monthrange(year, month)[1]
    return Period(date(year, month, 1), date(year, month, last), is_key=False)


@lru_cache(maxsize=65536)
def period_containing(day: date, is_key: bool) -> Period:
    """The period containing ``day``: for a key elder the 1st–15th or the 16th–last day of the
    month (每半月至少上门探访服务1次), otherwise the calendar month."""
    month = month_period(day.year, day.month)
    if not is_key:
        return month
    if day.day <= 15:
        return Period(month.start, month.start.replace(day=15), is_key=True)
    return Period(month.start.replace(day=16), month.end, is_key=True)


def next_period(period: Period) -> Period:
    """The period of the same kind right after ``period``."""
    return period_containing(period.end + ONE_DAY, period.is_key)


def previous_period(period: Period) -> Period:
    """The period of the same kind right before ``period``."""
    return period_containing(period.start - ONE_DAY, period.is_key)


@dataclass(frozen=True)
class KeyHistory:
    """Key/general status of an elder and its last change (004 三(五) 动态管理)."""

    is_key: bool  # status now
    changed_on: date | None = None  # the day the status last changed (None: never changed)
    was_key: bool | None = None  # status before that change


def _periods_from(first: Period, until: date, last_start: date | None = None) -> list[Period]:
    """``first`` and the periods after it that start on or before ``until`` (and ``last_start``)."""
    periods = []
    period = first
    while period.start <= until and (last_start is None or period.start <= last_start):
        periods.append(period)
        period = next_period(period)
    return periods


def required_periods(
    filed_on: date, archived_on: date | None, key: KeyHistory, until: date
) -> list[Period]:
    """The periods needing a home visit, sorted by (end, start).

    They run from the period containing ``filed_on`` (the filing period is required) to the last
    one starting on or before ``until``. Archiving stops the schedule: only periods ending before
    ``archived_on`` are required, so not the one in which the elder is archived.

    A key/general change takes effect from the next period: the old status governs the periods of
    the old schedule starting on or before ``changed_on``, the new status those of the new schedule
    starting after it. A change before the (old) filing period, or without ``was_key``, or to the
    same status, is no change.
    """
    periods = _unarchived_periods(filed_on, key, until)
    if archived_on is not None:
        return [p for p in periods if p.end < archived_on]
    return list(periods)


@lru_cache(maxsize=16384)
def _periods_and_ends(
    filed_on: date, key: KeyHistory, until: date
) -> tuple[tuple[Period, ...], tuple[date, ...]]:
    """The unarchived periods and their end dates (for bisection), computed once per argument."""
    periods = _unarchived_periods(filed_on, key, until)
    return periods, tuple(p.end for p in periods)


@lru_cache(maxsize=16384)  # many elders share a filing date and status: compute each once
def _unarchived_periods(filed_on: date, key: KeyHistory, until: date) -> tuple[Period, ...]:
    changed_on = key.changed_on
    old_first = None
    if changed_on is not None and key.was_key is not None and key.was_key != key.is_key:
        old_first = period_containing(filed_on, key.was_key)
    if changed_on is None or old_first is None or changed_on < old_first.start:
        periods = _periods_from(period_containing(filed_on, key.is_key), until)
    else:
        # The new schedule's first period starting after the change.
        new_first = next_period(period_containing(changed_on, key.is_key))
        periods = _periods_from(old_first, until, last_start=changed_on)
        periods += _periods_from(new_first, until)
    return tuple(sorted(periods, key=lambda p: (p.end, p.start)))


class DueState(StrEnum):
    DONE = "done"  # a home visit in the current period
    DUE = "due"  # current period not yet visited, nothing missed before
    OVERDUE = "overdue"  # a required period ended without a home visit since the last one
    INACTIVE = "inactive"  # archived on or before today, or filed after today


@dataclass(frozen=True)
class VisitStatus:
    """Where an elder stands in the visit schedule on a given day."""

    state: DueState
    current_period: Period | None  # the period the next home visit counts for; None if inactive
    last_home_visit_on: date | None
    due_by: date | None  # end of current_period
    days_left: int | None  # due_by - today in days (0 on the last day); None if inactive
    missed_since: Period | None  # earliest required period ended without a home visit since
    days_overdue: int  # (today - missed_since.end).days, 0 when not overdue


def visit_status(
    today: date,
    filed_on: date,
    archived_on: date | None,
    key: KeyHistory,
    last_home_visit_on: date | None,
) -> VisitStatus:
    """Whether a home visit (上门探访) is done, due or overdue on ``today`` (004 一(四)).

    ``last_home_visit_on`` is the date of the last home visit only (calls never count); a date
    after today is taken as today. The current period is the required period containing today (the
    latest-starting one where two overlap after a change); in the gap a key-to-general change may
    leave, it is the next required period. Ended periods that start after the last home visit are
    missed; older ones are history. DONE when the current period holds the last home visit (even
    after missed periods), else OVERDUE when a period was missed, else DUE. An archive date after
    today has not happened yet and is ignored.
    """
    if (archived_on is not None and archived_on <= today) or filed_on > today:
        return VisitStatus(DueState.INACTIVE, None, last_home_visit_on, None, None, None, 0)
    changed = key.changed_on is not None and key.was_key is not None and key.was_key != key.is_key
    if not changed and last_home_visit_on is not None and filed_on <= last_home_visit_on <= today:
        # Visited since filing, on one schedule: every period from the one holding the last visit
        # on is required whenever the elder was filed, so the filing date cannot change the
        # answer. Many elders then share one (today, key, last visit), worked out once: the
        # dashboard asks for every elder of a town.
        filed_on = last_home_visit_on
    return _active_status(today, filed_on, key, last_home_visit_on)


@lru_cache(maxsize=16384)  # a few MB at most; a town's elders share a few hundred keys
def _active_status(
    today: date, filed_on: date, key: KeyHistory, last_home_visit_on: date | None
) -> VisitStatus:
    """``visit_status`` of an elder filed by ``today`` and not archived by then."""
    last = min(last_home_visit_on, today) if last_home_visit_on is not None else None
    # The next required period after a gap starts within a month of today.
    periods, ends = _periods_and_ends(filed_on, key, today + timedelta(days=31))
    # The periods are in (end, start) order: those ended before today are a prefix, found by
    # bisection instead of a walk through years of half months (the dashboard asks for every
    # elder of a town).
    ended = bisect_left(ends, today)
    upcoming = periods[ended:]
    containing = [p for p in upcoming if p.contains(today)]
    if containing:
        current = max(containing, key=lambda p: p.start)
    else:
        current = min((p for p in upcoming if p.start > today), key=lambda p: p.start)
    # Missed: ended periods starting after the last home visit. Those ending on or before it
    # start before it; past them, only a period or two around it can still start before it.
    first = 0 if last is None else bisect_right(ends, last, hi=ended)
    while last is not None and first < ended and periods[first].start <= last:
        first += 1
    missed_since = periods[first] if first < ended else None
    if last is not None and current.contains(last):
        state = DueState.DONE
    elif missed_since is not None:
        state = DueState.OVERDUE
    else:
        state = DueState.DUE
    return VisitStatus(
        state=state,
        current_period=current,
        last_home_visit_on=last_home_visit_on,
        due_by=current.end,
        days_left=(current.end - today).days,
        missed_since=missed_since,
        days_overdue=(today - missed_since.end).days if missed_since is not None else 0,
    )


def counted_in_period(
    period: Period, filed_on: date, archived_on: date | None, visited_in_period: bool
) -> bool:
    """Whether the elder is in the denominator of the visit rate for ``period`` (004 一(一)).

    Counted when filed by the period's end and still active at its end; an elder archived within
    the period is counted only with a home visit in it (then in the numerator too). An elder
    archived before the period starts is never counted.
    """
    if filed_on > period.end:
        return False
    if archived_on is None or archived_on > period.end:
        return True
    return period.start <= archived_on and visited_in_period


def visit_rate(visited: int, active: int) -> float | None:
    """The visit rate (月探访率, 004 一(一): 100% by the end of 2025): ``visited / active``.

    None when no elder is active; ValueError on negative counts or more visited than active.
    """
    if visited < 0 or active < 0:
        raise ValueError("counts must not be negative")
    if visited > active:
        raise ValueError("more elders visited than active")
    if active == 0:
        return None
    return visited / active


# --- per-period compliance (issue 17 item 6) --------------------------------------------------


class PeriodState(StrEnum):
    SERVED = "served"  # a home visit inside the period
    MISSED = "missed"  # the period ended without one
    OPEN = "open"  # not ended yet, no home visit so far


@dataclass(frozen=True)
class PeriodCompliance:
    period: Period
    state: PeriodState

    @property
    def missed(self) -> bool:
        return self.state == PeriodState.MISSED


def period_compliance(
    filed_on: date,
    archived_on: date | None,
    key: KeyHistory,
    home_visits: tuple[date, ...] | frozenset[date] | list[date],
    start: date,
    end: date,
    today: date,
) -> list[PeriodCompliance]:
    """Each required period overlapping ``start``..``end``, served, missed or open (004 一(四)).

    "对失能、重病、重残、高龄独居等重点对象，每半月至少上门探访服务1次；对其他特殊困难老年人，每月至少
    上门探访服务1次。" The periods are those of ``required_periods`` (half months while the
    elder was key, calendar months while general: the status in force then, 004 三(五)), so a
    missed half month stays missed whatever happened in the next one: one visit on the 16th
    serves 16th–end, never 1st–15th. ``home_visits``: the dates of the elder's home visits
    (calls never count). A period not served is missed once it has ended before ``today``, open
    while it runs; periods starting after ``today`` are left out. Sorted by start.
    """
    until = min(end, today)
    visits = sorted(home_visits)
    result = []
    for period in sorted(
        required_periods(filed_on, archived_on, key, until), key=lambda p: (p.start, p.end)
    ):
        if period.end < start:
            continue
        first = bisect_left(visits, period.start)
        served = first < len(visits) and visits[first] <= period.end
        if served:
            state = PeriodState.SERVED
        elif period.end < today:
            state = PeriodState.MISSED
        else:
            state = PeriodState.OPEN
        result.append(PeriodCompliance(period, state))
    return result


def fully_served(periods: list[PeriodCompliance], month: Period) -> bool | None:
    """Whether a key elder had a home visit in every half month of ``month`` (the monthly
    report's "key elders fully served", beside the 月探访率 of 004 一(一)).

    ``periods``: ``period_compliance`` over the month. None when the elder does not count as key
    for the month: no required period in it, or a calendar-month (general) period among them.
    Like the visit rate of the running month, the running month counts what has been done so
    far: the half months begun by then, an open one only once visited.
    """
    inside = [c for c in periods if c.period.start <= month.end and c.period.end >= month.start]
    if not inside or any(not c.period.is_key for c in inside):
        return None
    return all(c.state == PeriodState.SERVED for c in inside)
