"""Login sessions: a fresh session on login, idle and absolute timeouts, the half-way state
between the password and the TOTP code, and the Secure flag on HTTPS.

Sessions are Flask's signed cookies. A cookie cannot be used after logout, a password change or
disabling (the per-user session version, see ``User.get_id``) nor after the timeouts below,
whose timestamps are signed into the cookie: nothing here needs a server-side store.
"""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import HTTPException

from caseman.auth.models import User
from caseman.extensions import db

LOGIN_AT = "_login_at"  # when both factors passed (seconds since the epoch)
SEEN_AT = "_seen_at"  # the last request of the session
PENDING = "_pending_login"  # the password was right; the code is still to come
PENDING_SECONDS = 5 * 60
# Sent by static/js/drafts.js with a form whose values it keeps in the browser.
DRAFT_FIELD = "_draft"
# The forms saved by this session's last requests: drafts.js forgets their drafts.
DRAFTS_SAVED = "_drafts_saved"
# The next page empties the browser's drafts and offline store (after a logout). A cookie of its
# own, not a key of the session: a request still running when the user logged out (the offline
# pack's fetches) answers with the session it started with, and that cookie replaced the
# logout's, flag and all, so the browser kept the last user's records.
WIPE_COOKIE = "caseman_wipe"
_WIPE = "caseman.wipe"  # this request's part: "set" (a logout) or "read" (the page that wipes)
# Refreshing the idle timestamp rewrites the cookie: once every so many seconds is enough.
SEEN_RESOLUTION = 15
KEPT_ON_LOGIN = ("lang",)


def _fresh_session() -> None:
    """Empty the session, keeping only the language choice (no session fixation)."""
    kept = {key: session[key] for key in KEPT_ON_LOGIN if key in session}
    session.clear()
    session.update(kept)


def start_session(user: User) -> None:
    """Log ``user`` in on a new session and start its clocks."""
    _fresh_session()
    login_user(user)
    now = int(time.time())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def end_session() -> None:
    logout_user()
    _fresh_session()


def begin_second_factor(user: User, next_url: str | None) -> None:
    """Remember, for five minutes, whose password was right while the code is asked for."""
    _fresh_session()
    session[PENDING] = {
        "user": user.get_id(),
        "at": int(time.time()),
        "next": next_url or "",
    }


def pending_user() -> User | None:
    """The user whose password was right, while the second factor is asked for (else None)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user_id, _sep, version = str(pending.get("user", "")).partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def pending_next() -> str:
    pending = session.get(PENDING)
    return str(pending.get("next", "")) if isinstance(pending, dict) else ""


def _expired_message(now: float) -> str | None:
    """Why the logged-in session has ended, or None while it is alive."""
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    config = current_app.config
    if not isinstance(login_at, int | float) or not isinstance(seen_at, int | float):
        return _("Your session has ended. Please log in again.")
    if now - login_at > config["CASEMAN_SESSION_HOURS"] * 3600:
        return _(
            "You were logged in for more than %(hours)d hours. Please log in again.",
            hours=config["CASEMAN_SESSION_HOURS"],
        )
    if now - seen_at > config["CASEMAN_IDLE_MINUTES"] * 60:
        return _(
            "Nothing happened for %(minutes)d minutes, so you were logged out. "
            "Please log in again.",
            minutes=config["CASEMAN_IDLE_MINUTES"],
        )
    return None


def check_timeouts() -> Any:
    """Before each request: end a logged-in session that was idle or is too old."""
    if request.endpoint == "static" or "_user_id" not in session:
        return None
    now = time.time()
    message = _expired_message(now)
    if message is None:
        if now - session[SEEN_AT] >= SEEN_RESOLUTION:
            session[SEEN_AT] = int(now)
        return None
    end_session()
    flash(message, "info")
    target = _return_to()
    if request.method == "POST" and target and request.form.get(DRAFT_FIELD) == "1":
        # static/js/drafts.js kept what was typed in this browser (issue 18 item 2).
        flash(
            _(
                "What you typed in the form is kept in this browser. After you log in again, "
                "the form opens with it filled in: check it and save."
            ),
            "info",
        )
    return redirect(url_for("auth.login", next=target))


def _return_to() -> str | None:
    """The page to come back to after logging in again: the page asked for, or for a form sent
    after the session ended, the form itself (when its address answers a GET), never 首页."""
    if request.endpoint in ("auth.login", None):
        return None
    target = request.full_path if request.query_string else request.path
    if request.method == "GET":
        return target
    if request.endpoint.startswith("auth."):
        return None  # logout, the language switch, the password change
    adapter = current_app.url_map.bind("")
    try:
        adapter.match(request.path, method="GET")
    except HTTPException:
        return None  # an action (logout, reveal): nothing to come back to
    return target


# What a user who must replace a one-time password may still reach.
OPEN_BEFORE_PASSWORD_CHANGE = frozenset(
    {"auth.password", "auth.logout", "auth.set_language", "static"}
)


def require_password_change() -> Any:
    """Before each request: a user logged in with a one-time password (given on the users page)
    sets their own before anything else."""
    if request.endpoint in OPEN_BEFORE_PASSWORD_CHANGE or request.endpoint is None:
        return None
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    return redirect(url_for("auth.password"))


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the Secure flag whenever the request came by HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        if super().get_cookie_secure(app):
            return True
        return has_request_context() and request.is_secure


def note_saved_draft(response: Response) -> Response:
    """After each request: a form sent by a logged-in user and answered with a redirect was
    accepted, so the browser may forget its draft (static/js/drafts.js). A form answered again
    (errors, a conflict) or a login page keeps it."""
    if (
        request.method == "POST"
        and 300 <= response.status_code < 400
        and request.form.get(DRAFT_FIELD) == "1"
        and current_user.is_authenticated
    ):
        saved = [path for path in session.get(DRAFTS_SAVED, []) if path != request.path]
        session[DRAFTS_SAVED] = [*saved[-4:], request.path]
    return response


def drafts_saved() -> list[str]:
    """The forms whose drafts the page may forget (read once, by base.html)."""
    return list(session.pop(DRAFTS_SAVED, [])) if DRAFTS_SAVED in session else []


def wipe_drafts() -> None:
    """Have the next page empty the browser's drafts and offline store (after a logout)."""
    request.environ[_WIPE] = "set"


def drafts_wipe() -> bool:
    """Whether this page empties them (read once, by base.html; the cookie goes with the page)."""
    if not request.cookies.get(WIPE_COOKIE):
        return False
    request.environ.setdefault(_WIPE, "read")
    return True


def wipe_cookie(response: Response) -> Response:
    """After each request: the logout sets the wipe cookie, the page that wipes removes it."""
    done = request.environ.get(_WIPE)
    if done is None:
        return response
    secure = current_app.session_interface.get_cookie_secure(current_app)  # as the session's
    if done == "set":
        # No expiry: the next page may come hours later (another person, the same phone).
        response.set_cookie(WIPE_COOKIE, "1", path="/", secure=secure, httponly=True,
                            samesite="Lax")  # fmt: skip
    elif done == "read":
        response.delete_cookie(WIPE_COOKIE, path="/", secure=secure, httponly=True,
                               samesite="Lax")  # fmt: skip
    return response


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.before_request(check_timeouts)
    app.before_request(require_password_change)
    app.after_request(note_saved_draft)
    app.after_request(wipe_cookie)
    app.jinja_env.globals["drafts_saved"] = drafts_saved
    app.jinja_env.globals["drafts_wipe"] = drafts_wipe
