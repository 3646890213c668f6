"""A town's choose-a-village table is added up from the kept per-area figures
(caseman.area_figures) instead of listing the town's 8,000 elders (issue 21 goal 2): the
same numbers as counting the listed rows, and never stale after a write."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from caseman.area_figures import due_counts
from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.elders.services import archive_elder
from caseman.extensions import db
from caseman.rules.enums import ArchiveReason, Category, VisitMethod
from caseman.visits import views
from caseman.visits.queries import list_due
from tests.conftest import TODAY

LONG_AGO = TODAY - timedelta(days=75)
HIGH_RISK = {"ability_level": "moderate",
             "categories": {Category.LIVING_ALONE, Category.DISABLED_CARE}}  # fmt: skip


def _listed(user: User, area: Area | None, state: str) -> tuple[Any, ...]:
    """The due list counted as before: every listed row, counted by village."""
    result = list_due(user, TODAY, area_id=area.id if area else None,
                      states=views.STATE_FILTERS[state])  # fmt: skip
    villages = views._counts_by(result.groups, lambda g: g.village)
    towns = views._counts_by(result.groups, views._town_of)
    return ([(v.id if v else None, c) for v, c in villages.items()],
            [(t.id if t else None, c) for t, c in towns.items()], result.counts,
            result.weekly_due)  # fmt: skip


def _kept(user: User, area: Area | None, state: str) -> tuple[Any, ...]:
    kept = due_counts(user, TODAY, area, views.STATE_FILTERS[state])
    assert kept is not None
    villages = [(v.id if v else None, c) for v, c in kept.villages.items()]
    towns = [(t.id if t else None, c) for t, c in views._towns_of(kept.villages).items()]
    return villages, towns, kept.counts, kept.weekly_due


def _same(users: list[tuple[User, Area | None]]) -> None:
    for user, area in users:
        for state in views.STATE_FILTERS:
            assert _kept(user, area, state) == _listed(user, area, state), (user, area, state)


@pytest.fixture
def town_elders(
    app: Any, make_elder: Callable[..., Elder], add_visit: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Elder]:  # fmt: skip
    """Elders of 木耳镇 (金刚村, its 一组, 白岩村) and 古路镇 in every state."""
    monkeypatch.setitem(app.config, "CASEMAN_HIGH_RISK_VISIT_DAYS", 1)
    elders = {
        "overdue": make_elder(name="张秀英", filed_on=LONG_AGO),
        "overdue_key": make_elder(
            area="baiyan", name="李桂兰", filed_on=LONG_AGO, is_key=True, key_override_reason="测试"
        ),  # fmt: skip
        "due": make_elder(area="jingang1", name="赵德明", filed_on=TODAY),
        "done": make_elder(area="jingang1", name="钱古路", filed_on=LONG_AGO),
        "phoned": make_elder(area="baiyan", name="孙大妹", filed_on=LONG_AGO),
        "high_never": make_elder(area="baiyan", name="周长寿", filed_on=LONG_AGO, **HIGH_RISK),
        "high_today": make_elder(name="吴福", filed_on=LONG_AGO, **HIGH_RISK),
        "high_earlier": make_elder(name="郑安", filed_on=LONG_AGO, **HIGH_RISK),
        "archived": make_elder(name="王归档", filed_on=LONG_AGO),
        "gulu": make_elder(area="caoping", name="冯草坪", filed_on=LONG_AGO),
    }
    add_visit(elders["done"], TODAY)
    add_visit(elders["phoned"], TODAY, method=VisitMethod.PHONE)
    add_visit(elders["high_today"], TODAY)
    # Visited this period but not since yesterday: done, yet the weekly visit is due (listed
    # beside the overdue and due). Not on the first day of a period, which has no earlier day.
    start = date(TODAY.year, TODAY.month, 16 if TODAY.day > 16 else 1)
    if start < TODAY:
        add_visit(elders["high_earlier"], start)
    archived = elders["archived"]
    archive_elder(_registrar(), archived, ArchiveReason.OTHER, TODAY, "测试", TODAY,
                  archived.version)  # fmt: skip
    db.session.commit()
    return elders


def _registrar() -> User:
    return db.session.scalar(db.select(User).where(User.username == "registrar"))


def test_the_kept_counts_equal_the_listed_rows_counted(
    town_elders: dict[str, Elder], make_user: Callable[..., User], areas: dict[str, Area]
) -> None:
    town = make_user("town", "muer", username="due_town")
    district = make_user("district", "district", username="due_district")
    users = [(town, None), (district, None), (district, areas["muer"]), (town, areas["muer"])]
    _same(users)
    villages, _towns, _counts, weekly_due = _kept(town, None, "")
    assert [v for v, _c in villages] == [areas["jingang"].id, areas["baiyan"].id]
    assert weekly_due >= 2  # both high-risk elders never or not lately visited
    # A write counts at once.
    archive_elder(_registrar(), town_elders["overdue"], ArchiveReason.OTHER, TODAY, "测试",
                  TODAY, town_elders["overdue"].version)  # fmt: skip
    db.session.commit()
    _same(users)


def test_a_visit_or_an_archive_changes_the_table_at_once(
    town_elders: dict[str, Elder], make_user: Callable[..., User], login_as: Any, client: Any,
    areas: dict[str, Area], add_visit: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(views, "DUE_ROWS_AT_ONCE", 1)
    login_as(make_user("town", "muer", username="due_town"))

    def table() -> dict[int, list[int]]:
        def no_list(*_args: Any, **_kwargs: Any) -> None:
            raise AssertionError("the town's elders were listed to count them")

        monkeypatch.setattr(views, "list_due", no_list)
        html = client.get("/visits/due").get_data(as_text=True)
        monkeypatch.setattr(views, "list_due", list_due)
        assert "请选择村（社区）" in html
        found = re.findall(r"village=(\d+)\">[^<]*</a></td>\s*<td[^>]*>(\d+)</td>\s*"
                           r"<td[^>]*>(\d+)</td>", html)  # fmt: skip
        return {int(v): [int(rows), int(overdue)] for v, rows, overdue in found}

    jingang, baiyan = areas["jingang"].id, areas["baiyan"].id
    before = table()
    assert before[baiyan] == [3, 3]  # 李桂兰, 孙大妹 (a call does not count), 周长寿

    add_visit(town_elders["phoned"], TODAY)
    assert table()[baiyan] == [2, 2]

    archive_elder(_registrar(), town_elders["overdue"], ArchiveReason.OTHER, TODAY, "测试",
                  TODAY, town_elders["overdue"].version)  # fmt: skip
    db.session.commit()
    assert table()[jingang] == [before[jingang][0] - 1, before[jingang][1] - 1]

    # A filter the kept figures do not hold lists the rows as before.
    html = client.get("/visits/due?key=key").get_data(as_text=True)
    assert "请选择村（社区）" in html or "李桂兰" in html
    chosen = client.get(f"/visits/due?village={baiyan}").get_data(as_text=True)
    assert "李桂兰" in chosen
    assert "孙大妹" not in chosen
