"""No lost writes on SQLite: many writers at once never see "database is locked".

8 processes, each its own app (as gunicorn workers are), each adds 200 follow-ups to one
referral, each in its own request transaction that reads first and writes later, as a POST does.
Exactly 1,600 follow-ups are stored and no transaction fails. Without BEGIN IMMEDIATE (see
caseman/__init__.py) such read-then-write transactions fail with "database is locked" at once.
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from caseman.scope import system_access
from tests.security.helpers import TODAY, count_rows, file_app, seed_world

PROCESSES = 8
WRITES = 200

pytestmark = pytest.mark.skipif(
    bool(__import__("os").environ.get("CASEMAN_TEST_DATABASE_URL")),
    reason="SQLite locking; PostgreSQL has row locks and MVCC",
)


def _writer(
    path: str, referral_id: int, cadre_id: int, writes: int, until: str | None = None
) -> list[str]:
    """One worker process: ``writes`` follow-ups, one request transaction each; its failures.

    With ``until`` (a file's path), it goes on writing until that file exists, and then writes
    ``writes`` more: the caller knows writes were made after the moment it made the file."""
    from caseman.auth.models import User
    from caseman.extensions import db
    from caseman.referrals.models import Referral
    from caseman.referrals.services import add_follow_up
    from caseman.rules.enums import VisitMethod

    app = file_app(Path(path))
    failures: list[str] = []
    with app.app_context(), system_access("pytest", record=False):
        left = writes
        for number in itertools.count():
            if left == 0:
                break
            if until is None or Path(until).exists():
                left -= 1
            # What a POST does: read (the user, the referral), then write, then commit.
            with (
                app.test_request_context(f"/referrals/{referral_id}/follow-ups", method="POST"),
                system_access("pytest", record=False),  # no login here: the scope is declared
            ):
                try:
                    actor = db.session.get(User, cadre_id)
                    referral = db.session.get(Referral, referral_id)
                    assert actor is not None
                    assert referral is not None
                    values = {
                        "followed_on": TODAY,
                        "method": VisitMethod.PHONE,
                        "findings": f"第{number}次电话回访",
                        "next_follow_up_on": None,
                    }
                    add_follow_up(actor, referral, values, TODAY)
                    db.session.commit()
                except sa.exc.SQLAlchemyError as exc:  # "database is locked" would surface here
                    db.session.rollback()
                    failures.append(str(exc).splitlines()[0])
        db.engine.dispose()
    return failures


def test_eight_processes_two_hundred_writes_each(tmp_path):
    path = tmp_path / "concurrent.sqlite3"
    ids = seed_world(path)
    started = time.monotonic()
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        results = pool.starmap(
            _writer, [(str(path), ids["referral"], ids["cadre"], WRITES)] * PROCESSES, chunksize=1
        )
    elapsed = time.monotonic() - started
    failures = [failure for result in results for failure in result]
    assert failures == []
    assert count_rows(path, "follow_ups") == PROCESSES * WRITES
    app = file_app(path)
    with app.app_context(), system_access("pytest", record=False):
        from caseman.extensions import db

        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        db.engine.dispose()
    # 60 s measured on 2 busy cores (other suites running); the bound catches lock stalls.
    assert elapsed < 120, f"{PROCESSES}x{WRITES} writes took {elapsed:.1f} s"
