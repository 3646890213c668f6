"""The case file's body, kept rendered per worker and keyed by what it shows (issue 21 goal 3).

Rendering the case file is most of its cost: some 25 statements and 600 template calls, for a
page its readers open again and again (a town clerk going through a village, a visitor before
and after a visit). The body of the page (everything but the header, menu and messages of
base.html) is kept in memory once rendered, under a key that changes whenever anything it
shows may have changed:

- ``elders.case_revision``: any flush that adds, changes or removes the elder or a row that
  names it (``elder_id``: visits, care, referrals, risks, family, versions, printed forms and
  scans, approvals, transfers, visitors, risk level …) gives the elder a new revision, in the
  same transaction (``_note_changes``, a flush listener: no write path can forget it). A merge
  gives both elders one.
- ``cache_generations.value`` ('case_file'): a change to anything else a case file shows (an
  area's name, a user's name, role or area, a service force …) gives every case file a new
  generation, as does an UPDATE or DELETE statement over a table that is not known to be
  absent from the page. Rows a case file never shows (``NOT_SHOWN``) change nothing.
- Beijing's day (the schedule, ages, reminders and risk rhythm are counted for it), the
  locale, and the user (the page depends on their role and area: buttons, merged cases).

Revisions and generations are random 62-bit numbers, not counters: a database restored from a
backup and written again never gives an old number back to different content.

The revision and generation are read before anything the page shows, so a page is never kept
under a key older than its content. The CSRF token of the page's form is put in when the page
is sent, not kept. The full-number page (reveal) is never kept. A worker keeps
``CASEMAN_CASE_FILE_CACHE_MB`` megabytes of bodies (0: none), the least recently used going
first. ``flask`` commands and scripts write through the same listeners.
"""

from __future__ import annotations

import secrets
import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.util import identity_key

from caseman.db import Base, changed_in_flush, upsert_insert, values_in_flush
from caseman.elders.models import Elder, ElderMerge

CASE_FILE = "case_file"
# Stands in for the CSRF token while a body is rendered to be kept (see ``with_token``).
TOKEN_MARK = "\x00csrf-token\x00"  # noqa: S105  # nosec B105 (a placeholder, not a secret)


class CacheGeneration(Base):
    """A number that changes when something shown on many cached pages changes."""

    __tablename__ = "cache_generations"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)


# Rows that name no elder and that no case file shows (or rows derived from the case file that
# are never shown on it): their writes keep every kept page. Anything not listed, and naming no
# elder, starts a new generation (tests/casefile/test_cache.py checks the names are tables).
NOT_SHOWN = frozenset(
    {
        "audit_events",  # written by every view of the page itself
        "jobs",
        "dashboard_area_summaries",
        "search_keys",
        "search_documents",
        "submissions",
        "submission_events",
        "campaigns",
        "visit_places",  # shown on the visit's own page
        "aid_activities",
        "aid_points",
        "aid_funds",
        "aid_help_records",
        "aid_pairings",
        "aid_pairing_helpers",
        "aid_point_entries",
        "aid_point_rates",
        "cache_generations",
    }
)
# A user's columns a case file shows (names, area and role); a login changes none of them.
USER_SHOWN = ("username", "full_name", "role", "area_id", "is_active_user")


def new_number() -> int:
    return secrets.randbits(62)


PENDING = "case_file_elders"


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context: Any) -> None:
    elder_ids: set[int] = set()
    everything = False
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table in NOT_SHOWN:
            continue
        if isinstance(obj, Elder):
            elder_ids.add(obj.id)
        elif isinstance(obj, ElderMerge):
            elder_ids.update((obj.kept_id, obj.merged_id))
        elif hasattr(obj, "elder_id"):
            elder_ids.update(values_in_flush(obj, "elder_id"))
        elif table == "users":
            everything = everything or (
                obj not in session.new and changed_in_flush(obj, USER_SHOWN)
            )
        else:
            everything = True
    # An elder registered in this transaction has no page kept anywhere yet.
    elder_ids -= {obj.id for obj in session.new if isinstance(obj, Elder)}
    if not elder_ids and not everything:
        return
    connection = session.connection()
    if elder_ids:
        ids = sorted(elder_ids)  # in id order: two transactions never wait on each other in a cycle
        table = Elder.__table__
        for at in range(0, len(ids), 900):
            connection.execute(
                table.update()
                .where(table.c.id.in_(ids[at : at + 900]))
                # updated_at stays: it tells when the registration itself last changed
                .values(case_revision=new_number(), updated_at=table.c.updated_at)
            )
        session.info.setdefault(PENDING, set()).update(ids)
    if everything:
        new_generation(connection)


@event.listens_for(Session, "after_flush_postexec")
def _forget_read_revisions(session: Session, _context: Any) -> None:
    """The elders loaded in this session hold the revision they had: read it again if asked."""
    ids = session.info.pop(PENDING, None)
    if not ids:
        return
    for elder_id in ids:
        obj = session.identity_map.get(identity_key(Elder, elder_id))
        if obj is not None:
            session.expire(obj, ["case_revision"])


@event.listens_for(Session, "do_orm_execute")
def _statement_change(state: Any) -> None:
    """An UPDATE or DELETE statement over a table a case file may show (no service writes one
    today) may have changed any case file."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in NOT_SHOWN:
        return
    new_generation(state.session.connection())


def new_generation(connection: sa.Connection) -> None:
    table = CacheGeneration.__table__
    value = new_number()
    statement = upsert_insert(connection, table).values(name=CASE_FILE, value=value)
    connection.execute(
        statement.on_conflict_do_update(index_elements=[table.c.name], set_={"value": value})
    )


def generation_column() -> sa.Label[int]:
    """The generation, as a column to read with the elder (0 before the first change)."""
    value = select(CacheGeneration.value).where(CacheGeneration.name == CASE_FILE)
    return sa.func.coalesce(value.scalar_subquery(), 0).label("case_file_generation")


def generation(session: Session) -> int:
    """The generation alone (the case file reads it with the elder: ``generation_column``)."""
    return session.scalar(select(generation_column()))


class PageCache:
    """Rendered texts by key, least recently used first out, within ``max_bytes`` (the texts'
    own memory: a body with Chinese text takes two bytes a character)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            text = self._items.get(key)
            if text is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return text

    def put(self, key: Hashable, text: str) -> None:
        cost = sys.getsizeof(text)
        if cost > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= sys.getsizeof(old)
            self._items[key] = text
            self.size += cost
            while self.size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.size -= sys.getsizeof(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0


def init_app(app: Flask) -> None:
    megabytes = float(app.config.get("CASEMAN_CASE_FILE_CACHE_MB", 32))
    app.extensions["case_file_cache"] = (
        PageCache(int(megabytes * 1024 * 1024)) if megabytes > 0 else None
    )


def page_cache() -> PageCache | None:
    return current_app.extensions.get("case_file_cache")


def with_token(body: str, token: str) -> str:
    return body.replace(TOKEN_MARK, token)
