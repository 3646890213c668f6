"""A small world on its own SQLite file, for the tests that run several processes or copy the
database file (backup): the shared fixtures' database is one file reused by every test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from caseman import clock, create_app
from caseman.areas.models import AreaLevel
from caseman.areas.services import create_area
from caseman.auth.models import Role
from caseman.auth.services import create_user
from caseman.elders.services import Registration, register_elder
from caseman.extensions import db
from caseman.referrals.services import raise_referral
from caseman.rules.enums import Category
from caseman.scope import system_access
from tests.conftest import PASSWORD, registration_values

TODAY = clock.today()


def file_app(path: Path, **config: Any) -> Flask:
    """An app on the SQLite file ``path`` (CSRF off, as in the view tests)."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test",
            "CASEMAN_UPLOADS": str(path.parent / "uploads"),
            **config,
        }
    )


def seed_world(path: Path) -> dict[str, int]:
    """Schema plus one village cadre (``cadre`` / PASSWORD), one elder and one open referral."""
    app = file_app(path)
    with app.app_context(), system_access("pytest", record=False):
        db.create_all()
        district = create_area("渝北区", AreaLevel.DISTRICT, code="500112")
        town = create_area("木耳镇", AreaLevel.TOWN, district)
        village = create_area("金刚村", AreaLevel.VILLAGE, town)
        registrar = create_user("registrar", PASSWORD, Role.DISTRICT, district)
        cadre = create_user("cadre", PASSWORD, Role.VILLAGE, village)
        reg = Registration(
            values=registration_values(village), members=[], categories={Category.LIVING_ALONE}
        )
        elder = register_elder(registrar, reg, TODAY)
        values = {"need": "rehabilitation", "description": "康复训练", "visit_id": None,
                  "owner_id": None, "follow_up_on": None, "benefit": None}  # fmt: skip
        referral = raise_referral(cadre, elder, values, "seed-referral", TODAY)
        db.session.commit()
        ids = {"elder": elder.id, "referral": referral.id, "cadre": cadre.id}
        db.session.remove()
        db.engine.dispose()
    return ids


def count_rows(path: Path, table: str) -> int:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
    finally:
        engine.dispose()
