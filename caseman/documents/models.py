"""Printed official forms and the signed scans filed back against their document number."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseman.auth.models import User
from caseman.db import Base, utcnow
from caseman.elders.models import Elder


class PrintedDocument(Base):
    """One printing of a form (附件2 or 附件3): its number, printed on every copy with a QR code.

    ``number`` is ``<district code>-<annex>-<year>-<serial>``; copy *k* prints as ``number-k``.

    ``content_hash`` is the SHA-256 of what the form says (its title, lines and every cell, not
    its number or copy labels): printing the same form again, unchanged, reuses its number
    (``printings`` counts the times), so a number names one content and a signed scan filed
    under it is the signature of exactly that content (issue 17 item 10).

    ``printings == 0``: a number reserved by a batch job whose file is not made yet (issue 23
    item 6). No page, search or reuse sees it; it is issued (1) when the file exists and removed
    if the job fails.
    """

    __tablename__ = "printed_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    annex: Mapped[str] = mapped_column(sa.String(16))  # annex2 | annex3 | field_sheet
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    elder_version: Mapped[int | None]  # 附件2: the registration version printed
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visits.id"), index=True)
    copies: Mapped[int]
    content_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    printings: Mapped[int] = mapped_column(default=1, server_default="1")
    last_printed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    elder: Mapped[Elder] = relationship()
    created_by: Mapped[User | None] = relationship()
    scans: Mapped[list[SignedScan]] = relationship(
        back_populates="document", order_by="SignedScan.copy"
    )

    def copy_number(self, copy: int) -> str:
        return f"{self.number}-{copy}"

    @property
    def filed_copies(self) -> set[int]:
        return {scan.copy for scan in self.scans}

    @property
    def is_signed(self) -> bool:
        """A signed copy of this number is filed."""
        return bool(self.scans)


class SignedScan(Base):
    """The signed copy, scanned (PDF, JPEG or PNG), attached to the case under its number."""

    __tablename__ = "signed_scans"
    __table_args__ = (sa.UniqueConstraint("document_id", "copy", name="uq_signed_scans_copy"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("printed_documents.id"), index=True)
    copy: Mapped[int]
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))  # as uploaded, for display only
    stored_as: Mapped[str] = mapped_column(sa.String(200))  # path under CASEMAN_UPLOADS
    media_type: Mapped[str] = mapped_column(sa.String(32))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    document: Mapped[PrintedDocument] = relationship(back_populates="scans")
    uploaded_by: Mapped[User | None] = relationship()
