"""The home page's figures kept per residence area (issue 21 goal 2): dashboard_area_summaries,
two indexes that list the elders longest without a review in order, and one for the reports
not yet acknowledged.

The rows start empty: the first page of the day (or ``flask dashboard-summary``) counts them.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06 02:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dashboard_area_summaries",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=True),
        sa.Column("data", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_dashboard_area_summaries_area_id_areas")
        ),
        sa.PrimaryKeyConstraint("area_id", name=op.f("pk_dashboard_area_summaries")),
    )
    op.create_index(
        "ix_risks_unacknowledged", "risks", ["must_report", "acknowledged_at", "occurred_at"]
    )
    op.create_index("ix_elders_reviewed_name", "elders", ["last_reviewed_on", "name"])
    op.create_index(
        "ix_elders_reviewed_filed_name", "elders", ["last_reviewed_on", "filed_on", "name"]
    )


def downgrade():
    op.drop_index("ix_elders_reviewed_filed_name", table_name="elders")
    op.drop_index("ix_elders_reviewed_name", table_name="elders")
    op.drop_index("ix_risks_unacknowledged", table_name="risks")
    op.drop_table("dashboard_area_summaries")
