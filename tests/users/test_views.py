"""The staff accounts page: district staff manage every account, town staff the village staff
and workers of their own town; another town's account is 404 and nobody gets rights above what
their manager may give."""

from __future__ import annotations

import re

from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.auth.models import Role, User
from caseman.extensions import db
from tests.conftest import PASSWORD, denials, log_in, row_counts


def _user(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def _actions(user: User) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "user", AuditEvent.object_id == user.id)
            .order_by(AuditEvent.id)
        )
    )


def _one_time_password(page: str) -> str:
    match = re.search(r'id="one-time-password">([^<]+)<', page)
    assert match, page
    return match.group(1)


def test_district_lists_every_account_with_name_role_area_and_second_factor(
    make_user, login_as, client
):
    admin = make_user("district", "district", full_name="刘主任")
    make_user("town", "gulu", username="gulu1", full_name="古路张")
    make_user("worker", "jingang", username="w1", full_name="王芳")
    login_as(admin)
    page = client.get("/users/").get_data(as_text=True)
    for text in ("刘主任", "古路张", "王芳", "w1", "渝北区木耳镇金刚村", "从未登录"):
        assert text in page
    assert 'href="/users/"' in page  # the nav link
    only_workers = client.get("/users/?role=worker").get_data(as_text=True)
    assert "王芳" in only_workers
    assert "古路张" not in only_workers
    by_name = client.get("/users/?q=古路").get_data(as_text=True)
    assert "古路张" in by_name
    assert "王芳" not in by_name


def test_create_shows_a_one_time_password_once_which_must_be_changed(
    areas, make_user, login_as, client
):
    login_as(make_user("district", "district"))
    response = client.post(
        "/users/new",
        data={"full_name": "李明", "username": "liming", "phone": "13800001111",
              "role": "village", "area_id": areas["jingang"].id},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = _one_time_password(response.get_data(as_text=True))
    user = _user("liming")
    assert (user.full_name, user.role, user.area_id) == ("李明", Role.VILLAGE, areas["jingang"].id)
    assert user.must_change_password
    assert "user_create" in _actions(user)
    assert password not in client.get(f"/users/{user.id}").get_data(as_text=True)

    client.post("/logout")
    response = client.post("/login", data={"username": "liming", "password": password})
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/account/password"
    assert client.get("/elders/").headers["Location"] == "/account/password"
    page = client.get("/account/password").get_data(as_text=True)
    assert "一次性密码" in page
    response = client.post(
        "/account/password",
        data={"old_password": password, "new_password": "mine-from-now-on",
              "new_password2": "mine-from-now-on"},
    )  # fmt: skip
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert not _user("liming").must_change_password


def test_the_name_is_required_and_bad_input_is_kept(areas, make_user, login_as, client):
    login_as(make_user("district", "district"))
    counts = row_counts()
    response = client.post(
        "/users/new",
        data={"full_name": " ", "username": "li ming", "phone": "abc", "role": "village",
              "area_id": areas["muer"].id},
    )  # fmt: skip
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="li ming"' in page
    assert row_counts() == counts
    response = client.post(
        "/users/new",
        data={"full_name": "李明", "username": "liming", "role": "village",
              "area_id": areas["muer"].id},
    )  # fmt: skip
    assert response.status_code == 400  # a village account cannot sit at a town
    assert _user("liming") is None


def test_town_manages_its_own_village_staff_and_workers_only(areas, make_user, login_as, client):
    town = make_user("town", "muer", username="muer1")
    other_town = make_user("town", "gulu", username="gulu1")
    mine = make_user("village", "jingang", username="jg1", full_name="金刚李")
    theirs = make_user("worker", "caoping", username="cp1", full_name="草坪赵")
    login_as(town)
    page = client.get("/users/").get_data(as_text=True)
    assert "金刚李" in page
    assert "草坪赵" not in page
    assert "gulu1" not in page
    assert f'href="/users/{town.id}"' not in page
    new_page = client.get("/users/new").get_data(as_text=True)
    assert "草坪村" not in new_page
    assert "古路镇" not in new_page
    assert 'value="town"' not in new_page
    assert 'value="district"' not in new_page
    assert client.get(f"/users/{mine.id}").status_code == 200

    counts = row_counts(except_audit=True)
    before = denials()
    for target in (theirs, other_town, town):
        assert client.get(f"/users/{target.id}").status_code == 404
        for action in ("disable", "enable", "reset-password", "reset-totp"):
            assert client.post(f"/users/{target.id}/{action}").status_code == 404
        response = client.post(
            f"/users/{target.id}/edit",
            data={"edit-full_name": "x", "edit-role": "worker",
                  "edit-area_id": areas["jingang"].id},
        )  # fmt: skip
        assert response.status_code == 404
    assert denials() >= before + 3
    # No district or town rights, no area outside the town, for a new account or an old one.
    for role, area in (("town", "muer"), ("district", "district"), ("village", "caoping")):
        response = client.post(
            "/users/new",
            data={"full_name": "冒名", "username": f"x{role}", "role": role,
                  "area_id": areas[area].id},
        )  # fmt: skip
        assert response.status_code in (400, 404)
        response = client.post(
            f"/users/{mine.id}/edit",
            data={"edit-full_name": "金刚李", "edit-role": role, "edit-area_id": areas[area].id},
        )  # fmt: skip
        assert response.status_code in (400, 404)
    assert row_counts(except_audit=True) == counts
    assert _user("jg1").role == Role.VILLAGE


def test_the_services_refuse_raising_rights_even_without_the_forms(areas, make_user):
    import pytest

    from caseman.errors import DomainError
    from caseman.users.services import create_account, update_account

    town = make_user("town", "muer")
    village = make_user("village", "jingang")
    with pytest.raises(DomainError):
        create_account(town, "t2", "某", "", Role.TOWN, areas["muer"])
    with pytest.raises(DomainError):
        create_account(town, "d2", "某", "", Role.DISTRICT, areas["district"])
    with pytest.raises(DomainError):
        create_account(town, "v2", "某", "", Role.VILLAGE, areas["caoping"])
    with pytest.raises(DomainError):
        update_account(town, village, "某", "", Role.TOWN, areas["muer"])
    db.session.rollback()


def test_edit_disable_enable_and_resets_are_audited(areas, make_user, login_as, client):
    admin = make_user("district", "district")
    worker = make_user("worker", "jingang", username="w1", full_name="王芳")
    login_as(admin)
    response = client.post(
        f"/users/{worker.id}/edit",
        data={"edit-full_name": "王芳芳", "edit-phone": "13900000000", "edit-role": "village",
              "edit-area_id": areas["baiyan"].id},
    )  # fmt: skip
    assert response.status_code == 302
    user = _user("w1")
    assert (user.full_name, user.phone, user.role, user.area_id) == (
        "王芳芳", "13900000000", Role.VILLAGE, areas["baiyan"].id)  # fmt: skip
    assert client.post(f"/users/{worker.id}/disable").status_code == 302
    assert not _user("w1").is_active_user
    assert client.post(f"/users/{worker.id}/enable").status_code == 302
    assert _user("w1").is_active_user
    page = client.post(f"/users/{worker.id}/reset-password").get_data(as_text=True)
    new_password = _one_time_password(page)
    assert _user("w1").must_change_password
    assert _actions(user) == ["user_update", "user_disabled", "user_enabled", "password_reset"]
    client.post("/logout")
    assert client.post("/login", data={"username": "w1", "password": PASSWORD}).status_code == 401
    assert (
        client.post("/login", data={"username": "w1", "password": new_password}).status_code == 302
    )


def test_reset_second_factor(make_user, login_as, client):
    admin = make_user("district", "district")
    town = make_user("town", "muer", username="muer1")
    login_as(admin)
    assert client.post(f"/users/{town.id}/reset-totp").status_code == 302
    user = _user("muer1")
    assert user.totp_secret is None
    assert not user.has_totp
    assert "totp_reset" in _actions(user)
    page = client.get(f"/users/{town.id}").get_data(as_text=True)
    assert f'action="/users/{town.id}/reset-totp"' not in page


def test_a_disabled_users_existing_session_is_refused_at_its_next_request(app, make_user, login_as):
    admin = make_user("district", "district")
    worker = make_user("worker", "jingang", username="w1")
    worker_client = app.test_client()
    log_in(worker_client, worker)
    assert worker_client.get("/elders/").status_code == 200
    login_as(admin).post(f"/users/{worker.id}/disable")
    response = worker_client.get("/elders/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert (
        worker_client.post("/login", data={"username": "w1", "password": PASSWORD}).status_code
        == 401
    )


def test_nobody_disables_themselves_and_others_get_404(make_user, login_as, client):
    admin = make_user("district", "district")
    login_as(admin)
    response = client.post(f"/users/{admin.id}/disable")
    assert response.status_code == 400
    assert _user(admin.username).is_active_user
    village = make_user("village", "jingang", username="v1")
    worker = make_user("worker", "jingang", username="w1")
    client.post("/logout")
    for user in (village, worker):
        log_in(client, user)
        assert client.get("/users/").status_code == 404
        client.post("/logout")


def test_a_new_role_or_area_ends_the_users_sessions(app, areas, make_user, login_as):
    admin = make_user("district", "district")
    worker = make_user("worker", "jingang", username="w1")
    worker_client = app.test_client()
    log_in(worker_client, worker)
    login_as(admin).post(
        f"/users/{worker.id}/edit",
        data={"edit-full_name": "王芳", "edit-phone": "", "edit-role": "worker",
              "edit-area_id": areas["baiyan"].id},
    )  # fmt: skip
    assert _user("w1").area_id == areas["baiyan"].id
    assert worker_client.get("/elders/").headers["Location"].startswith("/login")


def test_a_name_only_edit_keeps_the_session(app, areas, make_user, login_as):
    admin = make_user("district", "district")
    worker = make_user("worker", "jingang", username="w1")
    worker_client = app.test_client()
    log_in(worker_client, worker)
    login_as(admin).post(
        f"/users/{worker.id}/edit",
        data={"edit-full_name": "王芳", "edit-phone": "", "edit-role": "worker",
              "edit-area_id": areas["jingang"].id},
    )  # fmt: skip
    assert _user("w1").full_name == "王芳"
    assert worker_client.get("/elders/").status_code == 200


def test_one_time_passwords_pass_the_policy_and_differ():
    from caseman.auth.passwords import password_problem
    from caseman.users.services import one_time_password

    passwords = {one_time_password("li") for _ in range(50)}
    assert len(passwords) == 50
    assert all(password_problem(p, "li") is None and len(p) == 14 for p in passwords)
