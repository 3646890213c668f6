"""Issue 17 item 5: a past month counts an elder in the area where they lived then.

Moving a case rewrote past visit rates (金刚村's October went from 35/39 to 34/38). The rule
(caseman.elders.models.ElderMove, caseman.visits.queries): for a period, an elder counts in the
area where they lived on the period's last day (004 一(一) 月探访率: elders visited in the month
over the elders active in it).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from caseman.elders.models import ElderMove
from caseman.elders.services import Registration, update_elder
from caseman.extensions import db
from caseman.rules.enums import Category
from caseman.rules.visit_periods import month_period
from caseman.visits.queries import dashboard, rate_counts
from tests.conftest import registration_values

FILED = date(2024, 1, 10)
OCTOBER = month_period(2024, 10)
NOVEMBER = month_period(2024, 11)
GENERAL = {"is_key": False, "key_override_reason": "子女每天来看望"}


def village_rate(user, period, area) -> tuple[int, int]:
    counts = rate_counts(user, period)
    visited = sum(v for (a, _k), (v, _n) in counts.items() if a == area.id)
    active = sum(n for (a, _k), (_v, n) in counts.items() if a == area.id)
    return visited, active


def move(actor, elder, area, on: date) -> None:
    values = registration_values(
        area, id_number=elder.id_number, filed_on=elder.filed_on, **GENERAL
    )
    reg = Registration(values, [], {Category.LIVING_ALONE})
    update_elder(actor, elder, reg, on, elder.version)
    db.session.commit()


@pytest.fixture
def scene(areas, make_elder, make_user, add_visit):
    stay_visited = make_elder(filed_on=FILED, **GENERAL)
    add_visit(stay_visited, date(2024, 10, 8), today=date(2024, 10, 8))
    make_elder(filed_on=FILED, **GENERAL)  # stays, never visited
    leaves = make_elder(filed_on=FILED, **GENERAL)
    add_visit(leaves, date(2024, 10, 9), today=date(2024, 10, 9))
    comes = make_elder(area="caoping", filed_on=FILED, **GENERAL)  # not visited in October
    district = make_user("district", "district")
    return {"leaves": leaves, "comes": comes, "district": district}


def test_october_rate_of_a_village_is_unchanged_after_an_elder_moves_in_november(
    areas, make_user, scene
):
    district = scene["district"]
    muer = make_user("town", "muer")
    gulu = make_user("town", "gulu")
    before = {
        "jingang": village_rate(district, OCTOBER, areas["jingang"]),
        "caoping": village_rate(district, OCTOBER, areas["caoping"]),
        "jingang_town": village_rate(muer, OCTOBER, areas["jingang"]),
        "caoping_town": village_rate(gulu, OCTOBER, areas["caoping"]),
    }
    assert before == {
        "jingang": (2, 3), "caoping": (0, 1), "jingang_town": (2, 3), "caoping_town": (0, 1)
    }  # fmt: skip

    move(district, scene["leaves"], areas["caoping"], date(2024, 11, 5))
    move(district, scene["comes"], areas["jingang"], date(2024, 11, 6))

    assert village_rate(district, OCTOBER, areas["jingang"]) == (2, 3)
    assert village_rate(district, OCTOBER, areas["caoping"]) == (0, 1)
    # Each town still sees its own October, though the elder now lives in the other town …
    assert village_rate(muer, OCTOBER, areas["jingang"]) == (2, 3)
    assert village_rate(gulu, OCTOBER, areas["caoping"]) == (0, 1)
    # … and never the other town's villages.
    assert village_rate(muer, OCTOBER, areas["caoping"]) == (0, 0)
    assert village_rate(gulu, OCTOBER, areas["jingang"]) == (0, 0)
    # November: where they lived on 30 November.
    assert village_rate(district, NOVEMBER, areas["jingang"]) == (0, 3)
    assert village_rate(district, NOVEMBER, areas["caoping"]) == (0, 1)


def test_a_move_is_recorded_with_its_date_and_both_areas(areas, scene):
    move(scene["district"], scene["leaves"], areas["caoping"], date(2024, 11, 5))
    (row,) = db.session.scalars(select(ElderMove)).all()
    assert row.elder_id == scene["leaves"].id
    assert row.moved_on == date(2024, 11, 5)
    assert (row.from_area_id, row.to_area_id) == (areas["jingang"].id, areas["caoping"].id)


def test_the_old_towns_dashboard_keeps_october_but_no_longer_lists_the_elder(
    areas, make_user, scene
):
    muer = make_user("town", "muer")
    move(scene["district"], scene["leaves"], areas["caoping"], date(2024, 11, 5))
    board = dashboard(muer, date(2024, 11, 20))
    october = dict((p.start, r) for p, r in board.trend)[OCTOBER.start]
    assert (october.visited, october.active) == (2, 3)
    assert (board.total.visited, board.total.active) == (0, 2)  # November: two live here
    assert board.overdue + board.due + board.done == 2
