"""Assigning visitors (探访联系人) to elders and ending assignments: history kept, all audited.

Staff (district, town, village) assign elders in their scope to workers in their scope who belong
to the elder's town or village (caseman.rules.visitors). A worker cannot assign. Nothing is
deleted: ending an assignment records the date, who ended it and why, and assigning the same
worker again later adds a new row.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from caseman import audit
from caseman.auth.models import Role, User
from caseman.db import chunks
from caseman.elders.models import Elder, ElderAssignment
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.rules.enums import N_
from caseman.rules.visitors import may_visit

ASSIGNERS = (Role.DISTRICT.value, Role.TOWN.value, Role.VILLAGE.value)


def may_assign(actor: User) -> bool:
    """Whether ``actor`` may assign visitors at all (staff, not workers)."""
    return actor.is_active and actor.role.value in ASSIGNERS


def serves(worker: User, elder: Elder) -> bool:
    """Whether ``worker`` belongs to the elder's town or village (see caseman.rules.visitors)."""
    area = elder.residence_area
    town, village = area.town, area.village
    return may_visit(worker.area.path, town.path if town else None,
                     village.path if village else None)  # fmt: skip


def _check_actor(actor: User) -> None:
    if not may_assign(actor):
        raise DomainError(None, N_("Only village, town and district staff can assign visitors."))


def _check_worker(actor: User, worker: User) -> None:
    if worker.role != Role.WORKER or not worker.is_active:
        raise DomainError("visitor", N_("Choose an active worker as the visitor."))
    if not actor.area.contains(worker.area):
        raise DomainError("visitor", N_("This worker is outside your area."))


def assign_visitor(
    actor: User, elders: list[Elder], worker: User, started_on: date, today: date
) -> list[ElderAssignment]:
    """Make ``worker`` a visitor of each of ``elders`` from ``started_on`` (flush only).

    Elders the worker already visits are left as they are; the new assignments are returned.
    Refused as a whole (DomainError) when any elder is archived, outside the actor's area, or
    lives outside the worker's town and village.
    """
    _check_actor(actor)
    _check_worker(actor, worker)
    if not elders:
        raise DomainError(None, N_("Choose at least one elder."))
    if started_on > today:
        raise DomainError("started_on", N_("The start cannot be later than today."))
    if any(not actor.area.contains(elder.residence_area) for elder in elders):
        raise DomainError(None, N_("An elder you chose is outside your area."))
    archived = [elder for elder in elders if elder.is_archived]
    if archived:
        raise DomainError(
            None,
            N_(
                "%(count)d of the chosen elders are archived (for example %(name)s): leave them "
                "out."
            ),  # fmt: skip
            count=len(archived),
            name=archived[0].name,
        )
    elsewhere = [elder for elder in elders if not serves(worker, elder)]
    if elsewhere:
        raise DomainError(
            "visitor",
            N_(
                "%(count)d of the chosen elders (for example %(name)s) live outside this worker's "
                "village or town: choose a worker of their village or town."
            ),  # fmt: skip
            count=len(elsewhere),
            name=elsewhere[0].name,
        )
    already: set[int] = set()
    for chunk in chunks([elder.id for elder in elders], 500):
        already.update(
            db.session.scalars(
                select(ElderAssignment.elder_id).where(
                    ElderAssignment.user_id == worker.id,
                    ElderAssignment.ended_on.is_(None),
                    ElderAssignment.elder_id.in_(chunk),
                )
            )
        )
    created = [
        ElderAssignment(
            elder_id=elder.id, user_id=worker.id, started_on=started_on, started_by_id=actor.id
        )  # fmt: skip
        for elder in elders
        if elder.id not in already
    ]
    db.session.add_all(created)
    db.session.flush()
    for assignment in created:
        audit.record("assign_visitor", object_type="elder_assignment", object_id=assignment.id,
                     elder_id=assignment.elder_id, detail=f"visitor={worker.id}",
                     user=actor)  # fmt: skip
    return created


def end_assignment(
    actor: User, assignment: ElderAssignment, ended_on: date, reason: str, today: date
) -> None:
    """End an active assignment on ``ended_on`` for ``reason`` (flush only); the row stays."""
    _check_actor(actor)
    if not assignment.is_active:
        raise DomainError(None, N_("This assignment has already ended."))
    # The elder's area decides, not the worker's: staff may end any visit to an elder of theirs.
    if not actor.area.contains(assignment.elder.residence_area):
        raise DomainError(None, N_("An elder you chose is outside your area."))
    if ended_on > today:
        raise DomainError("ended_on", N_("The end cannot be later than today."))
    if ended_on < assignment.started_on:
        raise DomainError("ended_on", N_("The end cannot be before the start."))
    reason = reason.strip()
    if not reason:
        raise DomainError("reason", N_("Say why the assignment ends."))
    assignment.ended_on = ended_on
    assignment.ended_by_id = actor.id
    assignment.end_reason = reason[:200]
    db.session.flush()
    audit.record("end_visitor", object_type="elder_assignment", object_id=assignment.id,
                 elder_id=assignment.elder_id, detail=f"visitor={assignment.user_id}",
                 user=actor)  # fmt: skip
