"""Photos and place at a visit (issue 18 item 3): visit_photos, visit_places

Photos are stored as JPEGs re-encoded from their pixels (no EXIF) under CASEMAN_UPLOADS; the
place is the browser's location stamp, recorded with the elder's consent.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-05 22:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "visit_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("stored_as", sa.String(length=200), nullable=False),
        sa.Column("thumbnail_as", sa.String(length=200), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_visit_photos_elder_id_elders")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_visit_photos_uploaded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_visit_photos_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_photos")),
    )
    op.create_index(op.f("ix_visit_photos_elder_id"), "visit_photos", ["elder_id"], unique=False)
    op.create_index(op.f("ix_visit_photos_visit_id"), "visit_photos", ["visit_id"], unique=False)
    op.create_table(
        "visit_places",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("accuracy_m", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_visit_places_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_visit_places_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("visit_id", name=op.f("pk_visit_places")),
    )


def downgrade():
    op.drop_table("visit_places")
    op.drop_index(op.f("ix_visit_photos_visit_id"), table_name="visit_photos")
    op.drop_index(op.f("ix_visit_photos_elder_id"), table_name="visit_photos")
    op.drop_table("visit_photos")
