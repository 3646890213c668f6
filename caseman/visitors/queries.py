"""Read functions for visitors (探访联系人): who may be picked, who visits whom, each one's load."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseman.areas.models import Area
from caseman.auth.models import Role, User
from caseman.db import chunks
from caseman.elders.models import Elder, ElderAssignment
from caseman.extensions import db
from caseman.rules.visit_periods import DueState
from caseman.scope import elder_filter
from caseman.visitors.services import serves


def list_workers(actor: User, elder: Elder | None = None) -> list[User]:
    """Active workers in the actor's area (the visitor picker), by area then name.

    With ``elder``: only those who may visit that elder (a worker of the elder's town, or of the
    elder's village and its groups; caseman.rules.visitors).
    """
    query = (
        select(User)
        .join(Area, Area.id == User.area_id)
        .where(
            User.role == Role.WORKER,
            User.is_active_user.is_(True),
            Area.path.startswith(actor.area.path, autoescape=True),
        )
        .options(selectinload(User.area).selectinload(Area.parent))
        .order_by(Area.path, User.full_name, User.username)
    )
    if elder is None:
        return list(db.session.scalars(query))
    # Only the elder's town can hold their visitors: read its workers, then let the rule decide.
    town = elder.residence_area.town
    if town is not None:
        query = query.where(Area.path.startswith(town.path, autoescape=True))
    return [worker for worker in db.session.scalars(query) if serves(worker, elder)]


def get_worker_in_scope(actor: User, worker_id: int | None) -> User | None:
    """An active worker in the actor's area, or None."""
    if not worker_id:
        return None
    return db.session.scalar(
        select(User)
        .join(Area, Area.id == User.area_id)
        .where(
            User.id == worker_id,
            User.role == Role.WORKER,
            Area.path.startswith(actor.area.path, autoescape=True),
        )
    )


def get_assignment_or_none(elder: Elder, assignment_id: int) -> ElderAssignment | None:
    """One assignment of ``elder`` (already loaded in scope)."""
    return db.session.scalar(
        select(ElderAssignment).where(
            ElderAssignment.id == assignment_id, ElderAssignment.elder_id == elder.id
        )
    )


def active_visitors(user: User, elder_ids: list[int]) -> dict[int, list[User]]:
    """The current visitors of each of ``elder_ids`` that is in the user's scope."""
    found: dict[int, list[User]] = defaultdict(list)
    for chunk in chunks(elder_ids, 500):
        rows = db.session.execute(
            select(ElderAssignment.elder_id, User)
            .join(User, User.id == ElderAssignment.user_id)
            .join(Elder, Elder.id == ElderAssignment.elder_id)
            .where(
                ElderAssignment.ended_on.is_(None),
                ElderAssignment.elder_id.in_(chunk),
                elder_filter(user),
            )
            .order_by(ElderAssignment.id)
        ).all()
        for elder_id, visitor in rows:
            found[elder_id].append(visitor)
    return found


@dataclass
class Load:
    """One visitor's caseload: elders, key elders (重点对象) and elders overdue a home visit."""

    worker: User
    elders: int = 0
    key: int = 0
    overdue: int = 0


@dataclass
class Loads:
    rows: list[Load]
    unassigned: int  # active elders in scope with no visitor


def visitor_loads(user: User, today: date) -> Loads:
    """The load of every worker in the user's area (and of any other visitor of an elder in
    scope), counting the active elders in the user's scope only."""
    from caseman.visits.queries import assigned_statuses, with_visitor

    loads = {worker.id: Load(worker) for worker in list_workers(user)}
    for visitor_id, row, status in assigned_statuses(user, today):
        load = loads.get(visitor_id)
        if load is None:
            worker = db.session.get(User, visitor_id)
            if worker is None:
                continue
            load = loads[visitor_id] = Load(worker)
        load.elders += 1
        load.key += 1 if row.is_key else 0
        load.overdue += 1 if status.state == DueState.OVERDUE else 0
    unassigned = (
        db.session.scalar(
            select(sa.func.count(Elder.id)).where(
                elder_filter(user),
                Elder.archived_on.is_(None),
                Elder.id.not_in(with_visitor()),
            )
        )
        or 0
    )
    return Loads(list(loads.values()), unassigned)
