"""caseman: case files of special-difficulty elders (渝北民〔2024〕24号)."""

from __future__ import annotations

import contextvars
import gc
import sqlite3
import time
from pathlib import Path
from typing import Any

from flask import Flask, Response, has_request_context, render_template, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import configure_mappers, joinedload

from caseman import i18n
from caseman.access import public
from caseman.config import load_config
from caseman.extensions import babel, csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQLITE_LOCK_WAIT_SECONDS = 60


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The application factory: ``test_config`` overrides settings from the environment."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    from caseman import url_input

    url_input.init_app(app)  # before any route: 32-bit ids in URLs
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_config(Path(app.instance_path)))
    if test_config:
        app.config.from_mapping(test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    if app.config.get("CASEMAN_TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind nginx: the client IP (for throttling and the audit log) and HTTPS (for Secure
        # cookies) come from X-Forwarded-* of this many trusted proxies.
        hops = int(app.config["CASEMAN_TRUSTED_PROXIES"])
        proxied = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
        app.wsgi_app = proxied  # type: ignore[method-assign]
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    i18n.init_app(app)
    from caseman import templating

    templating.init_app(app)
    _init_login(app)
    from caseman import audit, scope

    scope.init_app(app)
    audit.init_app(app)
    _register_blueprints(app)
    from caseman.approvals.services import connect as connect_approvals

    connect_approvals()  # the registry's changes wait for the town (caseman.elders.hooks)
    _init_queue(app)
    _register_errors(app)
    _security_headers(app)
    _check_uploads(app)

    from caseman import cli

    cli.init_app(app)
    from caseman.documents.cli import forms

    app.cli.add_command(forms)
    from caseman import backup

    backup.init_app(app)
    from caseman.search.cli import search_reindex

    app.cli.add_command(search_reindex)
    return app


def freeze_long_lived() -> None:
    """Keep the garbage collector's full collections off what lives as long as the process.

    A full (oldest-generation) collection walks every tracked object: about 380,000 after
    start-up (modules, mappers, table metadata, translations), some 100 ms each time. A page
    that reads thousands of rows (a town's dashboard reads 8,000 elders) sets one off every few
    requests, and those requests were the slowest tenth (dashboard p95 380 ms against a p50 of
    275 ms at 100,000 elders on PostgreSQL; 285 ms once frozen). ``gc.freeze`` moves what exists
    now into a permanent generation that collections skip. Called by the WSGI entry ``app.py``
    after the application is built, so before gunicorn forks its workers (who then also share
    those pages of memory instead of copying them when a collection would touch them).
    """
    configure_mappers()
    gc.collect()
    gc.freeze()


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: WAL for concurrent readers, foreign keys on, wait instead of 'database is locked'.

    PostgreSQL: no JIT compilation. It starts on a statement whose estimated cost passes
    ``jit_above_cost``, such as the dashboard's scan of a town's 8,000 elders at 100,000 elders,
    and then spends 25 ms compiling a statement that runs in 180 ms; none of our statements runs
    long enough to win that back (SQLAlchemy's recipe for a per-connection SET, in autocommit).
    """
    if type(dbapi_connection).__module__.startswith("psycopg"):
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.autocommit = autocommit
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # Let SQLAlchemy, not the driver, open transactions: otherwise pysqlite commits at a
        # SAVEPOINT's release and a later rollback cannot undo it (SQLAlchemy's pysqlite recipe).
        dbapi_connection.isolation_level = None


# Work outside a request that writes like one (a background job) sets this, so that its
# transactions also begin IMMEDIATE (see _sqlite_begin).
WRITER: contextvars.ContextVar[bool] = contextvars.ContextVar("caseman_writer", default=False)
# Requests that read: GET and HEAD (a page, a download) take no write lock until they write.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DEFERRED = "caseman_deferred"  # connection.info: a request's transaction began without the lock
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")


def read_only(view: Any) -> Any:
    """Mark a view that only reads even when posted to: on SQLite its request's transactions
    begin deferred like a GET's (WAL: readers never wait), taking the lock only to write."""
    view.caseman_read_only = True
    return view


def _reading_request() -> bool:
    from flask import current_app

    if not has_request_context():
        return False
    if request.method in READING_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "caseman_read_only", False))


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Any) -> None:
    """SQLite: a request that reads holds no lock; one that changes data queues for it at BEGIN.

    A posted request (a change) begins IMMEDIATE: it takes the write lock before it reads, so its
    checks see the rows it will write over and it never fails with "database is locked" (a
    deferred transaction that read cannot take the lock, without waiting, once another writer
    committed: its snapshot is stale). A request that reads (GET, HEAD, views marked
    :func:`read_only`) begins deferred: a slow page or download (field sheets of a whole village)
    holds no lock, and other users' changes go on beside it (issue 23 item 1). When such a request
    writes after all (the audit row of a view, a form's number) it takes the lock at that moment:
    :func:`_take_write_lock` ends the read snapshot and begins IMMEDIATE, so the write waits its
    turn instead of failing. Code that reads what it is about to write calls
    :func:`caseman.db.begin_write` first. Readers outside requests (CLI, tests) keep deferred
    transactions; background jobs set ``WRITER`` and begin IMMEDIATE like a change.
    """
    if connection.dialect.name != "sqlite":
        return
    reading = _reading_request()
    connection.info[_DEFERRED] = reading
    if reading or (not has_request_context() and not WRITER.get()):
        connection.exec_driver_sql("BEGIN")
        return
    _begin_immediate(connection)


def _begin_immediate(connection: Any) -> None:
    # SQLite's busy handler polls rather than queues: under a steady stream of writers one
    # waiter can miss the lock for longer than busy_timeout. Nothing has happened in this
    # transaction yet, so trying BEGIN IMMEDIATE again is safe; give up only after a minute.
    cursor = connection.connection.dbapi_connection.cursor()
    deadline = time.monotonic() + SQLITE_LOCK_WAIT_SECONDS
    try:
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
    finally:
        cursor.close()


def _take_write_lock(connection: Any) -> None:
    """End a reading request's deferred transaction (it wrote nothing) and begin IMMEDIATE."""
    connection.info[_DEFERRED] = False
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute("COMMIT")
    finally:
        cursor.close()
    _begin_immediate(connection)


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_write(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if connection.info.get(_DEFERRED) and statement.lstrip()[:9].upper().startswith(_WRITES):
        _take_write_lock(connection)


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from caseman.auth import sessions
    from caseman.auth.models import User

    login_manager.init_app(app)
    sessions.init_app(app)  # idle and absolute timeouts, Secure cookies on HTTPS
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        user_id, _sep, version = token.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        # Users are not scoped: unmarked, the scope's hook would ask Flask-Login for the current
        # user, which is being loaded here, and load it a second time.
        # The user's area is read with it: every scoped query of the request starts from it.
        user = db.session.get(
            User,
            int(user_id),
            options=[joinedload(User.area)],
            execution_options={"caseman_unscoped": True},
        )
        if user is None or not user.is_active or user.session_version != int(version):
            return None  # logged out elsewhere, password changed or disabled
        return user


def _register_blueprints(app: Flask) -> None:
    from caseman.approvals.views import bp as approvals_bp
    from caseman.areas.views import bp as areas_bp
    from caseman.audit_log.views import bp as audit_log_bp
    from caseman.auth.views import bp as auth_bp
    from caseman.benefits.views import bp as benefits_bp
    from caseman.casefile import cache as case_file_cache
    from caseman.casefile import views as casefile_views  # noqa: F401  (adds its pages to elders, search)
    from caseman.dashboard.views import bp as dashboard_bp
    from caseman.documents.views import bp as documents_bp
    from caseman.elders.views import bp as elders_bp
    from caseman.exports.views import bp as exports_bp
    from caseman.family.views import bp as family_bp
    from caseman.forces.views import bp as forces_bp
    from caseman.imports.views import bp as imports_bp
    from caseman.jobs.views import bp as jobs_bp
    from caseman.ledger.views import bp as ledger_bp
    from caseman.mutual_aid.views import bp as mutual_aid_bp
    from caseman.offline.views import bp as offline_bp
    from caseman.photos.views import bp as photos_bp
    from caseman.referrals.views import bp as referrals_bp
    from caseman.risk.views import bp as risk_bp
    from caseman.search.views import bp as search_bp
    from caseman.submissions.views import bp as submissions_bp
    from caseman.transfers.views import bp as transfers_bp
    from caseman.users.views import bp as users_bp
    from caseman.visitors.views import bp as visitors_bp
    from caseman.visits.views import bp as visits_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(elders_bp)
    app.register_blueprint(visits_bp)
    app.register_blueprint(photos_bp)
    app.register_blueprint(referrals_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(ledger_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(mutual_aid_bp)
    app.register_blueprint(audit_log_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(submissions_bp)
    app.register_blueprint(transfers_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(areas_bp)
    app.register_blueprint(visitors_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(approvals_bp)
    app.register_blueprint(family_bp)
    app.register_blueprint(benefits_bp)
    app.register_blueprint(forces_bp)
    app.register_blueprint(risk_bp)
    app.register_blueprint(offline_bp)
    case_file_cache.init_app(app)  # the case file's kept bodies
    app.add_url_rule("/healthz", "health", _health)
    # Static files are public: mark Flask's own endpoint for the access-policy test.
    app.view_functions["static"].access_policy = "public"  # type: ignore[attr-defined]


@public
def _health() -> Response:
    """``/healthz``: the process answers (for a load balancer or a monitor), nothing more.

    No database, no session, no template: the city-scale benchmark serves it beside the case
    file in the same run, so its requests per second are the ceiling of the machine's web stack.
    """
    return Response("ok\n", mimetype="text/plain")


def _init_queue(app: Flask) -> None:
    """Tests (and ``CASEMAN_QUEUE_IMMEDIATE=1``) run background jobs at once, in-process."""
    from caseman.jobs.queue import huey

    if app.config.get("TESTING") or app.config.get("CASEMAN_QUEUE_IMMEDIATE"):
        huey.immediate = True


def _register_errors(app: Flask) -> None:
    def render_error(code: int) -> Any:
        return render_template("errors/error.html", code=code), code

    for code in (400, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(code, lambda exc, code=code: render_error(code))

    def server_error(exc: Exception) -> Any:
        # Undo what the failed request did before anything else runs; a failed statement also
        # leaves PostgreSQL's transaction unusable until then. The page shows no detail: the
        # traceback goes to the log only.
        db.session.rollback()
        return render_error(500)

    app.register_error_handler(500, server_error)

    from flask_wtf.csrf import CSRFError

    app.register_error_handler(CSRFError, lambda exc: render_error(400))


def _check_uploads(app: Flask) -> None:
    """Uploaded scans live outside static/: Flask serves static/ to anyone, without a login."""
    uploads = Path(app.config["CASEMAN_UPLOADS"]).resolve()
    public = Path(app.static_folder or PROJECT_ROOT / "static").resolve()
    if uploads == public or public in uploads.parents:
        raise RuntimeError(f"CASEMAN_UPLOADS ({uploads}) must not be inside {public}.")


def _security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response: Any) -> Any:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            # Served over HTTPS (CASEMAN_HTTPS=1): browsers must never fall back to plain HTTP.
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static":
            # Pages carry personal data: never keep them in a shared or back-button cache.
            response.headers["Cache-Control"] = "no-store"
        return response
