"""The case file's kept bodies (issue 21 goal 3): each elder's case revision, and the
generation of what many case files show (caseman.casefile.cache).

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-06 21:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("elders") as batch:
        batch.add_column(
            sa.Column("case_revision", sa.BigInteger(), server_default="0", nullable=False)
        )
    op.create_table(
        "cache_generations",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_generations")),
    )


def downgrade():
    op.drop_table("cache_generations")
    with op.batch_alter_table("elders") as batch:
        batch.drop_column("case_revision")
