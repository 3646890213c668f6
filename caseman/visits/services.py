"""Recording visits (附件3 part 一) and care (part 二), and running visit campaigns.

Services check the rules, change state and flush; the view commits once.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select

from caseman import audit
from caseman.auth.models import User
from caseman.db import utcnow
from caseman.elders.models import Elder
from caseman.elders.services import FormErrors
from caseman.errors import DomainError, StaleEdit
from caseman.extensions import db
from caseman.rules.enums import (
    N_,
    Category,
    FamilyChange,
    IllnessChange,
    NeedType,
    VisitMethod,
)
from caseman.visits.models import Campaign, CareRecord, RecordVersion, Visit

# The 附件3 part 一 items kept on a Visit row (the form's fields, in the order of the sheet).
VISIT_FIELDS = (
    "visited_on", "method", "method_other", "family_change", "family_change_count",
    "expression", "mobility", "illness", "illness_name", "mood", "gas_safety",
    "water_heating_safety", "electricity_safety", "personal_hygiene", "home_hygiene",
    "indoor_environment", "needs", "needs_note", "suggested_care", "visitor_name",
    "visited_person_name", "recorder_name", "note", "force_kind",
)  # fmt: skip
CARE_FIELDS = (
    "cared_on", "visit_id", "need", "what_was_done", "provider", "satisfaction",
    "satisfaction_note",
)  # fmt: skip

Errors = dict[str, tuple[str, dict[str, Any]]]


class DuplicateSubmission(DomainError):
    """The same form was submitted twice (a double tap): the first one was kept."""

    def __init__(self, record_id: int) -> None:
        super().__init__(None, N_("This record was already saved; it was not saved twice."))
        self.record_id = record_id


def new_submission_key() -> str:
    """A key for one opening of a form, so that a second submission is recognised."""
    return str(uuid.uuid4())


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _snapshot(record: Visit | CareRecord, fields: tuple[str, ...]) -> dict[str, Any]:
    data = {name: _plain(getattr(record, name)) for name in fields}
    data["number"] = record.number
    data["void_reason"] = record.void_reason
    return data


def _add_version(record: Visit | CareRecord, actor: User, kind: str) -> RecordVersion:
    record_type = "visit" if isinstance(record, Visit) else "care"
    fields = VISIT_FIELDS if isinstance(record, Visit) else CARE_FIELDS
    db.session.flush()
    previous = db.session.scalar(
        select(RecordVersion)
        .where(RecordVersion.record_type == record_type, RecordVersion.record_id == record.id)
        .order_by(RecordVersion.number.desc())
        .limit(1)
    )
    data = _snapshot(record, fields)
    changed = sorted(k for k in data if previous.snapshot.get(k) != data.get(k)) if previous else []
    version = RecordVersion(
        record_type=record_type,
        record_id=record.id,
        elder_id=record.elder_id,
        number=(previous.number + 1) if previous else 1,
        kind=kind,
        snapshot=data,
        changed_fields=changed,
        created_by_id=actor.id,
    )
    db.session.add(version)
    db.session.flush()
    return version


def _check_date(errors: Errors, name: str, day: date | None, elder: Elder, today: date) -> None:
    if day is None:
        errors[name] = (N_("Please fill this in."), {})
    elif day > today:
        errors[name] = (N_("The date cannot be in the future."), {})
    elif day < elder.filed_on:
        errors[name] = (
            N_("The date cannot be before the case was filed (%(date)s)."),
            {"date": elder.filed_on},
        )
    elif elder.archived_on is not None and day > elder.archived_on:
        errors[name] = (
            N_("The date cannot be after the case was archived (%(date)s)."),
            {"date": elder.archived_on},
        )


def _check_visit(values: dict[str, Any], elder: Elder, today: date) -> None:
    errors: Errors = {}
    _check_date(errors, "visited_on", values.get("visited_on"), elder, today)
    if values.get("method") == VisitMethod.OTHER and not values.get("method_other"):
        errors["method_other"] = (N_("Say how the elder was contacted."), {})
    if values.get("family_change") in (FamilyChange.INCREASED, FamilyChange.DECREASED):
        count = values.get("family_change_count")
        if not count or count < 1:
            errors["family_change_count"] = (N_("Give the number of people (1 or more)."), {})
        elif count > 20:
            errors["family_change_count"] = (N_("At most %(max)s people."), {"max": 20})
    if values.get("illness") == IllnessChange.SERIOUS and not values.get("illness_name"):
        errors["illness_name"] = (N_("Give the name of the illness."), {})
    if NeedType.OTHER.value in (values.get("needs") or []) and not values.get("needs_note"):
        errors["needs_note"] = (N_("Describe the other need."), {})
    for name in ("visitor_name", "visited_person_name", "recorder_name"):
        if not values.get(name):
            errors[name] = (N_("Please fill this in."), {})
    if errors:
        raise FormErrors(errors)


def _normalise_visit(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    if values.get("method") != VisitMethod.OTHER:
        values["method_other"] = ""
    if values.get("family_change") == FamilyChange.UNCHANGED:
        values["family_change_count"] = None
    if values.get("illness") != IllnessChange.SERIOUS:
        values["illness_name"] = ""
    order = list(NeedType)
    values["needs"] = sorted(set(values.get("needs") or []), key=lambda v: order.index(v))
    return values


def _existing(model: type[Visit] | type[CareRecord], key: str) -> int | None:
    return db.session.scalar(select(model.id).where(model.submission_key == key))


def _next_number(model: type[Visit] | type[CareRecord], elder_id: int) -> int:
    highest = db.session.scalar(select(sa.func.max(model.number)).where(model.elder_id == elder_id))
    return (highest or 0) + 1


def _insert_numbered(record: Visit | CareRecord, model: type[Visit] | type[CareRecord]) -> None:
    """Insert with the next number for the elder; retry if another request took it first."""
    for _attempt in range(5):
        record.number = _next_number(model, record.elder_id)
        savepoint = db.session.begin_nested()
        db.session.add(record)
        try:
            savepoint.commit()
            return
        except sa.exc.IntegrityError:
            savepoint.rollback()
            existing = _existing(model, record.submission_key)
            if existing is not None:
                raise DuplicateSubmission(existing) from None
    raise DomainError(None, N_("The record could not be numbered; please save again."))


def record_visit(
    actor: User, elder: Elder, values: dict[str, Any], submission_key: str, today: date
) -> Visit:
    """探访: record a visit with every item of 附件3 part 一; the system gives its number."""
    existing = _existing(Visit, submission_key)
    if existing is not None:
        raise DuplicateSubmission(existing)
    if elder.is_archived:
        raise DomainError(None, N_("This case is archived: restore it before recording a visit."))
    _check_visit(values, elder, today)
    values = _normalise_visit(values)
    visit = Visit(
        elder_id=elder.id,
        submission_key=submission_key,
        created_by_id=actor.id,
        **{name: values.get(name) for name in VISIT_FIELDS},
    )
    _insert_numbered(visit, Visit)
    _add_version(visit, actor, "created")
    audit.record("create", object_type="visit", object_id=visit.id, elder_id=elder.id,
                 detail=visit.method.value)  # fmt: skip
    return visit


def _ensure_current(record: Visit | CareRecord, expected_version: int | None) -> None:
    if expected_version is None or expected_version != record.version:
        raise StaleEdit(record.version)


def update_visit(
    actor: User, visit: Visit, values: dict[str, Any], today: date, expected_version: int | None
) -> RecordVersion:
    """Correct a saved visit: the earlier version stays in the history; the number stays."""
    _ensure_current(visit, expected_version)
    if visit.is_void:
        raise DomainError(None, N_("A voided record cannot be changed."))
    _check_visit(values, visit.elder, today)
    values = _normalise_visit(values)
    for name in VISIT_FIELDS:
        setattr(visit, name, values.get(name))
    version = _add_version(visit, actor, "edited")
    audit.record("update", object_type="visit", object_id=visit.id, elder_id=visit.elder_id,
                 detail=",".join(version.changed_fields))  # fmt: skip
    return version


def void_record(
    actor: User, record: Visit | CareRecord, reason: str, expected_version: int | None
) -> None:
    """Void a visit or care record entered in error (wrong elder, typed twice): it is kept in
    the history with the reason, keeps its number, and no longer counts."""
    _ensure_current(record, expected_version)
    if record.is_void:
        raise DomainError(None, N_("This record is already voided."))
    if not reason.strip():
        raise DomainError("reason", N_("Please fill this in."))
    record.voided_at = utcnow()
    record.void_reason = reason.strip()
    _add_version(record, actor, "voided")
    kind = "visit" if isinstance(record, Visit) else "care"
    audit.record("void", object_type=kind, object_id=record.id, elder_id=record.elder_id)


def _check_care(values: dict[str, Any], elder: Elder, today: date) -> None:
    errors: Errors = {}
    _check_date(errors, "cared_on", values.get("cared_on"), elder, today)
    if not values.get("what_was_done"):
        errors["what_was_done"] = (N_("Say what was done for the elder."), {})
    if not values.get("provider"):
        errors["provider"] = (N_("Please fill this in."), {})
    visit_id = values.get("visit_id")
    if visit_id is not None:
        visit = db.session.get(Visit, visit_id)
        if visit is None or visit.elder_id != elder.id or visit.is_void:
            errors["visit_id"] = (N_("Choose one of this elder's visits."), {})
        elif values.get("cared_on") and values["cared_on"] < visit.visited_on:
            errors["cared_on"] = (
                N_("The care cannot be before the visit it answers (%(date)s)."),
                {"date": visit.visited_on},
            )
    if errors:
        raise FormErrors(errors)


def record_care(
    actor: User, elder: Elder, values: dict[str, Any], submission_key: str, today: date
) -> CareRecord:
    """关爱服务: record a service given (附件3 part 二)."""
    existing = _existing(CareRecord, submission_key)
    if existing is not None:
        raise DuplicateSubmission(existing)
    if elder.is_archived:
        raise DomainError(None, N_("This case is archived: restore it before recording care."))
    _check_care(values, elder, today)
    care = CareRecord(
        elder_id=elder.id,
        submission_key=submission_key,
        created_by_id=actor.id,
        **{name: values.get(name) for name in CARE_FIELDS},
    )
    _insert_numbered(care, CareRecord)
    _add_version(care, actor, "created")
    audit.record("create", object_type="care", object_id=care.id, elder_id=elder.id)
    return care


def update_care(
    actor: User,
    care: CareRecord,
    values: dict[str, Any],
    today: date,
    expected_version: int | None,
) -> RecordVersion:
    """Correct a care record, keeping the earlier version."""
    _ensure_current(care, expected_version)
    if care.is_void:
        raise DomainError(None, N_("A voided record cannot be changed."))
    _check_care(values, care.elder, today)
    for name in CARE_FIELDS:
        setattr(care, name, values.get(name))
    version = _add_version(care, actor, "edited")
    audit.record("update", object_type="care", object_id=care.id, elder_id=care.elder_id,
                 detail=",".join(version.changed_fields))  # fmt: skip
    return version


def create_campaign(actor: User, values: dict[str, Any], today: date) -> Campaign:
    """Start an extra visit round (extreme weather, 春节, 重阳节 …) for a cohort."""
    errors: Errors = {}
    if not values.get("name"):
        errors["name"] = (N_("Please fill this in."), {})
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = (N_("The end cannot be before the start."), {})
    elif starts_on and ends_on and (ends_on - starts_on).days > 92:
        errors["ends_on"] = (N_("A campaign lasts at most three months."), {})
    if ends_on and ends_on < today:
        errors.setdefault("ends_on", (N_("The window has already ended."), {}))
    for category in values.get("categories") or []:
        Category(category)  # shape is checked by the form; this guards other callers
    if errors:
        raise FormErrors(errors)
    campaign = Campaign(created_by_id=actor.id, **values)
    db.session.add(campaign)
    db.session.flush()
    audit.record("create", object_type="campaign", object_id=campaign.id)
    return campaign


def close_campaign(actor: User, campaign: Campaign, reason: str) -> None:
    """End a campaign early (it stays readable with its progress)."""
    if campaign.is_closed:
        raise DomainError(None, N_("This campaign is already closed."))
    if not reason.strip():
        raise DomainError("reason", N_("Please fill this in."))
    campaign.closed_at = utcnow()
    campaign.close_reason = reason.strip()
    audit.record("close", object_type="campaign", object_id=campaign.id, user=actor)
