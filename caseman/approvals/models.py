"""Approval requests (审核): one row per change of a case file that the town approves.

See caseman.rules.approvals for the states and who may act. The row keeps the latest return
reason and the village's latest answer; every step is in the audit log as well.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseman.auth.models import User
from caseman.db import Base, enum_column, utcnow
from caseman.elders.models import Elder
from caseman.rules.approvals import OPEN_STATES, ApprovalKind, ApprovalState
from caseman.rules.enums import ArchiveReason


class ApprovalRequest(Base):
    """A registration, a review changing categories or key status, or an archive, awaiting (or
    decided by) town staff. An archive's date, reason and note wait here until approved."""

    __tablename__ = "approval_requests"
    __table_args__ = (sa.Index("ix_approval_requests_state_elder", "state", "elder_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ApprovalKind] = mapped_column(enum_column(ApprovalKind))
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    state: Mapped[ApprovalState] = mapped_column(enum_column(ApprovalState))
    # The case-file version the change made (registration, review); None for an archive.
    version_number: Mapped[int | None]
    # What changed (field names), as the version lists them.
    changed_fields: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)  # UTC
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]  # UTC: approved, returned or withdrawn
    reason: Mapped[str] = mapped_column(sa.String(300), default="")  # the town's latest return
    answer: Mapped[str] = mapped_column(sa.String(300), default="")  # the village's latest answer
    answered_at: Mapped[datetime | None]  # UTC
    times_returned: Mapped[int] = mapped_column(default=0)
    # An archive asked for: it takes effect when approved.
    archive_on: Mapped[date | None]
    archive_reason: Mapped[ArchiveReason | None] = mapped_column(enum_column(ArchiveReason))
    archive_note: Mapped[str] = mapped_column(sa.String(300), default="")

    elder: Mapped[Elder] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def __repr__(self) -> str:
        return f"<ApprovalRequest {self.id} {self.kind} {self.state}>"
