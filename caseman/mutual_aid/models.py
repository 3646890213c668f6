"""Rural mutual aid (农村互助养老, 渝北民〔2023〕23号): team, points, pairing, points ledger,
activities and funds. Every row belongs to a village (村) of the area tree; nothing is deleted
(members and pairings end with a date, activities and funds are voided with a reason, points are
corrected by new entries).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseman.areas.models import Area
from caseman.db import Base, TimestampMixin, enum_column, utcnow
from caseman.elders.models import Elder
from caseman.rules.enums import Gender
from caseman.rules.mutual_aid import (
    ActivityType,
    AidElderType,
    EntryKind,
    FundSource,
    HelpKind,
    Living,
    PairingKind,
    PointKind,
    TeamRole,
)

Coordinate = sa.Numeric(9, 6)


class TeamMember(TimestampMixin, Base):
    """互助养老服务队伍 member (000 三(二)); may be a registered elder (低龄健康老人)."""

    __tablename__ = "aid_team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))  # 村民小组 (小组长)
    role: Mapped[TeamRole] = mapped_column(enum_column(TeamRole))
    name: Mapped[str] = mapped_column(sa.String(32))
    gender: Mapped[Gender] = mapped_column(enum_column(Gender, "aid_member_gender"))
    birth_year: Mapped[int | None]
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    organisation: Mapped[str] = mapped_column(sa.String(100), default="")  # 社工组织名称
    elder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("elders.id"))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]

    village: Mapped[Area] = relationship(foreign_keys=[village_id])
    group: Mapped[Area | None] = relationship(foreign_keys=[group_id])

    def age_on(self, day: date) -> int | None:
        return day.year - self.birth_year if self.birth_year else None

    def is_active_on(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)


class AidPoint(TimestampMixin, Base):
    """互助养老中心点 or 分点 of a village, with optional coordinates (WGS-84)."""

    __tablename__ = "aid_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    kind: Mapped[PointKind] = mapped_column(enum_column(PointKind))
    name: Mapped[str] = mapped_column(sa.String(64))
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    latitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    longitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    functions: Mapped[str] = mapped_column(sa.String(300), default="")  # 休闲娱乐、精神慰藉…
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]


class Pairing(TimestampMixin, Base):
    """结对帮扶: one helper and one elder (一对一), or a group of helpers and elders (划片式)."""

    __tablename__ = "aid_pairings"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    kind: Mapped[PairingKind] = mapped_column(enum_column(PairingKind))
    name: Mapped[str] = mapped_column(sa.String(64), default="")  # a 划片式 group's name
    started_on: Mapped[date]
    ended_on: Mapped[date | None]

    village: Mapped[Area] = relationship()
    helpers: Mapped[list[PairingHelper]] = relationship(
        back_populates="pairing", order_by="PairingHelper.id"
    )
    elders: Mapped[list[PairedElder]] = relationship(
        back_populates="pairing", order_by="PairedElder.id"
    )


class PairingHelper(Base):
    __tablename__ = "aid_pairing_helpers"
    __table_args__ = (
        sa.UniqueConstraint("pairing_id", "member_id", name="uq_aid_pairing_helpers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_pairings.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_team_members.id"), index=True)

    pairing: Mapped[Pairing] = relationship(back_populates="helpers")
    member: Mapped[TeamMember] = relationship()


class PairedElder(Base):
    """An elder in a pairing: from the caseload (``elder_id``) or a 社会老人 with the basic facts
    of the pairing ledger (000 附件2). For a caseload elder name, gender, age, phone and address
    come from the case file; the facts below are still kept as the village confirmed them."""

    __tablename__ = "aid_paired_elders"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_pairings.id"), index=True)
    elder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(32), default="")
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender, "aid_elder_gender"))
    birth_year: Mapped[int | None]
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    has_children: Mapped[bool] = mapped_column(default=False)  # 子女情况（有无子女）
    living: Mapped[Living] = mapped_column(enum_column(Living))  # 居住情况（独居、双居）
    is_disabled: Mapped[bool] = mapped_column(default=False)  # 健康状况（自理、失能）
    elder_type: Mapped[AidElderType] = mapped_column(enum_column(AidElderType))  # 老人类型
    latitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    longitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    note: Mapped[str] = mapped_column(sa.String(200), default="")  # 备注

    pairing: Mapped[Pairing] = relationship(back_populates="elders")
    elder: Mapped[Elder | None] = relationship()

    @property
    def display_name(self) -> str:
        return self.elder.name if self.elder is not None else self.name


class HelpRecord(Base):
    """One help given (帮扶): date, what, by whom; counts as a 帮扶次数 of the elder."""

    __tablename__ = "aid_help_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    paired_elder_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_paired_elders.id"), index=True)
    helper_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_team_members.id"), index=True)
    helped_on: Mapped[date] = mapped_column(index=True)
    kind: Mapped[HelpKind] = mapped_column(enum_column(HelpKind))
    what: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    paired_elder: Mapped[PairedElder] = relationship()
    helper: Mapped[TeamMember] = relationship()


class PointRate(TimestampMixin, Base):
    """A service the village awards points for (送餐入户, 沐浴清洁, 农活家务 …) and its rate."""

    __tablename__ = "aid_point_rates"
    __table_args__ = (
        sa.UniqueConstraint("village_id", "service", name="uq_aid_point_rates_service"),
        sa.CheckConstraint("points > 0", name="positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    service: Mapped[str] = mapped_column(sa.String(64))
    points: Mapped[int]
    is_active: Mapped[bool] = mapped_column(default=True)


class PointEntry(Base):
    """积分 ledger entry: append-only. ``sequence`` numbers a member's entries 1, 2, 3 … (unique),
    so two concurrent entries cannot both build on the same balance; ``balance_after`` is the
    running balance, never negative (a database check)."""

    __tablename__ = "aid_point_entries"
    __table_args__ = (
        sa.UniqueConstraint("member_id", "sequence", name="uq_aid_point_entries_sequence"),
        sa.CheckConstraint("balance_after >= 0", name="balance_not_negative"),
        sa.CheckConstraint("points <> 0", name="points_not_zero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_team_members.id"), index=True)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    sequence: Mapped[int]
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind))
    points: Mapped[int]  # signed: earned > 0, redeemed < 0
    balance_after: Mapped[int]
    entry_on: Mapped[date] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(sa.String(200))  # what the entry comes from
    rate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("aid_point_rates.id"))
    help_record_id: Mapped[int | None] = mapped_column(sa.ForeignKey("aid_help_records.id"))
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("aid_point_entries.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    member: Mapped[TeamMember] = relationship()


@event.listens_for(PointEntry, "before_update")
def _entries_are_append_only(_mapper: object, _connection: object, target: PointEntry) -> None:
    raise ValueError("points entries are append-only: add a correction instead")


class Activity(TimestampMixin, Base):
    """集体活动 (000 三(五))."""

    __tablename__ = "aid_activities"
    __table_args__ = (sa.CheckConstraint("elders_count >= 0", name="elders_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    kind: Mapped[ActivityType] = mapped_column(enum_column(ActivityType))
    held_on: Mapped[date] = mapped_column(index=True)
    place: Mapped[str] = mapped_column(sa.String(100), default="")
    elders_count: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    voided_on: Mapped[date | None]
    void_reason: Mapped[str] = mapped_column(sa.String(200), default="")


class Fund(TimestampMixin, Base):
    """资金筹集 (000 四): money raised for a village's mutual aid."""

    __tablename__ = "aid_funds"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    source: Mapped[FundSource] = mapped_column(enum_column(FundSource))
    donor: Mapped[str] = mapped_column(sa.String(100), default="")
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    received_on: Mapped[date] = mapped_column(index=True)
    use: Mapped[str] = mapped_column(sa.String(200), default="")
    voided_on: Mapped[date | None]
    void_reason: Mapped[str] = mapped_column(sa.String(200), default="")
