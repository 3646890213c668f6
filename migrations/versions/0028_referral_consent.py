"""referrals.consent_*: the elder's consent before a referral shares their details (issue 19 item 4)

The answer (agreed / refused), who gave it (本人 or the guardian), how and when. Existing
referrals have none recorded. Plain ADD COLUMNs (no batch copy of the referrals table, which
follow-ups refer to).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 19:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

COLUMNS = ("consent_answer", "consent_by", "consent_way", "consent_on")


def upgrade():
    op.add_column("referrals", sa.Column("consent_answer", sa.String(length=16), nullable=True))
    op.add_column(
        "referrals",
        sa.Column("consent_by", sa.String(length=100), nullable=False, server_default=""),
    )
    op.add_column("referrals", sa.Column("consent_way", sa.String(length=16), nullable=True))
    op.add_column("referrals", sa.Column("consent_on", sa.Date(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "referrals", "consent_by", existing_type=sa.String(length=100), server_default=None
        )


def downgrade():
    for name in reversed(COLUMNS):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE referrals DROP COLUMN {name}")
        else:
            op.drop_column("referrals", name)
