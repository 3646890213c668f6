"""elder_assignments: history of visitor assignments (issue 16, item 5)

An assignment now has a start (date, by whom) and may be ended (date, by whom, why) instead of
being deleted. Assigning the same worker again after an end adds a new row, so the unique
(elder_id, user_id) constraint gives way to a partial unique index over the active rows
(``ended_on IS NULL``) on both databases. Existing rows stay active assignments; their start is
the elder's filing date (建档日期), the earliest they can have begun, and who started them is
unknown (empty).

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-05 11:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

ACTIVE = sa.text("ended_on IS NULL")


def upgrade():
    with op.batch_alter_table("elder_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("started_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ended_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("end_reason", sa.String(length=200), nullable=False, server_default="")
        )
    op.execute(
        "UPDATE elder_assignments SET started_on = (SELECT elders.filed_on FROM elders "
        "WHERE elders.id = elder_assignments.elder_id)"
    )
    with op.batch_alter_table("elder_assignments", schema=None) as batch_op:
        batch_op.alter_column("started_on", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("end_reason", existing_type=sa.String(length=200),
                              server_default=None)  # fmt: skip
        batch_op.create_foreign_key(
            batch_op.f("fk_elder_assignments_started_by_id_users"), "users", ["started_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_elder_assignments_ended_by_id_users"), "users", ["ended_by_id"], ["id"]
        )
        batch_op.drop_constraint("uq_elder_assignments", type_="unique")
        batch_op.create_index("ix_elder_assignments_active", ["user_id", "elder_id"], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)  # fmt: skip


def downgrade():
    # Only the active rows fit the old unique (elder_id, user_id): ended ones go with the history.
    op.execute("DELETE FROM elder_assignments WHERE ended_on IS NOT NULL")
    with op.batch_alter_table("elder_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_elder_assignments_active")
        batch_op.create_unique_constraint("uq_elder_assignments", ["elder_id", "user_id"])
        batch_op.drop_constraint(
            batch_op.f("fk_elder_assignments_ended_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_elder_assignments_started_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("end_reason")
        batch_op.drop_column("ended_by_id")
        batch_op.drop_column("ended_on")
        batch_op.drop_column("started_by_id")
        batch_op.drop_column("started_on")
