"""``flask --app app search-reindex`` rebuilds the index from the data (after bulk loads)."""

from __future__ import annotations

import sqlalchemy as sa

from caseman.extensions import db
from caseman.search.elder_list import ElderFilters, list_elders
from caseman.search.models import SearchDocument, SearchKey


def test_reindex_restores_a_lost_index(app, cast, town_user, add_visit):
    add_visit(cast["wang"], needs_note="需要助浴服务")
    db.session.execute(sa.delete(SearchKey))
    db.session.execute(sa.delete(SearchDocument))
    db.session.commit()
    assert list_elders(town_user, ElderFilters(q="wangwu"), 1, 20).total == 0
    result = app.test_cli_runner().invoke(args=["search-reindex"])
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt" in result.output, result.output
    db.session.rollback()  # end the test's read transaction to see the command's commit
    assert [e.name for e in list_elders(town_user, ElderFilters(q="wangwu"), 1, 20).items] == [
        "王五"
    ]
    found = list_elders(town_user, ElderFilters(q="助浴服务"), 1, 20).items
    assert [e.name for e in found] == ["王五"]
