"""Benefit applications: recording them and their outcome; a grant updates the case file with a
new version (issue 20 item 5). Services flush and never commit; every change is audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from caseman import audit
from caseman.auth.models import User
from caseman.benefits.models import BenefitApplication
from caseman.elders.models import Elder
from caseman.elders.services import add_version
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.rules.benefits import (
    BenefitKind,
    Economy,
    Outcome,
    decision_problem,
    grant_changes,
    item_name,
)
from caseman.rules.enums import N_

DECISION_MESSAGES = {
    ("outcome", "pending"): N_("Choose granted or refused."),
    ("decided_on", "missing"): N_("Please fill this in."),
    ("decided_on", "before_applied"): N_("The decision cannot be before the application."),
    ("decided_on", "future"): N_("The date cannot be in the future."),
    ("reason", "missing"): N_("Give the reason for the refusal."),
}


def apply_for_benefit(
    actor: User,
    elder: Elder,
    *,
    kind: BenefitKind,
    other_name: str,
    applied_on: date,
    note: str,
    today: date,
) -> BenefitApplication:
    """Record an application made for the elder (三协助 三: helped to apply)."""
    if elder.is_archived:
        raise DomainError(None, N_("An archived case cannot be changed; restore it first."))
    if applied_on > today:
        raise DomainError("applied_on", N_("The date cannot be in the future."))
    other_name = other_name.strip()
    if kind is BenefitKind.OTHER and not other_name:
        raise DomainError("other_name", N_("Name the benefit."))
    application = BenefitApplication(
        elder_id=elder.id,
        kind=kind,
        other_name=other_name if kind is BenefitKind.OTHER else "",
        applied_on=applied_on,
        note=note.strip(),
        outcome=Outcome.PENDING,
        created_by_id=actor.id,
    )
    db.session.add(application)
    db.session.flush()
    audit.record("benefit_apply", object_type="benefit", object_id=application.id,
                 elder_id=elder.id, user=actor)  # fmt: skip
    return application


def decide_application(
    actor: User,
    application: BenefitApplication,
    *,
    outcome: Outcome,
    decided_on: date | None,
    monthly_amount: Decimal | None,
    reason: str,
    today: date,
) -> None:
    """Record the outcome. A grant changes the matching case-file field (rules.benefits) and
    writes a new version of the case file, whose number the application keeps."""
    if application.outcome is not Outcome.PENDING:
        raise DomainError(None, N_("This application has already been decided."))
    problem = decision_problem(outcome, application.applied_on, decided_on, reason, today)
    if problem is not None:
        raise DomainError(problem[0], DECISION_MESSAGES[problem])
    if monthly_amount is not None and monthly_amount < 0:
        raise DomainError("monthly_amount", N_("The amount cannot be negative."))
    elder = application.elder
    if outcome is Outcome.GRANTED and elder.is_archived:
        raise DomainError(None, N_("An archived case cannot be changed; restore it first."))
    application.outcome = outcome
    application.decided_on = decided_on
    application.decided_by_id = actor.id
    application.reason = reason.strip() if outcome is Outcome.REFUSED else ""
    application.monthly_amount = monthly_amount if outcome is Outcome.GRANTED else None
    db.session.flush()
    action = "benefit_grant" if outcome is Outcome.GRANTED else "benefit_refuse"
    audit.record(action, object_type="benefit", object_id=application.id, elder_id=elder.id,
                 user=actor)  # fmt: skip
    if outcome is not Outcome.GRANTED:
        return
    economy = Economy(
        is_dibao=elder.is_dibao,
        is_dibao_edge=elder.is_dibao_edge,
        is_extreme_poverty=elder.is_extreme_poverty,
        subsidy_items=elder.subsidy_items or "",
        subsidy_monthly=elder.subsidy_monthly,
    )
    for name, value in grant_changes(
        application.kind, economy, monthly_amount, application.other_name
    ).items():
        setattr(elder, name, value)
    assert decided_on is not None
    # The version's note is stored data, shown on the case file as written.
    when = f"{decided_on.year}年{decided_on.month}月{decided_on.day}日"
    note = f"获批{item_name(application.kind, application.other_name)}（{when}）"
    if monthly_amount:
        note += f"，每月{monthly_amount}元"
    version = add_version(actor, elder, "benefit", note)
    application.elder_version = version.number
    audit.record("update", object_type="elder", object_id=elder.id, elder_id=elder.id,
                 detail=",".join(version.changed_fields), user=actor)  # fmt: skip
