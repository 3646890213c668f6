"""Fixtures: a fresh database per test, on SQLite by default or on PostgreSQL when
CASEMAN_TEST_DATABASE_URL is set (``make test`` runs the suite on both)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient

from caseman import audit, clock, create_app
from caseman.areas.models import Area, AreaLevel
from caseman.areas.services import create_area
from caseman.auth import totp
from caseman.auth.models import TOTP_REQUIRED_ROLES, Role, User
from caseman.auth.services import create_user
from caseman.elders.models import Elder
from caseman.elders.services import Registration, register_elder
from caseman.extensions import db
from caseman.rules.enums import Gender
from caseman.rules.id_number import make_id_number
from caseman.scope import system_access

PASSWORD = "test-pass-2024"
# The second factor of test users (district and town users must have one): a fixed base32
# secret, so that helpers and scripts can compute the current code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
TODAY = clock.today()  # Beijing's day (caseman.clock), whatever zone the machine runs in


@pytest.fixture(autouse=True)
def _one_day_for_the_whole_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """TODAY is read once, when the run starts. A run that goes past Beijing's midnight (a
    suite started at 15:30 UTC) keeps the site's clock on that day, whole days back with the
    time of day still moving, so that pages and TODAY agree; a run within one day is untouched."""
    behind = (clock.today() - TODAY).days
    if behind > 0:
        real = clock.moment
        monkeypatch.setattr(clock, "moment", lambda: real() - timedelta(days=behind))


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], datetime]:
    """Stop the site's clock (caseman.clock) at a Beijing wall time: ``freeze(datetime(2026, 12,
    5, 14, 20))``; every ``clock.now()``/``today()``/``utcnow()`` then answers from it."""

    def freeze(beijing: datetime) -> datetime:
        moment = beijing.replace(tzinfo=ZoneInfo(clock.DEFAULT_TIMEZONE)).astimezone(UTC)
        monkeypatch.setattr(clock, "moment", lambda: moment)
        return moment

    return freeze


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("CASEMAN_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def _database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = database_url(tmp_path_factory)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield url
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app(_database: str) -> Iterator[Flask]:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _database,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test",
            # Many logins from 127.0.0.1: the per-IP login limit has its own tests.
            "RATELIMIT_ENABLED": False,
        }
    )

    @app.before_request
    def _forget_cached_user() -> None:
        # Requests reuse the fixture's app context (and its ``g``): without this, Flask-Login's
        # cached user would leak from one client's request into another's.
        g.pop("_login_user", None)

    # Test code runs outside requests: give it system scope (requests still get their user's).
    with app.app_context(), system_access("pytest", record=False):
        yield app
        db.session.rollback()
        db.session.remove()
        # Empty every table (children first) so each test starts clean.
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                if table.name == "audit_events":
                    wipe_audit_log(connection)
                else:
                    connection.execute(table.delete())
        db.engine.dispose()


def wipe_audit_log(connection: sa.Connection) -> None:
    """Empty the append-only audit log between tests (its trigger refuses a plain DELETE)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("TRUNCATE audit_events")  # row triggers do not fire
        return
    for statement in audit.SQLITE_DROP_TRIGGERS:
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql("DELETE FROM audit_events")
    for statement in audit.SQLITE_TRIGGERS:
        connection.exec_driver_sql(statement)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def areas(app: Flask) -> dict[str, Area]:
    """渝北区 → 木耳镇 (金刚村, 白岩村) and 古路镇 (草坪村)."""
    district = create_area("渝北区", AreaLevel.DISTRICT, code="500112")
    muer = create_area("木耳镇", AreaLevel.TOWN, district)
    gulu = create_area("古路镇", AreaLevel.TOWN, district)
    jingang = create_area("金刚村", AreaLevel.VILLAGE, muer)
    baiyan = create_area("白岩村", AreaLevel.VILLAGE, muer)
    caoping = create_area("草坪村", AreaLevel.VILLAGE, gulu)
    group = create_area("一组", AreaLevel.GROUP, jingang)
    db.session.commit()
    return {"district": district, "muer": muer, "gulu": gulu, "jingang": jingang,
            "baiyan": baiyan, "caoping": caoping, "jingang1": group}  # fmt: skip


@pytest.fixture
def make_user(areas: dict[str, Area]) -> Callable[..., User]:
    numbers = count(1)

    def make(role: str = "village", area: str = "jingang", **kwargs: Any) -> User:
        """A user; district and town users get TOTP_SECRET unless ``totp_secret`` says else."""
        default_secret = TOTP_SECRET if Role(role) in TOTP_REQUIRED_ROLES else None
        user = create_user(
            kwargs.pop("username", f"{role}{next(numbers)}"),
            PASSWORD,
            Role(role),
            areas[area],
            full_name=kwargs.pop("full_name", ""),
            totp_secret=kwargs.pop("totp_secret", default_secret),
        )
        db.session.commit()
        return user

    return make


def registration_values(area: Area, **overrides: Any) -> dict[str, Any]:
    """A complete, valid registration of an 82-year-old woman living alone."""
    values: dict[str, Any] = {
        "name": "张秀英", "gender": "female",
        "id_number": make_id_number("500112", date(TODAY.year - 82, 3, 5), 7, Gender.FEMALE),
        "phone": "13812345678", "emergency_name": "李强", "emergency_gender": "male",
        "emergency_phone": "13987654321", "household_area_id": area.id,
        "household_address": "3组45号", "residence_area_id": area.id,
        "residence_address": "3组45号", "is_rural_hukou": True, "ability_level": "intact",
        "medical_history": "高血压", "has_serious_illness": False, "is_extreme_poverty": False,
        "is_dibao": True, "is_dibao_edge": False, "monthly_income": None,
        "income_sources": "养老金", "disability_certificate_no": "", "disability_grade": None,
        "other_reason": "", "category_override_reason": "", "is_key": True,
        "key_override_reason": "", "water_safe": True, "electricity_safe": True,
        "housing_safe": False, "household_monthly_income": None, "has_pension": True,
        "pension_monthly": None, "subsidy_monthly": None, "subsidy_items": "高龄津贴",
        "support_units": ["town_village"], "support_person": "王芳",
        "support_measures": "每周上门", "filed_on": TODAY, "responsible_person": "王芳",
        "responsible_phone": "13500000000",
    }  # fmt: skip
    values.update(overrides)
    return values


@pytest.fixture
def make_elder(areas: dict[str, Area], make_user: Callable[..., User]) -> Callable[..., Elder]:
    """Register an elder (through the service, so the rules run) in ``area``."""
    serials = count(10)
    actor_box: list[User] = []

    def make(area: str = "jingang", members: list[dict[str, Any]] | None = None,
             categories: set[Any] | None = None, **overrides: Any) -> Elder:  # fmt: skip
        from caseman.rules.enums import Category

        if not actor_box:
            actor_box.append(make_user("district", "district", username="registrar"))
        if "id_number" not in overrides:
            overrides["id_number"] = make_id_number(
                "500112", date(TODAY.year - 82, 3, 5), next(serials), Gender.FEMALE
            )
        values = registration_values(areas[area], **overrides)
        reg = Registration(
            values=values,
            members=members or [],
            categories=categories if categories is not None else {Category.LIVING_ALONE},
        )
        elder = register_elder(actor_box[0], reg, TODAY)
        db.session.commit()
        return elder

    return make


def fresh_totp_code(user: User) -> str:
    """The current code of ``user``'s second factor, usable even if a login in this test
    already used it: the record of the last step used is forgotten, as if time had passed."""
    # End the current transaction first: on SQLite (WAL) a read snapshot older than a write
    # of the live server (e2e tests) cannot be turned into a write transaction.
    db.session.commit()
    db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=None))
    db.session.commit()
    secret = db.session.scalar(sa.select(User.totp_secret).where(User.id == user.id))
    assert secret, f"{user.username} has no TOTP secret"
    return totp.code_at(secret, totp.current_step())


def log_in(client: FlaskClient, user: User, password: str = PASSWORD, next_url: str = "") -> Any:
    """Log ``client`` in as ``user``: the password, then (district, town, or anyone with a second
    factor) the TOTP code. Returns the last response (a redirect to ``next_url`` or home)."""
    url = "/login" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data={"username": user.username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"].endswith("/login/code"):
        response = client.post("/login/code", data={"code": fresh_totp_code(user)})
        assert response.status_code == 302, response.get_data(as_text=True)
    assert not response.headers["Location"].startswith("/login"), response.headers["Location"]
    return response


@pytest.fixture
def login_as(client: FlaskClient) -> Callable[[User], FlaskClient]:
    def login(user: User) -> FlaskClient:
        log_in(client, user)
        return client

    return login


def row_counts(*, except_audit: bool = False) -> dict[str, int]:
    """Rows per table: proves a refused request changed nothing.

    ``except_audit`` leaves out the audit log, for requests answered 404: their denial is
    recorded there (check it with ``denials``).
    """
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
        if not (except_audit and table.name == "audit_events")
    }


def denials() -> int:
    """How many ``deny`` rows the audit log holds."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(audit.AuditEvent.id)).where(audit.AuditEvent.action == "deny")
        )
        or 0
    )
