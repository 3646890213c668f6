"""Keeping each elder's risk level (风险等级, 003 二(二)) current, and the staff override.

The level is the pure rule :func:`caseman.rules.risk_level.assess_risk` applied to the confirmed
categories, the latest visit's findings and the open risks. It is stored (``ElderRiskLevel``) so
that the due list and the dashboard read it cheaply, and refreshed whatever path changes an
input: a session hook notes the elders whose visits, risks, categories or case file were written
in a flush, and refreshes them just before the transaction commits (:func:`refresh_pending`),
so a visit form, a risk closed, a correction, an import or the demo data all keep it current.

Services flush, never commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from caseman import audit, clock
from caseman.auth.models import User
from caseman.db import utcnow
from caseman.elders.models import Elder, ElderCategory
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.risk.models import ElderRiskLevel
from caseman.rules.enums import N_, Category
from caseman.rules.risk_level import RiskAssessment, RiskLevel, assess_risk, effective_level

PENDING = "caseman_risk_pending"
BATCH = 900
# The 附件3 items the rule reads (caseman.rules.risk_level).
FINDINGS = (
    "mobility", "expression", "mood", "illness", "gas_safety", "water_heating_safety",
    "electricity_safety",
)  # fmt: skip
UNSCOPED = {"caseman_unscoped": True}  # the ids come from rows this transaction wrote


def _reasons_data(assessment: RiskAssessment) -> list[list[Any]]:
    return [[r.message, dict(r.params)] for r in assessment.reasons]


def assess_elders(ids: list[int]) -> dict[int, RiskAssessment]:
    """The rule's answer for the elders ``ids`` (existing ones only), a few queries a batch."""
    from caseman.referrals.models import Risk
    from caseman.rules.referrals import RiskStatus
    from caseman.visits.models import Visit

    result: dict[int, RiskAssessment] = {}
    for at in range(0, len(ids), BATCH):
        chunk = ids[at : at + BATCH]
        existing = set(
            db.session.scalars(
                select(Elder.id).where(Elder.id.in_(chunk)).execution_options(**UNSCOPED)
            )
        )
        if not existing:
            continue
        categories: dict[int, set[Category]] = defaultdict(set)
        for elder_id, category in db.session.execute(
            select(ElderCategory.elder_id, ElderCategory.category)
            .where(ElderCategory.elder_id.in_(existing))
            .execution_options(**UNSCOPED)
        ):
            categories[elder_id].add(category)
        ranked = (
            select(
                Visit.elder_id,
                *(getattr(Visit, name) for name in FINDINGS),
                sa.func.row_number()
                .over(
                    partition_by=Visit.elder_id,
                    order_by=(Visit.visited_on.desc(), Visit.number.desc()),
                )
                .label("rank"),
            )
            .where(Visit.elder_id.in_(existing), Visit.voided_at.is_(None))
            .subquery()
        )
        findings: dict[int, dict[str, Any]] = {}
        for row in db.session.execute(
            select(ranked).where(ranked.c.rank == 1).execution_options(**UNSCOPED)
        ).mappings():
            findings[row["elder_id"]] = {name: row[name] for name in FINDINGS}
        open_risks = dict(
            db.session.execute(
                select(Risk.elder_id, sa.func.count())
                .where(Risk.elder_id.in_(existing), Risk.status != RiskStatus.CLOSED)
                .group_by(Risk.elder_id)
                .execution_options(**UNSCOPED)
            ).all()
        )
        for elder_id in existing:
            result[elder_id] = assess_risk(
                categories.get(elder_id, set()),
                findings.get(elder_id),
                open_risks.get(elder_id, 0),
            )
    return result


def refresh_risk_levels(ids: Iterable[int]) -> None:
    """Work out and store the risk level of the elders ``ids`` (the override stays)."""
    wanted = sorted(set(ids))
    if not wanted:
        return
    assessments = assess_elders(wanted)
    rows = {}
    for at in range(0, len(wanted), BATCH):
        for row in db.session.scalars(
            select(ElderRiskLevel)
            .where(ElderRiskLevel.elder_id.in_(wanted[at : at + BATCH]))
            .execution_options(**UNSCOPED)
        ):
            rows[row.elder_id] = row
    now = utcnow()
    for elder_id, assessment in assessments.items():
        row = rows.get(elder_id)
        reasons = _reasons_data(assessment)
        if row is None:
            row = ElderRiskLevel(elder_id=elder_id, override_reason="")
            db.session.add(row)
        elif row.computed_level == assessment.level and row.reasons == reasons:
            continue
        row.computed_level = assessment.level
        row.reasons = reasons
        row.computed_at = now
        row.level = effective_level(assessment.level, row.override_level)


def fill_missing_levels(batch: int = 5000) -> int:
    """Work out the level of every elder who has none (a database upgraded to this feature, or
    rows loaded in bulk past the ORM); returns how many. ``flask init-db`` runs it."""
    done = 0
    while True:
        ids = list(
            db.session.scalars(
                select(Elder.id)
                .outerjoin(ElderRiskLevel, ElderRiskLevel.elder_id == Elder.id)
                .where(ElderRiskLevel.elder_id.is_(None))
                .order_by(Elder.id)
                .limit(batch)
                .execution_options(**UNSCOPED)
            )
        )
        if not ids:
            return done
        refresh_risk_levels(ids)
        db.session.flush()
        done += len(ids)


def refresh_pending(session: Session) -> None:
    """Refresh the elders noted by the flush hook (called before each commit)."""
    for _round in range(10):  # refreshing may flush and note nothing new: one round or two
        pending = session.info.pop(PENDING, None)
        if not pending:
            return
        refresh_risk_levels(pending)
        session.flush()


def _note(session: Session, _context: Any) -> None:
    from caseman.referrals.models import Risk
    from caseman.visits.models import Visit

    found: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Elder):
            if obj.id is not None:
                found.add(obj.id)
        elif isinstance(obj, Visit | Risk | ElderCategory) and obj.elder_id is not None:
            found.add(obj.elder_id)
    if found:
        session.info.setdefault(PENDING, set()).update(found)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer commit refreshes
    if session.new or session.dirty or session.deleted:  # the commit flushes after this hook
        session.flush()
    if session.info.get(PENDING):
        refresh_pending(session)


def install() -> None:
    """Install the hooks once (idempotent)."""
    if not event.contains(Session, "after_flush", _note):
        event.listen(Session, "after_flush", _note)
        event.listen(Session, "before_commit", _before_commit)


def current_assessment(elder: Elder) -> ElderRiskLevel:
    """The elder's stored risk level; one worked out now (not stored) if none is stored yet."""
    row = db.session.scalar(select(ElderRiskLevel).where(ElderRiskLevel.elder_id == elder.id))
    if row is not None:
        return row
    assessment = assess_elders([elder.id]).get(elder.id) or assess_risk(set(), None, 0)
    return ElderRiskLevel(
        elder_id=elder.id,
        computed_level=assessment.level,
        reasons=_reasons_data(assessment),
        level=assessment.level,
        override_reason="",
    )


def _stored(elder: Elder) -> ElderRiskLevel:
    refresh_risk_levels([elder.id])
    db.session.flush()
    row = db.session.scalar(select(ElderRiskLevel).where(ElderRiskLevel.elder_id == elder.id))
    assert row is not None  # noqa: S101 - refresh_risk_levels just stored it
    return row


def override_risk_level(actor: User, elder: Elder, level: RiskLevel, reason: str) -> None:
    """Set the risk level by hand, with a reason; the rule's level stays beside it."""
    reason = reason.strip()
    if not reason:
        raise DomainError("reason", N_("Say why the risk level differs from the one worked out."))
    if elder.is_archived:
        raise DomainError(None, N_("This case is archived: restore it first."))
    row = _stored(elder)
    before = row.level
    row.override_level = level
    row.override_reason = reason[:300]
    row.override_by_id = actor.id
    row.override_at = clock.utcnow()
    row.level = level
    db.session.flush()
    audit.record("risk_override", object_type="risk_level", object_id=row.id, elder_id=elder.id,
                 detail=f"from={before.value} to={level.value}", user=actor)  # fmt: skip


def clear_risk_override(actor: User, elder: Elder) -> None:
    """Drop the hand-set level: the level worked out by the rule applies again."""
    row = _stored(elder)
    if row.override_level is None:
        raise DomainError(None, N_("The risk level is not set by hand."))
    before = row.override_level
    row.override_level = None
    row.override_reason = ""
    row.override_by_id = actor.id
    row.override_at = clock.utcnow()
    row.level = row.computed_level
    db.session.flush()
    audit.record("risk_override_cleared", object_type="risk_level", object_id=row.id,
                 elder_id=elder.id, detail=f"from={before.value} to={row.level.value}",
                 user=actor)  # fmt: skip
