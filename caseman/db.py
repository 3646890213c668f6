"""Declarative base: named constraints, enums stored by value, timestamps."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from caseman.clock import utcnow

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def chunks(values: Sequence[T], size: int) -> Iterator[list[T]]:
    """``values`` in lists of at most ``size``: an IN (...) list stays under the databases' bound
    on bound parameters (SQLite's default is 32,766)."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def enum_column(enum_cls: type[StrEnum], name: str | None = None) -> sa.Enum:
    """A string column holding the enum's *values*, checked by a named constraint.

    ``name`` names the check constraint; give one when a table has two columns of one enum.
    """
    return sa.Enum(
        enum_cls,
        name=name or enum_cls.__name__.lower(),
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def plan_for_values() -> None:
    """PostgreSQL: plan the rest of this transaction's statements for their own values.

    psycopg prepares a statement on the server at its fifth run, and from about the tenth
    PostgreSQL may keep one generic plan for any values. That is right for most statements
    (planning every run cost the case file 12 ms of its 50), but not for a search, whose best
    plan depends on how rare the typed text is: the search by two characters took a generic
    plan of 2–3 s where the plan for its values takes 1 ms (issue 21, bench_scale.py at
    100,000 elders, 20 runs of each query). SQLite plans every statement as it runs."""
    from caseman.extensions import db

    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL plan_cache_mode = force_custom_plan"))


def begin_write() -> None:
    """Take SQLite's write lock now, in a request that began reading (a GET): call it before
    reading what the request is about to write (a counter, a row to update), so that what it
    reads cannot change before it writes. Elsewhere (PostgreSQL, a posted change that already
    holds the lock) it does nothing. See caseman._sqlite_begin."""
    from caseman import _DEFERRED, _take_write_lock
    from caseman.extensions import db

    connection = db.session.connection()
    if connection.info.get(_DEFERRED):
        _take_write_lock(connection)


def changed_in_flush(obj: object, names: Iterable[str]) -> bool:
    """In a flush listener: whether any of ``obj``'s attributes ``names`` changed."""
    attrs = sa.inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def values_in_flush(obj: object, name: str) -> list[Any]:
    """In a flush listener: ``obj.name`` before and after the flush, without None (a row
    moved to another elder or area names both)."""
    history = sa.inspect(obj).attrs[name].history
    return [v for v in (*history.deleted, *history.added, *history.unchanged) if v is not None]


def upsert_insert(connection: sa.Connection, table: sa.Table) -> Any:
    """An INSERT into ``table`` that takes ``on_conflict_do_update``/``..._do_nothing``: the
    PostgreSQL or the SQLite dialect's, as the connection is."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
