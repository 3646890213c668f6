"""Family duty and benefit applications (issue 20 items 2 and 5)

family_duties, family_contacts and care_entrustments (渝民发〔2018〕30号 二(一): family members' duty,
reminders given to them, 委托照顾协议 with the scan of the signed agreement); benefit_applications
(004 一(四)2 三协助 三: 低保, 特困供养, 高龄津贴, 护理补贴 … and their outcomes).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05 21:51:53.417750

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "benefit_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "dibao",
                "dibao_edge",
                "extreme_poverty",
                "old_age_allowance",
                "care_subsidy",
                "disability_subsidies",
                "service_subsidy",
                "temporary_assistance",
                "other",
                name="benefitkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("other_name", sa.String(length=64), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "pending",
                "granted",
                "refused",
                name="benefit_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("monthly_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("elder_version", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_benefit_applications_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_benefit_applications_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_benefit_applications_elder_id_elders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_applications")),
    )
    with op.batch_alter_table("benefit_applications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_benefit_applications_applied_on", ["applied_on", "kind"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_benefit_applications_elder_id"), ["elder_id"], unique=False
        )

    op.create_table(
        "care_entrustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("entrusting_name", sa.String(length=32), nullable=False),
        sa.Column(
            "entrusting_relation",
            sa.Enum(
                "spouse",
                "son",
                "daughter",
                "son_in_law",
                "daughter_in_law",
                "grandchild",
                "sibling",
                "parent",
                "other",
                name="entrusting_relation",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("entrusted_name", sa.String(length=100), nullable=False),
        sa.Column("entrusted_is_organisation", sa.Boolean(), nullable=False),
        sa.Column("entrusted_phone", sa.String(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("scan_filename", sa.String(length=200), nullable=False),
        sa.Column("scan_stored_as", sa.String(length=200), nullable=False),
        sa.Column("scan_media_type", sa.String(length=32), nullable=False),
        sa.Column("scan_size", sa.Integer(), nullable=True),
        sa.Column("scan_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_care_entrustments_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_care_entrustments_elder_id_elders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_entrustments")),
    )
    with op.batch_alter_table("care_entrustments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_entrustments_elder_id"), ["elder_id"], unique=False
        )

    op.create_table(
        "family_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("member_name", sa.String(length=32), nullable=False),
        sa.Column(
            "relation",
            sa.Enum(
                "spouse",
                "son",
                "daughter",
                "son_in_law",
                "daughter_in_law",
                "grandchild",
                "sibling",
                "parent",
                "other",
                name="family_contact_relation",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("contacted_on", sa.Date(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "phone",
                "message",
                "video",
                "in_person",
                name="contactmethod",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_family_contacts_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_family_contacts_elder_id_elders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_contacts")),
    )
    with op.batch_alter_table("family_contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_family_contacts_member", ["elder_id", "member_name", "contacted_on"], unique=False
        )

    op.create_table(
        "family_duties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elder_id", sa.Integer(), nullable=False),
        sa.Column("member_name", sa.String(length=32), nullable=False),
        sa.Column(
            "relation",
            sa.Enum(
                "spouse",
                "son",
                "daughter",
                "son_in_law",
                "daughter_in_law",
                "grandchild",
                "sibling",
                "parent",
                "other",
                name="family_duty_relation",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("is_away", sa.Boolean(), nullable=False),
        sa.Column("away_place", sa.String(length=100), nullable=False),
        sa.Column(
            "rhythm",
            sa.Enum(
                "weekly",
                "half_monthly",
                "monthly",
                "quarterly",
                name="contactrhythm",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["elder_id"], ["elders.id"], name=op.f("fk_family_duties_elder_id_elders")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_family_duties_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_duties")),
        sa.UniqueConstraint("elder_id", "member_name", name="uq_family_duties_elder_member"),
    )
    with op.batch_alter_table("family_duties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_duties_elder_id"), ["elder_id"], unique=False)


def downgrade():
    with op.batch_alter_table("family_duties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_duties_elder_id"))

    op.drop_table("family_duties")
    with op.batch_alter_table("family_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_family_contacts_member")

    op.drop_table("family_contacts")
    with op.batch_alter_table("care_entrustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_entrustments_elder_id"))

    op.drop_table("care_entrustments")
    with op.batch_alter_table("benefit_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_benefit_applications_elder_id"))
        batch_op.drop_index("ix_benefit_applications_applied_on")

    op.drop_table("benefit_applications")
