"""Issue 21 goal 3: the scope of every child class of an elder rides on one loader-criteria option
(caseman.scope._ElderRecords), not one per class: each class still gets its EXISTS on the elder,
for a town user, in plain selects, counts and lazy loads alike."""

from __future__ import annotations

import sqlalchemy as sa
from flask_login import login_user
from sqlalchemy import event

from caseman import scope
from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.extensions import db


def test_every_scoped_child_class_is_filtered_by_its_elders_scope(app, areas, make_user):
    town_id = make_user("town", "muer").id
    db.session.expunge_all()
    assert len(scope.SCOPED_CHILDREN) >= 18
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args):  # noqa: ANN001 - the event's signature
        statements.append(statement)

    with app.test_request_context("/"):
        login_user(db.session.get(User, town_id))
        db.session.scalars(sa.select(Elder).limit(1)).all()  # the user's areas, looked up once
        event.listen(db.engine, "before_cursor_execute", remember)
        try:
            for child in scope.SCOPED_CHILDREN:
                statements.clear()
                db.session.scalars(sa.select(child).limit(1)).all()
                db.session.scalar(sa.select(sa.func.count()).select_from(child))
                assert len(statements) == 2, child
                for statement in statements:
                    assert "EXISTS" in statement, (child, statement)
                    assert "scope_elders" in statement, (child, statement)
                    assert "residence_area_id IN" in statement, (child, statement)
            statements.clear()
            db.session.scalars(sa.select(Elder).limit(1)).all()
            assert "residence_area_id IN" in statements[0]
            assert "scope_elders" not in statements[0]  # the elders themselves: plain criteria
        finally:
            event.remove(db.engine, "before_cursor_execute", remember)


def test_the_scope_is_two_options_whatever_the_number_of_child_classes(app, areas, make_user):
    town_id = make_user("town", "muer").id
    with app.test_request_context("/"):
        login_user(db.session.get(User, town_id))
        options = scope._options_for(db.session.get(User, town_id))
    assert len(options) == 2
