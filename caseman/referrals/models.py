"""Referrals (转介), risks and emergencies (风险隐患 / 突发事件) and their follow-ups (跟踪回访).

A problem found on a visit is acted on, referred and followed up until it is settled (004 一(四)2
三协助, 004 二(五)). Every status change is kept in ``status_changes``; nothing is deleted.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseman.auth.models import User
from caseman.db import Base, TimestampMixin, enum_column, utcnow
from caseman.elders.models import Elder
from caseman.rules.enums import NeedType, VisitMethod
from caseman.rules.referrals import ReferralStatus, RiskStatus, RiskType, Severity
from caseman.visits.models import Visit


class Benefit(StrEnum):
    """Benefits a referral helps apply for (协助申请, 三协助 三)."""

    DIBAO = "dibao"  # 低保
    EXTREME_POVERTY = "extreme_poverty"  # 特困人员救助供养
    OLD_AGE_ALLOWANCE = "old_age_allowance"  # 高龄津贴
    DISABILITY_SUBSIDY = "disability_subsidy"  # 残疾人两项补贴
    CARE_SUBSIDY = "care_subsidy"  # 养老服务补贴
    TEMPORARY_RELIEF = "temporary_relief"  # 临时救助
    MEDICAL_RELIEF = "medical_relief"  # 医疗救助
    OTHER = "other"  # 其他


class BenefitOutcome(StrEnum):
    PENDING = "pending"  # 审核中
    GRANTED = "granted"  # 已获批
    REFUSED = "refused"  # 未获批


class Referral(TimestampMixin, Base):
    """转介: a need connected to a service, followed until solved or found unsolvable."""

    __tablename__ = "referrals"
    __table_args__ = (sa.Index("ix_referrals_status_follow_up", "status", "follow_up_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visits.id"), index=True)
    need: Mapped[NeedType] = mapped_column(enum_column(NeedType))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    raised_on: Mapped[date]
    referred_to: Mapped[str] = mapped_column(sa.String(200), default="")  # organisation, service
    referred_contact: Mapped[str] = mapped_column(sa.String(100), default="")
    referred_on: Mapped[date | None]
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[ReferralStatus] = mapped_column(enum_column(ReferralStatus))
    follow_up_on: Mapped[date | None]  # next follow-up due
    outcome: Mapped[str] = mapped_column(sa.Text, default="")  # solved: what settled it
    unsolvable_reason: Mapped[str] = mapped_column(sa.Text, default="")
    closed_on: Mapped[date | None]
    # 协助申请 (need = benefits)
    benefit: Mapped[Benefit | None] = mapped_column(enum_column(Benefit))
    benefit_applied_on: Mapped[date | None]
    benefit_outcome: Mapped[BenefitOutcome | None] = mapped_column(enum_column(BenefitOutcome))
    # Consent before the elder's details go to the service (caseman.rules.consent): the latest
    # answer, who gave it, how and when (who recorded it: the status change and the audit log).
    consent_answer: Mapped[str | None] = mapped_column(sa.String(16))  # ConsentAnswer
    consent_by: Mapped[str] = mapped_column(sa.String(100), default="")
    consent_way: Mapped[str | None] = mapped_column(sa.String(16))  # ConsentWay
    consent_on: Mapped[date | None]
    submission_key: Mapped[str] = mapped_column(sa.String(36), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    elder: Mapped[Elder] = relationship()
    visit: Mapped[Visit | None] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="referral", order_by="FollowUp.followed_on"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_closed(self) -> bool:
        return self.status.is_closed


class Risk(TimestampMixin, Base):
    """风险隐患 / 突发事件: what happened, what was done at once, and the follow-up until closed."""

    __tablename__ = "risks"
    __table_args__ = (
        sa.Index("ix_risks_status_follow_up", "status", "follow_up_on"),
        # The dashboard's reports not yet acknowledged (issue 21): a seek, not every risk.
        sa.Index("ix_risks_unacknowledged", "must_report", "acknowledged_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visits.id"), index=True)
    risk_type: Mapped[RiskType] = mapped_column(enum_column(RiskType))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity))
    occurred_at: Mapped[datetime]  # local time, as the reporter gives it
    description: Mapped[str] = mapped_column(sa.Text)
    # What was done at once (004 二(五)): emergency number, family or emergency contact
    emergency_called: Mapped[bool] = mapped_column(default=False)
    emergency_number: Mapped[str] = mapped_column(sa.String(20), default="")  # 110 / 120 / 119
    contact_reached: Mapped[str] = mapped_column(sa.String(100), default="")  # who
    contact_reached_at: Mapped[datetime | None]
    actions: Mapped[str] = mapped_column(sa.Text, default="")
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[RiskStatus] = mapped_column(enum_column(RiskStatus))
    follow_up_on: Mapped[date | None]
    # 003 三(二): reported to the town at once; shown to town staff until acknowledged
    must_report: Mapped[bool] = mapped_column(default=False)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    closed_on: Mapped[date | None]
    submission_key: Mapped[str] = mapped_column(sa.String(36), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    elder: Mapped[Elder] = relationship()
    visit: Mapped[Visit | None] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="risk", order_by="FollowUp.followed_on"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_closed(self) -> bool:
        return self.status.is_closed

    @property
    def awaits_town(self) -> bool:
        return self.must_report and self.acknowledged_at is None


class FollowUp(Base):
    """跟踪回访 of a referral or a risk."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        sa.CheckConstraint("(referral_id IS NULL) <> (risk_id IS NULL)", name="one_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    risk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("risks.id"), index=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    followed_on: Mapped[date]
    method: Mapped[VisitMethod] = mapped_column(enum_column(VisitMethod))
    findings: Mapped[str] = mapped_column(sa.Text)
    next_follow_up_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    referral: Mapped[Referral | None] = relationship(back_populates="follow_ups")
    risk: Mapped[Risk | None] = relationship(back_populates="follow_ups")
    created_by: Mapped[User | None] = relationship()


class StatusChange(Base):
    """One status change of a referral or risk (the history; reopening keeps it)."""

    __tablename__ = "status_changes"
    __table_args__ = (sa.Index("ix_status_changes_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(sa.String(16))  # referral | risk
    record_id: Mapped[int]
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    from_status: Mapped[str] = mapped_column(sa.String(16), default="")
    to_status: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    changed_on: Mapped[date]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    changed_by: Mapped[User | None] = relationship()
