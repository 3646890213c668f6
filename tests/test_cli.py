"""The CLI contract of DESIGN.md: areas, create-user."""

from __future__ import annotations

from sqlalchemy import select

from caseman.auth.models import Role, User
from caseman.extensions import db


def test_areas_prints_level_name_parent(app, areas):
    result = app.test_cli_runner().invoke(args=["areas"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "district\t渝北区\t" in lines
    assert "town\t木耳镇\t渝北区" in lines
    assert "village\t金刚村\t木耳镇" in lines
    assert "group\t一组\t金刚村" in lines


def test_create_user_binds_role_and_area(app, areas):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "--username", "li", "--password", "long-enough-1",
              "--role", "village", "--area", "金刚村", "--full-name", "李明"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "li"))
    assert user.role == Role.VILLAGE
    assert user.area.name == "金刚村"


def test_create_user_refuses_short_and_common_passwords(app, areas):
    runner = app.test_cli_runner()
    for password in ("short", "12345678"):
        result = runner.invoke(
            args=["create-user", "--username", "x", "--password", password,
                  "--role", "town", "--area", "木耳镇", "--full-name", "李明"]
        )  # fmt: skip
        assert result.exit_code != 0
    assert db.session.scalar(select(User).where(User.username == "x")) is None
