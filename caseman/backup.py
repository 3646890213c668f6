"""Backup and restore (`flask --app app backup --out FILE`, `flask --app app restore FILE`).

SQLite: an online backup through SQLite's backup API, a consistent snapshot even while the site
writes (WAL lets writers go on), checked with ``PRAGMA integrity_check`` and written to a
temporary file that is renamed into place only when complete. Restore copies it back the same way.

PostgreSQL: ``pg_dump -Fc`` (custom format, a consistent MVCC snapshot) and ``pg_restore --clean
--if-exists --single-transaction``; both programs come from Debian's ``postgresql-client``. The
password goes through the environment (PGPASSWORD), never on the command line.

A backup holds every case file: it is written with mode 0600 and recorded in the audit log.
Restoring over a database that holds data needs ``--force``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404 - runs pg_dump/pg_restore with fixed arguments, no shell
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from caseman import audit
from caseman.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(click.ClickException):
    """A backup or restore that could not be done; nothing was changed."""


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


# --- SQLite ---------------------------------------------------------------------------------------


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def integrity_ok(path: Path) -> bool:
    """``PRAGMA integrity_check`` of an SQLite file says ok (a file cut short says not ok)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:  # "database disk image is malformed": truncated or damaged
        return False
    finally:
        connection.close()


def backup_sqlite(database: Path, out: Path) -> None:
    """Copy the live database to ``out`` in one step of the backup API (one read snapshot)."""
    if not database.is_file():
        raise BackupError(f"No database file at {database}.")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    target = sqlite3.connect(partial)
    try:
        source.execute("PRAGMA busy_timeout=10000")
        source.backup(target)  # pages=-1: everything under one read lock, so one snapshot
        # A self-contained file: no -wal beside it.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()
    partial.chmod(0o600)
    if not integrity_ok(partial):
        partial.unlink()
        raise BackupError("The copy failed its integrity check; no backup was written.")
    os.replace(partial, out)


def sqlite_has_data(path: Path) -> bool:
    """Whether the database at ``path`` has any table with a row (alembic_version aside)."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
            )
        ]
        return any(
            connection.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone()  # noqa: S608 # nosec B608
            for name in tables
        )
    finally:
        connection.close()


def restore_sqlite(backup: Path, database: Path) -> None:
    """Copy ``backup`` over the live database (the backup API writes it under one lock)."""
    with backup.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{backup} is not an SQLite backup.")
    if not integrity_ok(backup):
        raise BackupError(f"{backup} fails its integrity check; nothing was restored.")
    database.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(database)
    try:
        target.execute("PRAGMA busy_timeout=10000")
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()
    if not integrity_ok(database):
        raise BackupError("The restored database fails its integrity check.")


# --- PostgreSQL -----------------------------------------------------------------------------------


def _pg_program(name: str) -> str:
    program = shutil.which(name)
    if program is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return program


def _pg_env(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", str(url.port) if url.port else None),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value:
            env[key] = str(value)
    return env


def _run(command: list[str], url: URL) -> None:
    result = subprocess.run(  # noqa: S603 # nosec B603
        command, env=_pg_env(url), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def backup_postgresql(url: URL, out: Path) -> None:
    partial = out.with_name(out.name + ".partial")
    _run([_pg_program("pg_dump"), "-Fc", "--no-owner", "--no-privileges", "-f", str(partial)], url)
    partial.chmod(0o600)
    os.replace(partial, out)


def postgresql_has_data() -> bool:
    inspector = sa.inspect(db.engine)
    tables = [name for name in inspector.get_table_names() if name != "alembic_version"]
    with db.engine.connect() as connection:
        return any(
            connection.execute(sa.text(f'SELECT 1 FROM "{name}" LIMIT 1')).first()  # noqa: S608 # nosec B608
            for name in tables
        )


def restore_postgresql(url: URL, backup: Path) -> None:
    with backup.open("rb") as handle:
        if handle.read(len(PG_DUMP_MAGIC)) != PG_DUMP_MAGIC:
            raise BackupError(f"{backup} is not a pg_dump -Fc backup.")
    command = [_pg_program("pg_restore"), "--clean", "--if-exists", "--no-owner",
               "--no-privileges", "--single-transaction", "--exit-on-error",
               "-d", url.database or "", str(backup)]  # fmt: skip
    _run(command, url)


# --- commands -------------------------------------------------------------------------------------


def _url() -> URL:
    from flask import current_app

    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _release_connections() -> None:
    """Let go of this process's connections (a restore replaces what they point at)."""
    db.session.remove()
    db.engine.dispose()


@click.command("backup")
@with_appcontext
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Backup file.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def backup_command(out: str, force: bool) -> None:
    """Write a consistent online backup of the database to FILE (mode 0600)."""
    url = _url()
    target = Path(out)
    if target.exists() and not force:
        raise BackupError(f"{target} exists; use --force to replace it.")
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        backup_sqlite(sqlite_path(url), target)
    elif url.get_backend_name() == "postgresql":
        backup_postgresql(url, target)
    else:
        raise BackupError(f"No backup method for {url.get_backend_name()}.")
    audit.record("backup", object_type="database", detail=f"file={target.name}")
    db.session.commit()
    click.echo(f"Backed up to {target} ({target.stat().st_size} bytes).")


@click.command("restore")
@with_appcontext
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(backup_file: str, force: bool) -> None:
    """Bring back a backup made by `backup`. Refuses to overwrite data without --force."""
    url = _url()
    backup = Path(backup_file)
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = sqlite_path(url)
        _release_connections()
        if sqlite_has_data(database) and not force:
            raise BackupError("The database holds data; use --force to replace it with the backup.")
        restore_sqlite(backup, database)
    elif backend == "postgresql":
        has_data = postgresql_has_data()
        _release_connections()
        if has_data and not force:
            raise BackupError("The database holds data; use --force to replace it with the backup.")
        restore_postgresql(url, backup)
    else:
        raise BackupError(f"No restore method for {backend}.")
    audit.record("restore", object_type="database", detail=f"file={backup.name}")
    db.session.commit()
    click.echo(f"Restored {backup}.")
