"""TOTP at login: required for district and town users, optional for the others; enrolment with
a QR code on the first login; replayed and wrong codes refused (and counted for the lockout)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.auth import totp
from caseman.auth.models import User
from caseman.extensions import db
from tests.conftest import PASSWORD, TOTP_SECRET, fresh_totp_code, log_in


def _password_step(client, user, next_url=""):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": user.username, "password": PASSWORD})


def _actions(username):
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where((AuditEvent.username == username) | (AuditEvent.detail == username))
            .order_by(AuditEvent.id)
        )
    )


@pytest.mark.parametrize("role", ["district", "town"])
def test_district_and_town_need_the_code(client, make_user, role):
    user = make_user(role, "district" if role == "district" else "muer")
    response = _password_step(client, user)
    assert response.headers["Location"] == "/login/code"
    # The password alone is not a login: pages still send to the login page.
    assert client.get("/").status_code == 302
    assert "login" not in _actions(user.username)

    response = client.post("/login/code", data={"code": fresh_totp_code(user)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert _actions(user.username)[-1] == "login"


@pytest.mark.parametrize("role", ["village", "worker"])
def test_village_and_worker_log_in_with_the_password_alone(client, make_user, role):
    user = make_user(role, "jingang")
    response = _password_step(client, user)
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_worker_who_chose_a_second_factor_is_asked_for_it(client, make_user):
    user = make_user("worker", "jingang", totp_secret=TOTP_SECRET)
    assert _password_step(client, user).headers["Location"] == "/login/code"


def test_a_wrong_code_is_refused_audited_and_keeps_nothing(client, make_user):
    user = make_user("town", "muer")
    _password_step(client, user)
    right = fresh_totp_code(user)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post("/login/code", data={"code": wrong})
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert 'value=""' in page or wrong not in page
    assert client.get("/").status_code == 302
    assert _actions(user.username)[-1] == "totp_failed"


def test_a_replayed_code_is_refused(app, make_user):
    user = make_user("town", "muer")
    first, second = app.test_client(), app.test_client()
    code = fresh_totp_code(user)
    _password_step(first, user)
    assert first.post("/login/code", data={"code": code}).status_code == 302
    # Someone who watched the code being typed tries it within the same 30 seconds.
    _password_step(second, user)
    response = second.post("/login/code", data={"code": code})
    assert response.status_code == 401
    assert second.get("/").status_code == 302


def test_wrong_codes_count_towards_the_lockout(client, make_user):
    user = make_user("district", "district")
    _password_step(client, user)
    for _ in range(5):
        client.post("/login/code", data={"code": "000000"})
    response = client.post("/login/code", data={"code": fresh_totp_code(user)})
    assert response.status_code == 429
    assert client.get("/").status_code == 302
    # The password page is locked too.
    assert _password_step(client, user).status_code == 429
    assert "login_locked" in _actions(user.username)


def test_the_code_step_expires_and_needs_a_password_first(client, make_user):
    user = make_user("town", "muer")
    assert client.get("/login/code").headers["Location"] == "/login"
    _password_step(client, user)
    with client.session_transaction() as session:
        pending = dict(session["_pending_login"])
        pending["at"] -= 6 * 60  # five minutes to type the code
        session["_pending_login"] = pending
    response = client.post("/login/code", data={"code": fresh_totp_code(user)})
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_next_survives_the_code_step(client, make_user):
    user = make_user("town", "muer")
    log_in(client, user, next_url="/elders/")
    _password_step(client, user)  # already logged in: goes home
    client.post("/logout")
    response = log_in(client, user, next_url="/elders/")
    assert response.headers["Location"] == "/elders/"
    client.post("/logout")
    response = log_in(client, user, next_url="https://evil.example/")
    assert response.headers["Location"] == "/"


# --- enrolment on the first login -------------------------------------------------------------


def _secret_on_page(page: str) -> str:
    match = re.search(r'data-secret="([A-Z2-7]+)"', page)
    assert match, "the enrolment page shows the key as text"
    return match.group(1)


def test_first_login_of_a_town_user_without_a_secret_enrols(client, make_user):
    user = make_user("town", "muer", totp_secret=None)
    response = _password_step(client, user)
    assert response.headers["Location"] == "/login/enrol"
    page = client.get("/login/enrol").get_data(as_text=True)
    assert "<svg " in page
    assert "<script" not in page
    secret = _secret_on_page(page)
    assert db.session.scalar(select(User.totp_secret).where(User.id == user.id)) == secret
    # A reload shows the same key: a QR code already scanned stays valid.
    assert _secret_on_page(client.get("/login/enrol").get_data(as_text=True)) == secret
    assert client.get("/").status_code == 302  # not logged in before the code is confirmed

    wrong = client.post("/login/enrol", data={"code": "123456"})
    assert wrong.status_code == 400
    assert _secret_on_page(wrong.get_data(as_text=True)) == secret

    code = totp.code_at(secret, totp.current_step())
    response = client.post("/login/enrol", data={"code": code})
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    db.session.expire_all()
    enrolled = db.session.get(User, user.id)
    assert enrolled.has_totp
    assert _actions(user.username)[-2:] == ["totp_enrolled", "login"]

    # From now on the login asks for the code; the enrolment page is gone.
    client.post("/logout")
    assert _password_step(client, user).headers["Location"] == "/login/code"
    assert client.get("/login/enrol").headers["Location"] == "/login/code"


def test_a_village_user_may_switch_the_second_factor_on(client, make_user, login_as):
    user = make_user("village", "jingang")
    login_as(user)
    assert "/account/totp" in client.get("/account").get_data(as_text=True)
    secret = _secret_on_page(client.get("/account/totp").get_data(as_text=True))
    code = totp.code_at(secret, totp.current_step())
    response = client.post("/account/totp", data={"code": code})
    assert response.headers["Location"] == "/account"
    client.post("/logout")
    assert _password_step(client, user).headers["Location"] == "/login/code"
