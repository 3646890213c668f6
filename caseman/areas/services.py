"""Changing the area tree: add, rename, move, close and reopen areas (flush, never commit).

Every change is written to the audit log. The materialised ``path`` ("/1/4/17/") of an area and
of everything below it is kept right by :func:`move_area`. Nothing is deleted: an area that is
merged or abolished is closed (``closed_on`` + a reason), hidden from pickers and kept for the
records that name it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import select

from caseman import audit
from caseman.areas.models import Area, AreaKind, AreaLevel
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.rules.area_tree import (
    KINDS_BY_LEVEL,
    MAX_NAME_LENGTH,
    check_code,
    check_name,
    kind_for,
)
from caseman.rules.enums import N_
from caseman.rules.ledger_import import compact

if TYPE_CHECKING:
    from caseman.auth.models import User

_CHILD_LEVEL = {
    None: AreaLevel.DISTRICT,
    AreaLevel.DISTRICT: AreaLevel.TOWN,
    AreaLevel.TOWN: AreaLevel.VILLAGE,
    AreaLevel.VILLAGE: AreaLevel.GROUP,
}
CLOSE_REASON_LENGTH = 200


def child_level(parent: Area | None) -> AreaLevel | None:
    """The level of an area placed under ``parent`` (None: a group has no children)."""
    return _CHILD_LEVEL.get(parent.level if parent else None)


def _clean_name(name: str) -> str:
    name = compact(name)
    message = check_name(name)
    if message:
        raise DomainError("name", message, limit=MAX_NAME_LENGTH)
    return name


def _clean_code(code: str) -> str:
    code = compact(code)
    message = check_code(code)
    if message:
        raise DomainError("code", message)
    return code


def _clean_kind(kind: AreaKind | str | None, name: str, level: AreaLevel) -> AreaKind:
    if kind in (None, ""):
        return AreaKind(kind_for(name, level.value))
    kind = AreaKind(kind)
    if kind.value not in KINDS_BY_LEVEL[level.value]:
        raise DomainError("kind", N_("This kind does not fit the level of the area."))
    return kind


def _check_unique(name: str, parent: Area | None, exclude: Area | None = None) -> None:
    """No two areas of one parent (closed ones included) share a name."""
    query = select(Area).where(
        Area.name == name,
        Area.parent_id.is_(None) if parent is None else Area.parent_id == parent.id,
    )
    if exclude is not None and exclude.id is not None:
        query = query.where(Area.id != exclude.id)
    other = db.session.scalar(query.limit(1))
    if other is None:
        return
    if other.is_closed:
        raise DomainError(
            "name",
            N_("%(name)s already exists here but is closed: reopen it instead of adding it again."),
            name=name,
        )
    raise DomainError("name", N_("There is already an area called %(name)s here."), name=name)


def create_area(
    name: str,
    level: AreaLevel,
    parent: Area | None = None,
    code: str = "",
    kind: AreaKind | str | None = None,
) -> Area:
    """Add an area under ``parent``; the level must be the one below the parent's.

    The kind (镇 or 街道, 村 or 社区) follows the name unless given. Not audited: callers that act
    for a person use :func:`add_area`.
    """
    if level != child_level(parent):
        raise DomainError("level", N_("An area of this level cannot be placed there."))
    if parent is not None and parent.is_closed:
        raise DomainError(
            "parent", N_("%(name)s is closed: nothing can be added to it."), name=parent.name
        )
    name = _clean_name(name)
    _check_unique(name, parent)
    area = Area(
        name=name,
        level=level,
        parent=parent,
        code=_clean_code(code),
        kind=_clean_kind(kind, name, level),
    )
    db.session.add(area)
    db.session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    db.session.flush()
    return area


def add_area(
    actor: User | None,
    name: str,
    level: AreaLevel,
    parent: Area | None = None,
    code: str = "",
    kind: AreaKind | str | None = None,
) -> Area:
    """Add an area (see :func:`create_area`) and write it to the audit log."""
    area = create_area(name, level, parent, code, kind)
    audit.record(
        "create",
        object_type="area",
        object_id=area.id,
        detail=f"level={level.value} kind={area.kind.value} parent={parent.id if parent else '-'}",
        user=actor,
    )
    return area


def update_area(
    actor: User | None, area: Area, name: str, kind: AreaKind | str | None, code: str
) -> list[str]:
    """Rename an area, or change its kind (撤镇设街道) or its 区划代码; returns what changed."""
    name = _clean_name(name)
    kind = _clean_kind(kind or area.kind, name, area.level)
    code = _clean_code(code)
    if name != area.name:
        _check_unique(name, area.parent, exclude=area)
    changed = [
        field
        for field, old, new in (
            ("name", area.name, name),
            ("kind", area.kind, kind),
            ("code", area.code, code),
        )
        if old != new
    ]
    if changed:
        area.name, area.kind, area.code = name, kind, code
        db.session.flush()
        audit.record(
            "update",
            object_type="area",
            object_id=area.id,
            detail="fields=" + ",".join(changed),
            user=actor,
        )
    return changed


def subtree(area: Area) -> sa.Select[tuple[Area]]:
    """The area and every area below it."""
    return select(Area).where(Area.path.startswith(area.path, autoescape=True))


def move_area(actor: User | None, area: Area, new_parent: Area) -> int:
    """Put ``area`` under ``new_parent`` (of the level above); fix the path of it and of every
    area below it. Returns how many paths changed."""
    if area.parent_id == new_parent.id:
        return 0
    if area.level == AreaLevel.DISTRICT or child_level(new_parent) != area.level:
        raise DomainError("parent", N_("An area of this level cannot be placed there."))
    if new_parent.is_closed or area.is_closed:
        raise DomainError("parent", N_("Closed areas cannot be moved or receive areas."))
    _check_unique(area.name, new_parent, exclude=area)
    old_parent_id = area.parent_id
    old_prefix = area.path
    new_prefix = f"{new_parent.path}{area.id}/"
    moved = list(db.session.scalars(subtree(area)))
    for node in moved:
        node.path = new_prefix + node.path[len(old_prefix) :]
    area.parent = new_parent
    db.session.flush()
    audit.record(
        "move",
        object_type="area",
        object_id=area.id,
        detail=f"from={old_parent_id} to={new_parent.id} areas={len(moved)}",
        user=actor,
    )
    return len(moved)


def active_counts(area: Area) -> tuple[int, int]:
    """(active elders, active users) living or bound in ``area`` or below it.

    Elders are counted under the caller's scope: district staff (and the CLI, which declares
    system access) see them all.
    """
    from caseman.auth.models import User as UserModel
    from caseman.elders.models import Elder

    ids = select(Area.id).where(Area.path.startswith(area.path, autoescape=True))
    elders = db.session.scalar(
        select(sa.func.count(Elder.id)).where(
            Elder.residence_area_id.in_(ids), Elder.archived_on.is_(None)
        )
    )
    users = db.session.scalar(
        select(sa.func.count(UserModel.id)).where(
            UserModel.area_id.in_(ids), UserModel.is_active_user.is_(True)
        )
    )
    return int(elders or 0), int(users or 0)


def close_area(actor: User | None, area: Area, closed_on: date, reason: str) -> int:
    """Close an area and every open area below it (merged, abolished). Refused while an active
    elder lives there or an active user is bound there: move them first. Returns how many areas
    were closed."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("reason", N_("Give the reason (e.g. merged into another village)."))
    if len(reason) > CLOSE_REASON_LENGTH:
        raise DomainError("reason", N_("At most %(limit)d characters."), limit=CLOSE_REASON_LENGTH)
    if area.is_closed:
        raise DomainError(None, N_("This area is already closed."))
    if area.parent_id is None:
        raise DomainError(None, N_("The district itself cannot be closed."))
    elders, users = active_counts(area)
    if elders or users:
        raise DomainError(
            None,
            N_(
                "%(name)s still has %(elders)d active elders and %(users)d active users (here or "
                "in the areas below it): move them to another area, or archive the elders, first."
            ),
            name=area.name,
            elders=elders,
            users=users,
        )
    closing = [node for node in db.session.scalars(subtree(area)) if not node.is_closed]
    for node in closing:
        node.closed_on = closed_on
        node.closed_reason = reason
    db.session.flush()
    audit.record(
        "close",
        object_type="area",
        object_id=area.id,
        detail=f"fields=closed_on,closed_reason areas={len(closing)}",
        user=actor,
    )
    return len(closing)


def reopen_area(actor: User | None, area: Area) -> None:
    """Open a closed area again (its parent must be open); areas below it stay as they are."""
    if not area.is_closed:
        raise DomainError(None, N_("This area is open."))
    if area.parent is not None and area.parent.is_closed:
        raise DomainError(None, N_("Reopen %(name)s first."), name=area.parent.name)
    area.closed_on = None
    area.closed_reason = ""
    db.session.flush()
    audit.record("reopen", object_type="area", object_id=area.id, user=actor)


def find_area(name: str) -> Area | None:
    """The area called ``name``; a full name (木耳镇金刚村) resolves a name used twice."""
    name = name.strip()
    matches = list(db.session.scalars(select(Area).where(Area.name == name)))
    if not matches:
        matches = [a for a in db.session.scalars(select(Area)) if a.full_name.endswith(name)]
    if len(matches) > 1:
        open_matches = [a for a in matches if not a.is_closed]
        if len(open_matches) == 1:
            return open_matches[0]
        raise DomainError(
            "area",
            N_("Several areas are called %(name)s: add the town, e.g. 木耳镇金刚村."),
            name=name,
        )
    return matches[0] if matches else None
