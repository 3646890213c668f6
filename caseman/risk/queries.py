"""Read functions for risk levels and service forces on the dashboard and the due list, always
within the acting user's scope."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from caseman.auth.models import Role, User
from caseman.db import chunks
from caseman.elders.models import Elder, ElderCategory, FamilyMember
from caseman.extensions import db
from caseman.forces.models import VisitContact
from caseman.forces.queries import visits_by_force
from caseman.risk.models import ElderRiskLevel
from caseman.rules.enums import Category, Relation
from caseman.rules.risk_level import (
    DEFAULT_HIGH_RISK_VISIT_DAYS,
    RiskLevel,
    WeeklyDue,
    weekly_due,
)
from caseman.rules.visit_periods import month_period
from caseman.scope import elder_filter

ALERT_LIMIT = 20


def high_risk_visit_days() -> int:
    """CASEMAN_HIGH_RISK_VISIT_DAYS: a high-risk elder's home visit rhythm in days (default 7)."""
    return int(current_app.config.get("CASEMAN_HIGH_RISK_VISIT_DAYS", DEFAULT_HIGH_RISK_VISIT_DAYS))


# Up to this many elders (a town), a list asks for its own elders' high risk by id, 500 at a
# time on the (level, elder_id) index; beyond it, every high-risk id is read (index only).
# Reading all of them took 230 ms a request at 1,000,000 elders (81,000 high-risk ids) for a
# village's due list of 1,100 elders.
HIGH_RISK_AMONG = 10_000


def high_risk_ids(among: Collection[int] | None = None) -> set[int]:
    """Ids of the elders whose risk level in force is high: of ``among`` (asked by id when they
    are at most HIGH_RISK_AMONG) or of every elder (``among`` None or longer: an index-only read
    of (level, elder_id), cheaper than a join on the scope). The caller keeps those in scope."""
    query = (
        select(ElderRiskLevel.elder_id)
        .where(ElderRiskLevel.level == RiskLevel.HIGH)
        .execution_options(caseman_unscoped=True)
    )
    if among is None or len(among) > HIGH_RISK_AMONG:
        return set(db.session.scalars(query))
    found: set[int] = set()
    for part in chunks(sorted(among), 500):
        found.update(db.session.scalars(query.where(ElderRiskLevel.elder_id.in_(part))))
    return found


def weekly_of(row: Any, today: date, days: int) -> WeeklyDue:
    """The weekly rhythm of a schedule row (``filed_on``, ``last_on``: last home visit)."""
    return weekly_due(today, row.filed_on, row.last_on, days)


def _active(user: User) -> sa.ColumnElement[bool]:
    if user.is_active and user.role != Role.WORKER and user.area.parent_id is None:
        # The whole district: no residence filter (an IN over every area would steer the
        # alert list off the name index into sorting every elder).
        return Elder.archived_on.is_(None)
    return sa.and_(elder_filter(user), Elder.archived_on.is_(None))


def _has_category(category: Category) -> sa.Exists:
    return (
        select(ElderCategory.id)
        .where(ElderCategory.elder_id == Elder.id, ElderCategory.category == category)
        .correlate(Elder)
        .exists()
    )


def disabled_living_alone(user: User) -> sa.Select[tuple[Elder]]:
    """003 二(一) "避免让生活不能自理的老年人单独居住生活": active elders in scope who are both 失能
    and 独居 (the town dashboard's alert)."""
    return select(Elder).where(_active(user), *alert_conditions())


def alert_conditions() -> tuple[sa.ColumnElement[bool], ...]:
    """失能 and 独居 (``disabled_living_alone`` without the scope)."""
    return (_has_category(Category.DISABLED_CARE), _has_category(Category.LIVING_ALONE))


def missing_contacts(user: User) -> sa.Select[tuple[Elder]]:
    """Active elders in scope who live alone, have no living child and no named visit contact
    (004 一(二)10)."""
    return select(Elder).where(_active(user), *missing_contact_conditions())


def missing_contact_conditions() -> tuple[sa.ColumnElement[bool], ...]:
    """独居, no living son or daughter, no visit contact (``missing_contacts`` without the
    scope)."""
    child = aliased(FamilyMember)
    has_child = (
        select(child.id)
        .where(
            child.elder_id == Elder.id,
            child.relation.in_((Relation.SON, Relation.DAUGHTER)),
            child.is_deceased.is_(False),
        )
        .correlate(Elder)
        .exists()
    )
    has_contact = (
        select(VisitContact.id)
        .where(VisitContact.elder_id == Elder.id, VisitContact.force_id.is_not(None))
        .correlate(Elder)
        .exists()
    )
    return (_has_category(Category.LIVING_ALONE), ~has_child, ~has_contact)


@dataclass
class RiskDashboard:
    by_level: dict[RiskLevel, int]
    unassessed: int
    weekly_due: int
    days: int
    alerts: list[Elder]
    alerts_total: int
    missing_contacts: int
    visits_by_force: dict[str, int] = field(default_factory=dict)
    month: Any = None


@dataclass
class RiskCounts:
    """The counts of the risk section (what ``risk_dashboard`` adds to the list of alerts);
    caseman.area_figures keeps them per area."""

    by_level: dict[RiskLevel, int]
    total: int  # active elders in scope
    weekly_due: int
    alerts_total: int
    missing_contacts: int
    visits_by_force: dict[str, int]


def risk_counts(user: User, today: date) -> RiskCounts:
    """The risk section's counts for the user's scope, counted now."""
    from caseman.visits.queries import _last_home_visit  # the due list's correlated MAX

    active = _active(user)
    rows = db.session.execute(
        select(ElderRiskLevel.level, sa.func.count())
        .join(Elder, Elder.id == ElderRiskLevel.elder_id)
        .where(active, Elder.filed_on <= today)
        .group_by(ElderRiskLevel.level)
        .execution_options(caseman_unscoped=True)  # scoped by the join
    ).all()
    by_level = {level: 0 for level in RiskLevel}
    for level, count in rows:
        by_level[level] = count
    total = db.session.scalar(select(sa.func.count(Elder.id)).where(active)) or 0
    days = high_risk_visit_days()
    high = db.session.execute(
        select(Elder.id, Elder.filed_on, _last_home_visit(today))
        .join(ElderRiskLevel, ElderRiskLevel.elder_id == Elder.id)
        .where(active, Elder.filed_on <= today, ElderRiskLevel.level == RiskLevel.HIGH)
    ).all()
    weekly = sum(1 for row in high if weekly_of(row, today, days).is_due)
    alerts_total = (
        db.session.scalar(
            select(sa.func.count()).select_from(disabled_living_alone(user).subquery())
        )
        or 0
    )
    missing = (
        db.session.scalar(select(sa.func.count()).select_from(missing_contacts(user).subquery()))
        or 0
    )
    month = month_period(today.year, today.month)
    forces = visits_by_force(user, month.start, min(month.end, today))
    return RiskCounts(by_level, total, weekly, alerts_total, missing, forces)


def risk_dashboard(user: User, today: date, counts: RiskCounts | None = None) -> RiskDashboard:
    """Counts by risk level, the high-risk elders whose weekly visit is due, the 失能独居 alert
    (003), childless elders living alone without a visit contact, and this month's visits by
    kind of service force (004 一(五)). ``counts``: already counted (the kept per-area figures
    of the home page), else counted now."""
    if counts is None:
        counts = risk_counts(user, today)
    alerts: list[Elder] = []
    if counts.alerts_total:
        alerts = list(
            db.session.scalars(
                disabled_living_alone(user)
                .options(selectinload(Elder.residence_area))
                .order_by(Elder.name, Elder.id)
                .limit(ALERT_LIMIT)
            )
        )
    return RiskDashboard(
        by_level={level: counts.by_level.get(level, 0) for level in RiskLevel},
        unassessed=max(0, counts.total - sum(counts.by_level.values())),
        weekly_due=counts.weekly_due,
        days=high_risk_visit_days(),
        alerts=alerts,
        alerts_total=counts.alerts_total,
        missing_contacts=counts.missing_contacts,
        visits_by_force=counts.visits_by_force,
        month=month_period(today.year, today.month),
    )
