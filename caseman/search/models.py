"""The search index: short keys (names, pinyin, ID tails, phones) and record texts.

``search_keys`` answers names of any length, pinyin, ID tails and phones by a prefix range on a
B-tree index (fast for one- and two-character names, where trigram indexes cannot help).
``search_documents`` holds the words of visits, care, referrals, risks and follow-ups; the
database's own text index covers it: SQLite an FTS5 table with the trigram tokenizer
(``search_fts``, external content, kept in step by triggers), PostgreSQL a pg_trgm GIN index.

PostgreSQL's pg_trgm cannot answer two characters either (a two-character pattern has no whole
trigram, so the GIN index reads every entry). A second GIN index over ``caseman_bigrams(body)``,
the distinct lower-cased two-character runs of a text, answers them: ``caseman_bigrams(body) @>
ARRAY['血压']`` (migration 0012).

SQLite 3.40's trigram index cannot answer two characters. The triggers index each text with a
sentinel (U+001F) appended, so every two-character run of a text starts some trigram; a
two-character query looks those trigrams up in ``search_fts_vocab`` (a key range) and matches any
of them. The text index is created by DDL events here (so ``db.create_all()`` in tests builds it)
and by migration 0010.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from caseman.db import Base

# Byte order (= code point order in UTF-8) so that a prefix is a range on PostgreSQL too.
KeyText = sa.String(80).with_variant(postgresql.VARCHAR(80, collation="C"), "postgresql")


class SearchKey(Base):
    """One search key of an elder (see caseman.rules.pinyin for the namespaces)."""

    __tablename__ = "search_keys"
    __table_args__ = (sa.Index("ix_search_keys_key", "key", "rank", "elder_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    key: Mapped[str] = mapped_column(KeyText)
    rank: Mapped[int] = mapped_column(sa.SmallInteger)  # lower is a better match


class SearchDocument(Base):
    """One non-empty text field of a record of an elder, for full-text search."""

    __tablename__ = "search_documents"
    __table_args__ = (sa.Index("ix_search_documents_record", "source", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(sa.ForeignKey("elders.id"), index=True)
    source: Mapped[str] = mapped_column(sa.String(16))  # visit | care | referral | risk | follow_up
    record_id: Mapped[int]
    field: Mapped[str] = mapped_column(sa.String(32))
    body: Mapped[str] = mapped_column(sa.Text)


SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_documents', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, 'row')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, body) VALUES (new.id, new.body || char(31)); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body) "
    "VALUES ('delete', old.id, old.body || char(31)); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO search_fts(rowid, body) VALUES (new.id, new.body || char(31)); END",
)
SQLITE_DROP = ("DROP TABLE IF EXISTS search_fts_vocab", "DROP TABLE IF EXISTS search_fts")
POSTGRESQL_EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"
# Every distinct two-character run of a text, lower-cased (IMMUTABLE: an index may use it).
# COST: it splits a whole text, far dearer than the 100 PostgreSQL assumes; at that price the
# planner matched a town's 8,024 elders' records one by one rather than ask the GIN index, and a
# two-character search took 1 s above 250,000 elders (issue 21 goal 4, migration 0037).
BIGRAMS_COST = 10000
POSTGRESQL_BIGRAMS = (
    "CREATE OR REPLACE FUNCTION caseman_bigrams(body text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 10000 AS $$ "  # BIGRAMS_COST
    "SELECT coalesce(array_agg(DISTINCT substr(lower(body), i, 2)), '{}'::text[]) "
    "FROM generate_series(1, length(body) - 1) AS i $$"
)
POSTGRESQL_BIGRAM_INDEX = (
    "CREATE INDEX ix_search_documents_body_bigrams ON search_documents "
    "USING gin (caseman_bigrams(body))"
)
POSTGRESQL_CREATE = (
    "CREATE INDEX ix_search_documents_body_trgm ON search_documents USING gin (body gin_trgm_ops)",
    POSTGRESQL_BIGRAMS,
    POSTGRESQL_BIGRAM_INDEX,
)
# Objects the text index adds beside the models (Alembic's comparison must not see them).
UNMAPPED = {"search_fts", "ix_search_documents_body_trgm", "ix_search_documents_body_bigrams"}


def include_name(name: str | None, type_: str, _parent: Any) -> bool:
    """Alembic ``include_name``: leave the text-index objects (and FTS5 shadow tables) alone."""
    return not (name and (name in UNMAPPED or name.startswith("search_fts_")))


@event.listens_for(SearchDocument.__table__, "before_create")
def _before_create(_table: sa.Table, connection: sa.Connection, **_kw: Any) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(POSTGRESQL_EXTENSION)


@event.listens_for(SearchDocument.__table__, "after_create")
def _after_create(_table: sa.Table, connection: sa.Connection, **_kw: Any) -> None:
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}
    for statement in statements.get(connection.dialect.name, ()):
        connection.exec_driver_sql(statement)


@event.listens_for(SearchDocument.__table__, "before_drop")
def _before_drop(_table: sa.Table, connection: sa.Connection, **_kw: Any) -> None:
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_DROP:
            connection.exec_driver_sql(statement)
