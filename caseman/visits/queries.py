"""Read functions for visits, the visit schedule, campaigns and the visit-rate figures.

Everything goes through the acting user's scope (``elder_filter``). The schedule itself is the
pure rule ``caseman.rules.visit_periods``; these functions only fetch the few facts it needs
(filing and archive dates, key status, the last home visit) in a handful of queries, so a town's
due list or the district dashboard stays fast with tens of thousands of elders.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import Role, User
from caseman.elders.models import Elder, ElderAssignment, ElderCategory, ElderMove
from caseman.extensions import db
from caseman.risk.queries import high_risk_ids, high_risk_visit_days, weekly_of
from caseman.rules.enums import Category, VisitMethod
from caseman.rules.risk_level import WeeklyDue
from caseman.rules.visit_periods import (
    DueState,
    KeyHistory,
    Period,
    PeriodCompliance,
    VisitStatus,
    counted_in_period,
    fully_served,
    month_period,
    period_compliance,
    period_containing,
    visit_rate,
    visit_status,
)
from caseman.scope import elder_filter, scoped_areas
from caseman.visits.models import Campaign, CareRecord, RecordVersion, Visit

HOME = VisitMethod.HOME


def counting_visits() -> sa.ColumnElement[bool]:
    """Visits that satisfy the schedule: home visits (上门探访) not voided."""
    return sa.and_(Visit.method == HOME, Visit.voided_at.is_(None))


def counts_for_schedule(visit: Visit) -> bool:
    """:func:`counting_visits` for a visit already read: a home visit, not voided."""
    return visit.method == HOME and visit.voided_at is None


def _subtree(area_id: int) -> sa.Select[tuple[int]]:
    path = select(Area.path).where(Area.id == area_id).scalar_subquery()
    return select(Area.id).where(Area.path.startswith(path))


# Most elders never changed status: two shared values spare the dashboard 8,000 new ones.
_NEVER_CHANGED = {True: KeyHistory(True), False: KeyHistory(False)}


def key_history(elder: Any) -> KeyHistory:
    if elder.key_changed_on is None and elder.was_key is None:
        return _NEVER_CHANGED[bool(elder.is_key)]
    return KeyHistory(elder.is_key, elder.key_changed_on, elder.was_key)


def status_of(elder: Elder, today: date, last_home_visit_on: date | None = None) -> VisitStatus:
    """The visit status of one elder (the case file's "next visit due")."""
    if last_home_visit_on is None:
        last_home_visit_on = db.session.scalar(
            select(sa.func.max(Visit.visited_on)).where(
                Visit.elder_id == elder.id, counting_visits(), Visit.visited_on <= today
            )
        )
    return visit_status(today, elder.filed_on, elder.archived_on, key_history(elder),
                        last_home_visit_on)  # fmt: skip


def last_home_visit_listed(items: list[Any], today: date) -> date | None:
    """The last home visit on or before ``today`` among ``items``, or None if none is one.

    ``items`` are the newest of an elder's visits (and care records), newest first, as the case
    file lists them: a home visit found there is the elder's last, and ``status_of`` need not
    ask the database again. None means "not among these": look it up.
    """
    for item in items:
        if isinstance(item, Visit) and counts_for_schedule(item) and item.visited_on <= today:
            return item.visited_on
    return None


# --- per-period compliance (issue 17 item 6) ---------------------------------------------------

HISTORY_MONTHS = 3  # the due list and the dashboard show the missed periods of this many months
CASE_FILE_MONTHS = 6  # the case file shows this many months of periods
ID_BATCH = 900  # elder ids per IN (...) list


def months_back(today: date, months: int) -> list[Period]:
    """The calendar month of ``today`` and the ``months - 1`` before it, newest first."""
    found = [month_period(today.year, today.month)]
    while len(found) < months:
        found.append(month_period(*_previous_month(found[-1])))
    return found


def half_months(months: list[Period]) -> list[Period]:
    """The two half months of each month, in the same order (first half, then second)."""
    return [h for m in months for h in (period_containing(m.start, True),
                                         period_containing(m.end, True))]  # fmt: skip


def compliance_of(
    elder: Elder,
    today: date,
    months: int = CASE_FILE_MONTHS,
    listed: Callable[[date, date], Sequence[date] | None] | None = None,
) -> list[PeriodCompliance]:
    """The case file's record by period: each required period of the last ``months`` months,
    served, missed or open, newest first (one query of the elder's home-visit dates, unless
    ``listed(start, today)`` gives them from visits the caller has read already)."""
    start = months_back(today, months)[-1].start
    visits = listed(start, today) if listed is not None else None
    if visits is None:
        visits = db.session.scalars(
            select(Visit.visited_on).where(
                Visit.elder_id == elder.id,
                counting_visits(),
                Visit.visited_on.between(start, today),
            )
        ).all()
    result = period_compliance(elder.filed_on, elder.archived_on, key_history(elder),
                               tuple(visits), start, today, today)  # fmt: skip
    return list(reversed(result))


def _home_visit_dates(ids: list[int], start: date, today: date) -> dict[int, list[date]]:
    """Home-visit dates from ``start`` to ``today`` of the elders ``ids`` (already scoped),
    read in batches of ``ID_BATCH`` ids."""
    found: dict[int, list[date]] = defaultdict(list)
    for at in range(0, len(ids), ID_BATCH):
        rows = db.session.execute(
            select(Visit.elder_id, Visit.visited_on)
            .where(
                Visit.elder_id.in_(ids[at : at + ID_BATCH]),
                counting_visits(),
                Visit.visited_on.between(start, today),
            )
            .execution_options(caseman_unscoped=True)  # the ids are the caller's, in scope
        )
        for elder_id, visited_on in rows:
            found[elder_id].append(visited_on)
    return found


def _missed(row: Any, dates: Any, window: tuple[Period, ...], today: date) -> tuple[Period, ...]:
    """The periods of ``window`` an active elder missed, from their home-visit dates in it."""
    bits = 0
    for day in dates:
        bits |= 1 << _half_index(day, window)
    key = key_history(row)
    filed_on = _clip(row.filed_on, key, window)
    history = _history_from_bits(filed_on, None, key, bits, window, today)
    return tuple(c.period for c in history if c.missed)


def _clip(filed_on: date, key: KeyHistory, window: tuple[Period, ...]) -> date:
    """Filed before the window and never changed status: the same periods in it as one filed
    on its first day (so that elders alike share one cached answer)."""
    if key.changed_on is not None:
        return filed_on
    return max(
        filed_on, window[-1].start if window[-1].start < window[0].start else window[0].start
    )


@lru_cache(maxsize=4096)
def _half_index(day: date, window: tuple[Period, ...]) -> int:
    half = period_containing(day, True)
    return window.index(half)


@lru_cache(maxsize=65536)
def _history_summary(
    filed_on: date, key: KeyHistory, bits: int, window: tuple[Period, ...], today: date,
    this_month: Period, last_month: Period | None,
) -> tuple[int, int, int, int, int]:  # fmt: skip
    """(missed periods, key for this month, served in every half of it, the same two for last
    month) of an active elder: the dashboard's history columns."""
    history = list(_history_from_bits(filed_on, None, key, bits, window, today))
    result = [sum(1 for c in history if c.missed), 0, 0, 0, 0]
    for offset, month in ((1, this_month), (3, last_month)):
        served = fully_served(history, month) if month is not None else None
        if served is not None:
            result[offset] += 1
            result[offset + 1] += int(served)
    return tuple(result)  # type: ignore[return-value]


@lru_cache(maxsize=65536)  # elders alike in filing, status and visited half months: once
def _history_from_bits(
    filed_on: date, archived_on: date | None, key: KeyHistory, bits: int,
    halves: tuple[Period, ...], today: date,
) -> tuple[PeriodCompliance, ...]:  # fmt: skip
    """``period_compliance`` over ``halves`` (the window) from the set of half months with a
    home visit (bit i: halves[i]). A visit's half month decides its month too, so the half
    month's first day stands in for the visits in it."""
    start = min(h.start for h in halves)
    if key.changed_on is None:
        filed_on = max(filed_on, start)  # filed before the window: the same periods in it
    visits = tuple(h.start for i, h in enumerate(halves) if bits >> i & 1)
    return tuple(period_compliance(filed_on, archived_on, key, visits, start, today, today))


# --- the due list -------------------------------------------------------------------------


@dataclass
class DueRow:
    elder_id: int
    name: str
    is_key: bool
    area_id: int
    phone: str
    status: VisitStatus
    visitors: str = ""  # "Visitor: 王芳、李强", filled by the page that shows them
    address: str = ""  # the residence address detail (the group header names the village)
    # Periods missed in the last HISTORY_MONTHS months (a LazyMissed from ``list_due``).
    missed: Sequence[Period] = ()
    weekly: WeeklyDue | None = None  # a high-risk elder's tighter rhythm (issue 20 item 1)


class _ListedHistory:
    """The missed periods of the elders of one due list, read for all of them when the first
    row's are shown: a town's list above DUE_ROWS_AT_ONCE rows shows only each village's
    counts, and never reads the history (8,000 elders' visits of three months)."""

    def __init__(self, wanted: list[tuple[Any, VisitStatus]], today: date) -> None:
        self._wanted = wanted
        self._today = today
        self._found: dict[int, tuple[Period, ...]] | None = None

    def of(self, elder_id: int) -> tuple[Period, ...]:
        if self._found is None:
            window = tuple(half_months(months_back(self._today, HISTORY_MONTHS)))
            start = min(h.start for h in window)
            dates = _home_visit_dates([r.id for r, _s in self._wanted], start, self._today)
            self._found = {r.id: _missed(r, dates.get(r.id, ()), window, self._today)
                           for r, _s in self._wanted}  # fmt: skip
        return self._found[elder_id]


class LazyMissed(Sequence[Period]):
    """One listed elder's missed periods, a tuple read on first use (see ``_ListedHistory``)."""

    __slots__ = ("_elder_id", "_history")

    def __init__(self, history: _ListedHistory, elder_id: int) -> None:
        self._history = history
        self._elder_id = elder_id

    def _value(self) -> tuple[Period, ...]:
        return self._history.of(self._elder_id)

    def __getitem__(self, index: Any) -> Any:
        return self._value()[index]

    def __len__(self) -> int:
        return len(self._value())

    def __iter__(self) -> Iterator[Period]:
        return iter(self._value())

    def __eq__(self, other: object) -> bool:
        return self._value() == (tuple(other) if isinstance(other, Sequence) else other)

    def __hash__(self) -> int:
        return hash(self._value())

    def __repr__(self) -> str:
        return repr(self._value())


@dataclass
class DueGroup:
    """The due elders of one village, or one villager group of it (or, ``mine``, the elders
    assigned to the worker looking: listed first in their 我的探访)."""

    village: Area | None
    group: Area | None
    rows: list[DueRow] = field(default_factory=list)
    mine: bool = False

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.status.state == DueState.OVERDUE)


@dataclass
class DueList:
    groups: list[DueGroup]
    counts: dict[DueState, int]
    weekly_due: int = 0  # high-risk elders whose weekly home visit is due (issue 20 item 1)

    @property
    def total(self) -> int:
        return sum(len(g.rows) for g in self.groups)


def _area_index(user: User) -> dict[int, Area]:
    areas = db.session.scalars(scoped_areas(user).options(selectinload(Area.parent))).all()
    return {a.id: a for a in areas}


def _areas_by_id(ids: set[int], known: dict[int, Area]) -> dict[int, Area]:
    """Add the areas of ``ids`` missing from ``known`` (assigned elders may live elsewhere)."""
    missing = ids - known.keys()
    if missing:
        for area in db.session.scalars(select(Area).where(Area.id.in_(missing))):
            known[area.id] = area
    return known


def assigned_to(worker_id: int) -> sa.Select[tuple[int]]:
    """Ids of the elders actively assigned to the worker ``worker_id``."""
    return select(ElderAssignment.elder_id).where(
        ElderAssignment.user_id == worker_id, ElderAssignment.ended_on.is_(None)
    )


def with_visitor() -> sa.Select[tuple[int]]:
    """Ids of the elders with at least one active visitor."""
    return select(ElderAssignment.elder_id).where(ElderAssignment.ended_on.is_(None))


def schedule_statuses(
    user: User,
    today: date,
    area_id: int | None = None,
    key: str = "",
    visitor: int | None = None,
) -> list[tuple[Any, VisitStatus]]:
    """(elder row, status) for every active elder in scope (optionally one area, key/general,
    and ``visitor``: the elders of one visitor, or 0 for those with none)."""
    conditions = [elder_filter(user), Elder.archived_on.is_(None), Elder.filed_on <= today]
    if area_id:
        conditions.append(Elder.residence_area_id.in_(_subtree(area_id)))
    if key in ("key", "general"):
        conditions.append(Elder.is_key.is_(key == "key"))
    if visitor == 0:
        conditions.append(Elder.id.not_in(with_visitor()))
    elif visitor is not None:
        conditions.append(Elder.id.in_(assigned_to(visitor)))
    rows = db.session.execute(
        select(*_SCHEDULE_COLUMNS, _last_home_visit(today)).where(*conditions)
    ).all()
    return [(row, _status(row, today)) for row in rows]


_SCHEDULE_COLUMNS = (
    *(Elder.id, Elder.name, Elder.phone, Elder.is_key, Elder.key_changed_on, Elder.was_key),
    *(Elder.filed_on, Elder.archived_on, Elder.residence_area_id, Elder.residence_address),
)


def _last_home_visit(today: date) -> sa.Label[Any]:
    """The outer elder's last home visit on or before ``today``, as ``last_on``.

    A correlated MAX per elder walks the (elder_id, method, voided_at, visited_on) index for the
    elders in scope only; a GROUP BY over all visits would read the whole district's history.
    """
    return (
        select(sa.func.max(Visit.visited_on))
        .where(Visit.elder_id == Elder.id, counting_visits(), Visit.visited_on <= today)
        .correlate(Elder)
        .scalar_subquery()
        .label("last_on")
    )


def _address(row: Any) -> str:
    return row.residence_address or ""


def _status(row: Any, today: date) -> VisitStatus:
    return visit_status(today, row.filed_on, row.archived_on, key_history(row), row.last_on)


def _sort_key(row: DueRow) -> tuple[int, int, int, str]:
    state = row.status.state
    rank = {DueState.OVERDUE: 0, DueState.DUE: 1, DueState.DONE: 2}.get(state, 3)
    if rank == 2 and row.weekly is not None and row.weekly.is_due:
        rank = 1  # visited this period, but a high-risk elder's weekly visit is due
    return (rank, -row.status.days_overdue, row.status.days_left or 0, row.name)


def list_due(
    user: User,
    today: date,
    *,
    area_id: int | None = None,
    states: tuple[DueState, ...] = (DueState.OVERDUE, DueState.DUE),
    key: str = "",
    visitor: int | None = None,
    mine_first: int | None = None,
) -> DueList:
    """Who needs a home visit: grouped by village and villager group, oldest overdue first.

    ``visitor``: only one visitor's elders (0: those without one). ``mine_first``: a worker's
    id, whose assigned elders come first in a group of their own (their 我的探访).
    """
    statuses = schedule_statuses(user, today, area_id, key, visitor)
    counts = {state: 0 for state in DueState}
    for _row, status in statuses:
        counts[status.state] += 1
    # High-risk elders also need a home visit every few days (003 二(二)): an additional 到期
    # flag; the half-month / month periods of 004 and their counts stay as they are.
    high = high_risk_ids([row.id for row, _status in statuses])
    days = high_risk_visit_days()
    weekly = {r.id: weekly_of(r, today, days) for r, _s in statuses if r.id in high}
    weekly_due = sum(1 for w in weekly.values() if w.is_due)
    with_weekly = DueState.DUE in states
    wanted = [
        (r, s)
        for r, s in statuses
        if s.state in states or (with_weekly and r.id in weekly and weekly[r.id].is_due)
    ]
    # The history of the listed elders only (their missed periods of the last months), read
    # when the first row's is shown.
    history = _ListedHistory(wanted, today)
    missed = {r.id: LazyMissed(history, r.id) for r, _s in wanted}
    mine = DueGroup(None, None, mine=True)
    if mine_first is not None and wanted:
        own = set(db.session.scalars(assigned_to(mine_first)))
        for row, status in wanted:
            if row.id in own:
                mine.rows.append(DueRow(row.id, row.name, row.is_key, row.residence_area_id,
                                        row.phone, status, address=_address(row),
                                        missed=missed[row.id],
                                        weekly=weekly.get(row.id)))  # fmt: skip
        wanted = [(r, s) for r, s in wanted if r.id not in own]
    areas = _areas_by_id({r.residence_area_id for r, _s in wanted}, _area_index(user))
    groups: dict[tuple[int | None, int | None], DueGroup] = {}
    for row, status in wanted:
        area = areas[row.residence_area_id]
        village = area.village
        group = area if area.level == AreaLevel.GROUP else None
        bucket_key = (village.id if village else None, group.id if group else None)
        bucket = groups.get(bucket_key)
        if bucket is None:
            bucket = groups[bucket_key] = DueGroup(village, group)
        bucket.rows.append(DueRow(row.id, row.name, row.is_key, row.residence_area_id,
                                  row.phone, status, address=_address(row),
                                  missed=missed[row.id], weekly=weekly.get(row.id)))  # fmt: skip
    for bucket in (*groups.values(), mine):
        bucket.rows.sort(key=_sort_key)
    ordered = sorted(
        groups.values(),
        key=lambda g: (
            g.village.path if g.village else "",
            g.group is not None,
            g.group.name if g.group else "",
        ),
    )
    if mine.rows:
        ordered.insert(0, mine)
    return DueList(ordered, counts, weekly_due)


def assigned_statuses(user: User, today: date) -> list[tuple[int, Any, VisitStatus]]:
    """(visitor id, elder row, status) of every active assignment of an active elder in scope."""
    rows = db.session.execute(
        select(ElderAssignment.user_id, *_SCHEDULE_COLUMNS, _last_home_visit(today))
        .join(ElderAssignment, ElderAssignment.elder_id == Elder.id)
        .where(
            elder_filter(user),
            ElderAssignment.ended_on.is_(None),
            Elder.archived_on.is_(None),
            Elder.filed_on <= today,
        )
    ).all()
    return [(row.user_id, row, _status(row, today)) for row in rows]


def due_elder_ids(user: User, today: date, state: DueState) -> list[int]:
    """Ids of the elders in scope in one schedule state (the elder list's ``due`` filter)."""
    return [row.id for row, status in schedule_statuses(user, today) if status.state == state]


# --- the case file -------------------------------------------------------------------------


CASE_FILE_ITEMS = 20  # visits and care shown on the case file; the case history has the rest


def list_elder_visits(elder: Elder, limit: int | None = None) -> list[Visit]:
    """The elder's visits, newest first (all of them, or the latest ``limit``)."""
    return list(
        db.session.scalars(
            select(Visit)
            .where(Visit.elder_id == elder.id)
            .options(selectinload(Visit.care_records))
            .order_by(Visit.visited_on.desc(), Visit.number.desc())
            .limit(limit)
        )
    )


def list_elder_care(elder: Elder, limit: int | None = None) -> list[CareRecord]:
    return list(
        db.session.scalars(
            select(CareRecord)
            .where(CareRecord.elder_id == elder.id)
            .order_by(CareRecord.cared_on.desc(), CareRecord.number.desc())
            .limit(limit)
        )
    )


def timeline(elder: Elder, limit: int | None = None) -> list[Visit | CareRecord]:
    """Visits and care of an elder, newest first (care given on a day after its visit).

    With ``limit``, only the latest ``limit`` items: the case file of an elder visited every half
    month for years would otherwise render hundreds of visits.
    """
    items: list[Visit | CareRecord] = [
        *list_elder_visits(elder, limit),
        *list_elder_care(elder, limit),
    ]

    def when(item: Visit | CareRecord) -> tuple[date, int, int]:
        if isinstance(item, Visit):
            return (item.visited_on, 0, item.number)
        return (item.cared_on, 1, item.number)

    return sorted(items, key=when, reverse=True)[:limit]


def count_timeline(elder: Elder) -> int:
    """How many visits and care records the elder has (voided ones included, as listed)."""
    care = (
        select(sa.func.count(CareRecord.id))
        .where(CareRecord.elder_id == elder.id)
        .scalar_subquery()
    )
    both = select(sa.func.count(Visit.id) + care).where(Visit.elder_id == elder.id)
    return db.session.scalar(both) or 0


def get_visit_or_none(user: User, visit_id: int) -> Visit | None:
    return db.session.scalar(
        select(Visit)
        .join(Elder, Elder.id == Visit.elder_id)
        .where(Visit.id == visit_id, elder_filter(user))
    )


def get_care_or_none(user: User, care_id: int) -> CareRecord | None:
    return db.session.scalar(
        select(CareRecord)
        .join(Elder, Elder.id == CareRecord.elder_id)
        .where(CareRecord.id == care_id, elder_filter(user))
    )


def list_record_versions(record_type: str, record_id: int) -> list[RecordVersion]:
    return list(
        db.session.scalars(
            select(RecordVersion)
            .where(RecordVersion.record_type == record_type, RecordVersion.record_id == record_id)
            .order_by(RecordVersion.number.desc())
        )
    )


def get_record_version(record_type: str, record_id: int, number: int) -> RecordVersion | None:
    return db.session.scalar(
        select(RecordVersion).where(
            RecordVersion.record_type == record_type,
            RecordVersion.record_id == record_id,
            RecordVersion.number == number,
        )
    )


def list_recent_visits(user: User, limit: int = 20) -> list[Visit]:
    """The latest visits this user recorded (for "my visits")."""
    return list(
        db.session.scalars(
            select(Visit)
            .join(Elder, Elder.id == Visit.elder_id)
            .where(Visit.created_by_id == user.id, elder_filter(user))
            .options(selectinload(Visit.elder))
            .order_by(Visit.created_at.desc())
            .limit(limit)
        )
    )


# --- visit rates ----------------------------------------------------------------------------


@dataclass
class Rate:
    """月探访率 of one area and period: visited ÷ active, key and general apart."""

    visited: int = 0
    active: int = 0
    key_visited: int = 0
    key_active: int = 0

    @property
    def rate(self) -> float | None:
        return visit_rate(self.visited, self.active)

    @property
    def key_rate(self) -> float | None:
        return visit_rate(self.key_visited, self.key_active)

    @property
    def general_visited(self) -> int:
        return self.visited - self.key_visited

    @property
    def general_active(self) -> int:
        return self.active - self.key_active

    @property
    def general_rate(self) -> float | None:
        return visit_rate(self.general_visited, self.general_active)

    def add(self, is_key: bool, visited: int, active: int) -> None:
        self.visited += visited
        self.active += active
        if is_key:
            self.key_visited += visited
            self.key_active += active


RateCounts = dict[tuple[int, bool], tuple[int, int]]


def rate_counts(user: User, period: Period) -> RateCounts:
    """(residence area id, is_key) → (visited, active) for a period, per ``counted_in_period``.

    Active: filed by the period's end and not archived by then; an elder archived inside the
    period counts when visited in it before archiving. Visited: a home visit in the period.
    """
    return rate_counts_by_period(user, [period])[0]


def rate_counts_by_period(user: User, periods: list[Period]) -> list[RateCounts]:
    """``rate_counts`` of several periods that do not overlap (the dashboard's monthly trend)."""
    if not periods:
        return []
    rows = db.session.execute(_rate_statement(user, periods)).all()
    moves = _moves_since(user, min(p.start for p in periods))
    return _count_rates(rows, periods, moves, _area_filter(user) if moves else None)


# At most this many periods in one bit set (a 64-bit integer on PostgreSQL).
MAX_RATE_PERIODS = 62


def _visited_periods(periods: list[Period]) -> sa.ScalarSelect[Any]:
    """The periods in which the outer elder had a home visit, as a bit set (bit i: periods[i]).

    One correlated look-up per elder reads that elder's home visits of the whole window from
    the (elder_id, method, voided_at, visited_on) index, in order, once. (One EXISTS per elder
    and period probed the index twelve times per elder, and grouping all the window's visits of
    the district read every other town's visits too.) Each visit's period is a CASE over the
    bounds; SUM of the DISTINCT bits is the set.
    """
    ordered = sorted(periods, key=lambda p: p.start)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start <= before.end:
            raise ValueError("the periods of a visit-rate count must not overlap")
    if len(periods) > MAX_RATE_PERIODS:
        raise ValueError(f"at most {MAX_RATE_PERIODS} periods in one visit-rate count")
    bit = sa.case(
        *((Visit.visited_on.between(p.start, p.end), 1 << i) for i, p in enumerate(periods)),
        else_=0,
    )
    return (
        select(sa.func.sum(sa.distinct(bit)))
        .where(
            Visit.elder_id == Elder.id,
            counting_visits(),
            Visit.visited_on.between(ordered[0].start, ordered[-1].end),
        )
        .correlate(Elder)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class AreaSet:
    """Residence areas counted for no user in particular (the dashboard's per-area summary,
    caseman.area_figures): the elders living in them or who lived in them; ``ids`` None
    is every area."""

    ids: frozenset[int] | None = None

    def holds(self, area_id: int) -> bool:
        return self.ids is None or area_id in self.ids

    def column_in(self, column: Any) -> sa.ColumnElement[bool]:
        return sa.true() if self.ids is None else column.in_(sorted(self.ids))


def _scope_of(who: User | AreaSet) -> sa.ColumnElement[bool]:
    if isinstance(who, AreaSet):
        return who.column_in(Elder.residence_area_id)
    return elder_filter(who)


def _moved_out_of_scope(who: User | AreaSet, first: date) -> sa.ColumnElement[bool] | None:
    """Elders who lived in the user's area after ``first`` but have moved out since (their
    past months still count there, issue 17 item 5); None for a worker, whose scope is the
    elders assigned to them wherever they live."""
    if isinstance(who, AreaSet):
        if who.ids is None:
            return None  # every elder is read anyway
        return Elder.id.in_(
            select(ElderMove.elder_id).where(
                ElderMove.moved_on > first, who.column_in(ElderMove.from_area_id)
            )
        )
    user = who
    if user.role == Role.WORKER or not user.is_active:
        return None
    return Elder.id.in_(
        select(ElderMove.elder_id).where(
            ElderMove.moved_on > first, _in_user_area(user, ElderMove.from_area_id)
        )
    )


def _in_user_area(user: User, column: Any) -> sa.ColumnElement[bool]:
    return column.in_(select(Area.id).where(Area.path.startswith(user.area.path, autoescape=True)))


def _rate_statement(
    user: User | AreaSet, periods: list[Period], *extra: Any,
    bit_periods: list[Period] | None = None,
) -> sa.Select[Any]:  # fmt: skip
    """The elders who may count in any of ``periods`` for the user, each with its visited bit
    set: those in scope, and those who have moved out of the user's area since the window began
    (they count where they lived, see ``_areas_in_periods``)."""
    first = min(p.start for p in periods)
    last = max(p.end for p in periods)
    scope = _scope_of(user)
    moved_out = _moved_out_of_scope(user, first)
    return (
        select(
            Elder.residence_area_id,
            Elder.is_key,
            Elder.filed_on,
            Elder.archived_on,
            _visited_periods(bit_periods or periods).label("visited"),
            Elder.id,
            *extra,
        )
        .where(
            scope if moved_out is None else sa.or_(scope, moved_out),
            Elder.filed_on <= last,
            sa.or_(Elder.archived_on.is_(None), Elder.archived_on >= first),
        )
        # The elders are scoped explicitly above and the visits are correlated to them: the
        # data-layer criteria would only probe each visit's elder once more.
        .execution_options(caseman_unscoped=True)
    )


def _moves_since(user: User | AreaSet, first: date) -> dict[int, list[tuple[date, int]]]:
    """(moved_on, area lived in before) of each move after ``first`` of an elder the rate
    statement may read, oldest first, by elder id (moves are few: one small query)."""
    scope = _scope_of(user)
    moved_out = _moved_out_of_scope(user, first)
    rows = db.session.execute(
        select(ElderMove.elder_id, ElderMove.moved_on, ElderMove.from_area_id)
        .join(Elder, Elder.id == ElderMove.elder_id)
        .where(ElderMove.moved_on > first, scope if moved_out is None else sa.or_(scope, moved_out))
        .order_by(ElderMove.elder_id, ElderMove.moved_on, ElderMove.id)
        .execution_options(caseman_unscoped=True)
    ).all()
    found: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for elder_id, moved_on, from_area_id in rows:
        found[elder_id].append((moved_on, from_area_id))
    return found


def area_on(day: date, current_area_id: int, moves: list[tuple[date, int]]) -> int:
    """Where an elder lived on ``day``: the area left by the first move after it, else the
    current residence area (``moves`` oldest first)."""
    for moved_on, from_area_id in moves:
        if moved_on > day:
            return from_area_id
    return current_area_id


def _areas_in_periods(
    periods: list[Period], current_area_id: int, moves: list[tuple[date, int]] | None
) -> tuple[int, ...] | None:
    """The area the elder counts in for each period: where they lived on its last day (issue 17
    item 5), or None when it is the current area throughout."""
    if not moves:
        return None
    return tuple(area_on(p.end, current_area_id, moves) for p in periods)


def _count_rates(
    rows: Any,
    periods: list[Period],
    moves: dict[int, list[tuple[date, int]]] | None = None,
    in_scope: Callable[[int], bool] | None = None,
) -> list[RateCounts]:
    """Fold the elders' rows into per-period counts with the rule ``counted_in_period``.

    Each elder counts, for a period, in the area where they lived on its last day (``moves``,
    by elder id); ``in_scope`` (area id → bool) drops the periods an elder spent outside the
    user's area. Elders alike for every period (same areas, key status and visited set, filed
    before the first period, not archived within the window) are counted once, then added up.
    """
    first = min(p.start for p in periods)
    last = max(p.end for p in periods)
    moves = moves or {}
    alike: Counter[tuple[int, bool, date, date | None, int, tuple[int, ...] | None]] = Counter(
        (
            area_id,
            bool(is_key),
            max(filed_on, first),  # filed before the window: like filed on its first day
            archived_on if archived_on is not None and archived_on <= last else None,
            int(visited or 0),
            _areas_in_periods(periods, area_id, moves.get(elder_id)) if moves else None,
        )
        # The first six columns of ``_rate_statement``, by position (the fastest way to read
        # thousands of rows).
        for area_id, is_key, filed_on, archived_on, visited, elder_id, *_rest in rows
    )
    result: list[dict[tuple[int, bool], list[int]]] = [{} for _ in periods]
    for (current, is_key, filed_on, archived_on, visited_set, lived), n in alike.items():
        for index, period in enumerate(periods):
            area_id = lived[index] if lived is not None else current
            if in_scope is not None and not in_scope(area_id):
                continue
            visited = bool(visited_set >> index & 1)
            if counted_in_period(period, filed_on, archived_on, visited):
                counts = result[index].setdefault((area_id, is_key), [0, 0])
                counts[0] += n if visited else 0
                counts[1] += n
    return [{k: (v[0], v[1]) for k, v in counts.items()} for counts in result]


def _area_filter(user: User | AreaSet) -> Callable[[int], bool] | None:
    """Whether an area is the user's (for counting a past month of an elder who moved), or
    None when every row's areas are: a worker's elders, or nobody moved out."""
    if isinstance(user, AreaSet):
        return None if user.ids is None else user.holds
    if user.role == Role.WORKER:
        return None
    own = user.area.path

    @cache
    def inside(area_id: int) -> bool:
        area = db.session.get(Area, area_id)
        return area is not None and area.path.startswith(own)

    return inside


@dataclass
class AreaRate:
    area: Area
    rate: Rate
    overdue: int = 0
    missed: int = 0  # periods missed by active elders in the last HISTORY_MONTHS months
    key_served: int = 0  # key elders with a home visit in every half month of this month
    key_counted: int = 0  # key elders for the whole month (the denominator of key_served)


@dataclass
class Dashboard:
    period: Period
    total: Rate
    towns: list[AreaRate]
    villages: list[AreaRate]
    overdue: int
    due: int
    done: int
    trend: list[tuple[Period, Rate]]
    missed: int = 0  # periods missed by active elders in the last HISTORY_MONTHS months
    key_served: int = 0  # key elders served in every half month of this month (so far)
    key_counted: int = 0
    last_month: Period | None = None
    key_served_last: int = 0  # the same for last month
    key_counted_last: int = 0


def _fold(
    counts: dict[tuple[int, bool], tuple[int, int]], areas: dict[int, Area], level: AreaLevel
) -> dict[int, AreaRate]:
    """Sum per-area counts up to the town or village each area belongs to."""
    result: dict[int, AreaRate] = {}
    for (area_id, is_key), (visited, active) in counts.items():
        target = areas[area_id].ancestor(level)
        if target is not None:
            item = result.setdefault(target.id, AreaRate(target, Rate()))
            item.rate.add(is_key, visited, active)
    return result


def _sum_rate(counts: RateCounts) -> Rate:
    rate = Rate()
    for (_area_id, is_key), (visited, active) in counts.items():
        rate.add(is_key, visited, active)
    return rate


def total_rate(user: User, period: Period) -> Rate:
    return _sum_rate(rate_counts(user, period))


DASHBOARD_MONTHS = 12  # the dashboard's trend


@dataclass
class AreaPart:
    """One residence area's share of the visits dashboard on one day (what ``dashboard`` adds
    up; caseman.area_figures keeps them per area).

    ``rates``: per trend month (this month first), is_key → (visited, counted) of the elders
    counted in the area that month (where they lived on its last day). ``tally``: of the active
    elders living in it now, (overdue, missed periods, key elders counted this month, served,
    the same two last month), None when there are none. ``states``: their schedule states.
    """

    rates: list[dict[bool, tuple[int, int]]]
    tally: tuple[int, ...] | None = None
    states: dict[DueState, int] = field(default_factory=dict)


def _dashboard_periods(today: date, months: int) -> tuple[list[Period], list[Period]]:
    """The trend months (this month first) and their half months."""
    trend_periods = [month_period(today.year, today.month)]
    while len(trend_periods) < months:
        trend_periods.append(month_period(*_previous_month(trend_periods[-1])))
    return trend_periods, half_months(trend_periods)


def dashboard_parts(
    who: User | AreaSet, today: date, months: int = DASHBOARD_MONTHS
) -> dict[int, AreaPart]:
    """Each residence area's ``AreaPart``, counted from the elders and their visits: those of
    the user's scope, or of a set of areas (every figure of an area depends only on the elders
    who live or lived in it, so a user's dashboard is the sum of its areas' parts)."""
    trend_periods, halves = _dashboard_periods(today, months)
    period = trend_periods[0]
    # One statement for the trend, the schedule and the history: each elder's visited half
    # months (a month is visited when either half is) and last visit.
    rows = db.session.execute(
        _rate_statement(
            who, trend_periods, Elder.key_changed_on, Elder.was_key, _last_home_visit(today),
            bit_periods=halves,
        )
    ).all()  # fmt: skip
    moves = _moves_since(who, min(p.start for p in trend_periods))
    inside = _area_filter(who) if moves else None
    by_period = _count_rates(
        [(*row[:4], _month_bits(int(row[4] or 0)), *row[5:]) for row in rows],
        trend_periods, moves, inside,
    )  # fmt: skip
    parts: dict[int, AreaPart] = {}

    def part(area_id: int) -> AreaPart:
        found = parts.get(area_id)
        if found is None:
            found = parts[area_id] = AreaPart([{} for _p in trend_periods])
        return found

    for index, counts in enumerate(by_period):
        for (area_id, is_key), pair in counts.items():
            part(area_id).rates[index][is_key] = pair
    # Per residence area: overdue, missed periods, key elders counted/served this month and
    # last month.
    tallies: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    window = tuple(halves[: 2 * min(HISTORY_MONTHS, months)])
    window_mask = (1 << len(window)) - 1
    last_month = trend_periods[1] if months > 1 else None
    for row in rows:
        if row.archived_on is not None or row.filed_on > today:
            continue  # as in schedule_statuses: active elders only
        if inside is not None and row.id in moves and not inside(row.residence_area_id):
            continue  # moved out of the user's area: only its past months count here
        status = _status(row, today)
        states = part(row.residence_area_id).states
        states[status.state] = states.get(status.state, 0) + 1
        tally = tallies[row.residence_area_id]
        if status.state == DueState.OVERDUE:
            tally[0] += 1
        # The history of the last months (issue 17 item 6), from the window's half months.
        bits = int(row.visited or 0) & window_mask
        key = key_history(row)
        summary = _history_summary(_clip(row.filed_on, key, window), key, bits, window, today,
                                   period, last_month)  # fmt: skip
        for index, n in enumerate(summary, start=1):
            tally[index] += n
    for area_id, tally in tallies.items():
        part(area_id).tally = tuple(tally)
    return parts


def dashboard(user: User, today: date, months: int = DASHBOARD_MONTHS) -> Dashboard:
    """This month's visit rate by town and village, overdue counts and the monthly trend,
    counted now (caseman.area_figures adds up the kept per-area parts instead)."""
    return dashboard_from_parts(user, today, dashboard_parts(user, today, months), months)


def dashboard_from_parts(
    user: User, today: date, parts: dict[int, AreaPart], months: int = DASHBOARD_MONTHS
) -> Dashboard:
    """Add up the areas' parts into the user's dashboard (by town and village)."""
    trend_periods, _halves = _dashboard_periods(today, months)
    period = trend_periods[0]
    by_period: list[RateCounts] = [{} for _p in trend_periods]
    overdue_by_area: dict[int, tuple[int, ...]] = {}
    states = {state: 0 for state in DueState}
    for area_id, part in parts.items():
        for index, rates in enumerate(part.rates):
            for is_key, pair in rates.items():
                by_period[index][(area_id, is_key)] = pair
        if part.tally is not None:
            overdue_by_area[area_id] = part.tally
        for state, n in part.states.items():
            states[state] += n
    counts = by_period[0]
    areas = _areas_by_id({a for a, _k in counts}, _area_index(user))
    total = _sum_rate(counts)
    towns = _fold(counts, areas, AreaLevel.TOWN)
    villages = _fold(counts, areas, AreaLevel.VILLAGE)
    areas = _areas_by_id(set(overdue_by_area), areas)
    totals = [0] * 6
    for area_id, tally in overdue_by_area.items():
        totals = [a + b for a, b in zip(totals, tally, strict=True)]
        for level, bucket in ((AreaLevel.TOWN, towns), (AreaLevel.VILLAGE, villages)):
            target = areas[area_id].ancestor(level)
            if target is None:
                continue
            item = bucket.get(target.id)
            if item is None:  # no elder counted this month, but past periods were missed
                item = bucket[target.id] = AreaRate(target, Rate())
            item.overdue += tally[0]
            item.missed += tally[1]
            item.key_counted += tally[2]
            item.key_served += tally[3]
    town_rows = sorted(towns.values(), key=lambda r: r.area.path)
    village_rows = sorted(villages.values(), key=lambda r: r.area.path)
    pairs = zip(trend_periods, by_period, strict=True)
    trend = [(month, total if month == period else _sum_rate(found)) for month, found in pairs]
    trend = trend[:months]
    trend.reverse()
    return Dashboard(period, total, town_rows, village_rows, states[DueState.OVERDUE],
                     states[DueState.DUE], states[DueState.DONE], trend, missed=totals[1],
                     key_counted=totals[2], key_served=totals[3],
                     last_month=trend_periods[1] if months > 1 else None,
                     key_counted_last=totals[4], key_served_last=totals[5])  # fmt: skip


@lru_cache(maxsize=65536)
def _month_bits(half_bits: int) -> int:
    """The visited months (bit i) from the visited half months (bits 2i and 2i + 1)."""
    months = 0
    index = 0
    while half_bits:
        if half_bits & 3:
            months |= 1 << index
        half_bits >>= 2
        index += 1
    return months


def _previous_month(period: Period) -> tuple[int, int]:
    day = period.start - timedelta(days=1)
    return day.year, day.month


# --- campaigns ------------------------------------------------------------------------------


@dataclass
class CampaignProgress:
    campaign: Campaign
    cohort: int
    visited: int

    @property
    def rate(self) -> float | None:
        return visit_rate(self.visited, self.cohort)


def _cohort(campaign: Campaign, user: User) -> sa.Select[tuple[int]]:
    conditions = [
        elder_filter(user),
        Elder.residence_area_id.in_(_subtree(campaign.area_id)),
        Elder.filed_on <= campaign.ends_on,
        sa.or_(Elder.archived_on.is_(None), Elder.archived_on > campaign.ends_on),
    ]
    if campaign.key_only:
        conditions.append(Elder.is_key.is_(True))
    if campaign.categories:
        conditions.append(
            Elder.id.in_(
                select(ElderCategory.elder_id).where(
                    ElderCategory.category.in_([Category(c) for c in campaign.categories])
                )
            )
        )
    return select(Elder.id).where(*conditions)


def _campaign_visits(campaign: Campaign) -> sa.Select[tuple[int]]:
    conditions = [
        Visit.voided_at.is_(None),
        Visit.visited_on.between(campaign.starts_on, campaign.ends_on),
    ]
    if campaign.home_visit_only:
        conditions.append(Visit.method == HOME)
    return select(Visit.elder_id).where(*conditions).distinct()


def campaign_progress(campaign: Campaign, user: User) -> CampaignProgress:
    cohort = _cohort(campaign, user).subquery()
    total = db.session.scalar(select(sa.func.count()).select_from(cohort)) or 0
    visited = (
        db.session.scalar(
            select(sa.func.count())
            .select_from(cohort)
            .where(cohort.c.id.in_(_campaign_visits(campaign)))
        )
        or 0
    )
    return CampaignProgress(campaign, total, visited)


def list_campaign_pending(campaign: Campaign, user: User) -> list[Elder]:
    """Cohort elders not yet visited in the window, by village and name."""
    return list(
        db.session.scalars(
            select(Elder)
            .where(Elder.id.in_(_cohort(campaign, user)))
            .where(Elder.id.not_in(_campaign_visits(campaign)))
            .options(selectinload(Elder.residence_area))
            .order_by(Elder.residence_area_id, Elder.name)
        )
    )


def _campaigns_visible(user: User) -> sa.ColumnElement[bool]:
    """Campaigns whose area overlaps the user's area (above it, or inside it)."""
    own = user.area.path
    area_path = select(Area.path).where(Area.id == Campaign.area_id).scalar_subquery()
    return sa.or_(
        Campaign.area_id.in_(select(Area.id).where(Area.path.startswith(own, autoescape=True))),
        sa.literal(own).startswith(area_path),
    )


def list_campaigns(user: User, today: date, *, open_only: bool = False) -> list[Campaign]:
    query = select(Campaign).where(_campaigns_visible(user)).options(selectinload(Campaign.area))
    if open_only:
        query = query.where(Campaign.closed_at.is_(None), Campaign.ends_on >= today,
                            Campaign.starts_on <= today)  # fmt: skip
    return list(db.session.scalars(query.order_by(Campaign.starts_on.desc(), Campaign.id.desc())))


def get_campaign_or_none(user: User, campaign_id: int) -> Campaign | None:
    return db.session.scalar(
        select(Campaign).where(Campaign.id == campaign_id, _campaigns_visible(user))
    )
