"""two-character text search on PostgreSQL: a GIN index of each text's character pairs

pg_trgm cannot answer a two-character query (most Chinese words are two characters): the pattern
has no whole trigram, so its index reads every entry. PostgreSQL gets an IMMUTABLE function
``caseman_bigrams(text)`` (the distinct lower-cased two-character runs of a text) and a GIN index
over it on search_documents; a two-character query asks ``caseman_bigrams(body) @> ARRAY[...]``.
SQLite needs nothing (its FTS5 vocabulary answers two characters, see migration 0010).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 01:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BIGRAMS = (
    "CREATE OR REPLACE FUNCTION caseman_bigrams(body text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
    "SELECT coalesce(array_agg(DISTINCT substr(lower(body), i, 2)), '{}'::text[]) "
    "FROM generate_series(1, length(body) - 1) AS i $$"
)
BIGRAM_INDEX = (
    "CREATE INDEX ix_search_documents_body_bigrams ON search_documents "
    "USING gin (caseman_bigrams(body))"
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(BIGRAMS)
    op.execute(BIGRAM_INDEX)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_documents_body_bigrams")
    op.execute("DROP FUNCTION IF EXISTS caseman_bigrams(text)")
