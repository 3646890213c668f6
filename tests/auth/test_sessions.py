"""Sessions: CSRF on the login form, the per-IP limit, revocation on password change and
disabling, idle and absolute timeouts, a fresh session on login, cookie flags, audit rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from caseman import create_app
from caseman.audit import AuditEvent
from caseman.auth.models import User
from caseman.auth.passwords import verify_password
from caseman.auth.services import disable_user
from caseman.config import load_config
from caseman.extensions import db
from tests.conftest import PASSWORD, log_in

NEW_PASSWORD = "river-stone-lantern"


@pytest.fixture
def make_app(app):
    """Another app on the test database, with some settings changed (CSRF, the rate limit)."""
    made = []

    def make(**settings):
        config = {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "TESTING": True,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
        config.update(settings)
        other = create_app(config)
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def _csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match
    return match.group(1)


def test_login_without_a_csrf_token_is_refused(make_app, make_user):
    user = make_user("village")
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    data = {"username": user.username, "password": PASSWORD}
    assert client.post("/login", data=data).status_code == 400
    assert client.post("/login", data={**data, "csrf_token": "forged"}).status_code == 400
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={**data, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_posts_are_limited_per_ip(make_app, make_user):
    user = make_user("village")
    limited = make_app(RATELIMIT_ENABLED=True, CASEMAN_LOGIN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    for _ in range(3):
        client.post("/login", data={"username": "nobody", "password": "whatever-it-is"})
    # The fourth attempt from this IP is refused, even with the right password of another user.
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert client.get("/login").status_code == 200  # reading the page is not limited
    other_ip = limited.test_client()
    response = other_ip.post(
        "/login",
        data={"username": user.username, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 302


def test_the_code_step_shares_the_ip_limit(make_app, make_user):
    user = make_user("town", "muer")
    client = make_app(RATELIMIT_ENABLED=True, CASEMAN_LOGIN_RATE_LIMIT="2 per minute").test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    client.post("/login/code", data={"code": "000000"})
    assert client.post("/login/code", data={"code": "000001"}).status_code == 429


# --- revocation --------------------------------------------------------------------------------


def test_old_session_cookie_is_refused_after_a_password_change(app, make_user):
    user = make_user("town", "muer")
    office, phone = app.test_client(), app.test_client()
    log_in(office, user)
    log_in(phone, user)
    response = office.post(
        "/account/password",
        data={"old_password": PASSWORD, "new_password": NEW_PASSWORD,
              "new_password2": NEW_PASSWORD},
    )  # fmt: skip
    assert response.headers["Location"] == "/account"
    assert office.get("/").status_code == 200  # this session goes on
    assert phone.get("/").status_code == 302  # the other one is over
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, NEW_PASSWORD)
    assert "password_changed" in db.session.scalars(select(AuditEvent.action)).all()


@pytest.mark.parametrize(
    ("old", "new", "again", "field", "message"),
    [
        ("wrong-old-pass", NEW_PASSWORD, NEW_PASSWORD, "old_password",
         "The current password is wrong."),
        (PASSWORD, "password1", "password1", "new_password",
         "This password is too common: choose another."),
        (PASSWORD, "short", "short", "new_password", "The password needs at least 8 characters."),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "new_password2",
         "The two new passwords differ."),
        (PASSWORD, PASSWORD, PASSWORD, "new_password",
         "The new password must differ from the current one."),
    ],
)  # fmt: skip
def test_a_refused_password_change_says_why_and_changes_nothing(
    client, make_user, login_as, old, new, again, field, message
):
    user = make_user("village")
    login_as(user)
    client.post("/lang", data={"lang": "en"})
    response = client.post(
        "/account/password", data={"old_password": old, "new_password": new, "new_password2": again}
    )
    assert response.status_code in (200, 400)
    page = response.get_data(as_text=True)
    assert f'id="{field}-error">{message}' in page
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)
    assert client.get("/").status_code == 200


def test_the_username_as_password_is_refused_on_change(client, make_user, login_as):
    user = make_user("village", username="zhangwei01")
    login_as(user)
    client.post("/lang", data={"lang": "en"})
    response = client.post(
        "/account/password",
        data={"old_password": PASSWORD, "new_password": "zhangwei01!",
              "new_password2": "zhangwei01!"},
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert "The password must not be the username, even with digits or signs added." in page


def test_disabling_a_user_ends_their_sessions(client, make_user, login_as):
    admin = make_user("district", "district")
    user = make_user("village")
    login_as(user)
    assert client.get("/").status_code == 200
    disable_user(admin, user)
    db.session.commit()
    assert client.get("/").status_code == 302
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 401
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_disabled"))
    assert (row.username, row.object_id) == (admin.username, user.id)


# --- timeouts ------------------------------------------------------------------------------------


def _shift(client, key, seconds):
    """Move a session timestamp into the past: the clock is not touched, nothing sleeps."""
    with client.session_transaction() as session:
        session[key] -= seconds


def test_idle_timeout_after_30_minutes(client, make_user, login_as):
    login_as(make_user("village"))
    client.post("/lang", data={"lang": "en"})
    _shift(client, "_seen_at", 29 * 60)
    assert client.get("/elders/").status_code == 200  # 29 minutes: still there, clock reset
    _shift(client, "_seen_at", 29 * 60)
    assert client.get("/elders/").status_code == 200
    _shift(client, "_seen_at", 31 * 60)
    response = client.get("/elders/?q=%E5%BC%A0")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/elders/?q%3D%25E5%25BC%25A0"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing happened for 30 minutes, so you were logged out." in page
    assert client.get("/").status_code == 302  # and it stays ended


def test_absolute_timeout_after_12_hours_even_when_busy(client, make_user, login_as):
    login_as(make_user("village"))
    client.post("/lang", data={"lang": "en"})
    _shift(client, "_login_at", 11 * 3600 + 59 * 60)
    assert client.get("/").status_code == 200
    _shift(client, "_login_at", 2 * 60)
    response = client.get("/")
    assert response.headers["Location"].startswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert "You were logged in for more than 12 hours." in page


def test_timeouts_follow_the_settings(app, client, make_user, login_as, monkeypatch):
    app.config.update(CASEMAN_IDLE_MINUTES=5, CASEMAN_SESSION_HOURS=1)
    login_as(make_user("village"))
    _shift(client, "_seen_at", 6 * 60)
    assert client.get("/").status_code == 302
    monkeypatch.setenv("CASEMAN_IDLE_MINUTES", "15")
    monkeypatch.setenv("CASEMAN_SESSION_HOURS", "8")
    config = load_config(Path(app.instance_path))
    assert (config["CASEMAN_IDLE_MINUTES"], config["CASEMAN_SESSION_HOURS"]) == (15, 8)
    assert config["PERMANENT_SESSION_LIFETIME"] == 8 * 3600


def test_a_logged_in_cookie_without_timestamps_is_ended(client, make_user, login_as):
    login_as(make_user("village"))
    with client.session_transaction() as session:
        del session["_login_at"]
    assert client.get("/").status_code == 302


# --- the session itself -----------------------------------------------------------------------


def test_login_starts_a_new_session_keeping_only_the_language(client, make_user):
    user = make_user("village")
    client.post("/lang", data={"lang": "en"})
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    log_in(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en"
        assert session["_login_at"] == session["_seen_at"]


def test_session_cookie_flags(app, make_user):
    user = make_user("village")
    plain = app.test_client()
    response = plain.post("/login", data={"username": user.username, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    tls = app.test_client()
    response = tls.post(
        "https://localhost/login", data={"username": user.username, "password": PASSWORD}
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_logins_and_failures_are_audited_without_the_password(client, make_user):
    user = make_user("town", "muer")
    client.post("/login", data={"username": user.username, "password": "not-the-password"})
    log_in(client, user)
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [r.action for r in rows] == ["login_failed", "login"]
    assert rows[0].detail == user.username
    assert rows[0].ip == "127.0.0.1"
    assert (rows[1].username, rows[1].role) == (user.username, "town")
    for row in rows:
        values = " ".join(str(getattr(row, c.key)) for c in AuditEvent.__table__.columns)
        assert "not-the-password" not in values
        assert PASSWORD not in values


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example", "/\\evil.example", "http:/evil.example"]
)
def test_next_to_another_site_goes_home(client, make_user, target):
    response = log_in(client, make_user("village"), next_url=target)
    assert response.headers["Location"] == "/"
