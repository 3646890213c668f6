"""printed_documents: content hash and reprint count (issue 17 item 10)

A form printed again with the same content reuses its number instead of taking a new one: the
number is looked up by (elder, annex, visit, content_hash). ``printings`` counts the times a
number was printed and ``last_printed_at`` says when it last was. Existing rows have no hash
(they are never reused) and one printing.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 15:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs (no batch copy: signed_scans refers to this table).
    op.add_column("printed_documents", sa.Column("content_hash", sa.String(length=64), nullable=True))
    op.add_column(
        "printed_documents",
        sa.Column("printings", sa.Integer(), nullable=False, server_default="1"),
    )
    op.add_column("printed_documents", sa.Column("last_printed_at", sa.DateTime(), nullable=True))
    op.create_index(
        op.f("ix_printed_documents_content_hash"), "printed_documents", ["content_hash"]
    )


def downgrade():
    op.drop_index(op.f("ix_printed_documents_content_hash"), table_name="printed_documents")
    for column in ("last_printed_at", "printings", "content_hash"):
        op.drop_column("printed_documents", column)
