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


# Roles whose users see a whole town or the district: a stolen password must not be enough.
TOTP_REQUIRED_ROLES = frozenset({Role.DISTRICT, Role.TOWN})


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
    # A one-time password given by an administrator: the user sets their own before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None]
    # TOTP second factor (RFC 6238): the base32 secret, when it was confirmed with a first code
    # (an unconfirmed secret is an enrolment in progress), and the last time step accepted, so
    # that a code cannot be used twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_confirmed_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

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
    def has_totp(self) -> bool:
        """A confirmed second factor: every login then asks for a code."""
        return bool(self.totp_secret) and self.totp_confirmed_at is not None

    @property
    def needs_totp(self) -> bool:
        """District and town users must use a second factor; others may choose to."""
        return self.role in TOTP_REQUIRED_ROLES or self.has_totp

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role.value}>"
