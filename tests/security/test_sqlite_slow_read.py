"""Issue 23 item 1: on SQLite a slow page holds no lock, so other users' changes go on beside it.

Before, every request began IMMEDIATE (took the write lock at BEGIN) and kept it to its end: the
field sheets of a village (344 s) froze every other user's change, who got a 500 after 60 s.
Now a request that reads (GET) begins deferred and takes the lock only when it writes (its audit
row), after its slow part; a change (POST) still queues for the lock at BEGIN, as before.

Three slow readers (read, 2 s of work, then an audit row, as a page does) run beside a writer
posting follow-ups. The writer's changes wait for no reader; every reader's audit row is stored
although writers committed during its read (the lock is taken with a fresh snapshot); nothing
fails with "database is locked".
"""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from caseman import audit
from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.referrals.models import Referral
from caseman.referrals.services import add_follow_up
from caseman.rules.enums import VisitMethod
from caseman.scope import system_access
from tests.security.helpers import TODAY, count_rows, file_app, seed_world

pytestmark = pytest.mark.skipif(
    bool(__import__("os").environ.get("CASEMAN_TEST_DATABASE_URL")),
    reason="SQLite locking; PostgreSQL has row locks and MVCC",
)
READERS = 3
SLOW_SECONDS = 2.0
WRITES = 15


def _reader(app, ids, failures: list[str]) -> None:
    page = f"/elders/{ids['elder']}"
    with (
        app.app_context(),
        app.test_request_context(page, method="GET"),
        system_access("pytest", record=False),
    ):
        try:
            elder = db.session.get(Elder, ids["elder"])  # the read opens the snapshot
            assert elder is not None
            time.sleep(SLOW_SECONDS)  # laying out a long document
            audit.record("view", object_type="elder", object_id=elder.id, elder_id=elder.id,
                         detail="slow-read")  # fmt: skip
            db.session.commit()
        except sa.exc.SQLAlchemyError as exc:
            db.session.rollback()
            failures.append(str(exc).splitlines()[0])
        finally:
            db.session.remove()


def _writer(app, ids, latencies: list[float], failures: list[str]) -> None:
    url = f"/referrals/{ids['referral']}/follow-ups"
    with app.app_context():
        for number in range(WRITES):
            started = time.monotonic()
            with (
                app.test_request_context(url, method="POST"),
                system_access("pytest", record=False),
            ):
                try:
                    actor = db.session.get(User, ids["cadre"])
                    referral = db.session.get(Referral, ids["referral"])
                    findings = f"第{number}次电话回访"
                    values = {"followed_on": TODAY, "method": VisitMethod.PHONE,
                              "findings": findings, "next_follow_up_on": None}  # fmt: skip
                    add_follow_up(actor, referral, values, TODAY)
                    db.session.commit()
                except sa.exc.SQLAlchemyError as exc:
                    db.session.rollback()
                    failures.append(str(exc).splitlines()[0])
                finally:
                    db.session.remove()
            latencies.append(time.monotonic() - started)
            time.sleep(0.05)


def test_slow_readers_do_not_hold_up_a_writer_and_all_finish(tmp_path):
    path = tmp_path / "slow-read.sqlite3"
    ids = seed_world(path)
    app = file_app(path)
    failures: list[str] = []
    latencies: list[float] = []
    readers = [threading.Thread(target=_reader, args=(app, ids, failures)) for _ in range(READERS)]
    writer = threading.Thread(target=_writer, args=(app, ids, latencies, failures))
    for thread in readers:
        thread.start()
    time.sleep(0.3)  # the readers are inside their slow part
    writer.start()
    for thread in (*readers, writer):
        thread.join(timeout=60)
    assert failures == []
    assert count_rows(path, "follow_ups") == WRITES
    with app.app_context():
        views = db.session.scalar(
            sa.select(sa.func.count()).where(audit.AuditEvent.detail == "slow-read")
        )
        db.engine.dispose()
    assert views == READERS
    # Each change took well under the readers' slow part: none waited for a reader.
    assert max(latencies) < SLOW_SECONDS / 2, latencies
