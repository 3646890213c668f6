"""audit_events is append-only: triggers refuse UPDATE, and DELETE of rows younger than 183 days

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 22:30:00

The same statements run on ``create_all`` (caseman.audit), so tests see the triggers too.
"""

from alembic import op

# Frozen copies of caseman.audit's statements (a migration must not change when the code does).
SQLITE_TRIGGERS = ("CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END", "CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events WHEN OLD.at >= datetime('now', '-183 days') BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END")
SQLITE_DROP_TRIGGERS = ('DROP TRIGGER IF EXISTS audit_events_no_update', 'DROP TRIGGER IF EXISTS audit_events_no_delete')
POSTGRESQL_TRIGGERS = ("CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$ BEGIN IF TG_OP = 'DELETE' AND OLD.at < (now() AT TIME ZONE 'UTC') - interval '183 days' THEN RETURN OLD; END IF; RAISE EXCEPTION 'audit_events is append-only'; END $$ LANGUAGE plpgsql", 'DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events', 'CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()')
POSTGRESQL_DROP_TRIGGERS = ('DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events', 'DROP FUNCTION IF EXISTS audit_events_append_only()')

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = "0006"
branch_labels = None
depends_on = None


def _statements(create: bool) -> tuple[str, ...]:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return POSTGRESQL_TRIGGERS if create else POSTGRESQL_DROP_TRIGGERS
    if dialect == "sqlite":
        return SQLITE_TRIGGERS if create else SQLITE_DROP_TRIGGERS
    return ()


def upgrade():
    for statement in _statements(create=True):
        op.execute(statement)


def downgrade():
    for statement in _statements(create=False):
        op.execute(statement)
