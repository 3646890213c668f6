"""create-user --totp-secret and the demo's second factors: scripts and demos can log in."""

from __future__ import annotations

import re

from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.auth import totp
from caseman.auth.models import User
from caseman.demo.district import DEFAULT_TODAY, DEMO_PASSWORD
from caseman.extensions import db
from tests.conftest import PASSWORD, TOTP_SECRET, log_in


def _create(app, *extra):
    return app.test_cli_runner().invoke(
        args=["create-user", "--username", "li", "--password", "long-enough-1",
              "--role", "town", "--area", "木耳镇", "--full-name", "李明", *extra]
    )  # fmt: skip


def test_create_user_with_a_totp_secret_can_log_in_with_a_code(app, client, areas):
    result = _create(app, "--totp-secret", TOTP_SECRET.lower())
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "li"))
    assert user.totp_secret == TOTP_SECRET
    assert user.has_totp
    response = client.post("/login", data={"username": "li", "password": "long-enough-1"})
    assert response.headers["Location"] == "/login/code"
    code = totp.code_at(TOTP_SECRET, totp.current_step())
    assert client.post("/login/code", data={"code": code}).headers["Location"] == "/"


def test_create_user_refuses_a_bad_secret(app, areas):
    for secret in ("JBSWY3DPEHPK3PXP", "not base32 at all 0189 !!!!!!!!!"):
        result = _create(app, "--totp-secret", secret)
        assert result.exit_code != 0
        assert "base32" in result.output
    assert db.session.scalar(select(User).where(User.username == "li")) is None


def test_create_user_without_a_secret_enrols_at_the_first_login(app, client, areas):
    result = _create(app)
    assert result.exit_code == 0, result.output
    assert "QR code at the first login" in result.output
    response = client.post("/login", data={"username": "li", "password": "long-enough-1"})
    assert response.headers["Location"] == "/login/enrol"


def test_create_user_refuses_the_username_as_password(app, areas):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--username", "wangfang", "--password", "wangfang2024",
              "--role", "village", "--area", "金刚村", "--full-name", "李明"]
    )  # fmt: skip
    assert result.exit_code != 0
    assert "username" in result.output


def test_demo_data_prints_the_secrets_and_a_working_code(app, client):
    result = app.test_cli_runner().invoke(args=["demo-data", "--today", DEFAULT_TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    lines = {line.split("\t")[0].strip(): line.split("\t") for line in result.output.splitlines()
             if "\t" in line}  # fmt: skip
    for username in ("district", "town", "town2"):
        secret, code = lines[username][4], lines[username][5]
        assert re.fullmatch(r"[A-Z2-7]{32}", secret)
        assert re.fullmatch(r"\d{6}", code)
        stored = db.session.scalar(select(User.totp_secret).where(User.username == username))
        assert stored == secret
    for username in ("village", "worker", "village2"):
        assert lines[username][4:] == ["-", "-"]
    # The printed code logs the district user in.
    client.post("/login", data={"username": "district", "password": DEMO_PASSWORD})
    response = client.post("/login/code", data={"code": lines["district"][5]})
    assert response.headers["Location"] == "/"


def test_reset_totp_makes_the_user_enrol_again(app, client, make_user):
    user = make_user("town", "muer")
    log_in(client, user)
    result = app.test_cli_runner().invoke(args=["reset-totp", "--username", user.username])
    assert result.exit_code == 0, result.output
    assert client.get("/").status_code == 302  # the session ended
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.headers["Location"] == "/login/enrol"
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "totp_reset"))
    assert (row.ip, row.object_id) == ("cli", user.id)
    assert app.test_cli_runner().invoke(args=["reset-totp", "--username", "nobody"]).exit_code != 0


def test_create_user_asks_for_the_real_name_when_left_out(app, areas):
    args = ["create-user", "--username", "zhao", "--password", "long-enough-1",
            "--role", "village", "--area", "金刚村"]  # fmt: skip
    result = app.test_cli_runner().invoke(args=args, input="赵  敏\n")
    assert result.exit_code == 0, result.output
    assert "Real name (姓名)" in result.output
    user = db.session.scalar(select(User).where(User.username == "zhao"))
    assert user.full_name == "赵 敏"
    assert user.display_name == "赵 敏"


def test_create_user_refuses_a_blank_real_name(app, areas):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--username", "qian", "--password", "long-enough-1",
              "--role", "village", "--area", "金刚村", "--full-name", "  "]
    )  # fmt: skip
    assert result.exit_code != 0
    assert db.session.scalar(select(User).where(User.username == "qian")) is None
