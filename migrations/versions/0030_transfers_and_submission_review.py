"""transfers, submission_events, submissions.returned_*/accepted_* (issue 19 items 2 and 3)

- ``transfers``: a case asked to move to another village, accepted, refused or taken back; one
  waiting request per elder (a partial unique index).
- ``submissions``: the district's answer to a town's half-year package, returned with reasons
  or accepted, with who and when; ``submission_events`` keeps every step (sent, returned,
  accepted). Existing packages have no answer yet.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 21:50:28

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("from_area_id", sa.Integer(), nullable=False),
        sa.Column("to_area_id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "refused",
                "cancelled",
                name="transferstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answer_note", sa.String(length=300), nullable=False),
        sa.Column("moved_on", sa.Date(), nullable=True),
        sa.Column("handover", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_transfers_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_transfers_elder_id_elders")
        ),
        sa.ForeignKeyConstraint(
            ["from_area_id"], ["areas.id"], name=op.f("fk_transfers_from_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_transfers_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["to_area_id"], ["areas.id"], name=op.f("fk_transfers_to_area_id_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfers_elder_id"), ["elder_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_transfers_from_area_id"), ["from_area_id"], unique=False
        )
        batch_op.create_index(
            "ix_transfers_pending_elder",
            ["elder_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.create_index(batch_op.f("ix_transfers_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfers_to_area_id"), ["to_area_id"], unique=False)

    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("returned_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("returned_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("return_reason", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("accepted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("accepted_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_submissions_accepted_by_id_users"), "users", ["accepted_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_submissions_returned_by_id_users"), "users", ["returned_by_id"], ["id"]
        )

    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("submissions", "return_reason", existing_type=sa.String(length=500),
                        server_default=None)  # fmt: skip

    op.create_table(
        "submission_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_submission_events_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_submission_events_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_events")),
    )
    with op.batch_alter_table("submission_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submission_events_submission_id"), ["submission_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_submissions_returned_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_submissions_accepted_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("accepted_by_id")
        batch_op.drop_column("accepted_at")
        batch_op.drop_column("return_reason")
        batch_op.drop_column("returned_by_id")
        batch_op.drop_column("returned_at")

    with op.batch_alter_table("submission_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_events_submission_id"))

    op.drop_table("submission_events")
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfers_to_area_id"))
        batch_op.drop_index(batch_op.f("ix_transfers_status"))
        batch_op.drop_index(
            "ix_transfers_pending_elder",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index(batch_op.f("ix_transfers_from_area_id"))
        batch_op.drop_index(batch_op.f("ix_transfers_elder_id"))

    op.drop_table("transfers")
