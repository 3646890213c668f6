"""Read functions for elders, always through the acting user's scope."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import User
from caseman.elders.models import Elder, ElderVersion
from caseman.extensions import db
from caseman.scope import scoped_areas


@dataclass
class Page:
    items: list[Elder]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


MAX_ROW_ID = 2**31 - 1  # an INTEGER key on PostgreSQL


def is_row_id(value: str) -> bool:
    """Whether a query-string value can be a row id (digits that fit an INTEGER key)."""
    return value.isascii() and value.isdigit() and len(value) <= 10 and int(value) <= MAX_ROW_ID


def list_filter_areas(user: User) -> tuple[list[Area], list[Area]]:
    """Towns and villages the user may filter by."""
    areas = db.session.scalars(scoped_areas(user).order_by(Area.path)).all()
    towns = [a for a in areas if a.level == AreaLevel.TOWN]
    villages = [a for a in areas if a.level == AreaLevel.VILLAGE]
    return towns, villages


def list_residence_areas(user: User) -> list[Area]:
    """Open villages and groups where the user may register an elder (closed ones: none)."""
    areas = db.session.scalars(
        scoped_areas(user)
        .where(Area.level.in_([AreaLevel.VILLAGE, AreaLevel.GROUP]), Area.closed_on.is_(None))
        .order_by(Area.path)
    ).all()
    return list(areas)


def get_version(elder: Elder, number: int) -> ElderVersion | None:
    return db.session.scalar(
        select(ElderVersion).where(ElderVersion.elder_id == elder.id, ElderVersion.number == number)
    )
