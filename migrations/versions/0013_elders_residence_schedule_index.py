"""elders: one covering index for a town's schedule and counts (issue 6)

The dashboard, the due list and the home page's counts read, for every elder of a town, where the
elder lives, the archive and filing dates, the key status and its last change, and the last
review, and the elder's id. An index on all of them, led by the residence area, lets both
databases answer from the index alone. It replaces the single-column index on
``residence_area_id``, its first column.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 04:55:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

COLUMNS = ["residence_area_id", "archived_on", "filed_on", "is_key", "key_changed_on", "was_key",
           "last_reviewed_on", "id"]  # fmt: skip


def upgrade():
    with op.batch_alter_table("elders", schema=None) as batch_op:
        batch_op.create_index("ix_elders_residence_schedule", COLUMNS, unique=False)
        batch_op.drop_index("ix_elders_residence_area_id")


def downgrade():
    with op.batch_alter_table("elders", schema=None) as batch_op:
        batch_op.create_index("ix_elders_residence_area_id", ["residence_area_id"], unique=False)
        batch_op.drop_index("ix_elders_residence_schedule")
