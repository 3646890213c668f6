"""The areas' path index usable for a prefix on PostgreSQL (issue 21 goal 3).

Every scoped page reads the user's subtree of areas by ``path LIKE '/1/5/%'``. Under a
non-C collation (C.UTF-8, zh_CN.UTF-8) PostgreSQL cannot use a plain btree for that and read
every area (0.7 ms a page at 1,851 areas; a city holds more). With ``varchar_pattern_ops`` it
reads the subtree from the index. SQLite keeps its plain index.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-06 22:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_areas_path", table_name="areas")
    op.create_index(
        "ix_areas_path", "areas", ["path"], postgresql_ops={"path": "varchar_pattern_ops"}
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_areas_path", table_name="areas")
    op.create_index("ix_areas_path", "areas", ["path"])
