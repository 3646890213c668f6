"""Reading transfers: one the user may see, the inbox of a user's area, a case's transfers."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import Role, User
from caseman.extensions import db
from caseman.rules.transfers import STAFF, TransferStatus
from caseman.transfers.models import Transfer

RECENT = 50


def _within(user: User, area: type[Area]) -> sa.ColumnElement[bool]:
    return area.path.startswith(user.area.path, autoescape=True)


def _visible(user: User) -> sa.Select[tuple[Transfer]]:
    """Transfers whose sending or receiving area lies in the user's area (staff only)."""
    source, target = aliased(Area), aliased(Area)
    return (
        select(Transfer)
        .join(source, source.id == Transfer.from_area_id)
        .join(target, target.id == Transfer.to_area_id)
        .where(sa.or_(_within(user, source), _within(user, target)))  # type: ignore[arg-type]
        .options(selectinload(Transfer.from_area), selectinload(Transfer.to_area))
    )


def get_transfer_or_404(user: User, transfer_id: int) -> Transfer:
    """A transfer to or from the user's area, or 404 (another town's does not exist for them)."""
    if not user.is_active or user.role.value not in STAFF:
        abort(404)
    transfer = db.session.scalar(_visible(user).where(Transfer.id == transfer_id))
    if transfer is None:
        abort(404)
    return transfer


@dataclass
class Inbox:
    incoming: list[Transfer]  # waiting for this area's answer
    outgoing: list[Transfer]  # sent by this area, waiting
    recent: list[Transfer]  # answered, newest first


def inbox(user: User) -> Inbox:
    found = Inbox([], [], [])
    if user.role.value not in STAFF:
        return found
    pending = db.session.scalars(
        _visible(user).where(Transfer.status == TransferStatus.PENDING).order_by(Transfer.id)
    )
    for transfer in pending:
        if user.area.contains(transfer.to_area):
            found.incoming.append(transfer)
        else:
            found.outgoing.append(transfer)
    found.recent = list(
        db.session.scalars(
            _visible(user)
            .where(Transfer.status != TransferStatus.PENDING)
            .order_by(Transfer.answered_at.desc(), Transfer.id.desc())
            .limit(RECENT)
        )
    )
    return found


def pending_counts(user: User) -> tuple[int, int]:
    """(waiting for the user's area, sent by it and waiting); (0, 0) for a worker."""
    if not user.is_authenticated or user.role == Role.WORKER:
        return 0, 0
    source, target = aliased(Area), aliased(Area)
    targets = db.session.scalars(
        select(target.path)
        .select_from(Transfer)
        .join(source, source.id == Transfer.from_area_id)
        .join(target, target.id == Transfer.to_area_id)
        .where(
            Transfer.status == TransferStatus.PENDING,
            sa.or_(_within(user, source), _within(user, target)),  # type: ignore[arg-type]
        )
    ).all()
    incoming = sum(1 for path in targets if path.startswith(user.area.path))
    return incoming, len(targets) - incoming


def transfers_of(elder_id: int) -> list[Transfer]:
    """Every transfer of a case the caller has already loaded in scope, newest first."""
    return list(
        db.session.scalars(
            select(Transfer)
            .where(Transfer.elder_id == elder_id)
            .order_by(Transfer.requested_at.desc(), Transfer.id.desc())
        )
    )


def target_villages(exclude: Area) -> list[Area]:
    """Open villages and communities of the district (any town), but ``exclude``'s village."""
    district = exclude.district
    query = select(Area).where(Area.level == AreaLevel.VILLAGE, Area.closed_on.is_(None))
    if district is not None:
        query = query.where(Area.path.startswith(district.path, autoescape=True))
    here = exclude.village
    return [
        area
        for area in db.session.scalars(query.order_by(Area.path))
        if here is None or area.id != here.id
    ]
