"""Read functions for referrals and risks, always through the acting user's scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseman.auth.models import Role, User
from caseman.db import chunks
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.referrals.models import Referral, Risk, StatusChange
from caseman.rules.referrals import ReferralStatus, RiskStatus, problems_solved
from caseman.scope import elder_filter

DUE_SOON = timedelta(days=3)
OPEN_REFERRAL = Referral.status.in_(
    [ReferralStatus.OPEN, ReferralStatus.REFERRED, ReferralStatus.IN_PROGRESS]
)
OPEN_RISK = Risk.status.in_([RiskStatus.OPEN, RiskStatus.HANDLING])


def _scoped(model: type[Referral] | type[Risk], user: User) -> sa.Select:
    return (
        select(model)
        .join(Elder, Elder.id == model.elder_id)
        .where(elder_filter(user))
        .options(selectinload(model.elder).selectinload(Elder.residence_area))
    )


def get_referral_or_none(user: User, referral_id: int) -> Referral | None:
    return db.session.scalar(_scoped(Referral, user).where(Referral.id == referral_id))


def get_risk_or_none(user: User, risk_id: int) -> Risk | None:
    return db.session.scalar(_scoped(Risk, user).where(Risk.id == risk_id))


def list_elder_referrals(elder: Elder) -> list[Referral]:
    return list(
        db.session.scalars(
            select(Referral)
            .where(Referral.elder_id == elder.id)
            .order_by(Referral.raised_on.desc(), Referral.id.desc())
        )
    )


def list_elder_risks(elder: Elder) -> list[Risk]:
    return list(
        db.session.scalars(
            select(Risk)
            .where(Risk.elder_id == elder.id)
            .order_by(Risk.occurred_at.desc(), Risk.id.desc())
        )
    )


def list_status_changes(record_type: str, record_id: int) -> list[StatusChange]:
    return list(
        db.session.scalars(
            select(StatusChange)
            .where(StatusChange.record_type == record_type, StatusChange.record_id == record_id)
            .order_by(StatusChange.changed_at, StatusChange.id)
        )
    )


@dataclass
class FollowUps:
    referrals: list[Referral]
    risks: list[Risk]

    @property
    def total(self) -> int:
        return len(self.referrals) + len(self.risks)


def list_follow_ups(
    user: User,
    today: date,
    *,
    mine_only: bool = True,
    kind: str = "",
    area_id: int | None = None,
) -> FollowUps:
    """Open referrals and risks to follow up.

    ``mine_only``: those the user owns that are due within three days or overdue (or have no
    date); otherwise every open one in scope, oldest first (town staff's view).
    """
    referrals: list[Referral] = []
    risks: list[Risk] = []
    for model, target, open_clause in (
        (Referral, referrals, OPEN_REFERRAL),
        (Risk, risks, OPEN_RISK),
    ):
        if kind and kind != model.__tablename__:
            continue
        query = _scoped(model, user).where(open_clause)
        if area_id:
            from caseman.visits.queries import _subtree

            query = query.where(Elder.residence_area_id.in_(_subtree(area_id)))
        if mine_only:
            query = query.where(
                model.owner_id == user.id,
                sa.or_(model.follow_up_on.is_(None), model.follow_up_on <= today + DUE_SOON),
            )
        start = model.raised_on if model is Referral else model.occurred_at
        target.extend(
            db.session.scalars(
                query.options(selectinload(model.owner)).order_by(
                    sa.func.coalesce(model.follow_up_on, date(1900, 1, 1)), start, model.id
                )
                if mine_only
                else query.options(selectinload(model.owner)).order_by(start, model.id)
            )
        )
    return FollowUps(referrals, risks)


def list_unacknowledged_reports(user: User) -> list[Risk]:
    """Risks that 003 三(二) says go to the town at once, not yet acknowledged (town view)."""
    if user.role not in (Role.TOWN, Role.DISTRICT):
        return []
    return list(
        db.session.scalars(
            _scoped(Risk, user)
            .where(Risk.must_report.is_(True), Risk.acknowledged_at.is_(None))
            .order_by(Risk.occurred_at)
        )
    )


def solved_counts(elder_ids: Iterable[int]) -> dict[int, int]:
    """解决问题数量 per elder (附件1), by ``caseman.rules.referrals.problems_solved``."""
    ids = list(elder_ids)
    referral_statuses: dict[int, list[ReferralStatus]] = defaultdict(list)
    risk_statuses: dict[int, list[RiskStatus]] = defaultdict(list)
    for chunk in chunks(ids, 5000):
        for elder_id, status in db.session.execute(
            select(Referral.elder_id, Referral.status).where(
                Referral.elder_id.in_(chunk), Referral.status == ReferralStatus.SOLVED
            )
        ):
            referral_statuses[elder_id].append(status)
        for elder_id, status in db.session.execute(
            select(Risk.elder_id, Risk.status).where(
                Risk.elder_id.in_(chunk), Risk.status == RiskStatus.CLOSED
            )
        ):
            risk_statuses[elder_id].append(status)
    return {
        elder_id: problems_solved(referral_statuses[elder_id], risk_statuses[elder_id])
        for elder_id in ids
    }


def solved_count(elder: Elder) -> int:
    return solved_counts([elder.id])[elder.id]


def list_possible_owners(elder: Elder) -> list[User]:
    """Active staff who can see the elder: area staff above it, and workers assigned or local."""
    from caseman.areas.models import Area
    from caseman.elders.models import ElderAssignment

    path = elder.residence_area.path
    candidates = db.session.scalars(
        select(User)
        .join(Area, Area.id == User.area_id)
        .where(User.is_active_user.is_(True), User.role != Role.DISTRICT)
        .where(
            sa.or_(
                sa.literal(path).startswith(Area.path),
                User.id.in_(
                    select(ElderAssignment.user_id).where(
                        ElderAssignment.elder_id == elder.id, ElderAssignment.ended_on.is_(None)
                    )
                ),
            )
        )
        .order_by(User.role, User.full_name, User.username)
    ).all()
    return [u for u in candidates if db.session.scalar(
        select(Elder.id).where(Elder.id == elder.id, elder_filter(u))
    ) is not None]  # fmt: skip
