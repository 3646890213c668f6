"""The one place that turns a user into what they may see.

- district staff: every elder in their district;
- town staff: elders living in their town/street;
- village staff: elders living in their village/community (and its villager groups);
- workers: the elders assigned to them, plus their area's elders when bound to a village or group.

Every elder query goes through ``elder_filter``; lookups by id go through ``get_elder_or_404`` so an
elder outside scope answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import abort
from sqlalchemy import ColumnElement, select

from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import Role
from caseman.elders.models import Elder, ElderAssignment
from caseman.extensions import db

if TYPE_CHECKING:
    from caseman.auth.models import User


def _area_subtree(area: Area) -> sa.Select[tuple[int]]:
    return select(Area.id).where(Area.path.startswith(area.path, autoescape=True))


def elder_filter(user: User) -> ColumnElement[bool]:
    """A WHERE clause limiting ``Elder`` rows to the user's scope."""
    if not user.is_active:
        return sa.false()
    in_area = Elder.residence_area_id.in_(_area_subtree(user.area))
    if user.role != Role.WORKER:
        return in_area
    assigned = Elder.id.in_(
        select(ElderAssignment.elder_id).where(ElderAssignment.user_id == user.id)
    )
    if user.area.level in (AreaLevel.VILLAGE, AreaLevel.GROUP):
        return sa.or_(in_area, assigned)
    return assigned


def scoped_elders(user: User) -> sa.Select[tuple[Elder]]:
    return select(Elder).where(elder_filter(user))


def can_see_elder(user: User, elder_id: int) -> bool:
    return (
        db.session.scalar(select(Elder.id).where(Elder.id == elder_id, elder_filter(user)))
        is not None
    )


def get_elder_or_404(user: User, elder_id: int) -> Elder:
    """Load an elder in scope, or answer 404 (never 403: existence is not disclosed)."""
    elder = db.session.scalar(select(Elder).where(Elder.id == elder_id, elder_filter(user)))
    if elder is None:
        abort(404)
    return elder


def scoped_areas(user: User) -> sa.Select[tuple[Area]]:
    """Areas the user may register elders in or filter by."""
    return select(Area).where(Area.path.startswith(user.area.path, autoescape=True))


def area_in_scope(user: User, area_id: int | None) -> Area | None:
    """The area if the user may see it, else None."""
    if not area_id:
        return None
    return db.session.scalar(scoped_areas(user).where(Area.id == area_id))
