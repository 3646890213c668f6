"""Registering service forces (004 一(五)) and naming an elder's visit contact (004 一(二)10).

Services check, change state and flush; the view commits. Nothing is deleted: a force leaves the
register by archiving, with a date and a reason.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from caseman import audit, clock
from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.elders.services import FormErrors
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forces.models import ServiceForce, VisitContact
from caseman.rules.categories import MemberFacts
from caseman.rules.enums import N_
from caseman.rules.service_forces import ForceKind, contact_required
from caseman.scope import area_in_scope

FORCE_FIELDS = ("name", "kind", "phone", "area_id", "organisation", "note")


def _check_force(actor: User, values: dict[str, Any]) -> None:
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    if not (values.get("name") or "").strip():
        errors["name"] = (N_("Please fill this in."), {})
    if values.get("kind") not in tuple(ForceKind):
        errors["kind"] = (N_("Please choose one."), {})
    phone = (values.get("phone") or "").strip()
    if phone and not (phone.replace("-", "").isdigit() and 7 <= len(phone) <= 20):
        errors["phone"] = (N_("Enter a phone number of digits, such as 13800000000."), {})
    area = area_in_scope(actor, values.get("area_id"))
    if area is None or area.is_closed:
        errors["area_id"] = (N_("Choose an open area of yours."), {})
    if errors:
        raise FormErrors(errors)


def register_force(actor: User, values: dict[str, Any]) -> ServiceForce:
    """Add a person to the register of service forces."""
    _check_force(actor, values)
    force = ServiceForce(created_by_id=actor.id, **{k: values.get(k) for k in FORCE_FIELDS})
    force.name = force.name.strip()
    force.phone = (force.phone or "").strip()
    db.session.add(force)
    db.session.flush()
    audit.record("create", object_type="service_force", object_id=force.id,
                 detail=f"kind={force.kind.value}", user=actor)  # fmt: skip
    return force


def update_force(actor: User, force: ServiceForce, values: dict[str, Any]) -> None:
    """Correct a registered person (name, kind, phone, area, unit, note)."""
    if force.is_archived:
        raise DomainError(None, N_("This person is archived and cannot be changed."))
    _check_force(actor, values)
    changed = [k for k in FORCE_FIELDS if getattr(force, k) != values.get(k)]
    for name in FORCE_FIELDS:
        setattr(force, name, values.get(name))
    force.name = force.name.strip()
    force.phone = (force.phone or "").strip()
    db.session.flush()
    audit.record("update", object_type="service_force", object_id=force.id,
                 detail=f"fields={','.join(changed)}", user=actor)  # fmt: skip


def archive_force(actor: User, force: ServiceForce, reason: str, today: date) -> None:
    """Take a person off the register (kept, with the date and the reason)."""
    reason = reason.strip()
    if not reason:
        raise DomainError("reason", N_("Give the reason."))
    if force.is_archived:
        raise DomainError(None, N_("This person is already archived."))
    required = db.session.scalar(
        select(VisitContact.elder_id).where(VisitContact.force_id == force.id).limit(1)
    )
    if required is not None:
        raise DomainError(
            None,
            N_("This person is still the visit contact of an elder: name another contact first."),
        )
    force.archived_on = today
    force.archive_reason = reason[:300]
    db.session.flush()
    audit.record("archive", object_type="service_force", object_id=force.id, user=actor)


def member_facts(elder: Elder) -> list[MemberFacts]:
    return [MemberFacts(relation=m.relation, is_deceased=m.is_deceased) for m in elder.members]


def is_contact_required(elder: Elder) -> bool:
    """独居 and no living child: the 探访联系人 must be named (004 一(二)10)."""
    return contact_required(set(elder.categories), member_facts(elder))


def set_visit_contact(
    actor: User, elder: Elder, force: ServiceForce | None, note: str = ""
) -> VisitContact | None:
    """Name (or change, or clear) the elder's 探访联系人. Clearing is refused for a childless
    elder living alone."""
    if elder.is_archived:
        raise DomainError(None, N_("This case is archived: restore it first."))
    if force is None and is_contact_required(elder):
        raise DomainError(
            "force",
            N_(
                "An elder who lives alone and has no children must have a named visit contact "
                "(Yubei notice [2024] 24, I(2)10)."
            ),
        )
    if force is not None and (force.is_archived or not _near(force, elder)):
        raise DomainError("force", N_("Choose a person registered in the elder's town."))
    contact = db.session.scalar(select(VisitContact).where(VisitContact.elder_id == elder.id))
    before = contact.force_id if contact is not None else None
    if contact is None:
        if force is None:
            return None
        contact = VisitContact(elder_id=elder.id)
        db.session.add(contact)
    contact.force_id = force.id if force is not None else None
    contact.note = note.strip()[:300]
    contact.set_at = clock.utcnow()
    contact.set_by_id = actor.id
    db.session.flush()
    audit.record("set_visit_contact", object_type="visit_contact", object_id=contact.id,
                 elder_id=elder.id, detail=f"from={before or ''} to={contact.force_id or ''}",
                 user=actor)  # fmt: skip
    return contact


def _near(force: ServiceForce, elder: Elder) -> bool:
    """The force is registered in the elder's town (or above it, for a district-wide team)."""
    town = elder.residence_area.town or elder.residence_area
    return town.path.startswith(force.area.path) or force.area.path.startswith(town.path)
