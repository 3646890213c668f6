"""Family duty (issue 20 item 2): each member's duty, contacts with them, and care-entrustment
agreements (委托照顾协议) of 渝民发〔2018〕30号 二(一).

Family members live on the registration (``FamilyMember``, 附件2 二), whose rows are written anew
at every correction or review; the rows here name the member (name and relation, as on the
registration) rather than point at a row id, so they outlive such edits. Nothing is deleted.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseman.auth.models import User
from caseman.db import Base, TimestampMixin, enum_column, utcnow
from caseman.elders.models import Elder
from caseman.rules.enums import Relation
from caseman.rules.family_duty import ContactMethod, ContactRhythm


class FamilyDuty(TimestampMixin, Base):
    """赡养责任: where a family member is (away or not, where) and how often they keep in touch."""

    __tablename__ = "family_duties"
    __table_args__ = (
        sa.UniqueConstraint("elder_id", "member_name", name="uq_family_duties_elder_member"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    member_name: Mapped[str] = mapped_column(sa.String(32))
    relation: Mapped[Relation] = mapped_column(enum_column(Relation, "family_duty_relation"))
    is_away: Mapped[bool] = mapped_column(default=False)  # 外出 (not in the elder's town/street)
    away_place: Mapped[str] = mapped_column(sa.String(100), default="")  # 去向
    rhythm: Mapped[ContactRhythm | None] = mapped_column(enum_column(ContactRhythm))
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    updated_by: Mapped[User | None] = relationship()


class FamilyContact(Base):
    """A reminder given: staff reached a family member (how, when, what was said)."""

    __tablename__ = "family_contacts"
    __table_args__ = (
        sa.Index("ix_family_contacts_member", "elder_id", "member_name", "contacted_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"))
    member_name: Mapped[str] = mapped_column(sa.String(32))
    relation: Mapped[Relation] = mapped_column(enum_column(Relation, "family_contact_relation"))
    contacted_on: Mapped[date]
    method: Mapped[ContactMethod] = mapped_column(enum_column(ContactMethod))
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()


class CareEntrustment(Base):
    """委托照顾协议: a family member (赡养义务人) entrusts the elder's care to a person or an
    organisation, from one date to another, with the scan of the signed agreement."""

    __tablename__ = "care_entrustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    entrusting_name: Mapped[str] = mapped_column(sa.String(32))  # 委托人
    entrusting_relation: Mapped[Relation | None] = mapped_column(
        enum_column(Relation, "entrusting_relation")
    )
    entrusted_name: Mapped[str] = mapped_column(sa.String(100))  # 受托人（个人或机构）
    entrusted_is_organisation: Mapped[bool] = mapped_column(default=False)
    entrusted_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    # The signed agreement, scanned (stored like signed forms: under CASEMAN_UPLOADS).
    scan_filename: Mapped[str] = mapped_column(sa.String(200), default="")
    scan_stored_as: Mapped[str] = mapped_column(sa.String(200), default="")
    scan_media_type: Mapped[str] = mapped_column(sa.String(32), default="")
    scan_size: Mapped[int | None]
    scan_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    elder: Mapped[Elder] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def has_scan(self) -> bool:
        return bool(self.scan_stored_as)
