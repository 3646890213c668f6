"""Migration 0017: existing users get their username as 姓名 and keep their password."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from caseman.extensions import db
from tests.areas.test_migration import _empty_database


def test_existing_users_get_a_name_and_no_forced_password_change(app):
    db.session.remove()
    _empty_database()
    try:
        upgrade(revision="0022")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO areas (id, name, level, code, parent_id, path, kind, "
                    "closed_reason) VALUES (1, '渝北区', 'district', '', NULL, '/1/', "
                    "'district', '')"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO users (id, username, full_name, phone, password_hash, role, "
                    "area_id, is_active_user, session_version, created_at, updated_at) VALUES "
                    "(1, 'sgwang', '', '', 'x', 'district', 1, :yes, 1, :now, :now),"
                    "(2, 'lifang', '李芳', '', 'x', 'district', 1, :yes, 1, :now, :now)"
                ),
                {"yes": True, "now": "2026-12-01 08:00:00"},
            )
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT username, full_name, must_change_password FROM users ORDER BY id")
            ).all()
        assert [(row[0], row[1], bool(row[2])) for row in rows] == [
            ("sgwang", "sgwang", False),
            ("lifang", "李芳", False),
        ]
        downgrade(revision="0022")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("users")}
        assert "must_change_password" not in columns
    finally:
        _empty_database()
        db.create_all()
