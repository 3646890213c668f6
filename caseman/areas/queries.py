"""Reading the area tree within a user's scope."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import abort
from sqlalchemy import select

from caseman.areas.models import Area, AreaLevel
from caseman.extensions import db
from caseman.scope import scoped_areas

if TYPE_CHECKING:
    from caseman.auth.models import User


@dataclass
class TreeNode:
    area: Area
    children: list[TreeNode] = field(default_factory=list)
    elders: int = 0  # active elders living here or below


def get_area_or_404(user: User, area_id: int) -> Area:
    """An area of the user's subtree, or 404 (another town's area does not exist for them)."""
    area = db.session.scalar(scoped_areas(user).where(Area.id == area_id))
    if area is None:
        abort(404)
    return area


def area_tree(user: User, *, include_closed: bool = True) -> list[TreeNode]:
    """The user's subtree as nested nodes (roots first), children by kind and name, with the
    number of active elders of each node (under the user's own scope)."""
    from caseman.elders.models import Elder

    query = scoped_areas(user).order_by(Area.path)
    if not include_closed:
        query = query.where(Area.closed_on.is_(None))
    areas = list(db.session.scalars(query))
    direct = dict(
        db.session.execute(
            select(Elder.residence_area_id, sa.func.count(Elder.id))
            .where(Elder.archived_on.is_(None))
            .group_by(Elder.residence_area_id)
        ).all()
    )
    nodes = {area.id: TreeNode(area) for area in areas}
    children: dict[int | None, list[TreeNode]] = defaultdict(list)
    for area in areas:
        children[area.parent_id].append(nodes[area.id])
    roots = [node for node in nodes.values() if node.area.parent_id not in nodes]

    def fill(node: TreeNode) -> int:
        node.children = sorted(
            children.get(node.area.id, []),
            # Open before closed; by division code where there is one, else in the order added.
            key=lambda child: (
                child.area.is_closed,
                not child.area.code,
                child.area.code,
                child.area.id,
            ),
        )
        node.elders = direct.get(node.area.id, 0) + sum(fill(child) for child in node.children)
        return node.elders

    for root in roots:
        fill(root)
    return roots


def list_parent_choices(user: User, level: AreaLevel) -> list[Area]:
    """Open areas of the user's subtree that can hold an area of ``level``."""
    parent_level = {
        AreaLevel.TOWN: AreaLevel.DISTRICT,
        AreaLevel.VILLAGE: AreaLevel.TOWN,
        AreaLevel.GROUP: AreaLevel.VILLAGE,
    }.get(level)
    if parent_level is None:
        return []
    return list_open_areas(user, [parent_level])


def list_open_areas(user: User, levels: list[AreaLevel] | None = None) -> list[Area]:
    """Open (not closed) areas of the user's subtree, by path: what pickers offer."""
    query = scoped_areas(user).where(Area.closed_on.is_(None))
    if levels:
        query = query.where(Area.level.in_(levels))
    return list(db.session.scalars(query.order_by(Area.path)))


def list_children(area: Area) -> list[Area]:
    """The areas directly below ``area``: open before closed, by division code, else as added."""
    children = db.session.scalars(select(Area).where(Area.parent_id == area.id))
    return sorted(children, key=lambda a: (a.is_closed, not a.code, a.code, a.id))
