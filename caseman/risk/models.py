"""The stored risk level (风险等级) of each elder: what the rule gives, and a staff override.

One row per elder. ``computed_level`` and ``reasons`` are the rule's answer
(:func:`caseman.rules.risk_level.assess_risk`), refreshed whenever its inputs change (a visit,
a risk opened or closed, a category confirmed: see ``caseman.risk.services``); ``level`` is the
level in force (the override if any), stored so that lists filter and count on it cheaply.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseman.auth.models import User
from caseman.db import Base, enum_column, utcnow
from caseman.rules.risk_level import RiskLevel


class ElderRiskLevel(Base):
    """风险等级 of one elder (003 二(二))."""

    __tablename__ = "elder_risk_levels"
    __table_args__ = (sa.Index("ix_elder_risk_levels_level", "level", "elder_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), unique=True)
    computed_level: Mapped[RiskLevel] = mapped_column(enum_column(RiskLevel, "risk_level_computed"))
    # [[msgid, {params}], …]: the rule's reasons, translated when shown
    reasons: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    override_level: Mapped[RiskLevel | None] = mapped_column(
        enum_column(RiskLevel, "risk_level_override")
    )
    override_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    override_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    override_at: Mapped[datetime | None]
    level: Mapped[RiskLevel] = mapped_column(enum_column(RiskLevel, "risk_level_effective"))

    override_by: Mapped[User | None] = relationship()

    @property
    def is_overridden(self) -> bool:
        return self.override_level is not None
