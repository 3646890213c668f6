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


KIND_CHECK = "kind IN (" + ", ".join(f"'{kind}'" for kind in KINDS) + ")"


def upgrade():
    # Plain ADD COLUMNs, never a batch copy of the table: on SQLite (foreign keys on) the copy
    # would DROP a table that other rows, and its own children, refer to.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE areas ADD COLUMN kind VARCHAR(32) NOT NULL DEFAULT 'district' "
            f"CONSTRAINT ck_areas_areakind CHECK ({KIND_CHECK})"
        )
    else:
        op.add_column("areas", sa.Column("kind", sa.String(length=32), nullable=True))
    op.add_column("areas", sa.Column("closed_on", sa.Date(), nullable=True))
    op.add_column(
        "areas",
        sa.Column("closed_reason", sa.String(length=200), nullable=False, server_default=""),
    )
    op.execute("UPDATE areas SET kind = level")
    op.execute("UPDATE areas SET kind = 'street' WHERE level = 'town' AND name LIKE '%街道'")
    op.execute("UPDATE areas SET kind = 'community' WHERE level = 'village' AND name LIKE '%社区'")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("areas", "kind", existing_type=sa.String(length=32), nullable=False)
        op.alter_column("areas", "closed_reason", existing_type=sa.String(length=200),
                        server_default=None)
        op.create_check_constraint(op.f("ck_areas_areakind"), "areas", sa.text(KIND_CHECK))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for column in ("closed_reason", "closed_on", "kind"):
            op.execute(f"ALTER TABLE areas DROP COLUMN {column}")
        return
    op.drop_constraint(op.f("ck_areas_areakind"), "areas", type_="check")
    op.drop_column("areas", "closed_reason")
    op.drop_column("areas", "closed_on")
    op.drop_column("areas", "kind")
