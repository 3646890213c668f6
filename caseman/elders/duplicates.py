"""Likely duplicates of a registration in the whole district (issue 20 item 4, row 7).

The rule (caseman.rules.duplicates) says whether two people are likely the same; this module
finds the candidates. Every near-miss ID number, and every same-name or same-pinyin person,
has a birth date among :func:`~caseman.rules.duplicates.nearby_birth_dates` of the typed one,
so one indexed query by birth date (``ix_elders_birth_on``: at 100,000 cases a few hundred rows
for up to 80 dates) reads all candidates; the rule then sorts them out in Python.

The check looks beyond the actor's scope (a person is one case in the district); a candidate the
actor may not see is told by its town only, never its name, ID number or link.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice

from flask import current_app
from sqlalchemy import select

from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.rules.duplicates import DuplicateReason, Person, duplicate_reasons, nearby_birth_dates
from caseman.rules.masking import mask_id_for_role
from caseman.scope import elder_filter, system_access

DATES_PER_QUERY = 500  # bound the IN list of a batch (SQLite and PostgreSQL parameters)


@dataclass(frozen=True)
class LikelyDuplicate:
    """A case that may be the same person. Out of the actor's scope only ``town`` is told."""

    elder_id: int  # for the confirmation token and the audit log; never shown when not visible
    visible: bool
    town: str
    name: str  # "" when not visible
    masked_id: str  # "" when not visible
    is_archived: bool
    reasons: tuple[DuplicateReason, ...]


def _chunks(values: Sequence[date], size: int) -> list[list[date]]:
    iterator = iter(values)
    return list(iter(lambda: list(islice(iterator, size)), []))


def find_batch(
    actor: User, people: Sequence[Person], exclude_ids: Sequence[int | None] = ()
) -> list[list[LikelyDuplicate]]:
    """The likely duplicates of each person (in order), across all towns.

    ``exclude_ids[i]`` is the case being edited for ``people[i]`` (not its own duplicate).
    Cases with the very same ID number are left out: registration refuses those outright.
    """
    wanted: set[date] = set()
    for person in people:
        if person.birth_on is not None:
            wanted |= nearby_birth_dates(person.birth_on)
    results: list[list[LikelyDuplicate]] = [[] for _ in people]
    if not wanted:
        return results
    by_date: dict[date, list[tuple[int, str, str, date, int, bool]]] = {}
    with system_access("likely duplicate check", record=False):
        for chunk in _chunks(sorted(wanted), DATES_PER_QUERY):
            rows = db.session.execute(
                select(
                    Elder.id,
                    Elder.name,
                    Elder.id_number,
                    Elder.birth_on,
                    Elder.residence_area_id,
                    Elder.archived_on,
                ).where(Elder.birth_on.in_(chunk))
            ).all()
            for row in rows:
                by_date.setdefault(row.birth_on, []).append(
                    (
                        row.id,
                        row.name,
                        row.id_number,
                        row.birth_on,
                        row.residence_area_id,
                        row.archived_on is not None,
                    )  # fmt: skip
                )
    found: list[tuple[int, int, tuple[DuplicateReason, ...], tuple]] = []
    for index, person in enumerate(people):
        if person.birth_on is None:
            continue
        exclude = exclude_ids[index] if index < len(exclude_ids) else None
        for day in nearby_birth_dates(person.birth_on):
            for row in by_date.get(day, ()):
                if row[0] == exclude:
                    continue
                reasons = duplicate_reasons(person, Person(row[1], row[3], row[2]))
                if not reasons or DuplicateReason.SAME_ID in reasons:
                    continue
                found.append((index, row[0], tuple(reasons), row))
    if not found:
        return results
    ids = {elder_id for _index, elder_id, _reasons, _row in found}
    visible = set(
        db.session.scalars(select(Elder.id).where(Elder.id.in_(ids), elder_filter(actor)))
    )
    towns: dict[int, str] = {}
    with system_access("likely duplicate check: town names", record=False):
        for _index, _id, _reasons, row in found:
            area_id = row[4]
            if area_id not in towns:
                area = db.session.get(Area, area_id)
                town = area.town if area is not None else None
                towns[area_id] = town.name if town is not None else ""
    role = actor.role.value if actor.role else None
    for index, elder_id, reasons, row in found:
        shown = elder_id in visible
        results[index].append(
            LikelyDuplicate(
                elder_id=elder_id,
                visible=shown,
                town=towns[row[4]],
                name=row[1] if shown else "",
                masked_id=mask_id_for_role(row[2], role) if shown else "",
                is_archived=row[5],
                reasons=reasons,
            )
        )
    for listed in results:
        listed.sort(key=lambda d: (not d.visible, d.town, d.elder_id))
    return results


def find_likely_duplicates(
    actor: User, name: str, birth_on: date | None, id_number: str, exclude_id: int | None = None
) -> list[LikelyDuplicate]:
    """The likely duplicates of one registration (see :func:`find_batch`)."""
    return find_batch(actor, [Person(name, birth_on, id_number)], [exclude_id])[0]


def confirmation_token(duplicates: Sequence[LikelyDuplicate]) -> str:
    """A token naming the cases shown to the user (kept in the form, no case id readable in it):
    a confirmation covers exactly the warning the user saw, not one that appeared since."""
    text = ",".join(str(i) for i in sorted({d.elder_id for d in duplicates}))
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"duplicates:{text}".encode(), hashlib.sha256).hexdigest()[:32]
