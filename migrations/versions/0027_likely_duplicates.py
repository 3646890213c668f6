"""Likely duplicates (issue 20 item 4): elders.birth_on index, elder_merges

The likely-duplicate check reads the cases born on a few dates (an index on elders.birth_on);
two case files of one person are merged by archiving one and recording the merge.

Revision ID: 0027
Revises: 0023
Create Date: 2026-12-05 19:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f("ix_elders_birth_on"), "elders", ["birth_on"], unique=False)
    op.create_table(
        "elder_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_elder_merges_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["kept_id"], ["elders.id"], name=op.f("fk_elder_merges_kept_id_elders")
        ),
        sa.ForeignKeyConstraint(
            ["merged_id"], ["elders.id"], name=op.f("fk_elder_merges_merged_id_elders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elder_merges")),
        sa.UniqueConstraint("merged_id", name=op.f("uq_elder_merges_merged_id")),
    )
    op.create_index(op.f("ix_elder_merges_kept_id"), "elder_merges", ["kept_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_elder_merges_kept_id"), table_name="elder_merges")
    op.drop_table("elder_merges")
    op.drop_index(op.f("ix_elders_birth_on"), table_name="elders")
