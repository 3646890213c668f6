"""Photos and place at a visit (issue 18 item 3).

A photo (探访照片) is stored as a JPEG the server made again from the pixels alone, so no EXIF,
GPS, XMP or maker data of the phone survives; the uploaded file itself is never kept. The
place (探访位置) is the browser's location stamp, recorded only when the visitor ticks that the
elder agreed. Both belong to one visit and are seen by exactly who may see the visit.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseman.auth.models import User
from caseman.db import Base, utcnow
from caseman.visits.models import Visit


class VisitPhoto(Base):
    """One photo taken at a visit, re-encoded as JPEG (the full size and a thumbnail)."""

    __tablename__ = "visit_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visits.id"), index=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    stored_as: Mapped[str] = mapped_column(sa.String(200))  # path under CASEMAN_UPLOADS
    thumbnail_as: Mapped[str] = mapped_column(sa.String(200))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]  # bytes of the stored JPEG
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # A wrong photo (another elder, a face that should not be kept) is withdrawn with a reason:
    # shown to nobody from then on, its file kept (nothing is deleted).
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(sa.String(200))

    visit: Mapped[Visit] = relationship()
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])


class VisitPlace(Base):
    """Where the visit was recorded: the browser's location, with the elder's consent."""

    __tablename__ = "visit_places"

    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visits.id"), primary_key=True)
    latitude: Mapped[float] = mapped_column(sa.Float)
    longitude: Mapped[float] = mapped_column(sa.Float)
    accuracy_m: Mapped[int | None]  # metres, as the browser estimated
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    visit: Mapped[Visit] = relationship()
