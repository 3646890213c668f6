"""Migration 0016 keeps the assignments made before it as active ones (issue 16, item 5)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from caseman.extensions import db
from tests.test_migrations import _empty_database


def _insert(connection: sa.Connection, table_name: str, **values: object) -> int:
    """Insert a row into ``table_name`` as the schema stands now, with a plain value in every
    required column not given (the migrations before this one decide which those are)."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        if column.server_default is not None:
            continue
        kind = column.type
        if isinstance(kind, sa.DateTime):
            values[column.name] = datetime(2025, 1, 1)
        elif isinstance(kind, sa.Date):
            values[column.name] = date(2025, 1, 1)
        elif isinstance(kind, sa.Boolean):
            values[column.name] = False
        elif isinstance(kind, sa.Integer | sa.Numeric):
            values[column.name] = 0
        elif isinstance(kind, sa.JSON):
            values[column.name] = []
        else:
            values[column.name] = "x"
    result = connection.execute(table.insert().values(**values))
    return int(result.inserted_primary_key[0])


def test_existing_assignments_stay_active_from_the_filing_date(app):
    db.session.remove()
    _empty_database()
    try:
        upgrade(revision="0013")
        with db.engine.begin() as connection:
            area = _insert(connection, "areas", name="渝北区", level="district", path="/1/")
            user = _insert(connection, "users", username="w", role="worker", area_id=area)
            elder = _insert(connection, "elders", name="老人", id_number="500112194403050207",
                            gender="female", ability_level="intact",
                            residence_area_id=area, filed_on=date(2025, 3, 1))  # fmt: skip
            _insert(connection, "elder_assignments", elder_id=elder, user_id=user)
        upgrade(revision="0016")
        with db.engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT elder_id, user_id, started_on, started_by_id, ended_on, "
                    "end_reason FROM elder_assignments"
                )  # fmt: skip
            ).all()
        started = rows[0][2]
        assert len(rows) == 1
        assert rows[0][:2] == (elder, user)
        assert str(started)[:10] == "2025-03-01"
        assert rows[0][3:] == (None, None, "")
        downgrade(revision="0013")
        with db.engine.connect() as connection:
            count = connection.execute(sa.text("SELECT COUNT(*) FROM elder_assignments")).scalar()
        assert count == 1
    finally:
        _empty_database()
        db.create_all()
