"""Users: one role, bound to one area; workers may also be assigned elders."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseman.areas.models import Area
from caseman.db import Base, TimestampMixin, enum_column


class Role(StrEnum):
    DISTRICT = "district"  # 区民政局
    TOWN = "town"  # 镇街工作人员
    VILLAGE = "village"  # 村（社区）工作人员
    WORKER = "worker"  # 社工、养老助理、志愿者


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(64), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    is_active_user: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout, password change or disabling: older session cookies stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None]

    area: Mapped[Area] = relationship()

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.is_active_user

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role.value}>"
