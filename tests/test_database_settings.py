"""Per-connection database settings (caseman._connection_settings)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from caseman.extensions import db


def test_postgresql_connections_do_not_jit_compile(app):
    """Issue 6: JIT compiling cost 25 ms of the dashboard's 200 ms statement at 100,000 elders."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    assert db.session.scalar(sa.text("SHOW jit")) == "off"
    db.session.rollback()  # the setting is the session's, not the transaction's
    assert db.session.scalar(sa.text("SHOW jit")) == "off"


def test_sqlite_connections_use_wal_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert db.session.scalar(sa.text("PRAGMA foreign_keys")) == 1
    assert db.session.scalar(sa.text("PRAGMA journal_mode")) == "wal"
