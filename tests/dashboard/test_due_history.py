"""The due list reads its elders' missed periods only when a row shows them (issue 21 goal 2:
a town's list above DUE_ROWS_AT_ONCE rows shows each village's counts, not the rows)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.visits import queries, views
from caseman.visits.models import Visit
from caseman.visits.queries import HISTORY_MONTHS, half_months, list_due, months_back
from tests.conftest import TODAY


def test_the_lazy_history_equals_the_history_read_at_once(
    make_elder: Callable[..., Elder], make_user: Callable[..., User],
    add_visit: Callable[..., Visit],
) -> None:  # fmt: skip
    elders = [
        make_elder(name=f"老人{n}", filed_on=TODAY - timedelta(days=80 + 20 * n)) for n in range(4)
    ]
    add_visit(elders[0], TODAY - timedelta(days=50))
    add_visit(elders[1], TODAY - timedelta(days=20))
    add_visit(elders[2], TODAY - timedelta(days=5))
    town = make_user("town", "muer")
    result = list_due(town, TODAY)
    rows = [row for group in result.groups for row in group.rows]
    assert rows
    window = tuple(half_months(months_back(TODAY, HISTORY_MONTHS)))
    start = min(h.start for h in window)
    dates = queries._home_visit_dates([e.id for e in elders], start, TODAY)
    statuses = {row.id: row for row, _s in queries.schedule_statuses(town, TODAY)}
    for row in rows:
        expected = queries._missed(statuses[row.elder_id], dates.get(row.elder_id, ()), window,
                                   TODAY)  # fmt: skip
        assert tuple(row.missed) == expected
        assert bool(row.missed) == bool(expected)
        assert row.missed == expected
    assert any(row.missed for row in rows)  # the test compares something


def test_a_town_choosing_a_village_reads_no_history(
    make_elder: Callable[..., Elder], make_user: Callable[..., User], login_as: Any,
    client: Any, monkeypatch: Any,
) -> None:  # fmt: skip
    monkeypatch.setattr(views, "DUE_ROWS_AT_ONCE", 1)
    for n in range(3):
        make_elder(name=f"老人{n}", filed_on=TODAY - timedelta(days=75))
    reads: list[int] = []
    original = queries._home_visit_dates
    monkeypatch.setattr(queries, "_home_visit_dates",
                        lambda ids, *a: reads.append(len(ids)) or original(ids, *a))  # fmt: skip
    login_as(make_user("town", "muer"))
    html = client.get("/visits/due").get_data(as_text=True)
    assert "请选择村（社区）" in html
    assert reads == []
    monkeypatch.setattr(views, "DUE_ROWS_AT_ONCE", 300)
    assert "老人0" in client.get("/visits/due").get_data(as_text=True)
    assert reads == [3]  # the rows shown: their history read once, for all of them
