"""Starting background jobs and running them in the queue's worker.

A job kind is a handler registered with :func:`handler`. The view that starts a job calls
:func:`start_job` (which adds the row), commits, then :func:`enqueue`. The worker runs
:func:`run_job`: it marks the job running, calls the handler with a :class:`JobContext` and stores
the file the handler wrote. Progress is committed as the handler reports it, so the handler must
commit its own database work before its long part (see caseman.documents.batches), and the page
that started the job shows how far it got.

A job runs as the user who started it: the handler runs inside ``scope.acting_as(user)`` (there
is no request, hence no ``current_user``, in the worker), and handlers also filter their own
queries with that user's scope. It speaks that user's language too: :func:`start_job` keeps the
locale of the starting request in the job's params (``LOCALE_PARAM``) and the handler runs inside
``force_locale`` of it (the worker has no session nor browser to ask).
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from flask_babel import force_locale

from caseman import clock, scope
from caseman.auth.models import User
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.i18n import DEFAULT_LOCALE, LOCALES, select_locale
from caseman.jobs.models import Job, JobStatus
from caseman.jobs.queue import huey
from caseman.rules.enums import N_

log = logging.getLogger(__name__)

PROGRESS_EVERY = 0.5  # seconds between progress commits
# A running job's worker touches a file this often; a job whose file (or start) is older than
# STALE_AFTER lost its worker (the consumer was killed or the server restarted: issue 23 item 6).
HEARTBEAT_SECONDS = 15.0
STALE_AFTER = timedelta(minutes=2)
STOPPED_MESSAGE = N_(
    "The job stopped without finishing (the server was restarted). "
    "Start it again with the button below."
)
LOCALE_PARAM = "_locale"  # in Job.params: the locale of the user who started the job


@dataclass
class JobContext:
    job: Job
    user: User
    params: dict[str, Any]
    directory: Path
    total: int = 0
    _last_commit: float = field(default=0.0)
    _after_commit: list[Callable[[], None]] = field(default_factory=list)

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the job's work is committed (not if the job fails)."""
        self._after_commit.append(action)

    def progress(
        self,
        done: int,
        total: int | None = None,
        message: str = "",
        *,
        in_transaction: bool = False,
    ) -> None:
        """Record how far the job got (committed at most every PROGRESS_EVERY seconds).

        It only writes: reading the job back after a commit would open a transaction that,
        on SQLite, holds the write lock until the next progress report.

        ``in_transaction``: the handler's own transaction is open and must not be committed (an
        import kept whole). The figures then go to a small file beside the job's result
        (:func:`live_progress` reads it) instead of the database: a commit would commit the
        handler's work, and on SQLite another connection could not write while the handler's
        transaction holds the write lock.
        """
        if total is not None:
            self.total = total
        values: dict[str, Any] = {"done": done, "total": self.total}
        if message:
            values["message"] = message[:300]
        now = time.monotonic()
        if now - self._last_commit >= PROGRESS_EVERY or done == self.total:
            if in_transaction:
                _write_live(self.directory, self.job.id, values)
            else:
                db.session.execute(sa.update(Job).where(Job.id == self.job.id).values(**values))
                db.session.commit()
            self._last_commit = now

    def output(self, suffix: str) -> Path:
        """A new file for the result, under a random name."""
        self.job.result_file = f"{secrets.token_hex(16)}{suffix}"
        return self.directory / self.job.result_file


def _live_path(directory: Path, job_id: int) -> Path:
    return directory / f"progress-{job_id}.json"


def _heartbeat_path(directory: Path, job_id: int) -> Path:
    return directory / f"heartbeat-{job_id}"


class _Heartbeat:
    """Touches the job's heartbeat file every HEARTBEAT_SECONDS while the job runs (a thread: the
    handler may spend minutes in one call, such as rendering a long PDF, without reporting)."""

    def __init__(self, directory: Path, job_id: int) -> None:
        self.path = _heartbeat_path(directory, job_id)
        self.stopped = threading.Event()
        self.thread = threading.Thread(
            target=self._beat, name=f"job-{job_id}-heartbeat", daemon=True
        )

    def _beat(self) -> None:
        while True:
            self.path.touch()
            if self.stopped.wait(HEARTBEAT_SECONDS):
                return

    def __enter__(self) -> _Heartbeat:
        self.path.touch()
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopped.set()
        self.thread.join()
        self.path.unlink(missing_ok=True)


def is_stale(job: Job, now: datetime) -> bool:
    """A running job whose worker has not shown a sign of life for STALE_AFTER (``now`` in UTC)."""
    if job.status != JobStatus.RUNNING:
        return False
    last = job.started_at or job.created_at
    try:
        beat = _heartbeat_path(jobs_directory(), job.id).stat().st_mtime
    except OSError:
        pass  # no beat yet (or any more): the start counts
    else:
        last = max(last, datetime.fromtimestamp(beat, UTC).replace(tzinfo=None))
    return now - last > STALE_AFTER


def fail_stale_jobs(jobs: list[Job]) -> bool:
    """Mark failed those of ``jobs`` that lost their worker; True if any was. Ends the caller's
    transaction first (a read-only request's deferred one) and writes in a new one, each row
    only if it is still running."""
    now = clock.utcnow()
    stale = [job.id for job in jobs if is_stale(job, now)]
    if not stale:
        return False
    db.session.commit()
    db.session.execute(
        sa.update(Job)
        .where(Job.id.in_(stale), Job.status == JobStatus.RUNNING)
        .values(status=JobStatus.FAILED, message=STOPPED_MESSAGE, finished_at=now)
    )
    db.session.commit()
    for job_id in stale:
        _live_path(jobs_directory(), job_id).unlink(missing_ok=True)
    return True


def retry_job(job: Job) -> Job:
    """A new queued job doing what the failed ``job`` was asked to (flush only)."""
    if job.status != JobStatus.FAILED:
        raise DomainError(None, N_("Only a job that failed can be started again."))
    return start_job(job.user, job.kind, job.title, dict(job.params or {}), job.total)


def _write_live(directory: Path, job_id: int, values: dict[str, Any]) -> None:
    path = _live_path(directory, job_id)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(values), encoding="utf-8")
    partial.replace(path)  # atomic: a reader sees the old figures or the new ones


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    message: str
    percent: int


def live_progress(job: Job) -> Progress:
    """How far the job got: the database's figures, or for a running job those it reported
    from inside its open transaction (JobContext.progress(in_transaction=True)), if newer."""
    done, total, message = job.done, job.total, job.message
    if job.status == JobStatus.RUNNING:
        try:
            live = json.loads(_live_path(jobs_directory(), job.id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            live = None
        if isinstance(live, dict):
            done = int(live.get("done", done))
            total = int(live.get("total", total))
            message = str(live.get("message") or message)
    percent = (
        job.percent if job.status != JobStatus.RUNNING or not total else int(100 * done / total)
    )
    return Progress(done, total, message, percent)


Handler = Callable[[JobContext], str]  # writes ctx.output(...), returns the download name
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def jobs_directory(app: Flask | None = None) -> Path:
    app = app or current_app
    path = Path(app.config["CASEMAN_UPLOADS"]) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_job(user: User, kind: str, title: str, params: dict[str, Any], total: int = 0) -> Job:
    """Add a queued job (flush only; commit, then :func:`enqueue`)."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    params = {**params, LOCALE_PARAM: select_locale()}
    job = Job(kind=kind, title=title[:200], user=user, params=params, total=total)
    db.session.add(job)
    db.session.flush()
    return job


def enqueue(job: Job) -> None:
    run_job(job.id)


@huey.task()
def run_job(job_id: int) -> None:
    if has_app_context():  # immediate mode (tests) or called from a request
        _run(job_id)
        return
    from caseman import WRITER

    token = WRITER.set(True)  # the job reads, then writes: take SQLite's write lock at BEGIN
    try:
        with _worker_app().app_context():
            _run(job_id)
            db.session.remove()
    finally:
        WRITER.reset(token)


_app: Flask | None = None


def _worker_app() -> Flask:
    global _app
    if _app is None:
        from caseman import create_app

        _app = create_app()
    return _app


def _run(job_id: int) -> None:
    from caseman.db import utcnow

    job = db.session.get(Job, job_id)
    if job is None or job.status != JobStatus.QUEUED:
        return  # already run (a retried task) or gone
    job.status = JobStatus.RUNNING
    job.started_at = utcnow()
    db.session.commit()
    params = dict(job.params or {})
    locale = params.pop(LOCALE_PARAM, DEFAULT_LOCALE)
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    context = JobContext(job, job.user, params, jobs_directory(), job.total)
    try:
        if not job.user.is_active:
            raise DomainError(None, N_("Your account is no longer active."))
        # The worker has no request: the job runs in its user's scope and language.
        with _Heartbeat(context.directory, job_id), scope.acting_as(job.user), force_locale(locale):
            job.result_name = HANDLERS[job.kind](context)
    except Exception as error:
        db.session.rollback()
        job = db.session.get(Job, job_id)
        assert job is not None
        job.status = JobStatus.FAILED
        if isinstance(error, DomainError):
            job.message = error.message[:300]  # a msgid, translated when shown
        else:
            log.exception("job %s (%s) failed", job_id, job.kind)
            job.message = N_("Something went wrong; the job stopped. Please try again.")
        job.finished_at = utcnow()
        db.session.commit()
        _live_path(context.directory, job_id).unlink(missing_ok=True)
        return
    job.status = JobStatus.DONE
    job.done = job.total
    job.finished_at = utcnow()
    db.session.commit()
    _live_path(context.directory, job_id).unlink(missing_ok=True)
    for action in context._after_commit:
        action()


def result_path(job: Job) -> Path | None:
    if job.status != JobStatus.DONE or not job.result_file:
        return None
    path = jobs_directory() / job.result_file
    return path if path.is_file() else None
