"""Done when (issue 16): the first day of a real district, end to end through the site.

From an empty database (SQLite and PostgreSQL) the README's production steps run as written
(init-db, the district, a 172-village .xlsx, the first administrator). The administrator
creates a town user on /users/; the town user logs in with the one-time password, sets up the
second factor, chooses a password, and creates a village user and a worker; elders are
registered in the village; the town user assigns three of them to the worker, who logs in
(again choosing a password) and finds exactly those three in 我的探访.
"""

from __future__ import annotations

import re
import secrets
import shlex
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from caseman import clock, create_app
from caseman.areas.models import Area
from caseman.auth import totp
from caseman.auth.models import Role, User
from caseman.elders.services import Registration, register_elder
from caseman.extensions import db
from caseman.rules.enums import Category, Gender
from caseman.rules.id_number import make_id_number
from caseman.scope import system_access
from tests.areas.sheets import xlsx_bytes, yubei_rows
from tests.areas.test_first_day import FLASK, PASSWORD, first_day_commands, fresh_database
from tests.conftest import TODAY, registration_values

__all__ = ["fresh_database"]  # the fixture, used by name below


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, page
    return match.group(1)


class Browser:
    """One person's browser: a test client that keeps the CSRF token of the last page."""

    def __init__(self, app: Flask) -> None:
        self.client: FlaskClient = app.test_client()
        self.secret = ""

    def get(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.location)
        return response.get_data(as_text=True)

    def post(self, url: str, data: dict[str, object], page_url: str | None = None) -> object:
        token = _csrf(self.get(page_url or url))
        return self.client.post(url, data={"csrf_token": token, **data})

    def log_in(self, username: str, password: str) -> str:
        """Password, then the second factor (enrolled at the first login) when asked."""
        response = self.post("/login", {"username": username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        location = response.headers["Location"]
        if location == "/login/enrol":
            page = self.get("/login/enrol")
            self.secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
            code = totp.code_at(self.secret, totp.current_step())
            response = self.client.post(
                "/login/enrol", data={"csrf_token": _csrf(page), "code": code}
            )
            location = response.headers["Location"]
        assert location == "/", location
        return location

    def change_one_time_password(self, one_time: str, new: str) -> None:
        home = self.client.get("/")
        assert home.headers["Location"] == "/account/password"  # nothing else opens first
        response = self.post(
            "/account/password",
            {"old_password": one_time, "new_password": new, "new_password2": new},
        )
        assert response.headers["Location"] == "/"
        assert self.client.get("/").status_code == 200

    def create_account(self, **values: object) -> str:
        """Fill /users/new; the one-time password shown once."""
        response = self.post("/users/new", values)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, page
        return re.search(r'id="one-time-password">([^<]+)<', page).group(1)

    def log_out(self) -> None:
        self.post("/logout", {}, page_url="/")


def _area(name: str) -> Area:
    return db.session.scalar(select(Area).where(Area.name == name))


def _register(actor_name: str, area: Area, names: list[str]) -> list[int]:
    """Register elders in ``area`` as ``actor_name`` (the registration page's service)."""
    actor = db.session.scalar(select(User).where(User.username == actor_name))
    ids = []
    with system_access("test: registering the first elders", record=False):
        for serial, name in enumerate(names, start=31):
            birth = date(TODAY.year - 81, 5, 6)
            values = registration_values(
                area, name=name, id_number=make_id_number("500112", birth, serial, Gender.FEMALE)
            )
            registration = Registration(values=values, members=[],
                                        categories={Category.LIVING_ALONE})  # fmt: skip
            ids.append(register_elder(actor, registration, TODAY).id)
        db.session.commit()
    return ids


def test_the_readme_first_day_leads_to_the_users_page():
    from tests.areas.test_first_day import README

    section = README.read_text(encoding="utf-8").split("## First day of a real district\n")[1]
    section = section.split("\n## ", 1)[0]
    assert "`/users/`" in section
    assert "one-time password" in section
    assert "--full-name" in section


def test_first_day_from_an_empty_database_to_my_visits(fresh_database, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_database)
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("CASEMAN_UPLOADS", str(tmp_path / "uploads"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "渝北区村社.xlsx").write_bytes(xlsx_bytes(yubei_rows()))
    app = create_app({"RATELIMIT_ENABLED": False})
    try:
        runner = app.test_cli_runner()
        for line in first_day_commands():
            with app.app_context():
                args = shlex.split(line[len(FLASK) :].replace("'…'", shlex.quote(PASSWORD)))
                result = runner.invoke(args=args)
            assert result.exit_code == 0, (line, result.output)

        with app.app_context():
            assert db.session.scalar(select(User.full_name).where(User.username == "admin"))
            villages = db.session.scalars(select(Area).where(Area.level == "village")).all()
            assert len(villages) == 172
            muer, jingang = _area("木耳镇"), _area("金刚村")
            gulu_village = db.session.scalar(
                select(Area).where(Area.parent_id == _area("古路镇").id)
            )
            muer_id, jingang_id, gulu_village_id = muer.id, jingang.id, gulu_village.id

        # The administrator creates the town's account on the users page.
        admin = Browser(app)
        admin.log_in("admin", PASSWORD)
        assert 'href="/users/"' in admin.get("/")
        one_time = admin.create_account(
            full_name="李木耳", username="muer.li", phone="13800000001", role="town",
            area_id=muer_id,
        )  # fmt: skip
        admin.log_out()

        # The town user: one-time password, second factor, their own password.
        town = Browser(app)
        town.log_in("muer.li", one_time)
        town.change_one_time_password(one_time, "Muer-town-2026")
        users_page = town.get("/users/new")
        assert f'value="{gulu_village_id}"' not in users_page  # another town's village
        assert 'value="town"' not in users_page
        assert 'value="district"' not in users_page
        village_password = town.create_account(
            full_name="张金刚", username="jg.zhang", role="village", area_id=jingang_id
        )
        worker_password = town.create_account(
            full_name="王探访", username="muer.wang", role="worker", area_id=muer_id
        )
        assert "张金刚" in town.get("/users/")
        assert "王探访" in town.get("/users/")

        # The village user logs in, chooses a password and registers elders of the village.
        village = Browser(app)
        village.log_in("jg.zhang", village_password)
        village.change_one_time_password(village_password, "Jingang-village-2026")
        with app.app_context():
            elder_ids = _register("jg.zhang", _area("金刚村"),
                                  ["赵一英", "钱二英", "孙三英", "李四英"])  # fmt: skip
        assert "赵一英" in village.get("/elders/")

        # The town user assigns three of them to the worker (bulk, from the elder list).
        chosen = elder_ids[:3]
        query = "&".join(f"elder={elder_id}" for elder_id in chosen)
        with app.app_context():
            worker_id = db.session.scalar(select(User.id).where(User.username == "muer.wang"))
        response = town.post(
            f"/elders/assign?{query}",
            {"visitor": str(worker_id), "started_on": clock.today().isoformat()},
        )
        assert response.status_code == 302, response.get_data(as_text=True)

        # The worker finds exactly those three in 我的探访.
        worker = Browser(app)
        worker.log_in("muer.wang", worker_password)
        worker.change_one_time_password(worker_password, "Wang-visitor-2026")
        page = worker.get("/visits/due?state=all")
        mine = page.split('class="card due-group mine"', 1)[1].split("</section>", 1)[0]
        assert sorted(re.findall(r'href="/elders/(\d+)"', mine)) == sorted(map(str, chosen))
        assert sorted(set(re.findall(r'href="/elders/(\d+)"', page))) == sorted(map(str, chosen))
        assert "李四英" not in page
        with app.app_context():
            assert db.session.scalar(select(User.role).where(User.username == "muer.wang")) == (
                Role.WORKER
            )
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
