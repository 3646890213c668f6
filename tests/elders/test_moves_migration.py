"""Migration 0019 finds the past moves of elders in their saved versions (issue 17 item 5)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from caseman.extensions import db
from tests.test_migrations import _empty_database
from tests.visitors.test_migration import _insert


def test_moves_are_backfilled_from_the_versions(app):
    db.session.remove()
    _empty_database()
    try:
        upgrade(revision="0020")
        with db.engine.begin() as connection:
            town = _insert(
                connection, "areas", name="渝北区", level="district", kind="district", path="/1/"
            )
            a = _insert(
                connection, "areas", name="金刚村", level="village", kind="village", path="/1/2/"
            )
            b = _insert(
                connection, "areas", name="草坪村", level="village", kind="village", path="/1/3/"
            )
            elder = _insert(connection, "elders", name="老人", id_number="500112194403050207",
                            gender="female", ability_level="intact",
                            residence_area_id=b, filed_on=date(2024, 3, 1))  # fmt: skip
            other = _insert(connection, "elders", name="老人二", id_number="500112194403050215",
                            gender="male", ability_level="intact",
                            residence_area_id=a, filed_on=date(2024, 3, 1))  # fmt: skip
            versions = [
                (elder, 1, a, datetime(2024, 3, 1, 2)),
                (elder, 2, a, datetime(2024, 6, 1, 2)),
                # 20:30 UTC on 4 November is 5 November in Beijing.
                (elder, 3, b, datetime(2024, 11, 4, 20, 30)),
                (other, 1, a, datetime(2024, 3, 1, 2)),
            ]
            for elder_id, number, area, at in versions:
                _insert(connection, "elder_versions", elder_id=elder_id, number=number,
                        kind="edited", snapshot={"residence_area_id": area},
                        created_at=at)  # fmt: skip
        upgrade(revision="0021")
        with db.engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT elder_id, moved_on, from_area_id, to_area_id FROM elder_moves")
            ).all()
        assert len(rows) == 1
        assert (rows[0][0], str(rows[0][1])[:10], rows[0][2:]) == (elder, "2024-11-05", (a, b))
        assert town
        downgrade(revision="0016")
    finally:
        _empty_database()
        db.create_all()
