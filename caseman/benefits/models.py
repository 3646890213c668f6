"""Benefit applications (issue 20 item 5): 004 一(四)2 "三协助" 三, helping elders apply for the
social-security benefits they may be entitled to, followed to the outcome."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseman.auth.models import User
from caseman.db import Base, TimestampMixin, enum_column
from caseman.elders.models import Elder
from caseman.rules.benefits import BenefitKind, Outcome


class BenefitApplication(TimestampMixin, Base):
    """One application (低保, 特困供养, 高龄津贴, 护理补贴 …) and its outcome."""

    __tablename__ = "benefit_applications"
    __table_args__ = (sa.Index("ix_benefit_applications_applied_on", "applied_on", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    kind: Mapped[BenefitKind] = mapped_column(enum_column(BenefitKind))
    other_name: Mapped[str] = mapped_column(sa.String(64), default="")  # 其他: which benefit
    applied_on: Mapped[date]
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "benefit_outcome"))
    decided_on: Mapped[date | None]
    monthly_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))  # granted, per month
    reason: Mapped[str] = mapped_column(sa.String(300), default="")  # why refused
    elder_version: Mapped[int | None]  # the case-file version the grant wrote
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    elder: Mapped[Elder] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
