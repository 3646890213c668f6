"""elders.birth_on index: the likely-duplicate check reads cases by birth date (issue 20 item 4)

Revision ID: 0027
Revises: 0023
Create Date: 2026-12-05 19:15:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f("ix_elders_birth_on"), "elders", ["birth_on"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_elders_birth_on"), table_name="elders")
