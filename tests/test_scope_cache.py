"""The scope's per-request cache (issue 6): the user's area ids are looked up once per request and
never carried into the next request, even when the application context outlives it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event

from caseman.areas.models import AreaLevel
from caseman.areas.services import create_area
from caseman.extensions import db


def test_area_ids_looked_up_once_per_request_and_fresh_for_the_next(
    client, areas, make_user, make_elder, login_as
):
    town = make_user("town", "muer")
    elder = make_elder(area="jingang")
    login_as(town)
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args):  # noqa: ANN001 - the event's signature
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        assert client.get(f"/elders/{elder.id}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    # LIKE on SQLite, a range of pattern operators on PostgreSQL (caseman.scope.under_path)
    subtree_lookups = [s for s in statements if "FROM areas" in s and ("LIKE" in s or "~>=~" in s)]
    assert len(subtree_lookups) == 1
    assert not any(
        ("areas.path LIKE" in s or "areas.path ~>=~" in s) and "elders" in s for s in statements
    )

    # A village added after that request: its elder is in the town's scope on the next request.
    village = create_area("新村", AreaLevel.VILLAGE, areas["muer"])
    db.session.commit()
    areas["xincun"] = village
    newcomer = make_elder(area="xincun", name="新来人")
    assert client.get(f"/elders/{newcomer.id}").status_code == 200
    listed = client.get("/elders/").get_data(as_text=True)
    assert "新来人" in listed


def test_worker_scope_still_follows_assignments(client, areas, make_user, make_elder, login_as):
    from caseman.elders.models import ElderAssignment

    worker = make_user("worker", "muer")  # a worker bound to a town sees only assigned elders
    assigned = make_elder(area="caoping", name="指派人")
    make_elder(area="jingang", name="未指派")
    db.session.add(ElderAssignment(elder_id=assigned.id, user_id=worker.id))
    db.session.commit()
    login_as(worker)
    listed = client.get("/elders/").get_data(as_text=True)
    assert "指派人" in listed
    assert "未指派" not in listed
    assert db.session.scalar(sa.select(sa.func.count(ElderAssignment.id))) == 1


def test_lambda_criteria_take_each_users_own_areas(app, areas, make_user, make_elder):
    """The scope's loader criteria are lambdas, cached by SQLAlchemy by their code: the same
    statement run for two users of different towns, in turn, binds each user's own area ids."""
    from flask_login import login_user

    from caseman.auth.models import User
    from caseman.elders.models import Elder, ElderVersion

    users = {"muer": make_user("town", "muer").id, "gulu": make_user("town", "gulu").id}
    own = {
        "muer": make_elder(area="jingang", name="木耳人"),
        "gulu": make_elder(area="caoping", name="古路人"),
    }
    own_ids = {town: elder.id for town, elder in own.items()}
    db.session.expunge_all()
    for town in ("muer", "gulu", "muer", "gulu"):
        with app.test_request_context("/"):
            login_user(db.session.get(User, users[town]))
            names = db.session.scalars(sa.select(Elder.name)).all()
            versions = db.session.scalars(sa.select(ElderVersion.elder_id)).all()
            joined = db.session.scalars(
                sa.select(ElderVersion.elder_id).join(Elder, Elder.id == ElderVersion.elder_id)
            ).all()
        assert names == [{"muer": "木耳人", "gulu": "古路人"}[town]]
        assert set(versions) == {own_ids[town]}
        assert set(joined) == {own_ids[town]}
