"""Reading family duty: one elder's members with their duty, and the reminders due in a scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.elders.models import Elder, FamilyMember
from caseman.extensions import db
from caseman.family.models import CareEntrustment, FamilyContact, FamilyDuty
from caseman.rules.enums import Residence
from caseman.rules.family_duty import (
    SUPPORTERS,
    MemberDuty,
    Reminder,
    next_contact_on,
    reminder_due,
)
from caseman.scope import _area_subtree, elder_filter

# The reminder list shows this many rows at most (the most overdue first).
REMINDER_LIMIT = 300


@dataclass
class MemberRow:
    """A family member as the family-duty page shows them."""

    elder: Elder
    member: FamilyMember
    duty: FamilyDuty | None
    facts: MemberDuty
    last_contact_on: date | None
    reminder: Reminder | None
    next_on: date | None


def member_facts(member: FamilyMember, duty: FamilyDuty | None, last: date | None) -> MemberDuty:
    """What the reminder rule reads: the registration's facts, the recorded duty over them."""
    if duty is not None:
        is_away = duty.is_away
    else:
        is_away = member.residence == Residence.ELSEWHERE or member.working_away_since is not None
    return MemberDuty(
        relation=member.relation,
        is_deceased=member.is_deceased,
        is_away=is_away,
        visits_often=member.visits_often,
        rhythm=duty.rhythm if duty is not None else None,
        last_contact_on=last,
    )


def _duties(ids: list[int]) -> dict[tuple[int, str], FamilyDuty]:
    """The family duties of the elders ``ids``, by (elder, member's name)."""
    return {
        (d.elder_id, d.member_name): d
        for d in db.session.scalars(select(FamilyDuty).where(FamilyDuty.elder_id.in_(ids)))
    }


def _last_contacts(ids: list[int]) -> dict[tuple[int, str], date]:
    """The day each family member of the elders ``ids`` was last reached."""
    return {
        (row.elder_id, row.member_name): row.last
        for row in db.session.execute(
            select(
                FamilyContact.elder_id,
                FamilyContact.member_name,
                func.max(FamilyContact.contacted_on).label("last"),
            )
            .where(FamilyContact.elder_id.in_(ids))
            .group_by(FamilyContact.elder_id, FamilyContact.member_name)
        )
    }


def _rows(
    elders: list[Elder], today: date, *, read_duties: bool = True, read_contacts: bool = True
) -> list[MemberRow]:
    ids = [e.id for e in elders]
    if not ids:
        return []
    duties = _duties(ids) if read_duties else {}
    last = _last_contacts(ids) if read_contacts else {}
    rows: list[MemberRow] = []
    for elder in elders:
        for member in elder.members:
            key = (elder.id, member.name)
            facts = member_facts(member, duties.get(key), last.get(key))
            rows.append(
                MemberRow(
                    elder=elder,
                    member=member,
                    duty=duties.get(key),
                    facts=facts,
                    last_contact_on=last.get(key),
                    reminder=reminder_due(facts, today, elder_is_key=elder.is_key),
                    next_on=next_contact_on(facts, elder_is_key=elder.is_key),
                )
            )
    return rows


def list_member_rows(
    elder: Elder, today: date, *, duties: bool = True, contacts: bool = True
) -> list[MemberRow]:
    """Every family member of the elder with their duty, last contact and reminder (``duties`` or
    ``contacts`` False: the elder is known to have none, so they are not read)."""
    return _rows([elder], today, read_duties=duties, read_contacts=contacts)


def get_member(elder: Elder, member_id: int) -> FamilyMember | None:
    """A member of this elder's current registration (None: not one of theirs)."""
    return next((m for m in elder.members if m.id == member_id), None)


def list_contacts(elder: Elder, limit: int = 30) -> list[FamilyContact]:
    return list(
        db.session.scalars(
            select(FamilyContact)
            .where(FamilyContact.elder_id == elder.id)
            .order_by(FamilyContact.contacted_on.desc(), FamilyContact.id.desc())
            .limit(limit)
        )
    )


def list_entrustments(elder: Elder) -> list[CareEntrustment]:
    return list(
        db.session.scalars(
            select(CareEntrustment)
            .where(CareEntrustment.elder_id == elder.id)
            .order_by(CareEntrustment.starts_on.desc(), CareEntrustment.id.desc())
        )
    )


def get_entrustment(elder: Elder, entrustment_id: int) -> CareEntrustment | None:
    return db.session.scalar(
        select(CareEntrustment).where(
            CareEntrustment.id == entrustment_id, CareEntrustment.elder_id == elder.id
        )
    )


def list_reminders(
    actor: User, today: date, area: Area | None = None, limit: int = REMINDER_LIMIT
) -> tuple[list[MemberRow], int]:
    """The family members in ``actor``'s scope due a reminder, the most overdue first (at most
    ``limit``), and how many are due in all.

    The rule runs over plain rows of the candidates (a supporter who does not visit often, or a
    member with a contact rhythm, of an active elder); only the rows shown are loaded as objects,
    so a district of many thousand elders is read in one pass."""
    last = (
        select(
            FamilyContact.elder_id,
            FamilyContact.member_name,
            func.max(FamilyContact.contacted_on).label("last"),
        )
        .group_by(FamilyContact.elder_id, FamilyContact.member_name)
        .subquery()
    )
    query = (
        select(
            FamilyMember.id,
            FamilyMember.elder_id,
            FamilyMember.name,
            FamilyMember.relation,
            FamilyMember.residence,
            FamilyMember.working_away_since,
            FamilyMember.visits_often,
            FamilyDuty.id.label("duty_id"),
            FamilyDuty.is_away,
            FamilyDuty.rhythm,
            last.c.last,
            Elder.is_key,
        )
        .join(Elder, Elder.id == FamilyMember.elder_id)
        .outerjoin(
            FamilyDuty,
            (FamilyDuty.elder_id == FamilyMember.elder_id)
            & (FamilyDuty.member_name == FamilyMember.name),
        )
        .outerjoin(
            last,
            (last.c.elder_id == FamilyMember.elder_id) & (last.c.member_name == FamilyMember.name),
        )
        .where(
            elder_filter(actor),
            Elder.archived_on.is_(None),
            FamilyMember.is_deceased.is_(False),
            sa.or_(
                FamilyMember.relation.in_(SUPPORTERS) & FamilyMember.visits_often.is_(False),
                FamilyDuty.rhythm.is_not(None),
            ),
        )
    )
    if area is not None:
        query = query.where(Elder.residence_area_id.in_(_area_subtree(area)))
    due: list[tuple[date, int, int, Reminder]] = []
    for row in db.session.execute(query):
        if row.duty_id is not None:
            is_away = bool(row.is_away)
        else:
            is_away = row.residence == Residence.ELSEWHERE or row.working_away_since is not None
        facts = MemberDuty(
            relation=row.relation,
            is_away=is_away,
            visits_often=row.visits_often,
            rhythm=row.rhythm,
            last_contact_on=row.last,
        )
        reminder = reminder_due(facts, today, elder_is_key=row.is_key)
        if reminder is not None:
            due.append((reminder.due_on or date.min, row.elder_id, row.id, reminder))
    due.sort(key=lambda item: item[:3])
    shown = due[:limit]
    elders = {
        e.id: e
        for e in db.session.scalars(
            select(Elder)
            .where(Elder.id.in_({item[1] for item in shown}))
            .options(selectinload(Elder.members), selectinload(Elder.residence_area))
        )
    }
    rows = [r for r in _rows(list(elders.values()), today) if r.reminder is not None]
    by_member = {r.member.id: r for r in rows}
    return [by_member[item[2]] for item in shown if item[2] in by_member], len(due)
