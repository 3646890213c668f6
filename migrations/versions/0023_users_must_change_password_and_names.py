"""users: a one-time password must be changed; every user has a 姓名 (issue 16, items 3 and 4)

``must_change_password`` is set when an administrator creates an account or resets its
password on the users page: the user then sets their own at the first login. Existing users
keep their passwords (false). Existing users without a 姓名 get their username as a start, which
they can edit on 我的账号.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 15:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "users",
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute("UPDATE users SET full_name = username WHERE full_name IS NULL OR full_name = ''")


def downgrade():
    # A plain DROP COLUMN on both databases (SQLite >= 3.35): no batch copy of the users table,
    # which other tables reference. The backfilled names stay.
    op.execute("ALTER TABLE users DROP COLUMN must_change_password")
