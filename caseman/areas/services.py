"""Creating areas (keeps the materialised path in step)."""

from __future__ import annotations

from sqlalchemy import select

from caseman.areas.models import Area, AreaLevel
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.rules.enums import N_

_CHILD_LEVEL = {
    None: AreaLevel.DISTRICT,
    AreaLevel.DISTRICT: AreaLevel.TOWN,
    AreaLevel.TOWN: AreaLevel.VILLAGE,
    AreaLevel.VILLAGE: AreaLevel.GROUP,
}


def create_area(name: str, level: AreaLevel, parent: Area | None = None, code: str = "") -> Area:
    """Add an area under ``parent``; the level must be the one below the parent's."""
    expected = _CHILD_LEVEL.get(parent.level if parent else None)
    if level != expected:
        raise DomainError("level", N_("An area of this level cannot be placed there."))
    area = Area(name=name.strip(), level=level, parent=parent, code=code)
    db.session.add(area)
    db.session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    db.session.flush()
    return area


def find_area(name: str) -> Area | None:
    """The area called ``name``; a full name (木耳镇金刚村) resolves a name used twice."""
    name = name.strip()
    matches = list(db.session.scalars(select(Area).where(Area.name == name)))
    if not matches:
        matches = [a for a in db.session.scalars(select(Area)) if a.full_name.endswith(name)]
    if len(matches) > 1:
        raise DomainError(
            "area",
            N_("Several areas are called %(name)s: add the town, e.g. 木耳镇金刚村."),
            name=name,
        )
    return matches[0] if matches else None
