"""Issue 21: a search is planned for the text typed, never with a generic plan.

psycopg prepares a statement on the server at its fifth run; from about the tenth PostgreSQL may
keep a generic plan for any values. For the search by two characters at 100,000 elders that plan
took 2–3 s where the plan for the text takes 1 ms (scripts/bench_scale.py, 20 runs a query).
Other statements keep the generic plans that save their planning time."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from caseman.extensions import db
from caseman.search.elder_list import ElderFilters, list_elders


def _plans(pattern: str) -> tuple[int, int]:
    rows = db.session.execute(
        sa.text("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                "WHERE statement LIKE :pattern"),
        {"pattern": pattern},
    ).all()  # fmt: skip
    return sum(g for g, _c in rows), sum(c for _g, c in rows)


@pytest.fixture
def postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite plans every statement as it runs")


def test_a_search_run_many_times_is_planned_for_its_text_each_time(
    postgresql, make_user, make_elder
):
    user = make_user("town", "muer")
    make_elder(name="付英")
    db.session.commit()
    for _ in range(15):  # one request's transaction each
        page = list_elders(user, ElderFilters(q="付英"), 1, 20)
        assert [elder.name for elder in page.items] == ["付英"]
        db.session.commit()
    generic, custom = _plans("SELECT%FROM search_keys%")
    assert custom >= 10, "the search statement was prepared on the server and run"
    assert generic == 0


def test_other_statements_keep_their_generic_plans(postgresql):
    query = sa.text("SELECT count(*) FROM areas WHERE id = ANY(:ids) AND name <> :name")
    for k in range(15):
        db.session.scalar(query, {"ids": [k, k + 1], "name": f"x{k}"})
        db.session.commit()
    generic, _custom = _plans("%FROM areas WHERE id = ANY%")
    assert generic > 0
