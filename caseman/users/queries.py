"""Reading staff accounts within what the user manages (caseman.users.services.may_manage)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseman.areas.models import Area
from caseman.auth.models import Role, User
from caseman.extensions import db
from caseman.rules.accounts import roles_managed_by

STATUSES = ("active", "disabled")


@dataclass
class UserFilters:
    area_id: int | None = None
    role: str = ""
    status: str = ""
    text: str = ""  # part of the username or the real name


def _managed(actor: User) -> sa.Select[tuple[User]]:
    """Accounts of the actor's subtree with a role the actor manages."""
    roles = [Role(role) for role in roles_managed_by(actor.role.value)]
    return (
        select(User)
        .join(Area, User.area_id == Area.id)
        .where(Area.path.startswith(actor.area.path, autoescape=True), User.role.in_(roles))
    )


def list_users(actor: User, filters: UserFilters) -> list[User]:
    """The accounts ``actor`` manages, matching ``filters``: by area, then role, then name."""
    query = _managed(actor).options(joinedload(User.area))
    if filters.area_id:
        area = db.session.get(Area, filters.area_id)
        if area is not None and actor.area.contains(area):
            query = query.where(Area.path.startswith(area.path, autoescape=True))
    if filters.role and filters.role in roles_managed_by(actor.role.value):
        query = query.where(User.role == Role(filters.role))
    if filters.status == "active":
        query = query.where(User.is_active_user.is_(True))
    elif filters.status == "disabled":
        query = query.where(User.is_active_user.is_(False))
    if filters.text:
        query = query.where(
            sa.or_(
                User.username.icontains(filters.text, autoescape=True),
                User.full_name.icontains(filters.text, autoescape=True),
            )
        )
    return list(db.session.scalars(query.order_by(Area.path, User.role, User.username)))


def get_user_or_404(actor: User, user_id: int) -> User:
    """An account ``actor`` manages, or 404 (another town's account does not exist for them)."""
    user = db.session.scalar(_managed(actor).where(User.id == user_id))
    if user is None:
        abort(404)
    return user
