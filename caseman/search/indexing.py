"""Keep the search index in step with the data.

Every ORM flush that adds or changes an elder, a visit, a care record, a referral, a risk, a
follow-up or a status change rewrites that record's index rows in the same transaction (so a
rollback takes them back too). Bulk loads that bypass the ORM (core inserts) must run
``rebuild_index`` afterwards: ``flask --app app search-reindex``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session

from caseman.elders.models import Elder
from caseman.referrals.models import FollowUp, Referral, Risk, StatusChange
from caseman.rules.pinyin import NAME, id_key, name_keys, normalise, phone_keys, pinyin_keys
from caseman.search.models import SearchDocument, SearchKey
from caseman.visits.models import CareRecord, Visit

# source name → (model, text fields indexed); voided visits and care are left out
SOURCES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "visit": (Visit, ("needs_note", "suggested_care", "illness_name", "note")),
    "care": (CareRecord, ("what_was_done", "satisfaction_note")),
    "referral": (Referral, ("description", "referred_to", "outcome", "unsolvable_reason")),
    "risk": (Risk, ("description", "actions", "outcome")),
    "follow_up": (FollowUp, ("findings",)),
    "status": (StatusChange, ("note",)),
}
SOURCE_OF = {model: name for name, (model, _fields) in SOURCES.items()}
BATCH = 5000


def ranked_keys(name: str, id_number: str, *phones: str) -> dict[str, int]:
    """Search keys of an elder with their rank (lower ranks first in results)."""
    ranks: dict[str, int] = {}

    def put(keys: Iterable[str], rank: int) -> None:
        for key in keys:
            ranks[key] = min(rank, ranks.get(key, rank))

    put(id_key(id_number), 1)
    names = name_keys(name)
    put(names, 3)
    put({NAME + normalise(name)} & names, 1)  # the whole name
    later = pinyin_keys(name[1:]) if len(name) > 1 else set()
    pinyins = pinyin_keys(name)
    put(later, 4)
    put(pinyins - later, 2)
    put(phone_keys(*phones), 2)
    return ranks


def _key_rows(elder_id: int, name: str, id_number: str, *phones: str) -> list[dict[str, Any]]:
    return [
        {"elder_id": elder_id, "key": key[:80], "rank": rank}
        for key, rank in ranked_keys(name, id_number, *phones).items()
    ]


def _document_rows(source: str, record: Any) -> list[dict[str, Any]]:
    if getattr(record, "voided_at", None) is not None:
        return []  # entered in error: not found by search (still in the case history)
    _model, fields = SOURCES[source]
    return [
        {
            "elder_id": record.elder_id,
            "source": source,
            "record_id": record.id,
            "field": field,
            "body": value,
        }
        for field in fields
        if (value := (getattr(record, field, "") or "").strip())
    ]


def index_elders(connection: sa.Connection, elders: Iterable[Any]) -> None:
    """Rewrite the keys of these elders (objects or rows with id, name, id_number, phones)."""
    elders = list(elders)
    if not elders:
        return
    connection.execute(delete(SearchKey).where(SearchKey.elder_id.in_([e.id for e in elders])))
    rows = [
        row
        for e in elders
        for row in _key_rows(e.id, e.name, e.id_number, e.phone or "", e.emergency_phone or "")
    ]
    if rows:
        connection.execute(insert(SearchKey), rows)


def index_records(connection: sa.Connection, source: str, records: Iterable[Any]) -> None:
    """Rewrite the text rows of these records of one source."""
    records = list(records)
    if not records:
        return
    connection.execute(
        delete(SearchDocument).where(
            SearchDocument.source == source,
            SearchDocument.record_id.in_([r.id for r in records]),
        )
    )
    rows = [row for record in records for row in _document_rows(source, record)]
    if rows:
        connection.execute(insert(SearchDocument), rows)


@event.listens_for(Session, "after_flush")
def _follow_flush(session: Session, _context: Any) -> None:
    changed: dict[Any, list[Any]] = {}
    for obj in [*session.new, *session.dirty]:
        kind = Elder if isinstance(obj, Elder) else type(obj)
        if kind is Elder or kind in SOURCE_OF:
            changed.setdefault(kind, []).append(obj)
    if not changed:
        return
    connection = session.connection()
    index_elders(connection, changed.pop(Elder, []))
    for model, records in changed.items():
        index_records(connection, SOURCE_OF[model], records)


def _batches(connection: sa.Connection, query: sa.Select[Any]) -> Iterator[list[Any]]:
    last = 0
    id_column = query.selected_columns[0]
    while True:
        rows = connection.execute(
            query.where(id_column > last).order_by(id_column).limit(BATCH)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def rebuild_index(connection: sa.Connection) -> tuple[int, int]:
    """Rebuild the whole index from the data; returns (keys, documents) written."""
    connection.execute(delete(SearchKey))
    connection.execute(delete(SearchDocument))
    elders = select(Elder.id, Elder.name, Elder.id_number, Elder.phone, Elder.emergency_phone)
    for rows in _batches(connection, elders):
        key_rows = [
            row
            for e in rows
            for row in _key_rows(e.id, e.name, e.id_number, e.phone or "", e.emergency_phone or "")
        ]
        connection.execute(insert(SearchKey), key_rows)
    for source, (model, fields) in SOURCES.items():
        columns = [model.id, model.elder_id, *(getattr(model, f) for f in fields)]
        if hasattr(model, "voided_at"):
            columns.append(model.voided_at)
        for rows in _batches(connection, select(*columns)):
            doc_rows = [row for record in rows for row in _document_rows(source, record)]
            if doc_rows:
                connection.execute(insert(SearchDocument), doc_rows)
    keys = connection.scalar(select(sa.func.count()).select_from(SearchKey)) or 0
    documents = connection.scalar(select(sa.func.count()).select_from(SearchDocument)) or 0
    return keys, documents
