"""Reading approval requests, always within the acting user's scope (caseman.scope)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseman.approvals.models import ApprovalRequest
from caseman.auth.models import User
from caseman.db import chunks
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.rules.approvals import AWAITING_STATES, OPEN_STATES, ApprovalState
from caseman.scope import elder_filter

RECENT = 20  # decided requests listed under the open ones


def _scoped(user: User) -> sa.Select[tuple[ApprovalRequest]]:
    return (
        select(ApprovalRequest)
        .join(Elder, Elder.id == ApprovalRequest.elder_id)
        .where(elder_filter(user))
        .options(
            joinedload(ApprovalRequest.elder).joinedload(Elder.residence_area),
            joinedload(ApprovalRequest.requested_by),
            joinedload(ApprovalRequest.decided_by),
        )
    )


def get_request_or_404(user: User, request_id: int) -> ApprovalRequest:
    """A request whose elder is in ``user``'s scope, or 404 (another town's: 404 too)."""
    found = db.session.scalar(_scoped(user).where(ApprovalRequest.id == request_id))
    if found is None:
        abort(404)
    return found


@dataclass
class Inbox:
    awaiting: list[ApprovalRequest]  # 待审核 (pending or resubmitted), oldest first
    returned: list[ApprovalRequest]  # 已退回, awaiting the village's answer
    decided: list[ApprovalRequest]  # the last few approved or withdrawn


def inbox(user: User) -> Inbox:
    """The approvals inbox of ``user``: everything open in their scope, and the last decided."""
    open_rows = db.session.scalars(
        _scoped(user)
        .where(ApprovalRequest.state.in_(list(OPEN_STATES)))
        .order_by(ApprovalRequest.requested_at, ApprovalRequest.id)
    ).all()
    decided = db.session.scalars(
        _scoped(user)
        .where(ApprovalRequest.state.not_in(list(OPEN_STATES)))
        .order_by(ApprovalRequest.decided_at.desc(), ApprovalRequest.id.desc())
        .limit(RECENT)
    ).all()
    return Inbox(
        awaiting=[r for r in open_rows if r.state in AWAITING_STATES],
        returned=[r for r in open_rows if r.state is ApprovalState.RETURNED],
        decided=list(decided),
    )


def counts(user: User) -> dict[str, int]:
    """How many requests in scope wait for the town (``awaiting``) and for the village
    (``returned``): the dashboard's numbers."""
    rows = db.session.execute(
        select(ApprovalRequest.state, sa.func.count(ApprovalRequest.id))
        .join(Elder, Elder.id == ApprovalRequest.elder_id)
        .where(elder_filter(user), ApprovalRequest.state.in_(list(OPEN_STATES)))
        .group_by(ApprovalRequest.state)
        .execution_options(caseman_unscoped=True)  # scoped by the join
    ).all()
    found = {ApprovalState(state): number for state, number in rows}
    return {
        "awaiting": sum(found.get(s, 0) for s in AWAITING_STATES),
        "returned": found.get(ApprovalState.RETURNED, 0),
    }


def open_for_elder(elder: Elder) -> list[ApprovalRequest]:
    """The elder's requests not decided yet, oldest first (the case file's 待审核 notice)."""
    return list(
        db.session.scalars(
            select(ApprovalRequest)
            .where(
                ApprovalRequest.elder_id == elder.id,
                ApprovalRequest.state.in_(list(OPEN_STATES)),
            )
            .order_by(ApprovalRequest.id)
        )
    )


def open_states(elder_ids: Iterable[int]) -> dict[int, ApprovalState]:
    """Per elder with an undecided request: RETURNED if one was returned, else PENDING (the
    mark of lists, the ledger and printed forms). Elders without one are left out."""
    ids = list(elder_ids)
    found: dict[int, ApprovalState] = {}
    for chunk in chunks(ids, 5000):
        for elder_id, state in db.session.execute(
            select(ApprovalRequest.elder_id, ApprovalRequest.state).where(
                ApprovalRequest.elder_id.in_(chunk),
                ApprovalRequest.state.in_(list(OPEN_STATES)),
            )
        ):
            if state is ApprovalState.RETURNED or elder_id not in found:
                found[elder_id] = (
                    ApprovalState.RETURNED
                    if state is ApprovalState.RETURNED
                    else ApprovalState.PENDING
                )
    return found


def latest_approver(elder_ids: Iterable[int]) -> str:
    """主要领导审核 of 附件1: the name of the town (or district) user who last approved a change
    of one of these elders ("" when none was approved, or approvals are off)."""
    ids = list(elder_ids)
    best: tuple[object, int] | None = None
    for chunk in chunks(ids, 5000):
        row = db.session.execute(
            select(ApprovalRequest.decided_at, ApprovalRequest.decided_by_id)
            .where(
                ApprovalRequest.elder_id.in_(chunk),
                ApprovalRequest.state == ApprovalState.APPROVED,
                ApprovalRequest.decided_by_id.is_not(None),
            )
            .order_by(ApprovalRequest.decided_at.desc(), ApprovalRequest.id.desc())
            .limit(1)
        ).first()
        if row is not None and (best is None or row.decided_at > best[0]):
            best = (row.decided_at, row.decided_by_id)
    if best is None:
        return ""
    user = db.session.get(User, best[1])
    return user.display_name if user is not None else ""
