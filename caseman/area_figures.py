"""The home page's figures kept per residence area, so that a district's dashboard adds up a
few hundred stored rows instead of recounting 100,000 elders and their visits (issue 21 goal 2).

Every figure of the dashboard (visit rates of the trend months, schedule states, missed
periods, key elders served; elders, key elders, reviews due and elders by category) depends
only on the elders who live, or lived during the trend window, in one residence area. A row of
``dashboard_area_summaries`` holds one area's figures, counted for one day (``computed_on``):

- Any flush that changes a counted fact (an elder registered, archived, restored, moved,
  transferred or merged, its key status, filing or review date changed, a category added or
  removed, a visit saved, moved to another elder or voided) marks the areas concerned stale in
  the same transaction (``_mark_changed``, a flush listener: no write path can forget it). It
  bumps ``version`` and clears ``data``.
- A row counted for another day is stale too (the schedule and the months roll over at
  midnight, Beijing time): the first page of the day counts again, or ``flask
  dashboard-summary`` run just after midnight.
- A page recounts its stale areas only (one statement for all of them) and stores them only if
  ``version`` did not move meanwhile, so a change committed while it counted is never
  overwritten by figures that miss it.

``recount`` counts from scratch; the tests compare it with the kept rows after every write.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import click
import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy import event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from caseman import clock
from caseman.areas.models import Area
from caseman.auth.models import Role, User
from caseman.db import Base, changed_in_flush, upsert_insert, values_in_flush
from caseman.elders.models import Elder, ElderCategory, ElderMove, FamilyMember
from caseman.extensions import db
from caseman.forces.models import VisitContact
from caseman.risk.models import ElderRiskLevel
from caseman.risk.queries import (
    RiskCounts,
    alert_conditions,
    high_risk_visit_days,
    missing_contact_conditions,
    risk_counts,
    weekly_of,
)
from caseman.rules.enums import Category
from caseman.rules.risk_level import RiskLevel
from caseman.rules.visit_periods import DueState, month_period
from caseman.scope import under_path
from caseman.visits.models import Visit
from caseman.visits.queries import (
    DASHBOARD_MONTHS,
    AreaPart,
    AreaSet,
    Dashboard,
    _area_index,
    _areas_by_id,
    _last_home_visit,
    _status,
    dashboard_from_parts,
    dashboard_parts,
)
from caseman.visits.queries import dashboard as counted_dashboard

REVIEW_INTERVAL = timedelta(days=183)  # 每半年动态更新一次 (004 二(三))


class AreaSummary(Base):
    """One residence area's dashboard figures, counted on ``computed_on`` (None: stale)."""

    __tablename__ = "dashboard_area_summaries"

    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)  # bumped by every change in the area
    computed_on: Mapped[date | None]
    data: Mapped[str | None] = mapped_column(sa.Text)  # JSON of an ``AreaFigures``


@dataclass
class AreaFigures:
    """What one area adds to the home page: the visits dashboard's part and the case counts
    of its active (not archived) elders."""

    visits: AreaPart
    elders: int = 0
    key: int = 0
    review_due: int = 0
    categories: dict[Category, int] = field(default_factory=dict)
    # The risk section (caseman.risk.queries.risk_counts): filed elders by risk level, high-risk
    # elders whose weekly visit is due (with the rhythm in days counted for), 失能独居 alerts,
    # living alone without child or contact, this month's visits by kind of force.
    levels: dict[RiskLevel, int] = field(default_factory=dict)
    weekly_due: int = 0
    days: int = 0
    alerts: int = 0
    missing_contacts: int = 0
    forces: dict[str, int] = field(default_factory=dict)
    # The high-risk elders whose weekly visit is due, by their schedule state: the due list
    # lists them beside the overdue and due (its choose-a-village table, ``due_counts``).
    # None: a row kept before this was counted (counted again).
    weekly_states: dict[DueState, int] | None = field(default_factory=dict)

    def to_json(self) -> str:
        part = self.visits
        return json.dumps(
            {
                "r": [[*r.get(True, (0, 0)), *r.get(False, (0, 0))] for r in part.rates],
                "t": list(part.tally) if part.tally is not None else None,
                "s": {state.value: n for state, n in part.states.items()},
                "e": [self.elders, self.key, self.review_due],
                "c": {c.value: n for c, n in self.categories.items()},
                "l": {level.value: n for level, n in self.levels.items()},
                "k": [self.weekly_due, self.days, self.alerts, self.missing_contacts],
                "f": self.forces,
                "w": {state.value: n for state, n in (self.weekly_states or {}).items()},
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> AreaFigures:
        data = json.loads(text)
        rates = []
        for kv, ka, gv, ga in data["r"]:
            rate: dict[bool, tuple[int, int]] = {}
            if ka:
                rate[True] = (kv, ka)
            if ga:
                rate[False] = (gv, ga)
            rates.append(rate)
        tally = tuple(data["t"]) if data["t"] is not None else None
        part = AreaPart(rates, tally, {DueState(k): n for k, n in data["s"].items()})
        elders, key, review_due = data["e"]
        categories = {Category(k): n for k, n in data["c"].items()}
        levels = {RiskLevel(k): n for k, n in data["l"].items()}
        weekly_due, days, alerts, missing = data["k"]
        weekly = data.get("w")
        weekly_states = {DueState(k): n for k, n in weekly.items()} if weekly is not None else None
        return cls(part, elders, key, review_due, categories, levels, weekly_due, days, alerts,
                   missing, data["f"], weekly_states)  # fmt: skip


@dataclass
class HomeFigures:
    """The home page's figures for one user: the visits dashboard and the case counts."""

    visits: Dashboard
    total: int
    key: int
    review_due: int
    by_category: dict[Category, int]
    risk: RiskCounts


# --- counting -------------------------------------------------------------------------------


def _uses_summary(user: User) -> bool:
    """Area staff see every elder of their area: their figures are sums of areas' rows. A
    worker's are the elders assigned to them (counted directly: a few dozen)."""
    return user.is_active and user.role != Role.WORKER


def recount(areas: AreaSet, today: date) -> dict[int, AreaFigures]:
    """Each area's figures counted from scratch (areas with none left out)."""
    parts = dashboard_parts(areas, today)
    figures = {area_id: AreaFigures(part) for area_id, part in parts.items()}
    active = sa.and_(areas.column_in(Elder.residence_area_id), Elder.archived_on.is_(None))
    cutoff = today - REVIEW_INTERVAL
    review_on = sa.func.coalesce(Elder.last_reviewed_on, Elder.filed_on)
    rows = db.session.execute(
        select(
            Elder.residence_area_id,
            sa.func.count(Elder.id),
            sa.func.count(Elder.id).filter(Elder.is_key),
            sa.func.count(Elder.id).filter(review_on <= cutoff),
        )
        .where(active)
        .group_by(Elder.residence_area_id)
        .execution_options(caseman_unscoped=True)
    )
    for area_id, total, key, review_due in rows:
        item = figures.get(area_id)
        if item is None:
            item = figures[area_id] = _empty()
        item.elders, item.key, item.review_due = total, key, review_due
    rows = db.session.execute(
        select(Elder.residence_area_id, ElderCategory.category, sa.func.count())
        .join(Elder, Elder.id == ElderCategory.elder_id)
        .where(active)
        .group_by(Elder.residence_area_id, ElderCategory.category)
        .execution_options(caseman_unscoped=True)
    )
    for area_id, category, n in rows:
        figures[area_id].categories[category] = n
    _recount_risk(areas, today, active, figures)
    return figures


def _recount_risk(
    areas: AreaSet, today: date, active: sa.ColumnElement[bool], figures: dict[int, AreaFigures]
) -> None:
    """The risk section's counts per area (as ``risk_counts`` counts them for a user)."""

    def item(area_id: int) -> AreaFigures:
        found = figures.get(area_id)
        if found is None:
            found = figures[area_id] = _empty()
        return found

    days = high_risk_visit_days()
    for found in figures.values():
        found.days = days
    area = Elder.residence_area_id
    unscoped = {"caseman_unscoped": True}  # scoped by the areas above
    for area_id, level, n in db.session.execute(
        select(area, ElderRiskLevel.level, sa.func.count())
        .join(Elder, Elder.id == ElderRiskLevel.elder_id)
        .where(active, Elder.filed_on <= today)
        .group_by(area, ElderRiskLevel.level)
        .execution_options(**unscoped)
    ):
        item(area_id).levels[level] = n
    for row in db.session.execute(
        select(area, *_STATUS_COLUMNS, _last_home_visit(today))
        .join(ElderRiskLevel, ElderRiskLevel.elder_id == Elder.id)
        .where(active, Elder.filed_on <= today, ElderRiskLevel.level == RiskLevel.HIGH)
        .execution_options(**unscoped)
    ):
        if weekly_of(row, today, days).is_due:
            found = item(row.residence_area_id)
            found.weekly_due += 1
            state = _status(row, today).state
            weekly = found.weekly_states if found.weekly_states is not None else {}
            weekly[state] = weekly.get(state, 0) + 1
            found.weekly_states = weekly
    for conditions, name in ((alert_conditions(), "alerts"),
                             (missing_contact_conditions(), "missing_contacts")):  # fmt: skip
        for area_id, n in db.session.execute(
            select(area, sa.func.count())
            .where(active, *conditions)
            .group_by(area)
            .execution_options(**unscoped)
        ):
            setattr(item(area_id), name, n)
    month = month_period(today.year, today.month)
    for area_id, kind, n in db.session.execute(
        select(area, Visit.force_kind, sa.func.count())
        .join(Elder, Elder.id == Visit.elder_id)
        .where(
            areas.column_in(area),
            Visit.voided_at.is_(None),
            Visit.visited_on.between(month.start, min(month.end, today)),
        )
        .group_by(area, Visit.force_kind)
        .execution_options(**unscoped)
    ):
        item(area_id).forces[kind.value if kind is not None else ""] = n


_STATUS_COLUMNS = (Elder.filed_on, Elder.archived_on, Elder.is_key, Elder.key_changed_on,
                   Elder.was_key)  # fmt: skip


def _area_ids(user: User) -> list[int]:
    return list(db.session.scalars(select(Area.id).where(under_path(user.area.path))))


def kept_figures(user: User, today: date) -> dict[int, AreaFigures]:
    """The figures of every area of the user's, from the kept rows; stale ones are counted
    again (all in one go) and stored."""
    ids = _area_ids(user)
    found: dict[int, AreaFigures] = {}
    versions: dict[int, int] = {}
    rows = db.session.execute(
        select(AreaSummary.area_id, AreaSummary.version, AreaSummary.computed_on,
               AreaSummary.data)
        .join(Area, Area.id == AreaSummary.area_id)
        .where(under_path(user.area.path))
    )  # fmt: skip
    days = high_risk_visit_days()
    for area_id, version, computed_on, data in rows:
        versions[area_id] = version
        if computed_on == today and data is not None:
            figures = AreaFigures.from_json(data)
            # Counted with another weekly rhythm, or before the weekly states were kept: again.
            if figures.days == days and figures.weekly_states is not None:
                found[area_id] = figures
    stale = set(ids) - found.keys()
    if stale:
        everything = len(stale) == len(ids) and user.area.parent_id is None
        counted = recount(AreaSet(None if everything else frozenset(stale)), today)
        fresh = {area_id: counted.get(area_id) or _empty() for area_id in stale}
        _store(fresh, versions, today)
        found.update(fresh)
    return found


def _empty() -> AreaFigures:
    return AreaFigures(
        AreaPart([{} for _i in range(DASHBOARD_MONTHS)]), days=high_risk_visit_days()
    )


def _store(fresh: dict[int, AreaFigures], versions: dict[int, int], today: date) -> None:
    """Keep freshly counted rows, unless a change bumped their version since they were read
    (it then counts again next time)."""
    table = AreaSummary.__table__
    updates = [
        {"b_area": a, "b_version": versions[a], "computed_on": today, "data": f.to_json()}
        for a, f in fresh.items()
        if a in versions
    ]
    inserts = [
        {"area_id": a, "version": 0, "computed_on": today, "data": f.to_json()}
        for a, f in fresh.items()
        if a not in versions
    ]
    if updates:
        db.session.execute(
            table.update()
            .where(
                table.c.area_id == sa.bindparam("b_area"),
                table.c.version == sa.bindparam("b_version"),
            )
            .values(computed_on=sa.bindparam("computed_on"), data=sa.bindparam("data")),
            updates,
        )
    if inserts:
        db.session.execute(
            upsert_insert(db.session.connection(), AreaSummary.__table__).on_conflict_do_nothing(),
            inserts,
        )
    db.session.commit()


def home_figures(user: User, today: date | None = None) -> HomeFigures:
    """The home page's figures for ``user``: added up from the kept rows for area staff,
    counted directly for a worker (``counted_home_figures``: the same figures)."""
    today = today or clock.today()
    # The risk section of the same page asks again: answered from ``g`` for this request only
    # (the tests' requests share one application context, so ``g`` outlives a request).
    here = request._get_current_object() if has_request_context() else None  # type: ignore[attr-defined]
    memo = g.get("_home_figures") if here is not None else None
    if memo is not None and memo[0] is here and memo[1] == (user.id, today):
        return memo[2]
    if not _uses_summary(user):
        figures = counted_home_figures(user, today)
    else:
        figures = _add_up(user, today, kept_figures(user, today))
    if here is not None:
        g._home_figures = (here, (user.id, today), figures)
    return figures


def counted_home_figures(user: User, today: date) -> HomeFigures:
    """The same figures counted from scratch for the user's scope, as the home page counted
    them before the kept rows (what the kept rows must add up to; a worker's home page)."""
    from caseman.scope import elder_filter

    visits = counted_dashboard(user, today)
    active = sa.and_(elder_filter(user), Elder.archived_on.is_(None))
    review_on = sa.func.coalesce(Elder.last_reviewed_on, Elder.filed_on)
    total, key, review_due = db.session.execute(
        select(
            sa.func.count(Elder.id),
            sa.func.count(Elder.id).filter(Elder.is_key),
            sa.func.count(Elder.id).filter(review_on <= today - REVIEW_INTERVAL),
        ).where(active)
    ).one()
    by_category = dict(
        db.session.execute(
            select(ElderCategory.category, sa.func.count())
            .join(Elder, Elder.id == ElderCategory.elder_id)
            .where(active)
            .group_by(ElderCategory.category)
            .execution_options(caseman_unscoped=True)
        ).all()
    )
    return HomeFigures(visits, total, key, review_due, by_category, risk_counts(user, today))


@dataclass
class DueCounts:
    """The due list's tiles and each village's listed and overdue elders (in the list's order,
    as ``caseman.visits.views._counts_by`` counts its rows), added up from the kept rows."""

    counts: dict[DueState, int]
    weekly_due: int
    villages: dict[Area | None, dict[str, int]]

    @property
    def listed(self) -> int:
        return sum(tally["rows"] for tally in self.villages.values())


def due_counts(
    user: User, today: date, area: Area | None, states: tuple[DueState, ...]
) -> DueCounts | None:
    """What the due list of ``area`` (None: the user's whole area) shows before a village is
    chosen, without listing its elders; None for a worker (their list is counted directly).

    ``states`` as ``list_due`` takes them: with DUE, the high-risk elders whose weekly visit is
    due are listed whatever their state."""
    if not _uses_summary(user):
        return None
    figures = kept_figures(user, today)
    known = _areas_by_id(set(figures), _area_index(user))
    counts = {state: 0 for state in DueState}
    weekly_due = 0
    villages: dict[Area | None, dict[str, int]] = {}
    overdue_listed = DueState.OVERDUE in states
    with_weekly = DueState.DUE in states
    for area_id, item in figures.items():
        place = known[area_id]
        if area is not None and not area.contains(place):
            continue
        found = item.visits.states
        for state, n in found.items():
            counts[state] += n
        weekly_due += item.weekly_due
        rows = sum(n for state, n in found.items() if state in states)
        overdue = found.get(DueState.OVERDUE, 0) if overdue_listed else 0
        if with_weekly:
            weekly = item.weekly_states or {}
            rows += sum(n for state, n in weekly.items() if state not in states)
            if not overdue_listed:
                overdue += weekly.get(DueState.OVERDUE, 0)
        if rows:
            tally = villages.setdefault(place.village, {"overdue": 0, "rows": 0})
            tally["overdue"] += overdue
            tally["rows"] += rows
    ordered = dict(sorted(villages.items(), key=lambda kv: kv[0].path if kv[0] else ""))
    return DueCounts(counts, weekly_due, ordered)


def _add_up(user: User, today: date, figures: dict[int, AreaFigures]) -> HomeFigures:
    visits = dashboard_from_parts(user, today, {a: f.visits for a, f in figures.items()})
    by_category: dict[Category, int] = defaultdict(int)
    levels = {level: 0 for level in RiskLevel}
    forces: dict[str, int] = defaultdict(int)
    total = key = review_due = weekly_due = alerts = missing = 0
    for item in figures.values():
        total += item.elders
        key += item.key
        review_due += item.review_due
        for category, n in item.categories.items():
            by_category[category] += n
        for level, n in item.levels.items():
            levels[level] += n
        weekly_due += item.weekly_due
        alerts += item.alerts
        missing += item.missing_contacts
        for kind, n in item.forces.items():
            forces[kind] += n
    risk = RiskCounts(levels, total, weekly_due, alerts, missing, dict(forces))
    return HomeFigures(visits, total, key, review_due, dict(by_category), risk)


def rebuild(today: date | None = None) -> int:
    """Count every area's row again for ``today`` (``flask dashboard-summary``)."""
    today = today or clock.today()
    counted = recount(AreaSet(None), today)
    ids = list(db.session.scalars(select(Area.id)))
    versions = dict(db.session.execute(select(AreaSummary.area_id, AreaSummary.version)).all())
    _store({a: counted.get(a) or _empty() for a in ids}, versions, today)
    return len(ids)


def differences(today: date | None = None) -> list[int]:
    """Areas whose kept row (fresh for ``today``) differs from a recount."""
    today = today or clock.today()
    counted = recount(AreaSet(None), today)
    wrong = []
    for area_id, computed_on, data in db.session.execute(
        select(AreaSummary.area_id, AreaSummary.computed_on, AreaSummary.data)
    ):
        if computed_on != today or data is None:
            continue
        if AreaFigures.from_json(data) != (counted.get(area_id) or _empty()):
            wrong.append(area_id)
    return wrong


# --- keeping the rows current ----------------------------------------------------------------

# The columns whose change changes a figure (the rest of a case file does not).
_ELDER_FACTS = ("residence_area_id", "is_key", "key_changed_on", "was_key", "filed_on",
                "archived_on", "last_reviewed_on")  # fmt: skip
_VISIT_FACTS = ("elder_id", "method", "voided_at", "visited_on", "force_kind")
# Rows whose every change counts (categories, risk levels, children, visit contacts, moves).
_ELDER_ROWS = (ElderCategory, ElderRiskLevel, FamilyMember, VisitContact)


@event.listens_for(Session, "after_flush")
def _mark_changed(session: Session, _context: Any) -> None:
    """Mark stale, in the flushing transaction, the areas whose figures this flush changed."""
    elder_ids: set[int] = set()
    area_ids: set[int] = set()
    for obj, is_new in [*((o, True) for o in session.new), *((o, False) for o in session.dirty),
                        *((o, True) for o in session.deleted)]:  # fmt: skip
        if isinstance(obj, Elder):
            if is_new or changed_in_flush(obj, _ELDER_FACTS):
                elder_ids.add(obj.id)
                area_ids.update(values_in_flush(obj, "residence_area_id"))
        elif isinstance(obj, Visit):
            if is_new or changed_in_flush(obj, _VISIT_FACTS):
                elder_ids.update(values_in_flush(obj, "elder_id"))
        elif isinstance(obj, _ELDER_ROWS):
            elder_ids.update(values_in_flush(obj, "elder_id"))
        elif isinstance(obj, ElderMove):
            elder_ids.update(values_in_flush(obj, "elder_id"))
            area_ids.update(values_in_flush(obj, "from_area_id"))
            area_ids.update(values_in_flush(obj, "to_area_id"))
    if not elder_ids and not area_ids:
        return
    connection = session.connection()
    mark_stale(connection, area_ids | _areas_of(connection, elder_ids))


def _areas_of(connection: sa.Connection, elder_ids: set[int]) -> set[int]:
    """Every area these elders live or lived in (their past months count where they lived)."""
    if not elder_ids:
        return set()
    elders, moves = Elder.__table__, ElderMove.__table__
    found: set[int] = set()
    ids = sorted(elder_ids)
    for at in range(0, len(ids), 900):
        batch = ids[at : at + 900]
        found.update(
            connection.scalars(select(elders.c.residence_area_id).where(elders.c.id.in_(batch)))
        )
        for from_id, to_id in connection.execute(
            select(moves.c.from_area_id, moves.c.to_area_id).where(moves.c.elder_id.in_(batch))
        ):
            found.update((from_id, to_id))
    return found


def mark_stale(connection: sa.Connection, area_ids: set[int] | None) -> None:
    """Make these areas' rows (every row: None) count again before they are shown."""
    table = AreaSummary.__table__
    if area_ids is None:
        connection.execute(table.update().values(version=table.c.version + 1, data=None,
                                                 computed_on=None))  # fmt: skip
        return
    if not area_ids:
        return
    statement = upsert_insert(connection, table).on_conflict_do_update(
        index_elements=[table.c.area_id],
        set_={"version": table.c.version + 1, "data": None, "computed_on": None},
    )
    # In id order: two transactions marking the same areas never wait on each other in a cycle.
    connection.execute(
        statement,
        [{"area_id": a, "version": 1, "computed_on": None, "data": None} for a in sorted(area_ids)],
    )


@event.listens_for(Session, "do_orm_execute")
def _bulk_change(state: Any) -> None:
    """An UPDATE or DELETE statement over elders, visits, categories or moves (no service
    writes one today) marks every row stale: it may have changed any area."""
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is not None and mapper.class_ in (Elder, Visit, ElderMove, *_ELDER_ROWS):
        mark_stale(state.session.connection(), None)


@click.command("dashboard-summary")
@click.option("--check", is_flag=True, help="Compare the kept rows with a recount instead.")
def dashboard_summary_command(check: bool) -> None:
    """Count the home page's per-area figures again for today (run it just after midnight,
    Beijing time, so the first page of the day need not; or after a bulk load)."""
    from caseman.scope import system_access

    with system_access("dashboard-summary", record=False):
        if check:
            wrong = differences()
            click.echo(f"{len(wrong)} area(s) differ from a recount: {wrong[:20]}")
            if wrong:
                raise SystemExit(1)
            return
        n = rebuild()
        click.echo(f"Dashboard figures counted again for {n} areas.")


# The home page lists the 20 active elders longest without a review (coalesce(last review,
# filing), then name). Read as two runs in these indexes' order, a district reads 40 rows
# instead of sorting 100,000: those reviewed, by review date; those never reviewed, by filing.
# For the second, SQLite reads (last_reviewed_on, filed_on, name) in order, but PostgreSQL does
# not take "last_reviewed_on IS NULL" as fixing the first column, so that index gave it no order
# and it sorted every active elder (2.7 s of the district's home page at 1,000,000 elders). It
# reads the partial index instead (0.1 ms). SQLite without statistics (no ANALYZE) prefers the
# first, with them the second: both stay.
NEVER_REVIEWED = "last_reviewed_on IS NULL AND archived_on IS NULL"
sa.Index("ix_elders_reviewed_name", Elder.last_reviewed_on, Elder.name)
sa.Index("ix_elders_reviewed_filed_name", Elder.last_reviewed_on, Elder.filed_on, Elder.name)
sa.Index(
    "ix_elders_never_reviewed",
    Elder.filed_on,
    Elder.name,
    sqlite_where=sa.text(NEVER_REVIEWED),
    postgresql_where=sa.text(NEVER_REVIEWED),
)


def longest_without_review(user: User, today: date, limit: int = 20) -> list[Elder]:
    """The active elders in scope whose review (every half year) is due, longest first: the
    same as ordering all by coalesce(last_reviewed_on, filed_on), name."""
    from caseman.scope import elder_filter

    cutoff = today - REVIEW_INTERVAL
    active = sa.and_(elder_filter(user), Elder.archived_on.is_(None))
    reviewed = db.session.scalars(
        select(Elder)
        .where(active, Elder.last_reviewed_on.is_not(None), Elder.last_reviewed_on <= cutoff)
        .order_by(Elder.last_reviewed_on, Elder.name)
        .limit(limit)
    ).all()
    never = db.session.scalars(
        select(Elder)
        .where(active, Elder.last_reviewed_on.is_(None), Elder.filed_on <= cutoff)
        .order_by(Elder.filed_on, Elder.name)
        .limit(limit)
    ).all()
    both = sorted([*reviewed, *never], key=lambda e: (e.last_reviewed_on or e.filed_on, e.name))
    return both[:limit]
