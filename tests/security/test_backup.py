"""Backup and restore: `flask backup --out FILE` during writes, `flask restore FILE` (--force)."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
import time

import pytest

from tests.security.helpers import count_rows, file_app, seed_world
from tests.security.test_sqlite_concurrency import _writer

ON_POSTGRESQL = bool(os.environ.get("CASEMAN_TEST_DATABASE_URL"))


def table_counts(path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        query = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        names = [row[0] for row in connection.execute(query)]
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for name in names
        }
    finally:
        connection.close()


@pytest.mark.skipif(ON_POSTGRESQL, reason="the SQLite backup API; see the PostgreSQL test below")
def test_sqlite_backup_during_writes_then_restore(tmp_path):
    live = tmp_path / "live.sqlite3"
    ids = seed_world(live)
    out = tmp_path / "backups" / "caseman-backup.sqlite3"
    backed = tmp_path / "backed-up"  # made once the backup is taken: the writer then stops
    runner = file_app(live).test_cli_runner()
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        args = (str(live), ids["referral"], ids["cadre"], 20, str(backed))
        writing = pool.apply_async(_writer, args)
        deadline = time.monotonic() + 60
        while count_rows(live, "follow_ups") < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        result = runner.invoke(args=["backup", "--out", str(out)])
        during = count_rows(live, "follow_ups")
        backed.touch()
        assert writing.get(timeout=120) == []
    assert result.exit_code == 0, result.output
    assert "Backed up to" in result.output
    after = count_rows(live, "follow_ups")
    assert after >= during + 20
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not out.with_name(out.name + ".partial").exists()

    backed_up = table_counts(out)
    # Taken while the writer was running: some follow-ups, not all of them.
    assert 20 <= backed_up["follow_ups"] <= during
    assert backed_up["follow_ups"] < after
    assert sqlite3.connect(out).execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # Restore into a new, empty database.
    fresh = tmp_path / "fresh.sqlite3"
    runner = file_app(fresh).test_cli_runner()
    result = runner.invoke(args=["restore", str(out)])
    assert result.exit_code == 0, result.output
    restored = table_counts(fresh)
    assert sqlite3.connect(fresh).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert restored["audit_events"] == backed_up["audit_events"] + 1  # the restore itself
    assert {k: v for k, v in restored.items() if k != "audit_events"} == {
        k: v for k, v in backed_up.items() if k != "audit_events"
    }
    # The backup was recorded in the audit log, which the backup itself carries.
    connection = sqlite3.connect(fresh)
    actions = [row[0] for row in connection.execute("SELECT action FROM audit_events")]
    connection.close()
    assert "restore" in actions

    # Over a database with data: refused without --force, and nothing changes.
    before = table_counts(live)
    result = file_app(live).test_cli_runner().invoke(args=["restore", str(out)])
    assert result.exit_code != 0
    assert "--force" in result.output
    assert table_counts(live) == before
    result = file_app(live).test_cli_runner().invoke(args=["restore", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert count_rows(live, "follow_ups") == backed_up["follow_ups"]
    assert sqlite3.connect(live).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite files")
def test_backup_refuses_to_overwrite_and_restore_refuses_other_files(tmp_path):
    live = tmp_path / "live.sqlite3"
    seed_world(live)
    out = tmp_path / "b.sqlite3"
    out.write_bytes(b"keep me")
    runner = file_app(live).test_cli_runner()
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code != 0
    assert out.read_bytes() == b"keep me"
    result = (
        file_app(tmp_path / "empty.sqlite3").test_cli_runner().invoke(args=["restore", str(out)])
    )
    assert result.exit_code != 0
    assert "not an SQLite backup" in result.output


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_dump -Fc / pg_restore need PostgreSQL")
def test_postgresql_backup_and_restore(app, make_elder, tmp_path):
    from caseman.elders.models import Elder
    from caseman.extensions import db
    from tests.conftest import row_counts

    make_elder()
    make_elder()
    out = tmp_path / "caseman.dump"
    runner = app.test_cli_runner()
    backed_up = row_counts()  # the audit row of the backup is written after the dump
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"PGDMP")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    make_elder()  # a change after the backup
    assert db.session.query(Elder).count() == 3
    result = runner.invoke(args=["restore", str(out)])
    assert result.exit_code != 0
    assert "--force" in result.output
    assert db.session.query(Elder).count() == 3
    result = runner.invoke(args=["restore", str(out), "--force"])
    assert result.exit_code == 0, result.output
    counts = row_counts()
    assert counts["elders"] == 2
    assert counts["audit_events"] == backed_up["audit_events"] + 1  # the restore
    assert {k: v for k, v in counts.items() if k != "audit_events"} == {
        k: v for k, v in backed_up.items() if k != "audit_events"
    }


def test_restore_of_a_truncated_backup_is_refused_clearly_and_restores_nothing(tmp_path):
    """Issue 23 item 7: a backup cut short (a copy that stopped half-way) ends in a clear refusal,
    not a traceback, and the live database is untouched."""
    live = tmp_path / "live.sqlite3"
    seed_world(live)
    full = tmp_path / "full.sqlite3"
    backup = file_app(live).test_cli_runner().invoke(args=["backup", "--out", str(full)])
    assert backup.exit_code == 0
    cut = tmp_path / "cut.sqlite3"
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) // 3])
    target = tmp_path / "target.sqlite3"
    result = file_app(target).test_cli_runner().invoke(args=["restore", str(cut)])
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "fails its integrity check" in result.output
    assert "Traceback" not in result.output
    from caseman.backup import sqlite_has_data

    assert not sqlite_has_data(target)
