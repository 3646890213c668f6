"""The register of service forces (探访关爱服务力量, 004 一(五)) and each elder's named visit
contact (探访联系人, 004 一(二)10)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.db import Base, TimestampMixin, enum_column, utcnow
from caseman.rules.service_forces import ForceKind


class ServiceForce(TimestampMixin, Base):
    """A person serving elders (网格员, 家庭医生, 社工, 志愿者 …), registered in an area.

    Never deleted: archived with a date and a reason.
    """

    __tablename__ = "service_forces"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(32))
    kind: Mapped[ForceKind] = mapped_column(enum_column(ForceKind))
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    organisation: Mapped[str] = mapped_column(sa.String(100), default="")  # 所在单位
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    archived_on: Mapped[date | None]
    archive_reason: Mapped[str] = mapped_column(sa.String(300), default="")

    area: Mapped[Area] = relationship()

    @property
    def is_archived(self) -> bool:
        return self.archived_on is not None


class VisitContact(Base):
    """探访联系人: the person named for an elder (004 一(二)10). One row per elder; a change
    replaces the person and is written to the audit log with the earlier one."""

    __tablename__ = "visit_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), unique=True)
    force_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_forces.id"), index=True)
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    force: Mapped[ServiceForce | None] = relationship()
    set_by: Mapped[User | None] = relationship()
