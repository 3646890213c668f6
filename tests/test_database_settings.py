"""Per-process and per-connection settings: no JIT on PostgreSQL, SQLite pragmas, and the
garbage collector kept off start-up objects."""

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


def test_freeze_long_lived_takes_start_up_objects_out_of_full_collections(app):
    """Issue 6: ``app.py`` freezes what start-up built, so full collections skip it."""
    import gc

    from caseman import freeze_long_lived

    before = gc.get_freeze_count()
    try:
        freeze_long_lived()
        assert gc.get_freeze_count() > before + 10_000  # modules, mappers, metadata, ...
    finally:
        gc.unfreeze()  # back to normal for the rest of the suite


def test_the_wsgi_entry_freezes_after_building_the_app(tmp_path):
    """``gunicorn app:app`` imports app.py: its process has the start-up objects frozen."""
    import os
    import subprocess  # nosec B404 - runs this interpreter on a fixed snippet
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.sqlite3'}"}
    frozen = subprocess.run(  # noqa: S603 # nosec B603
        [sys.executable, "-c", "import gc, app; print(gc.get_freeze_count())"],
        cwd=root, env=env, capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    assert int(frozen) > 10_000
