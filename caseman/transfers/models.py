"""A case handed to another village (转移, issue 19 item 2): asked, then accepted or refused.

The request carries a summary of the case (name, masked ID number, gender, birth year, key or
general, categories) written when it is made: until the receiving side accepts, the case itself
stays out of its scope (caseman.scope), and the summary is all it sees. Rows are never deleted;
the answer (who, when, the reason of a refusal or a cancellation) is kept on the row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.db import Base, enum_column, utcnow
from caseman.rules.transfers import TransferStatus


class Transfer(Base):
    """转移: the case of ``elder_id`` asked to move from ``from_area`` to the village
    ``to_area``."""

    __tablename__ = "transfers"
    __table_args__ = (
        # One waiting request per elder.
        sa.Index(
            "ix_transfers_pending_elder",
            "elder_id",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    from_area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    to_area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    to_address: Mapped[str] = mapped_column(sa.String(200), default="")  # the new 居住地址
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    status: Mapped[TransferStatus] = mapped_column(enum_column(TransferStatus), index=True)
    # What the receiving side may see before accepting (never the full ID number).
    summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answer_note: Mapped[str] = mapped_column(sa.String(300), default="")  # refusal / cancel reason
    moved_on: Mapped[date | None]  # accepted: the first day in the new village
    # Accepted: what was handed over (visitors ended, the new visitor, referrals and risks).
    handover: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    from_area: Mapped[Area] = relationship(foreign_keys=[from_area_id])
    to_area: Mapped[Area] = relationship(foreign_keys=[to_area_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def is_pending(self) -> bool:
        return self.status == TransferStatus.PENDING

    @property
    def from_village(self) -> Area:
        """The sending village (the elder's village, or the area itself above village level)."""
        return self.from_area.village or self.from_area
