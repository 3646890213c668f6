"""Search: which elders a typed query finds, how well, and what matched (highlighted).

The query never scans the elders: names, pinyin, ID tails and phones are prefix ranges on
``search_keys``; words of records use the database's text index on ``search_documents`` (SQLite FTS5
trigram; PostgreSQL pg_trgm, and for two characters a GIN index of each text's character pairs).
Scope is applied by the caller (caseman.scope.elder_filter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy import literal, select
from sqlalchemy.dialects import postgresql

from caseman.db import plan_for_values
from caseman.extensions import db
from caseman.rules.pinyin import NAME, prefix_bounds, query_keys
from caseman.search.models import SearchDocument, SearchKey

WHOLE_RANK = 2  # keys ranked up to this start at the beginning of the name (or are an ID, a phone)
TEXT_RANK = 5  # a match in a record's words comes after any name, ID or phone match
MIN_TEXT = 2  # characters: one character in record texts would match nearly everyone
TEXT_LIMIT = 1000  # records: a word found in more finds the elders of only some of them
MAX_TERMS = 400  # SQLite two-character queries: trigrams looked up at most
SNIPPET = 24  # characters of context each side of a highlighted match
MATCHES_PER_ELDER = 3


def _text_query(query: str) -> str:
    return re.sub(r"\s+", " ", query).strip()


def _like_pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _wants_text(text: str) -> bool:
    if len(text) < MIN_TEXT or re.fullmatch(r"[\dxX\s-]+", text):
        return False  # one character matches nearly everyone; digits are IDs and phones
    return not (re.fullmatch(r"[A-Za-z]+", text) and len(text) < 3)  # short Latin is pinyin


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _sqlite_match(text: str) -> str | None:
    """An FTS5 MATCH expression for ``text`` (None when no indexed text can contain it)."""
    if len(text) >= 3:
        return _fts_phrase(text)
    # Two characters: the trigrams starting with them (every text ends with a sentinel, so every
    # two-character run starts a trigram), found by a key range on the index's vocabulary.
    lower, upper = prefix_bounds(text.lower())
    terms = db.session.scalars(
        sa.text(
            "SELECT term FROM search_fts_vocab WHERE term >= :lower AND term < :upper LIMIT :n"
        ),
        {"lower": lower, "upper": upper, "n": MAX_TERMS},
    ).all()
    return " OR ".join(_fts_phrase(term) for term in terms) or None


def _text_hits(
    query: str, dialect: str, scope: sa.Select[tuple[int]] | None = None
) -> sa.Subquery | None:
    """Elder ids of up to TEXT_LIMIT records (SQLite: the most recent) containing ``query``.

    With ``scope`` (the ids of the elders the user may see) the records are limited to those
    elders before the limit is taken: a village's three elders whose notes hold a common word are
    found even when a thousand other towns' records hold it too (issue 23 item 4).
    """
    text = _text_query(query)
    if not _wants_text(text):
        return None
    in_scope = (SearchDocument.elder_id.in_(scope),) if scope is not None else ()
    if dialect == "sqlite":
        match = _sqlite_match(text)
        if match is None:
            return None
        if scope is not None:
            matching = sa.text(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH :match"
            ).bindparams(match=match)
            return (
                select(SearchDocument.elder_id)
                .where(SearchDocument.id.in_(matching), *in_scope)
                .order_by(SearchDocument.id.desc())
                .limit(TEXT_LIMIT)
                .subquery("text_hits")
            )
        matching = sa.text(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH :match "
            "ORDER BY rowid DESC LIMIT :limit"
        ).bindparams(match=match, limit=TEXT_LIMIT)
        return (
            select(SearchDocument.elder_id)
            .where(SearchDocument.id.in_(matching))
            .subquery("text_hits")
        )
    if len(text) < 3:
        # PostgreSQL: pg_trgm needs three characters; two are looked up in the GIN index of each
        # text's two-character runs (caseman_bigrams, see caseman.search.models).
        bigrams = sa.func.caseman_bigrams(SearchDocument.body, type_=postgresql.ARRAY(sa.Text))
        return (
            select(SearchDocument.elder_id)
            .where(
                bigrams.contains(sa.literal([text.lower()], postgresql.ARRAY(sa.Text))), *in_scope
            )
            .limit(TEXT_LIMIT)
            .subquery("text_hits")
        )
    # ILIKE through the pg_trgm GIN index. No ORDER BY: with one, the planner may walk the primary
    # key backwards through every text looking for a rare word.
    return (
        select(SearchDocument.elder_id)
        .where(SearchDocument.body.ilike(_like_pattern(text), escape="\\"), *in_scope)
        .limit(TEXT_LIMIT)
        .subquery("text_hits")
    )


def search_hits(query: str, scope: sa.Select[tuple[int]] | None = None) -> sa.Subquery | None:
    """(elder_id, rank) of every elder the query finds, best rank per elder; None if it cannot.

    ``scope``: the ids of the elders the user may see, applied before any limit. The statement
    that uses it is planned for the typed text (:func:`caseman.db.plan_for_values`)."""
    plan_for_values()
    dialect = db.engine.dialect.name
    parts: list[sa.Select[tuple[int, int]]] = []
    for namespace, value in query_keys(query):
        lower, upper = prefix_bounds(namespace + value)
        # The whole key typed (the whole name, its whole pinyin, the whole ID) ranks first; a
        # suffix of a name typed whole (张 in 李张) keeps its own rank.
        whole = sa.and_(SearchKey.key == lower, SearchKey.rank <= WHOLE_RANK)
        exact = sa.case((whole, literal(0)), else_=SearchKey.rank)
        parts.append(
            select(SearchKey.elder_id, exact.label("rank")).where(
                SearchKey.key >= lower, SearchKey.key < upper
            )
        )
    text = _text_hits(query, dialect, scope)
    if text is not None:
        parts.append(select(text.c.elder_id, literal(TEXT_RANK).label("rank")))
    if not parts:
        return None
    hits = sa.union_all(*parts).subquery("hits")
    return (
        select(hits.c.elder_id, sa.func.min(hits.c.rank).label("rank"))
        .group_by(hits.c.elder_id)
        .subquery("search_hits")
    )


def highlight(text: str, query: str) -> Markup:
    """``text`` escaped, with every occurrence of ``query`` marked (escape first, then mark)."""
    needle = _text_query(query).lower()
    if not needle:
        return escape(text)
    result = Markup()
    lowered = text.lower()
    start = 0
    while (found := lowered.find(needle, start)) >= 0:
        end = found + len(needle)
        result += escape(text[start:found]) + Markup("<mark>") + escape(text[found:end])
        result += Markup("</mark>")
        start = end
    return result + escape(text[start:])


def snippet(text: str, query: str) -> Markup:
    """The part of ``text`` around the first match, highlighted."""
    found = text.lower().find(_text_query(query).lower())
    if found < 0:
        return escape(text[: SNIPPET * 2])
    start = max(0, found - SNIPPET)
    end = found + len(_text_query(query)) + SNIPPET
    piece = highlight(text[start:end], query)
    return (Markup("…") if start else Markup()) + piece + (Markup("…") if end < len(text) else "")


@dataclass(frozen=True)
class Match:
    """A record whose words matched: where it is and the highlighted words."""

    source: str  # visit | care | referral | risk | follow_up | status
    record_id: int
    field: str
    text: Markup


def list_matches(elder_ids: list[int], query: str) -> dict[int, list[Match]]:
    """For the elders on a result page, the records whose words contain the query."""
    text = _text_query(query)
    if not elder_ids or not _wants_text(text):
        return {}
    pattern = _like_pattern(text)
    rows = db.session.execute(
        select(SearchDocument)
        .where(
            SearchDocument.elder_id.in_(elder_ids),
            SearchDocument.body.ilike(pattern, escape="\\"),
        )
        .order_by(SearchDocument.elder_id, SearchDocument.id.desc())
    ).scalars()
    matches: dict[int, list[Match]] = {}
    for row in rows:
        found = matches.setdefault(row.elder_id, [])
        if len(found) < MATCHES_PER_ELDER:
            found.append(Match(row.source, row.record_id, row.field, snippet(row.body, query)))
    return matches


def is_name_query(query: str) -> bool:
    return any(namespace == NAME for namespace, _value in query_keys(query))


def open_records_condition(kind: str) -> sa.ColumnElement[bool]:
    """Elders with a referral (``referral``), a risk (``risk``) or either (``any``) not closed."""
    from caseman.elders.models import Elder
    from caseman.referrals.models import Referral, Risk
    from caseman.rules.referrals import ReferralStatus, RiskStatus

    open_referral = sa.exists().where(
        Referral.elder_id == Elder.id,
        Referral.status.in_([s for s in ReferralStatus if not s.is_closed]),
    )
    open_risk = sa.exists().where(
        Risk.elder_id == Elder.id, Risk.status.in_([s for s in RiskStatus if not s.is_closed])
    )
    if kind == "referral":
        return open_referral
    if kind == "risk":
        return open_risk
    return sa.or_(open_referral, open_risk)
