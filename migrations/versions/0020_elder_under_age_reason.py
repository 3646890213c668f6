"""elders.under_age_reason: why a person under 60 on the filing date is filed (issue 17, item 7)

Notice 004 concerns 老年人 (60 and over); a younger person is filed only with a reason. Existing
cases get an empty reason. A plain ADD COLUMN (no batch copy of the elders table, which other
tables refer to).

Revision ID: 0020
Revises: 0016
Create Date: 2026-12-05 15:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "elders",
        sa.Column("under_age_reason", sa.String(length=200), nullable=False, server_default=""),
    )
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "elders", "under_age_reason", existing_type=sa.String(length=200), server_default=None
        )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE elders DROP COLUMN under_age_reason")
        return
    op.drop_column("elders", "under_age_reason")
