"""Raising, moving and following up referrals and risks. Services flush; the view commits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from caseman import audit
from caseman.auth.models import Role, User
from caseman.db import utcnow
from caseman.elders.models import Elder
from caseman.elders.services import FormErrors
from caseman.errors import DomainError, StaleEdit
from caseman.extensions import db
from caseman.referrals.models import (
    Benefit,
    BenefitOutcome,
    FollowUp,
    Referral,
    Risk,
    StatusChange,
)
from caseman.rules.consent import Consent, ConsentAnswer, ConsentWay, consent_problems
from caseman.rules.enums import N_, NeedType
from caseman.rules.referrals import (
    ReferralStatus,
    RiskStatus,
    RiskType,
    referral_transitions,
    risk_transitions,
)
from caseman.visits.models import Visit
from caseman.visits.services import DuplicateSubmission

Errors = dict[str, tuple[str, dict[str, Any]]]


def _log(record: Referral | Risk, actor: User, before: str, after: str, note: str,
         today: date) -> None:  # fmt: skip
    db.session.add(
        StatusChange(
            record_type="referral" if isinstance(record, Referral) else "risk",
            record_id=record.id,
            elder_id=record.elder_id,
            from_status=before,
            to_status=after,
            note=note,
            changed_on=today,
            changed_by_id=actor.id,
        )
    )


def _check_common(errors: Errors, values: dict[str, Any], elder: Elder, today: date) -> None:
    visit_id = values.get("visit_id")
    if visit_id is not None:
        visit = db.session.get(Visit, visit_id)
        if visit is None or visit.elder_id != elder.id or visit.is_void:
            errors["visit_id"] = (N_("Choose one of this elder's visits."), {})
    follow_up_on = values.get("follow_up_on")
    if follow_up_on is not None and follow_up_on < today:
        errors["follow_up_on"] = (N_("The follow-up date cannot be in the past."), {})
    owner_id = values.get("owner_id")
    if owner_id is not None:
        owner = db.session.get(User, owner_id)
        if owner is None or not owner.is_active:
            errors["owner_id"] = (N_("Choose an active user."), {})


def _ensure_open_case(elder: Elder) -> None:
    if elder.is_archived:
        raise DomainError(None, N_("This case is archived: restore it first."))


def _existing(model: type[Referral] | type[Risk], key: str) -> int | None:
    return db.session.scalar(select(model.id).where(model.submission_key == key))


def raise_referral(
    actor: User, elder: Elder, values: dict[str, Any], submission_key: str, today: date
) -> Referral:
    """转介: record a need to be connected with a service (from a visit or the case file)."""
    existing = _existing(Referral, submission_key)
    if existing is not None:
        raise DuplicateSubmission(existing)
    _ensure_open_case(elder)
    errors: Errors = {}
    _check_common(errors, values, elder, today)
    if not values.get("need"):
        errors["need"] = (N_("Please fill this in."), {})
    if not (values.get("description") or "").strip():
        errors["description"] = (N_("Describe the need."), {})
    if errors:
        raise FormErrors(errors)
    referral = Referral(
        elder_id=elder.id,
        visit_id=values.get("visit_id"),
        need=NeedType(values["need"]),
        description=values["description"].strip(),
        raised_on=today,
        owner_id=values.get("owner_id") or actor.id,
        status=ReferralStatus.OPEN,
        follow_up_on=values.get("follow_up_on"),
        benefit=values.get("benefit"),
        submission_key=submission_key,
        created_by_id=actor.id,
    )
    db.session.add(referral)
    db.session.flush()
    _log(referral, actor, "", ReferralStatus.OPEN.value, "", today)
    audit.record("create", object_type="referral", object_id=referral.id, elder_id=elder.id,
                 detail=referral.need.value)  # fmt: skip
    return referral


def _ensure_current(record: Referral | Risk, expected_version: int | None) -> None:
    if expected_version is None or expected_version != record.version:
        raise StaleEdit(record.version)


def move_referral(
    actor: User,
    referral: Referral,
    target: ReferralStatus,
    values: dict[str, Any],
    today: date,
    expected_version: int | None,
) -> bool:
    """Change the status along the allowed path; each step asks for what it needs.

    Referring (handing the need to an outside service) first asks for the elder's consent
    (caseman.rules.consent): an agreement is recorded and the referral moves; a refusal is
    recorded, nothing is handed over and the status stays (answers False)."""
    _ensure_current(referral, expected_version)
    current = referral.status
    if target not in referral_transitions(current, referral.need):
        if target is ReferralStatus.SOLVED and current is ReferralStatus.OPEN:
            raise DomainError(
                "status",
                N_("This need is settled through a service: refer it first, then record the "
                   "service in progress, then solve it."),
            )  # fmt: skip
        raise DomainError("status", N_("This status cannot follow the current one."))
    errors: Errors = {}
    note = (values.get("note") or "").strip()
    consent = _consent(values) if target is ReferralStatus.REFERRED else None
    if consent is not None:
        for field, message in consent_problems(consent, referral.raised_on, today).items():
            errors[field] = (message, {})
    refused = consent is not None and consent.answer is ConsentAnswer.REFUSED
    referring = target is ReferralStatus.REFERRED and not refused
    if referring and not (values.get("referred_to") or "").strip():
        errors["referred_to"] = (N_("Say where the need was referred."), {})
    if target is ReferralStatus.SOLVED and not note:
        errors["note"] = (N_("Say how the problem was solved."), {})
    if target is ReferralStatus.UNSOLVABLE and not note:
        errors["note"] = (N_("Give the reason it cannot be solved."), {})
    next_on = values.get("follow_up_on")
    if next_on is not None and next_on < today and not target.is_closed:
        errors["follow_up_on"] = (N_("The follow-up date cannot be in the past."), {})
    if current.is_closed and not note:
        errors["note"] = (N_("Give the reason for reopening."), {})
    if target is ReferralStatus.SOLVED and referral.need is NeedType.BENEFITS:
        if not values.get("benefit") and referral.benefit is None:
            errors["benefit"] = (N_("Choose the benefit applied for."), {})
        if not values.get("benefit_applied_on") and referral.benefit_applied_on is None:
            errors["benefit_applied_on"] = (N_("Give the date of the application."), {})
        if not values.get("benefit_outcome"):
            errors["benefit_outcome"] = (N_("Give the outcome of the application."), {})
    applied_on = values.get("benefit_applied_on")
    if applied_on is not None and (applied_on > today or applied_on < referral.raised_on):
        errors["benefit_applied_on"] = (
            N_("The date must be between the referral (%(date)s) and today."),
            {"date": referral.raised_on},
        )
    if errors:
        raise FormErrors(errors)
    if consent is not None:
        _record_consent(referral, consent)
    if refused:
        # The elder keeps their details: nothing is handed over, the referral stays where it was
        # and says so (the case is then settled otherwise, or asked again later).
        db.session.flush()
        _log(referral, actor, current.value, CONSENT_REFUSED, note, today)
        way = consent.way.value if consent.way else ""
        audit.record("consent_refused", object_type="referral", object_id=referral.id,
                     elder_id=referral.elder_id, detail=way)  # fmt: skip
        return False
    if target is ReferralStatus.REFERRED:
        referral.referred_to = values["referred_to"].strip()
        referral.referred_contact = (values.get("referred_contact") or "").strip()
        referral.referred_on = today
    if values.get("benefit"):
        referral.benefit = Benefit(values["benefit"])
    if applied_on is not None:
        referral.benefit_applied_on = applied_on
    if values.get("benefit_outcome"):
        referral.benefit_outcome = BenefitOutcome(values["benefit_outcome"])
    if target is ReferralStatus.SOLVED:
        referral.outcome = note
    if target is ReferralStatus.UNSOLVABLE:
        referral.unsolvable_reason = note
    referral.closed_on = today if target.is_closed else None
    if target.is_closed:
        referral.follow_up_on = None
    elif values.get("follow_up_on"):
        referral.follow_up_on = values["follow_up_on"]
    referral.status = target
    db.session.flush()
    _log(referral, actor, current.value, target.value, note, today)
    audit.record("status", object_type="referral", object_id=referral.id,
                 elder_id=referral.elder_id, detail=f"{current.value}>{target.value}")  # fmt: skip
    return True


CONSENT_REFUSED = "consent_refused"  # a history line: asked to refer, the elder did not agree


def _consent(values: dict[str, Any]) -> Consent:
    def member(kind: Any, value: Any) -> Any:
        try:
            return kind(value) if value else None
        except ValueError:
            return None

    return Consent(
        answer=member(ConsentAnswer, values.get("consent_answer")),
        given_by=(values.get("consent_by") or "").strip(),
        way=member(ConsentWay, values.get("consent_way")),
        given_on=values.get("consent_on"),
    )


def _record_consent(referral: Referral, consent: Consent) -> None:
    assert consent.answer is not None
    assert consent.way is not None
    referral.consent_answer = consent.answer.value
    referral.consent_by = consent.given_by[:100]
    referral.consent_way = consent.way.value
    referral.consent_on = consent.given_on


def add_follow_up(
    actor: User, record: Referral | Risk, values: dict[str, Any], today: date
) -> FollowUp:
    """跟踪回访: what was found, and when to look again."""
    errors: Errors = {}
    followed_on = values.get("followed_on")
    start = record.raised_on if isinstance(record, Referral) else record.occurred_at.date()
    if followed_on is None:
        errors["followed_on"] = (N_("Please fill this in."), {})
    elif followed_on > today:
        errors["followed_on"] = (N_("The date cannot be in the future."), {})
    elif followed_on < start:
        errors["followed_on"] = (
            N_("The follow-up cannot be before the problem was raised (%(date)s)."),
            {"date": start},
        )
    if not (values.get("findings") or "").strip():
        errors["findings"] = (N_("Say what the follow-up found."), {})
    next_on = values.get("next_follow_up_on")
    if next_on is not None and next_on <= today:
        errors["next_follow_up_on"] = (N_("The next follow-up must be after today."), {})
    if record.is_closed:
        errors.setdefault("findings", (N_("This record is closed; reopen it first."), {}))
    if errors:
        raise FormErrors(errors)
    follow_up = FollowUp(
        referral_id=record.id if isinstance(record, Referral) else None,
        risk_id=record.id if isinstance(record, Risk) else None,
        elder_id=record.elder_id,
        followed_on=followed_on,
        method=values["method"],
        findings=values["findings"].strip(),
        next_follow_up_on=next_on,
        created_by_id=actor.id,
    )
    db.session.add(follow_up)
    record.follow_up_on = next_on
    db.session.flush()
    kind = "referral" if isinstance(record, Referral) else "risk"
    audit.record("follow_up", object_type=kind, object_id=record.id, elder_id=record.elder_id)
    return follow_up


def raise_risk(
    actor: User, elder: Elder, values: dict[str, Any], submission_key: str, today: date,
    now: datetime,
) -> Risk:  # fmt: skip
    """风险隐患 / 突发事件: what happened and what was done at once."""
    existing = _existing(Risk, submission_key)
    if existing is not None:
        raise DuplicateSubmission(existing)
    _ensure_open_case(elder)
    errors: Errors = {}
    _check_common(errors, values, elder, today)
    occurred_at = values.get("occurred_at")
    if occurred_at is None:
        errors["occurred_at"] = (N_("Please fill this in."), {})
    elif occurred_at > now:
        errors["occurred_at"] = (N_("The time cannot be in the future."), {})
    elif occurred_at.date() < elder.filed_on:
        errors["occurred_at"] = (
            N_("The date cannot be before the case was filed (%(date)s)."),
            {"date": elder.filed_on},
        )
    if not (values.get("description") or "").strip():
        errors["description"] = (N_("Say what happened."), {})
    if values.get("emergency_called") and not (values.get("emergency_number") or "").strip():
        errors["emergency_number"] = (N_("Which number was called (110, 120, 119 …)?"), {})
    reached_at = values.get("contact_reached_at")
    if reached_at is not None and not (values.get("contact_reached") or "").strip():
        errors["contact_reached"] = (N_("Say who was reached."), {})
    if reached_at is not None and (reached_at > now or (occurred_at and reached_at < occurred_at)):
        errors["contact_reached_at"] = (
            N_("The time must be between the event and now."),
            {},
        )
    if errors:
        raise FormErrors(errors)
    risk_type = RiskType(values["risk_type"])
    risk = Risk(
        elder_id=elder.id,
        visit_id=values.get("visit_id"),
        risk_type=risk_type,
        severity=values["severity"],
        occurred_at=occurred_at,
        description=values["description"].strip(),
        emergency_called=bool(values.get("emergency_called")),
        emergency_number=(values.get("emergency_number") or "").strip(),
        contact_reached=(values.get("contact_reached") or "").strip(),
        contact_reached_at=reached_at,
        actions=(values.get("actions") or "").strip(),
        owner_id=values.get("owner_id") or actor.id,
        status=RiskStatus.OPEN,
        follow_up_on=values.get("follow_up_on"),
        must_report=risk_type.must_report_to_town,
        submission_key=submission_key,
        created_by_id=actor.id,
    )
    db.session.add(risk)
    db.session.flush()
    _log(risk, actor, "", RiskStatus.OPEN.value, "", today)
    audit.record("create", object_type="risk", object_id=risk.id, elder_id=elder.id,
                 detail=risk_type.value)  # fmt: skip
    return risk


def move_risk(
    actor: User,
    risk: Risk,
    target: RiskStatus,
    note: str,
    today: date,
    expected_version: int | None,
) -> None:
    """Handle, close (with the outcome) or reopen a risk."""
    _ensure_current(risk, expected_version)
    current = risk.status
    if target not in risk_transitions(current):
        raise DomainError("status", N_("This status cannot follow the current one."))
    note = note.strip()
    if target is RiskStatus.CLOSED and not note:
        raise FormErrors({"note": (N_("Say how the risk was removed or settled."), {})})
    if current is RiskStatus.CLOSED and not note:
        raise FormErrors({"note": (N_("Give the reason for reopening."), {})})
    if target is RiskStatus.CLOSED:
        risk.outcome = note
        risk.closed_on = today
        risk.follow_up_on = None
    else:
        risk.closed_on = None
    risk.status = target
    db.session.flush()
    _log(risk, actor, current.value, target.value, note, today)
    audit.record("status", object_type="risk", object_id=risk.id, elder_id=risk.elder_id,
                 detail=f"{current.value}>{target.value}")  # fmt: skip


def acknowledge_risk(actor: User, risk: Risk, today: date) -> None:
    """Town staff confirm they received a report-at-once risk (003 三(二))."""
    if actor.role not in (Role.TOWN, Role.DISTRICT):
        raise DomainError(None, N_("Only town or district staff acknowledge a report."))
    if not risk.must_report:
        raise DomainError(None, N_("This risk does not need a report to the town."))
    if risk.acknowledged_at is not None:
        raise DomainError(None, N_("This report was already acknowledged."))
    risk.acknowledged_at = utcnow()
    risk.acknowledged_by_id = actor.id
    db.session.flush()
    _log(risk, actor, risk.status.value, "acknowledged", "", today)
    audit.record("acknowledge", object_type="risk", object_id=risk.id, elder_id=risk.elder_id)
