"""areas: kind (镇/街道, 村/社区) and closing (closed_on, closed_reason) (issue 16)

A town-level area is a 镇 or a 街道, a village-level one a 村 or a 社区: the kind is recorded
(existing areas get it from their level and name). Areas are closed, never deleted: the date and
the reason are kept.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 11:50:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

KINDS = ("district", "town", "street", "village", "community", "group")


def upgrade():
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("closed_reason", sa.String(length=200), nullable=False, server_default="")
        )
    op.execute("UPDATE areas SET kind = level")
    op.execute("UPDATE areas SET kind = 'street' WHERE level = 'town' AND name LIKE '%街道'")
    op.execute("UPDATE areas SET kind = 'community' WHERE level = 'village' AND name LIKE '%社区'")
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column("closed_reason", existing_type=sa.String(length=200),
                              server_default=None)
        batch_op.create_check_constraint(op.f("ck_areas_areakind"), sa.column("kind").in_(KINDS))


def downgrade():
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_areas_areakind"), type_="check")
        batch_op.drop_column("closed_reason")
        batch_op.drop_column("closed_on")
        batch_op.drop_column("kind")
