"""search index: name/pinyin/ID/phone keys and record texts with the database's text index

SQLite: an FTS5 table with the trigram tokenizer over search_documents (external content, kept in
step by triggers). PostgreSQL: the pg_trgm extension and a GIN trigram index on the texts.
Existing data is indexed at the end of the upgrade (``flask search-reindex`` does the same).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 22:16:22.022573

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

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


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_search_documents_elder_id_elders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
    )
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_documents_elder_id"), ["elder_id"])
        batch_op.create_index("ix_search_documents_record", ["source", "record_id"])
    op.create_table(
        "search_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column(
            "key",
            sa.String(length=80).with_variant(
                postgresql.VARCHAR(length=80, collation="C"), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_search_keys_elder_id_elders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_keys")),
    )
    with op.batch_alter_table("search_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_keys_elder_id"), ["elder_id"])
        batch_op.create_index("ix_search_keys_key", ["key", "rank", "elder_id"])
    if dialect == "sqlite":
        for statement in SQLITE_CREATE:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_search_documents_body_trgm ON search_documents "
            "USING gin (body gin_trgm_ops)"
        )
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM elders LIMIT 1")).first() is not None:
        from caseman.search.indexing import rebuild_index

        rebuild_index(bind)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts_vocab")
        op.execute("DROP TABLE IF EXISTS search_fts")  # its triggers go with search_documents
    with op.batch_alter_table("search_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_search_keys_key")
        batch_op.drop_index(batch_op.f("ix_search_keys_elder_id"))
    op.drop_table("search_keys")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_search_documents_record")
        batch_op.drop_index(batch_op.f("ix_search_documents_elder_id"))
    op.drop_table("search_documents")
