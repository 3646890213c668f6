"""The elder's case file: every item of 附件2 (信息登记表) of 渝北民〔2024〕24号."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from caseman import clock
from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.db import Base, TimestampMixin, enum_column, utcnow
from caseman.rules.enums import (
    AbilityLevel,
    ArchiveReason,
    Category,
    Gender,
    Relation,
    Residence,
)

Money = sa.Numeric(12, 2)


class Elder(TimestampMixin, Base):
    """特殊困难老年人: one case per person in the district (unique ID number)."""

    __tablename__ = "elders"
    __table_args__ = (
        # Where they live, then what the dashboard, the due list and the counts of a town read of
        # every elder: those pages read this index alone, not the table (an index-only scan).
        sa.Index(
            "ix_elders_residence_schedule",
            "residence_area_id",
            "archived_on",
            "filed_on",
            "is_key",
            "key_changed_on",
            "was_key",
            "last_reviewed_on",
            "id",  # SQLite has it in every index; PostgreSQL needs it named
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # 一、服务对象基本情况
    name: Mapped[str] = mapped_column(sa.String(32), index=True)
    gender: Mapped[Gender] = mapped_column(enum_column(Gender))
    id_number: Mapped[str] = mapped_column(sa.String(18), unique=True)
    # Indexed: the likely-duplicate check reads the cases born on a few dates (issue 20 item 4).
    birth_on: Mapped[date] = mapped_column(index=True)
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    emergency_name: Mapped[str] = mapped_column(sa.String(32), default="")  # 紧急联系人
    emergency_gender: Mapped[Gender | None] = mapped_column(enum_column(Gender, "emergency_gender"))
    emergency_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    household_area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))  # 户籍地址
    household_address: Mapped[str] = mapped_column(sa.String(200), default="")
    residence_area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"))
    residence_address: Mapped[str] = mapped_column(sa.String(200), default="")  # 居住地址
    is_rural_hukou: Mapped[bool] = mapped_column(default=True)  # 农村户籍 (留守)
    # 健康状况
    ability_level: Mapped[AbilityLevel] = mapped_column(enum_column(AbilityLevel))
    medical_history: Mapped[str] = mapped_column(sa.Text, default="")  # 曾患病史
    has_serious_illness: Mapped[bool] = mapped_column(default=False)  # 重病
    # 经济情况
    is_extreme_poverty: Mapped[bool] = mapped_column(default=False)  # 特困人员
    is_dibao: Mapped[bool] = mapped_column(default=False)  # 低保
    is_dibao_edge: Mapped[bool] = mapped_column(default=False)  # 低保边缘
    monthly_income: Mapped[Decimal | None] = mapped_column(Money)  # 月可支配收入
    income_sources: Mapped[str] = mapped_column(sa.String(200), default="")  # 经济来源
    # 对象类别
    disability_certificate_no: Mapped[str] = mapped_column(sa.String(32), default="")
    disability_grade: Mapped[int | None]
    other_reason: Mapped[str] = mapped_column(sa.String(200), default="")  # 其他关爱对象: why
    # Under 60 on the filing date (004 concerns 老年人): why the person is filed all the same.
    under_age_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    suggested_categories: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    category_override_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    is_key: Mapped[bool] = mapped_column(default=False)  # 重点对象 (else 一般对象)
    suggested_key: Mapped[bool] = mapped_column(default=False)
    key_override_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    # The last key/general change: it takes effect from the next visit period.
    key_changed_on: Mapped[date | None]
    was_key: Mapped[bool | None]
    # 三、家庭生活条件
    water_safe: Mapped[bool | None]
    electricity_safe: Mapped[bool | None]
    housing_safe: Mapped[bool | None]
    household_monthly_income: Mapped[Decimal | None] = mapped_column(Money)
    has_pension: Mapped[bool] = mapped_column(default=False)
    pension_monthly: Mapped[Decimal | None] = mapped_column(Money)
    subsidy_monthly: Mapped[Decimal | None] = mapped_column(Money)
    subsidy_items: Mapped[str] = mapped_column(sa.String(200), default="")
    # 四、已享受帮扶情况
    support_units: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    support_person: Mapped[str] = mapped_column(sa.String(64), default="")  # 帮扶责任人
    support_measures: Mapped[str] = mapped_column(sa.Text, default="")  # 帮扶措施
    # 建档日期 and 附件1 责任主体 (责任镇街/村 follow the residence area)
    filed_on: Mapped[date]
    responsible_person: Mapped[str] = mapped_column(sa.String(64), default="")
    responsible_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    # Archive (nothing is deleted)
    archived_on: Mapped[date | None]
    archive_reason: Mapped[ArchiveReason | None] = mapped_column(enum_column(ArchiveReason))
    archive_note: Mapped[str] = mapped_column(sa.String(300), default="")
    archived_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    last_reviewed_on: Mapped[date | None]  # 每半年动态更新
    version: Mapped[int] = mapped_column(default=1)
    # Changed by every write that changes what the case file shows (caseman.casefile.cache).
    case_revision: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")

    residence_area: Mapped[Area] = relationship(foreign_keys=[residence_area_id])
    household_area: Mapped[Area | None] = relationship(foreign_keys=[household_area_id])
    members: Mapped[list[FamilyMember]] = relationship(
        back_populates="elder", order_by="FamilyMember.position", cascade="all, delete-orphan"
    )
    category_rows: Mapped[list[ElderCategory]] = relationship(
        cascade="all, delete-orphan", order_by="ElderCategory.category"
    )
    versions: Mapped[list[ElderVersion]] = relationship(
        back_populates="elder", order_by="ElderVersion.number.desc()"
    )
    assignments: Mapped[list[ElderAssignment]] = relationship(
        back_populates="elder", cascade="all, delete-orphan", order_by="ElderAssignment.id"
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def categories(self) -> list[Category]:
        order = list(Category)
        return sorted((row.category for row in self.category_rows), key=order.index)

    @property
    def is_archived(self) -> bool:
        return self.archived_on is not None

    def __repr__(self) -> str:
        return f"<Elder {self.id} {self.name}>"


class ElderCategory(Base):
    """A confirmed 对象类别 of an elder (an elder may have several)."""

    __tablename__ = "elder_categories"
    __table_args__ = (sa.UniqueConstraint("elder_id", "category", name="uq_elder_categories"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    category: Mapped[Category] = mapped_column(enum_column(Category), index=True)


class FamilyMember(Base):
    """二、家庭基本情况: one row of the family table, with the facts category rules need."""

    __tablename__ = "family_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(32))
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender))
    id_number: Mapped[str] = mapped_column(sa.String(18), default="")
    relation: Mapped[Relation] = mapped_column(enum_column(Relation))
    health: Mapped[str] = mapped_column(sa.String(64), default="")  # 健康状况
    is_dibao_or_poverty: Mapped[bool] = mapped_column(default=False)  # 是否为低保对象/特困人员
    visits_often: Mapped[bool] = mapped_column(default=False)  # 是否经常探访
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    residence: Mapped[Residence | None] = mapped_column(enum_column(Residence))
    working_away_since: Mapped[date | None]  # 外出务工起始 (留守: 半年以上)
    is_deceased: Mapped[bool] = mapped_column(default=False)
    disability_grade: Mapped[int | None]
    is_only_child: Mapped[bool] = mapped_column(default=False)  # 独生子女 (计生特殊家庭)

    elder: Mapped[Elder] = relationship(back_populates="members")


class ElderVersion(Base):
    """A saved registration (建档, correction or half-year review), never overwritten."""

    __tablename__ = "elder_versions"
    __table_args__ = (sa.UniqueConstraint("elder_id", "number", name="uq_elder_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16))  # created | edited | reviewed | archived
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    changed_fields: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    elder: Mapped[Elder] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()


class ElderAssignment(Base):
    """A visitor (探访联系人, a worker) assigned to an elder: the worker's scope beyond their area.

    Assignments are history, never deleted: ending one sets ``ended_on`` (with who and why), and
    assigning the same worker again later adds a new row. Only active rows (``ended_on`` empty)
    widen a worker's scope (caseman.scope); at most one active row per elder and worker.
    """

    __tablename__ = "elder_assignments"
    __table_args__ = (
        # One active assignment per worker and elder; the scope reads it by worker.
        sa.Index(
            "ix_elder_assignments_active",
            "user_id",
            "elder_id",
            unique=True,
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    started_on: Mapped[date] = mapped_column(default=clock.today)
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ended_on: Mapped[date | None]
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    end_reason: Mapped[str] = mapped_column(sa.String(200), default="")

    elder: Mapped[Elder] = relationship(back_populates="assignments")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class ElderMove(Base):
    """A change of the elder's residence area (搬迁): where they lived before ``moved_on``.

    The visit rates of past months count an elder in the area where they lived then (issue 17
    item 5): the area on a day is ``from_area_id`` of the first move after that day, else the
    current ``Elder.residence_area_id``. Rows are written by the ``before_flush`` hook below
    whenever an elder's residence area changes, whatever the path (a correction, an import);
    ``moved_on`` is the service's "today" when it says so (``Elder.moving_on``), else the clock's.
    """

    __tablename__ = "elder_moves"
    __table_args__ = (sa.Index("ix_elder_moves_elder_moved_on", "elder_id", "moved_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"))
    moved_on: Mapped[date]  # the first day in the new area
    from_area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"))
    to_area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@sa.event.listens_for(Session, "before_flush")
def _record_moves(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.dirty):
        if not isinstance(obj, Elder):
            continue
        history = sa.inspect(obj).attrs.residence_area_id.history
        if not history.added or not history.deleted:
            continue
        before, after = history.deleted[0], history.added[0]
        if before is None or after is None or before == after:
            continue
        moved_on = getattr(obj, "moving_on", None) or clock.today()
        session.add(
            ElderMove(elder_id=obj.id, moved_on=moved_on, from_area_id=before, to_area_id=after)
        )


class ElderMerge(Base):
    """Two case files of one person merged (issue 20 item 4): ``merged`` is archived with the
    reason "merged into ``kept``" and its history (visits, care, referrals, risks, printed forms)
    stays where it is, shown on the kept case file too. Nothing is deleted."""

    __tablename__ = "elder_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    merged_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), unique=True)
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    merged: Mapped[Elder] = relationship(foreign_keys=[merged_id])
