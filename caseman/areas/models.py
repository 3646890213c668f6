"""Areas: district → town/street → village/community → villager group (one tree)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseman.db import Base, enum_column


class AreaLevel(StrEnum):
    DISTRICT = "district"  # 区（县）
    TOWN = "town"  # 镇/街道
    VILLAGE = "village"  # 村/社区
    GROUP = "group"  # 村民小组

    @property
    def depth(self) -> int:
        return list(AreaLevel).index(self)


class AreaKind(StrEnum):
    """What an area is, within its level: a town-level area is a 镇 or a 街道 (street), a
    village-level one a 村 or a 社区 (community). 000's rules (rural mutual aid) concern 镇
    and 村."""

    DISTRICT = "district"  # 区（县）
    TOWN = "town"  # 镇
    STREET = "street"  # 街道
    VILLAGE = "village"  # 村
    COMMUNITY = "community"  # 社区
    GROUP = "group"  # 村民小组


class Area(Base):
    """One node of the area tree. ``path`` is the materialised path of ids ("/1/4/17/")."""

    __tablename__ = "areas"
    __table_args__ = (
        sa.UniqueConstraint("parent_id", "name", name="uq_areas_parent_name"),
        # Every scoped page reads an area's subtree by ``path LIKE '/1/5/%'``. PostgreSQL uses a
        # btree for a prefix only in the C collation, or with the pattern operators.
        sa.Index("ix_areas_path", "path", postgresql_ops={"path": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    level: Mapped[AreaLevel] = mapped_column(enum_column(AreaLevel))
    code: Mapped[str] = mapped_column(sa.String(12), default="")  # 行政区划代码 (when known)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    path: Mapped[str] = mapped_column(sa.String(255), default="")
    kind: Mapped[AreaKind] = mapped_column(enum_column(AreaKind))
    # Closed (merged, abolished): hidden from pickers, kept for the records that name it.
    closed_on: Mapped[date | None]
    closed_reason: Mapped[str] = mapped_column(sa.String(200), default="")

    parent: Mapped[Area | None] = relationship(remote_side=[id])

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def is_street(self) -> bool:
        """A 街道 (street) rather than a 镇 (town)."""
        return self.kind == AreaKind.STREET

    def ancestor(self, level: AreaLevel) -> Area | None:
        """This area or the nearest ancestor at ``level``."""
        node: Area | None = self
        while node is not None and node.level != level:
            node = node.parent
        return node

    @property
    def district(self) -> Area | None:
        return self.ancestor(AreaLevel.DISTRICT)

    @property
    def town(self) -> Area | None:
        return self.ancestor(AreaLevel.TOWN)

    @property
    def village(self) -> Area | None:
        return self.ancestor(AreaLevel.VILLAGE)

    def contains(self, other: Area) -> bool:
        return other.path.startswith(self.path)

    @property
    def full_name(self) -> str:
        parts: list[str] = []
        node: Area | None = self
        while node is not None:
            parts.append(node.name)
            node = node.parent
        return "".join(reversed(parts))

    def __repr__(self) -> str:
        return f"<Area {self.level.value} {self.name}>"
