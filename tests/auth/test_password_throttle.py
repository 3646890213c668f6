"""The password change throttles guesses of the current password (issue 23, item 7).

Like the login's lockout it counts in the audit log, so it holds across processes and machines:
five wrong current passwords within 15 minutes lock the change for 15 minutes, end the session
that guessed, and every later try meanwhile is refused beside the field, unchecked.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from caseman import clock
from caseman.audit import AuditEvent
from caseman.auth.models import User
from caseman.auth.passwords import verify_password
from caseman.extensions import db
from tests.conftest import PASSWORD, log_in

NEW_PASSWORD = "river-stone-lantern"


def _change(client, old: str, new: str = NEW_PASSWORD):
    return client.post(
        "/account/password", data={"old_password": old, "new_password": new, "new_password2": new}
    )


def _count(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEvent.action == action))


def test_five_wrong_current_passwords_lock_the_change_and_end_the_session(
    client, make_user, login_as
):
    user = make_user("village")
    login_as(user)
    for _ in range(4):
        response = _change(client, "wrong-guess-123")
        assert response.status_code == 400
    response = _change(client, "wrong-guess-123")
    # The fifth wrong guess locks the change and ends this session: re-login is needed.
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "当前密码输错次数过多" in login_page
    assert "15分钟" in login_page
    assert client.get("/").status_code == 302  # logged out
    assert _count("password_change_failed") == 5
    assert _count("password_change_locked") == 1

    # Logged in again (the login itself is not locked), the right password is still refused.
    log_in(client, user)
    response = _change(client, PASSWORD)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert 'id="old_password-error">' in page
    assert "当前密码输错次数过多" in page
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)
    assert _count("password_change_locked") == 2
    assert _count("password_changed") == 0
    assert client.get("/").status_code == 200  # a refused try while locked keeps the session


def test_the_lock_is_counted_in_the_database_not_in_the_process(app, make_user):
    """Guesses from two browsers (two processes behind a load balancer alike) add up."""
    user = make_user("village")
    office, phone = app.test_client(), app.test_client()
    log_in(office, user)
    log_in(phone, user)
    for _ in range(3):
        assert _change(office, "wrong-guess-123").status_code == 400
    assert _change(phone, "wrong-guess-123").status_code == 400
    assert _change(phone, "wrong-guess-123").status_code == 302  # the fifth: locked
    response = _change(office, PASSWORD)
    assert response.status_code == 429


def test_the_lock_ends_after_15_minutes(client, make_user, login_as, frozen_clock):
    start = clock.now()
    frozen_clock(start)
    user = make_user("village")
    login_as(user)
    for _ in range(5):
        _change(client, "wrong-guess-123")
    log_in(client, user)
    frozen_clock(start + timedelta(minutes=14))
    assert _change(client, PASSWORD).status_code == 429
    # Each refused try keeps the lock for another 15 minutes.
    frozen_clock(start + timedelta(minutes=14 + 16))
    response = _change(client, PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, NEW_PASSWORD)


def test_a_successful_change_starts_the_count_again(client, make_user, login_as):
    user = make_user("village")
    login_as(user)
    for _ in range(4):
        _change(client, "wrong-guess-123")
    assert _change(client, PASSWORD).status_code == 302
    for _ in range(4):
        assert _change(client, "wrong-guess-123").status_code == 400
    assert _change(client, NEW_PASSWORD, "another-river-lantern").status_code == 302


def test_other_users_are_not_locked(app, make_user):
    guessed, other = make_user("village"), make_user("village")
    guesser, owner = app.test_client(), app.test_client()
    log_in(guesser, guessed)
    for _ in range(5):
        _change(guesser, "wrong-guess-123")
    log_in(owner, other)
    assert _change(owner, PASSWORD).status_code == 302


def test_the_locked_action_has_a_chinese_label():
    from caseman.audit_log.labels import ACTION

    assert "password_change_locked" in ACTION
