"""elder_moves: the residence history of an elder, for past months' visit rates (issue 17 item 5)

A past month counts an elder in the area where they lived then. One row per change of residence
area: the day of the move and the areas before and after. Backfilled from the saved versions of
the registration (elder_versions): wherever two successive versions name different residence
areas, a move on the (Beijing) date of the later version.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 15:00:00

"""

import sqlalchemy as sa
from alembic import op

from caseman import clock

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    moves = op.create_table(
        "elder_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("from_area_id", sa.Integer(), nullable=False),
        sa.Column("to_area_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_elder_moves_elder_id_elders")
        ),
        sa.ForeignKeyConstraint(
            ["from_area_id"], ["areas.id"], name=op.f("fk_elder_moves_from_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["to_area_id"], ["areas.id"], name=op.f("fk_elder_moves_to_area_id_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elder_moves")),
    )
    op.create_index("ix_elder_moves_elder_moved_on", "elder_moves", ["elder_id", "moved_on"])
    _backfill(moves)


def _backfill(moves):
    versions = sa.table(
        "elder_versions",
        sa.column("elder_id", sa.Integer),
        sa.column("number", sa.Integer),
        sa.column("snapshot", sa.JSON),
        sa.column("created_at", sa.DateTime),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(versions.c.elder_id, versions.c.snapshot, versions.c.created_at).order_by(
            versions.c.elder_id, versions.c.number
        )
    )
    found = []
    last_elder, last_area = None, None
    for elder_id, snapshot, created_at in rows:
        if elder_id != last_elder:
            last_area = None
        area = (snapshot or {}).get("residence_area_id")
        if elder_id == last_elder and area and last_area and area != last_area:
            found.append(
                {
                    "elder_id": elder_id,
                    "moved_on": clock.to_local(created_at).date(),
                    "from_area_id": last_area,
                    "to_area_id": area,
                    "created_at": created_at,
                }
            )
        last_elder = elder_id
        if area:
            last_area = area
    if found:
        op.bulk_insert(moves, found)


def downgrade():
    op.drop_index("ix_elder_moves_elder_moved_on", table_name="elder_moves")
    op.drop_table("elder_moves")
