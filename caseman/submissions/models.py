"""A town's half-year submission (半年报送): the package built and whether it was sent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.db import Base, utcnow
from caseman.jobs.models import Job
from caseman.rules.half_year import HalfYear


class Submission(Base):
    """One town's package for one half-year (004 三(五): 每年6月和12月 … 报送至区民政局).

    Rebuilt as often as the town likes until it is marked submitted; then it is kept as sent.
    ``summary`` holds what the package contained (files, rows, forms, its sha256).
    """

    __tablename__ = "submissions"
    __table_args__ = (
        sa.UniqueConstraint("town_id", "year", "half", name="uq_submissions_town_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    year: Mapped[int]
    half: Mapped[int]  # 1: 1 Jan – 30 Jun, 2: 1 Jul – 31 Dec
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jobs.id"))  # the latest build
    covered_until: Mapped[date | None]  # last day the package counts (closing day or build day)
    built_at: Mapped[datetime | None]
    summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The district's answer (issue 19 item 3): returned with reasons (the town makes the package
    # again and resubmits), or accepted (final). A return clears ``submitted_at``; every step
    # is kept in ``submission_events``.
    returned_at: Mapped[datetime | None]
    returned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    return_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    town: Mapped[Area] = relationship()
    job: Mapped[Job | None] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    returned_by: Mapped[User | None] = relationship(foreign_keys=[returned_by_id])
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])
    events: Mapped[list[SubmissionEvent]] = relationship(
        back_populates="submission", order_by="SubmissionEvent.id"
    )

    @property
    def period(self) -> HalfYear:
        return HalfYear(self.year, self.half)

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_built(self) -> bool:
        return self.built_at is not None

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_returned(self) -> bool:
        """Returned and not sent again since."""
        return self.returned_at is not None and self.submitted_at is None

    @property
    def state(self) -> str:
        """not_built | built | submitted | returned | accepted (the district's page)."""
        if self.accepted_at is not None:
            return "accepted"
        if self.submitted_at is not None:
            return "submitted"
        if self.returned_at is not None:
            return "returned"
        return "built" if self.built_at is not None else "not_built"


class SubmissionEvent(Base):
    """One step of a submission: sent by the town, returned or accepted by the district."""

    __tablename__ = "submission_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(16))  # submitted | returned | accepted
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(sa.String(500), default="")  # the return's reasons
    sha256: Mapped[str] = mapped_column(sa.String(64), default="")  # the package it was about

    submission: Mapped[Submission] = relationship(back_populates="events")
    by: Mapped[User | None] = relationship()
