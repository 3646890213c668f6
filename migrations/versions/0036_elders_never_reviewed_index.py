"""The active elders never reviewed, in filing order: a partial index (issue 21 goal 4).

PostgreSQL does not take ``last_reviewed_on IS NULL`` as fixing the first column of
ix_elders_reviewed_filed_name (last_reviewed_on, filed_on, name), so that index gave the home
page's "longest without a review" no order: it sorted every active elder, 2.7 s of the
district's home page at 1,000,000 elders. The partial index on (filed_on, name) is read in
order and stops after 20 rows. SQLite without statistics keeps reading the first one.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06 06:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

NEVER_REVIEWED = sa.text("last_reviewed_on IS NULL AND archived_on IS NULL")


def upgrade():
    op.create_index(
        "ix_elders_never_reviewed",
        "elders",
        ["filed_on", "name"],
        sqlite_where=NEVER_REVIEWED,
        postgresql_where=NEVER_REVIEWED,
    )


def downgrade():
    op.drop_index("ix_elders_never_reviewed", table_name="elders")
