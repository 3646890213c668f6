"""Visits and care: 附件3 (探访关爱服务记录表) of 渝北民〔2024〕24号, and visit campaigns.

A visit is part 一 (探访情况) of the sheet, a care record part 二 (关爱服务情况). Both are
numbered per elder (第N次): the number is given once and never changes, and every edit keeps
the earlier version in ``record_versions``. Nothing is deleted: a record entered in error is
voided with a reason.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.db import Base, TimestampMixin, enum_column, utcnow
from caseman.elders.models import Elder
from caseman.rules.enums import (
    FamilyChange,
    IllnessChange,
    NeedType,
    Safety,
    Satisfaction,
    Trend,
    VisitMethod,
)
from caseman.rules.service_forces import ForceKind


class Visit(TimestampMixin, Base):
    """探访情况: one visit (home, phone, video or other) to one elder."""

    __tablename__ = "visits"
    __table_args__ = (
        sa.UniqueConstraint("elder_id", "number", name="uq_visits_elder_number"),
        # Covers "last counting visit of an elder" and "a home visit of an elder in a period".
        sa.Index("ix_visits_elder_counting", "elder_id", "method", "voided_at", "visited_on"),
        sa.Index("ix_visits_visited_on_method", "visited_on", "method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"))
    number: Mapped[int]  # 第N次开展探访, per elder, never reused
    visited_on: Mapped[date]
    method: Mapped[VisitMethod] = mapped_column(enum_column(VisitMethod))
    method_other: Mapped[str] = mapped_column(sa.String(64), default="")  # 其他: which
    # 家庭状况
    family_change: Mapped[FamilyChange] = mapped_column(enum_column(FamilyChange))
    family_change_count: Mapped[int | None]
    # 健康状况
    expression: Mapped[Trend] = mapped_column(enum_column(Trend, "trend_expression"))  # 表达能力
    mobility: Mapped[Trend] = mapped_column(enum_column(Trend, "trend_mobility"))  # 行动能力
    illness: Mapped[IllnessChange] = mapped_column(enum_column(IllnessChange))  # 疾病状况
    illness_name: Mapped[str] = mapped_column(sa.String(100), default="")  # 严重: 疾病名称
    mood: Mapped[Trend] = mapped_column(enum_column(Trend, "trend_mood"))  # 情绪状态
    # 安全情况
    gas_safety: Mapped[Safety] = mapped_column(enum_column(Safety, "safety_gas"))
    water_heating_safety: Mapped[Safety] = mapped_column(enum_column(Safety, "safety_water"))
    electricity_safety: Mapped[Safety] = mapped_column(enum_column(Safety, "safety_power"))
    # 卫生状况, 居住环境
    personal_hygiene: Mapped[Trend] = mapped_column(enum_column(Trend, "trend_personal"))
    home_hygiene: Mapped[Trend] = mapped_column(enum_column(Trend, "trend_home"))
    indoor_environment: Mapped[Trend] = mapped_column(enum_column(Trend, "trend_indoor"))
    # 老年人服务需求, 实施关爱服务建议
    needs: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # NeedType values
    needs_note: Mapped[str] = mapped_column(sa.Text, default="")
    suggested_care: Mapped[str] = mapped_column(sa.Text, default="")
    # Names of the three signatories (they sign the printed sheet)
    visitor_name: Mapped[str] = mapped_column(sa.String(64))  # 探访人员
    visited_person_name: Mapped[str] = mapped_column(sa.String(64))  # 被探访人
    recorder_name: Mapped[str] = mapped_column(sa.String(64))  # 信息录入人
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # 探访力量: which kind of service force visited (004 一(五), issue 20 item 3); optional
    force_kind: Mapped[ForceKind | None] = mapped_column(enum_column(ForceKind))
    # Bookkeeping
    submission_key: Mapped[str] = mapped_column(sa.String(36), unique=True)  # double-tap guard
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    voided_at: Mapped[datetime | None]
    void_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    version: Mapped[int] = mapped_column(default=1)

    elder: Mapped[Elder] = relationship()
    created_by: Mapped[User | None] = relationship()
    care_records: Mapped[list[CareRecord]] = relationship(
        back_populates="visit", order_by="CareRecord.number"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None

    @property
    def need_types(self) -> list[NeedType]:
        order = list(NeedType)
        return sorted((NeedType(v) for v in self.needs or []), key=order.index)

    @property
    def unsafe_items(self) -> list[str]:
        """Names of the safety items found unsafe (不安全)."""
        return [
            name
            for name in ("gas_safety", "water_heating_safety", "electricity_safety")
            if getattr(self, name) == Safety.UNSAFE
        ]

    @property
    def worse_items(self) -> list[str]:
        """Names of the health, mood and hygiene items found worse (较差 / 严重)."""
        items = [
            name
            for name in (
                "expression",
                "mobility",
                "mood",
                "personal_hygiene",
                "home_hygiene",
                "indoor_environment",
            )
            if getattr(self, name) == Trend.WORSE
        ]
        if self.illness == IllnessChange.SERIOUS:
            items.insert(2, "illness")
        return items

    def __repr__(self) -> str:
        return f"<Visit {self.id} elder={self.elder_id} #{self.number}>"


class CareRecord(TimestampMixin, Base):
    """关爱服务情况: a service given to an elder, answering a visit's need where there is one."""

    __tablename__ = "care_records"
    __table_args__ = (sa.UniqueConstraint("elder_id", "number", name="uq_care_records_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    number: Mapped[int]  # 第N次开展关爱
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visits.id"), index=True)
    need: Mapped[NeedType | None] = mapped_column(enum_column(NeedType))
    cared_on: Mapped[date]
    what_was_done: Mapped[str] = mapped_column(sa.Text)  # 关爱服务情况
    provider: Mapped[str] = mapped_column(sa.String(100))  # 服务人员 or unit (签字/盖章)
    satisfaction: Mapped[Satisfaction | None] = mapped_column(enum_column(Satisfaction))
    satisfaction_note: Mapped[str] = mapped_column(sa.String(300), default="")
    submission_key: Mapped[str] = mapped_column(sa.String(36), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    voided_at: Mapped[datetime | None]
    void_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    version: Mapped[int] = mapped_column(default=1)

    elder: Mapped[Elder] = relationship()
    visit: Mapped[Visit | None] = relationship(back_populates="care_records")
    created_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


class RecordVersion(Base):
    """A saved state of a visit or care record; an edit adds one, none is ever changed."""

    __tablename__ = "record_versions"
    __table_args__ = (
        sa.UniqueConstraint("record_type", "record_id", "number", name="uq_record_versions_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(sa.String(16))  # visit | care
    record_id: Mapped[int]
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16))  # created | edited | voided
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    changed_fields: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()


class Campaign(TimestampMixin, Base):
    """An extra visit round for extreme weather or a festival (极端天气、传统节日, 004 二(四)2).

    Every active elder of the cohort (area, categories, key only or all) needs a visit inside
    the window.
    """

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    categories: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # empty: every category
    key_only: Mapped[bool] = mapped_column(default=False)
    home_visit_only: Mapped[bool] = mapped_column(default=True)  # else a call also counts
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str] = mapped_column(sa.String(300), default="")

    area: Mapped[Area] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None
