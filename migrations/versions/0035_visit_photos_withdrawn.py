"""A visit photo withdrawn with a reason (issue 18 item 3): shown to nobody, its file kept.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06 06:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("visit_photos") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("withdraw_reason", sa.String(length=200), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_visit_photos_withdrawn_by_id_users"), "users", ["withdrawn_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("visit_photos") as batch:
        batch.drop_constraint(batch.f("fk_visit_photos_withdrawn_by_id_users"), type_="foreignkey")
        batch.drop_column("withdraw_reason")
        batch.drop_column("withdrawn_by_id")
        batch.drop_column("withdrawn_at")
