"""The README's first day of a real district, followed literally on an empty database.

The commands are read from README.md (the "First day of a real district" block, which the
production block repeats) and run as written through ``app.test_cli_runner()`` against a fresh
SQLite file and a fresh PostgreSQL database, with the settings the README exports; then the new
administrator logs in (password, then the second factor's enrolment) and finds the tree.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from caseman import create_app
from caseman.auth import totp
from caseman.extensions import db
from tests.areas.sheets import xlsx_bytes, yubei_rows

README = Path(__file__).resolve().parents[2] / "README.md"
FLASK = ".venv/bin/flask --app app "
PASSWORD = "Yubei-first-day-2025"


def _block(title: str) -> list[str]:
    """The indented command lines of the README section called ``title``."""
    text = README.read_text(encoding="utf-8")
    section = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("    ")]


def first_day_commands() -> list[str]:
    commands = [line for line in _block("First day of a real district") if line.startswith(FLASK)]
    production = [
        line for line in _block("Running on PostgreSQL behind gunicorn") if line.startswith(FLASK)
    ]
    assert production == commands, "the production steps and the first day must agree"
    return commands


def test_the_readme_first_day_is_init_district_import_admin():
    commands = [line[len(FLASK) :].split()[:2] for line in first_day_commands()]
    assert commands == [
        ["init-db"],
        ["areas", "add"],
        ["areas", "import"],
        ["create-user", "--username"],
    ]


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with nothing in it (not even the tables)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'caseman.sqlite3'}"
        return
    server = os.environ.get("CASEMAN_TEST_DATABASE_URL", "")
    if not server.startswith("postgresql"):
        pytest.skip("PostgreSQL: run with CASEMAN_TEST_DATABASE_URL (scripts/pg-test-db.sh)")
    name = f"caseman_test_fresh_{secrets.token_hex(4)}"
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(
            f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0 "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        engine.dispose()


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, "the form carries a CSRF token"
    return match.group(1)


def test_first_day_from_an_empty_database(fresh_database, tmp_path, monkeypatch):
    # The README's exports.
    monkeypatch.setenv("DATABASE_URL", fresh_database)
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("CASEMAN_UPLOADS", str(tmp_path / "uploads"))
    # The spreadsheet the README imports, in the directory the commands run in.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "渝北区村社.xlsx").write_bytes(xlsx_bytes(yubei_rows()))
    app: Flask = create_app()
    try:
        runner = app.test_cli_runner()

        def run(args: list[str]) -> Any:
            with app.app_context():  # as `flask` does: one application context per command
                return runner.invoke(args=args)

        for line in first_day_commands():
            result = run(shlex.split(line[len(FLASK) :].replace("'…'", shlex.quote(PASSWORD))))
            assert result.exit_code == 0, (line, result.output)
        assert "Created admin (district) in 渝北区" in result.output
        tree = run(["areas"]).output.splitlines()
        assert tree[0] == "district\t渝北区\t"
        assert sum(line.startswith("town\t") for line in tree) == 13
        assert sum(line.startswith("village\t") for line in tree) == 172

        # The administrator logs in: password, then the second factor's enrolment.
        client = app.test_client()
        token = _csrf(client.get("/login").get_data(as_text=True))
        response = client.post(
            "/login", data={"csrf_token": token, "username": "admin", "password": PASSWORD}
        )
        assert response.headers["Location"] == "/login/enrol"
        page = client.get("/login/enrol").get_data(as_text=True)
        secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
        response = client.post(
            "/login/enrol",
            data={"csrf_token": _csrf(page), "code": totp.code_at(secret, totp.current_step())},
        )
        assert response.headers["Location"] == "/"
        assert client.get("/").status_code == 200
        areas_page = client.get("/areas/").get_data(as_text=True)
        assert "木耳镇" in areas_page
        assert "王家街道" in areas_page
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
