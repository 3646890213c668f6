"""Risk level and service forces (issue 20 items 1 and 3)

elder_risk_levels: each elder's risk level (003 二(二)), the rule's answer with its reasons and a
staff override. service_forces: the register of people serving elders (004 一(五));
visit_contacts: each elder's named 探访联系人 (004 一(二)10); visits.force_kind: which kind of
force visited. visits.force_kind is a plain ADD COLUMN (no batch copy of the visits table); its
check constraint is added on PostgreSQL. Existing elders get their level from
`flask --app app refresh-risk-levels` (or as soon as anything of theirs changes).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05 21:50:16

"""

import sqlalchemy as sa
from alembic import op

FORCE_KINDS = (
    "self_governance", "elderly_association", "owners_committee", "grid_worker",
    "family_doctor", "care_worker", "social_worker", "volunteer", "veteran_party_member",
    "young_old", "relative_neighbour", "public_welfare_post", "paired_cadre", "delivery", "other",
)  # fmt: skip


# revision identifiers, used by Alembic.
revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_forces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.Enum(*FORCE_KINDS, name='forcekind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('archived_on', sa.Date(), nullable=True),
    sa.Column('archive_reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_service_forces_area_id_areas')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_service_forces_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_forces'))
    )
    with op.batch_alter_table('service_forces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_forces_area_id'), ['area_id'], unique=False)

    op.create_table('elder_risk_levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('elder_id', sa.Integer(), nullable=False),
    sa.Column('computed_level', sa.Enum('high', 'medium', 'low', name='risk_level_computed', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('override_level', sa.Enum('high', 'medium', 'low', name='risk_level_override', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('override_reason', sa.String(length=300), nullable=False),
    sa.Column('override_by_id', sa.Integer(), nullable=True),
    sa.Column('override_at', sa.DateTime(), nullable=True),
    sa.Column('level', sa.Enum('high', 'medium', 'low', name='risk_level_effective', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['elder_id'], ['elders.id'], name=op.f('fk_elder_risk_levels_elder_id_elders')),
    sa.ForeignKeyConstraint(['override_by_id'], ['users.id'], name=op.f('fk_elder_risk_levels_override_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elder_risk_levels')),
    sa.UniqueConstraint('elder_id', name=op.f('uq_elder_risk_levels_elder_id'))
    )
    with op.batch_alter_table('elder_risk_levels', schema=None) as batch_op:
        batch_op.create_index('ix_elder_risk_levels_level', ['level', 'elder_id'], unique=False)

    op.create_table('visit_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('elder_id', sa.Integer(), nullable=False),
    sa.Column('force_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['elder_id'], ['elders.id'], name=op.f('fk_visit_contacts_elder_id_elders')),
    sa.ForeignKeyConstraint(['force_id'], ['service_forces.id'], name=op.f('fk_visit_contacts_force_id_service_forces')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_visit_contacts_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_contacts')),
    sa.UniqueConstraint('elder_id', name=op.f('uq_visit_contacts_elder_id'))
    )
    with op.batch_alter_table('visit_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_contacts_force_id'), ['force_id'], unique=False)

    op.add_column("visits", sa.Column("force_kind", sa.String(length=32), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        allowed = ", ".join(f"'{kind}'" for kind in FORCE_KINDS)
        op.create_check_constraint(
            op.f("ck_visits_forcekind"), "visits", f"force_kind IN ({allowed})"
        )



def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_visits_forcekind"), "visits", type_="check")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("force_kind")

    with op.batch_alter_table('visit_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_contacts_force_id'))

    op.drop_table('visit_contacts')
    with op.batch_alter_table('elder_risk_levels', schema=None) as batch_op:
        batch_op.drop_index('ix_elder_risk_levels_level')

    op.drop_table('elder_risk_levels')
    with op.batch_alter_table('service_forces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_forces_area_id'))

    op.drop_table('service_forces')
