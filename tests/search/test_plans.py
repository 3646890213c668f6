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


def test_a_search_page_counts_every_match_in_the_same_statement(app, make_user, make_elder):
    """Issue 21: the search's count comes with its page (one run of the text search); the total
    is still every match, on the first page, the last and one past the end."""
    user = make_user("town", "muer")
    for name in ("付英", "付英兰", "付英华"):
        make_elder(name=name)
    make_elder(name="王秀英")
    db.session.commit()
    pages = [list_elders(user, ElderFilters(q="付英"), k, 2) for k in (1, 2, 3)]
    assert [page.total for page in pages] == [3, 3, 3]
    assert [len(page.items) for page in pages] == [2, 1, 0]
    assert pages[0].items[0].name == "付英"  # the whole name typed ranks first
    assert {e.name for p in pages for e in p.items} == {"付英", "付英兰", "付英华"}
    assert list_elders(user, ElderFilters(q="付英xyz"), 1, 2).total == 0
    everyone = list_elders(user, ElderFilters(), 1, 2)
    assert (everyone.total, len(everyone.items)) == (4, 2)


def test_postgresql_knows_the_bigram_function_is_dear(postgresql):
    """Issue 21 goal 4: told its real cost, PostgreSQL asks the GIN index over caseman_bigrams
    rather than run it on a town's every record (1 s for a two-character search above 250,000
    elders; 70 ms with the cost). Both ways of making the schema set it."""
    from caseman.search.models import BIGRAMS_COST

    cost = db.session.scalar(
        sa.text("SELECT procost FROM pg_proc WHERE proname = 'caseman_bigrams'")
    )
    assert cost == BIGRAMS_COST
