"""Migration 0014 gives the areas already there their kind (镇/街道, 村/社区), all open."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from caseman.extensions import db
from tests.test_migrations import _empty_database


def test_existing_areas_get_their_kind(app):
    db.session.remove()
    _empty_database()
    try:
        upgrade(revision="0013")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO areas (id, name, level, code, parent_id, path) VALUES "
                    "(1, '渝北区', 'district', '500112', NULL, '/1/'),"
                    "(2, '木耳镇', 'town', '', 1, '/1/2/'),"
                    "(3, '王家街道', 'town', '', 1, '/1/3/'),"
                    "(4, '金刚村', 'village', '', 2, '/1/2/4/'),"
                    "(5, '回兴社区', 'village', '', 3, '/1/3/5/'),"
                    "(6, '一组', 'group', '', 4, '/1/2/4/6/')"
                )
            )
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT name, kind, closed_on, closed_reason FROM areas ORDER BY id")
            ).all()
        assert [tuple(row) for row in rows] == [
            ("渝北区", "district", None, ""),
            ("木耳镇", "town", None, ""),
            ("王家街道", "street", None, ""),
            ("金刚村", "village", None, ""),
            ("回兴社区", "community", None, ""),
            ("一组", "group", None, ""),
        ]
        downgrade(revision="0013")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("areas")}
        assert "kind" not in columns
        assert "closed_on" not in columns
    finally:
        _empty_database()
        db.create_all()
