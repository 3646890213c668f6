"""Login, logout, lockout and the `next` parameter."""

from __future__ import annotations

from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.auth.models import User
from caseman.auth.passwords import verify_password
from caseman.extensions import db
from tests.conftest import PASSWORD


def test_password_is_hashed_with_argon2id(make_user):
    user = make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD)


def test_wrong_password_is_refused_and_audited(client, make_user):
    user = make_user()
    response = client.post("/login", data={"username": user.username, "password": "nope-nope"})
    assert response.status_code == 401
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login_failed"))


def test_lockout_after_five_failures(client, make_user):
    user = make_user()
    for _ in range(5):
        client.post("/login", data={"username": user.username, "password": "wrong-pass"})
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 429


def test_next_only_goes_to_local_paths(client, make_user):
    user = make_user()
    response = client.post(
        "/login?next=//evil.example/x", data={"username": user.username, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post(
        "/login?next=/elders/", data={"username": user.username, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/elders/"


def test_old_session_cookie_is_refused_after_logout(app, make_user):
    user = make_user()
    first = app.test_client()
    first.post("/login", data={"username": user.username, "password": PASSWORD})
    second = app.test_client()
    second.post("/login", data={"username": user.username, "password": PASSWORD})
    assert first.get("/").status_code == 200
    second.post("/logout")  # logging out revokes every session of the user
    assert first.get("/").status_code == 302


def test_disabled_user_cannot_log_in(client, make_user):
    user = make_user()
    user.is_active_user = False
    db.session.commit()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 401
    assert db.session.scalar(select(User).where(User.id == user.id)).last_login_at is None


def test_my_account_edits_my_own_real_name_and_phone(make_user, login_as, client):
    user = make_user("village", "jingang", username="v1")
    login_as(user)
    page = client.get("/account").get_data(as_text=True)
    assert 'name="full_name"' in page
    response = client.post("/account", data={"full_name": "", "phone": "x"})
    assert response.status_code == 400
    response = client.post("/account", data={"full_name": " 王  芳 ", "phone": "13800000000"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.scalar(select(User).where(User.username == "v1"))
    assert (saved.full_name, saved.phone, saved.display_name) == ("王 芳", "13800000000", "王 芳")
    assert (
        db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "user_update"))
        == "full_name,phone"
    )
    assert "王 芳" in client.get("/").get_data(as_text=True)  # the top bar
