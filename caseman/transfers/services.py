"""Starting, accepting, refusing and cancelling transfers (转移). Services flush; the view commits.

Accepting goes through the elder's residence area, so the ``before_flush`` hook of
caseman.elders.models writes the ElderMove: past months keep counting the elder in the village
that did the work (issue 17 item 5). The case keeps its whole history (a registration version of
kind ``transferred`` records the move); the old visitors' assignments end, the receiving staff
choose the new visitor (or none), and every open referral and risk is handed to the person they
name, with a line in its status history. Every change of state is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from caseman import audit
from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import Role, User
from caseman.db import utcnow
from caseman.elders.models import Elder, ElderAssignment
from caseman.elders.services import _add_version
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.referrals.models import Referral, Risk, StatusChange
from caseman.rules.enums import N_
from caseman.rules.masking import mask_id_number
from caseman.rules.transfers import (
    TransferStatus,
    is_valid_target,
    may_answer,
    may_cancel,
    may_change,
    may_start,
)
from caseman.scope import system_access
from caseman.transfers.models import Transfer
from caseman.visitors.services import assign_visitor


def village_of(area: Area) -> Area:
    """The village an area belongs to (the area itself above village level)."""
    return area.village or area


def summary_of(elder: Elder) -> dict[str, Any]:
    """What the receiving side sees before it accepts: never the full ID number or the phone."""
    return {
        "name": elder.name,
        "id_number": mask_id_number(elder.id_number),
        "gender": elder.gender.value,
        "birth_year": elder.birth_on.year,
        "is_key": elder.is_key,
        "categories": [c.value for c in elder.categories],
        "from": elder.residence_area.full_name,
    }


def pending_for(elder_id: int) -> Transfer | None:
    return db.session.scalar(
        select(Transfer).where(
            Transfer.elder_id == elder_id, Transfer.status == TransferStatus.PENDING
        )
    )


def start_transfer(
    actor: User, elder: Elder, to_area: Area | None, to_address: str, reason: str
) -> Transfer:
    """Ask the village ``to_area`` to take on the case (flush only); the case stays put."""
    here = elder.residence_area
    if not may_start(actor.role.value, actor.area.path, here.path):
        raise DomainError(None, N_("Only staff of the elder's village or town can transfer it."))
    if elder.is_archived:
        raise DomainError(None, N_("An archived case cannot be transferred."))
    if pending_for(elder.id) is not None:
        raise DomainError(None, N_("A transfer of this case is already waiting for an answer."))
    if to_area is None or to_area.level != AreaLevel.VILLAGE or to_area.is_closed:
        raise DomainError("to_area", N_("Choose an open village or community."))
    if not is_valid_target(village_of(here).path, to_area.path):
        raise DomainError("to_area", N_("The elder already lives in this village."))
    reason = reason.strip()
    if not reason:
        raise DomainError("reason", N_("Say why the case moves."))
    transfer = Transfer(
        elder_id=elder.id,
        from_area_id=here.id,
        to_area_id=to_area.id,
        to_address=to_address.strip()[:200],
        reason=reason[:300],
        status=TransferStatus.PENDING,
        summary=summary_of(elder),
        requested_by_id=actor.id,
    )
    db.session.add(transfer)
    db.session.flush()
    audit.record("transfer_request", object_type="transfer", object_id=transfer.id,
                 elder_id=elder.id, detail=f"from={here.id} to={to_area.id}",
                 user=actor)  # fmt: skip
    return transfer


def _check_pending(transfer: Transfer, after: TransferStatus) -> None:
    if not may_change(transfer.status, after):
        raise DomainError(None, N_("This transfer has already been answered."))


def _close(transfer: Transfer, actor: User, status: TransferStatus, note: str) -> None:
    transfer.status = status
    transfer.answered_at = utcnow()
    transfer.answered_by_id = actor.id
    transfer.answer_note = note[:300]


def refuse_transfer(actor: User, transfer: Transfer, reason: str) -> None:
    """The receiving side says no, with a reason (flush only); the case stays where it was."""
    if not may_answer(actor.role.value, actor.area.path, transfer.to_area.path):
        raise DomainError(None, N_("Only staff of the receiving village or town can answer."))
    _check_pending(transfer, TransferStatus.REFUSED)
    reason = reason.strip()
    if not reason:
        raise DomainError("reason", N_("Say why the case is not taken on."))
    _close(transfer, actor, TransferStatus.REFUSED, reason)
    db.session.flush()
    audit.record("transfer_refuse", object_type="transfer", object_id=transfer.id,
                 elder_id=transfer.elder_id, user=actor)  # fmt: skip


def cancel_transfer(actor: User, transfer: Transfer, reason: str) -> None:
    """The sending side takes the request back while it waits (flush only)."""
    if not may_cancel(actor.role.value, actor.area.path, transfer.from_area.path):
        raise DomainError(None, N_("Only staff of the sending village or town can cancel."))
    _check_pending(transfer, TransferStatus.CANCELLED)
    reason = reason.strip()
    if not reason:
        raise DomainError("reason", N_("Say why the request is taken back."))
    _close(transfer, actor, TransferStatus.CANCELLED, reason)
    db.session.flush()
    audit.record("transfer_cancel", object_type="transfer", object_id=transfer.id,
                 elder_id=transfer.elder_id, user=actor)  # fmt: skip


@dataclass
class OpenItems:
    """What is handed over with the case: its active visitors, open referrals and risks."""

    assignments: list[ElderAssignment]
    referrals: list[Referral]
    risks: list[Risk]


def open_items(elder_id: int) -> OpenItems:
    """The elder's active assignments and open referrals and risks (read as the system: the
    receiving side may not see the case before it accepts; only counts and needs are shown)."""
    with system_access("list what a transfer hands over"):
        assignments = list(
            db.session.scalars(
                select(ElderAssignment).where(
                    ElderAssignment.elder_id == elder_id, ElderAssignment.ended_on.is_(None)
                )
            )
        )
        referrals = [
            r
            for r in db.session.scalars(
                select(Referral).where(Referral.elder_id == elder_id).order_by(Referral.id)
            )
            if not r.status.is_closed
        ]
        risks = [
            r
            for r in db.session.scalars(
                select(Risk).where(Risk.elder_id == elder_id).order_by(Risk.id)
            )
            if not r.status.is_closed
        ]
    return OpenItems(assignments, referrals, risks)


def handover_owners(actor: User, to_area: Area) -> list[User]:
    """Who may own the handed-over referrals: the accepting staff, and the active staff and
    workers of the receiving village and its town."""
    town = to_area.town or to_area
    candidates = db.session.scalars(
        select(User)
        .join(Area, Area.id == User.area_id)
        .where(
            User.is_active_user.is_(True),
            User.role != Role.DISTRICT,
            Area.path.startswith(town.path, autoescape=True),
        )
        .order_by(Area.path, User.full_name, User.username)
    )
    return [actor, *(u for u in candidates if u.id != actor.id and _serves(u, to_area))]


def accept_transfer(
    actor: User,
    transfer: Transfer,
    visitor: User | None,
    owner: User | None,
    today: date,
) -> Elder:
    """The receiving side takes the case on today (flush only).

    The elder's residence moves to the receiving village (an ElderMove from today, so past months
    stay with the old village), with a registration version of kind ``transferred``; the old
    visitors' assignments end; ``visitor`` (a worker of the new village or town, or None: left
    unassigned) starts today; every open referral and risk passes to ``owner`` (default: the
    accepting staff) with a line in its status history.
    """
    if not may_answer(actor.role.value, actor.area.path, transfer.to_area.path):
        raise DomainError(None, N_("Only staff of the receiving village or town can answer."))
    _check_pending(transfer, TransferStatus.ACCEPTED)
    owner = owner or actor
    to_area = transfer.to_area
    with system_access("accept a transfer"):
        elder = db.session.get(Elder, transfer.elder_id)
        assert elder is not None
        if elder.is_archived:
            raise DomainError(None, N_("The case was archived after the request: it cannot move."))
        if elder.residence_area_id != transfer.from_area_id:
            raise DomainError(
                None, N_("The case moved after the request: the sender must ask again.")
            )
        if visitor is not None and (
            visitor.role != Role.WORKER or not visitor.is_active or not _serves(visitor, to_area)
        ):
            raise DomainError("visitor", N_("Choose a worker of the receiving village or town."))
        if owner is not actor and (not owner.is_active or not _serves(owner, to_area)):
            raise DomainError("owner", N_("Choose someone of the receiving village or town."))
        items = open_items(elder.id)
        from_name = transfer.from_area.full_name
        # The move: the before_flush hook records the ElderMove dated ``today``.
        # The hook reads the column's history: set the id itself, not only the relationship.
        elder.moving_on = today  # type: ignore[attr-defined]
        elder.residence_area_id = to_area.id
        elder.residence_area = to_area
        if transfer.to_address:
            elder.residence_address = transfer.to_address
        _add_version(elder, actor, "transferred", f"{from_name} → {to_area.full_name}")
        ended = []
        for assignment in items.assignments:
            assignment.ended_on = max(today, assignment.started_on)
            assignment.ended_by_id = actor.id
            assignment.end_reason = f"个案转移至{to_area.full_name}"[:200]
            ended.append(assignment.user_id)
            audit.record("end_visitor", object_type="elder_assignment", object_id=assignment.id,
                         elder_id=elder.id, detail=f"visitor={assignment.user_id}",
                         user=actor)  # fmt: skip
        db.session.flush()
        if visitor is not None:
            assign_visitor(actor, [elder], visitor, today, today)
        note = f"个案转移至{to_area.full_name}，由{owner.display_name}接手"
        for record in (*items.referrals, *items.risks):
            record.owner_id = owner.id
            status = record.status.value
            db.session.add(StatusChange(
                record_type="referral" if isinstance(record, Referral) else "risk",
                record_id=record.id, elder_id=elder.id, from_status=status, to_status=status,
                note=note, changed_on=today, changed_by_id=actor.id))  # fmt: skip
            audit.record("update", object_type="referral" if isinstance(record, Referral)
                         else "risk", object_id=record.id, elder_id=elder.id,
                         detail="owner_id", user=actor)  # fmt: skip
        _close(transfer, actor, TransferStatus.ACCEPTED, "")
        transfer.moved_on = today
        transfer.handover = {
            "visitors_ended": ended,
            "visitor": visitor.id if visitor else None,
            "visitor_name": visitor.display_name if visitor else "",
            "owner": owner.id,
            "owner_name": owner.display_name,
            "referrals": [r.id for r in items.referrals],
            "risks": [r.id for r in items.risks],
        }
        db.session.flush()
    audit.record("transfer_accept", object_type="transfer", object_id=transfer.id,
                 elder_id=elder.id, detail=f"from={transfer.from_area_id} to={to_area.id}",
                 user=actor)  # fmt: skip
    return elder


def _serves(user: User, village: Area) -> bool:
    """Someone of the village (or its groups) or of its town (caseman.rules.visitors)."""
    town = village.town
    return village.contains(user.area) or (town is not None and user.area_id == town.id)
