"""Recording family duty, reminders given, and care-entrustment agreements (issue 20 item 2).

Services flush and never commit; every change is audited. An archived case takes no change.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from pathlib import Path

from sqlalchemy import select

from caseman import audit
from caseman.auth.models import User
from caseman.documents.services import EXTENSIONS, MAX_SCAN_BYTES, sniff
from caseman.elders.models import Elder, FamilyMember
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.family.models import CareEntrustment, FamilyContact, FamilyDuty
from caseman.rules.enums import N_, Relation
from caseman.rules.family_duty import ContactMethod, ContactRhythm, entrustment_problem


def _check_open(elder: Elder) -> None:
    if elder.is_archived:
        raise DomainError(None, N_("An archived case cannot be changed; restore it first."))


def get_duty(elder: Elder, member_name: str) -> FamilyDuty | None:
    return db.session.scalar(
        select(FamilyDuty).where(
            FamilyDuty.elder_id == elder.id, FamilyDuty.member_name == member_name
        )
    )


def set_duty(
    actor: User,
    elder: Elder,
    member: FamilyMember,
    *,
    is_away: bool,
    away_place: str,
    rhythm: ContactRhythm | None,
    note: str,
) -> FamilyDuty:
    """Record (or change) a member's duty: away or not, where, and the contact rhythm."""
    _check_open(elder)
    away_place = away_place.strip()
    if is_away and not away_place:
        raise DomainError("away_place", N_("Say where the family member is."))
    duty = get_duty(elder, member.name)
    created = duty is None
    if duty is None:
        duty = FamilyDuty(elder_id=elder.id, member_name=member.name, relation=member.relation)
        db.session.add(duty)
    values = {"is_away": is_away, "away_place": away_place if is_away else "",
              "rhythm": rhythm, "note": note.strip()}  # fmt: skip
    changed = [name for name, value in values.items() if getattr(duty, name) != value]
    for name, value in values.items():
        setattr(duty, name, value)
    duty.relation = member.relation
    duty.updated_by_id = actor.id
    db.session.flush()
    if created or changed:
        audit.record(
            "family_duty",
            object_type="family_duty",
            object_id=duty.id,
            elder_id=elder.id,
            user=actor,
        )
    return duty


def record_contact(
    actor: User,
    elder: Elder,
    member: FamilyMember,
    *,
    contacted_on: date,
    method: ContactMethod,
    note: str,
    today: date,
) -> FamilyContact:
    """Record a reminder given to a family member (a call, a message, a video call, in person)."""
    _check_open(elder)
    if contacted_on > today:
        raise DomainError("contacted_on", N_("The date cannot be in the future."))
    if contacted_on < elder.filed_on:
        raise DomainError("contacted_on", N_("The date cannot be before the filing date."))
    contact = FamilyContact(
        elder_id=elder.id,
        member_name=member.name,
        relation=member.relation,
        contacted_on=contacted_on,
        method=method,
        note=note.strip(),
        created_by_id=actor.id,
    )
    db.session.add(contact)
    db.session.flush()
    audit.record(
        "family_contact",
        object_type="family_contact",
        object_id=contact.id,
        elder_id=elder.id,
        user=actor,
    )
    return contact


def _store_scan(filename: str, content: bytes, uploads: Path, year: int) -> dict[str, object]:
    """Check and store an uploaded agreement scan as signed forms are (caseman.documents)."""
    if len(content) > MAX_SCAN_BYTES:
        raise DomainError("scan", N_("The file is larger than %(size)s MB."), size=10)
    kind = sniff(content)
    if kind is None:
        raise DomainError("scan", N_("Upload a PDF, JPEG or PNG scan."))
    media_type, extension = kind
    declared = Path(filename or "").suffix.lower().lstrip(".")
    if EXTENSIONS.get(declared) != extension:
        raise DomainError(
            "scan",
            N_("The file's content does not match its name (.%(extension)s). Upload the PDF, "
               "JPEG or PNG scan as it was saved."),
            extension=declared or "?",
        )  # fmt: skip
    # A random name: nothing about the elder can be read or guessed from it.
    relative = Path("entrustments") / str(year) / f"{secrets.token_hex(16)}.{extension}"
    target = uploads / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return {
        "scan_filename": Path(filename or "scan").name[:200],
        "scan_stored_as": str(relative),
        "scan_media_type": media_type,
        "scan_size": len(content),
        "scan_sha256": hashlib.sha256(content).hexdigest(),
    }


def add_entrustment(
    actor: User,
    elder: Elder,
    *,
    entrusting_name: str,
    entrusting_relation: Relation | None,
    entrusted_name: str,
    entrusted_is_organisation: bool,
    entrusted_phone: str,
    starts_on: date,
    ends_on: date | None,
    note: str,
    filename: str,
    content: bytes,
    uploads: Path | None,
    today: date,
) -> CareEntrustment:
    """Record a care-entrustment agreement (委托照顾协议) and file the scan of the signed copy."""
    _check_open(elder)
    if not entrusting_name.strip():
        raise DomainError("entrusting", N_("Please fill this in."))
    if not entrusted_name.strip():
        raise DomainError("entrusted_name", N_("Please fill this in."))
    problem = entrustment_problem(starts_on, ends_on, today)
    if problem == "ends_before_start":
        raise DomainError("ends_on", N_("The agreement cannot end before it starts."))
    if problem == "starts_too_late":
        raise DomainError("starts_on", N_("The agreement cannot start more than a year ahead."))
    scan = _store_scan(filename, content, uploads, today.year) if content and uploads else {}
    entrustment = CareEntrustment(
        elder_id=elder.id,
        entrusting_name=entrusting_name.strip(),
        entrusting_relation=entrusting_relation,
        entrusted_name=entrusted_name.strip(),
        entrusted_is_organisation=entrusted_is_organisation,
        entrusted_phone=entrusted_phone.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        note=note.strip(),
        created_by_id=actor.id,
        **scan,
    )
    db.session.add(entrustment)
    db.session.flush()
    audit.record(
        "entrustment",
        object_type="entrustment",
        object_id=entrustment.id,
        elder_id=elder.id,
        user=actor,
    )
    return entrustment
