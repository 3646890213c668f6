"""The home page's kept per-area figures (caseman.area_figures, issue 21 goal 2): never
stale. After every write through the services they equal a recount from scratch, and the
figures a user sees equal the dashboard counted directly for their scope."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from caseman import area_figures as summary
from caseman.area_figures import AreaSummary, counted_home_figures, home_figures
from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.elders.services import Registration, archive_elder, restore_elder, update_elder
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.rules.enums import ArchiveReason, Category, VisitMethod
from caseman.visits.models import Visit
from caseman.visits.queries import AreaSet
from caseman.visits.services import new_submission_key, record_visit, void_record
from tests.conftest import TODAY, registration_values
from tests.visits.conftest import visit_values

VILLAGES = ("jingang", "baiyan", "caoping", "jingang1")


def _kept_equals_recount(user: User, today: date) -> None:
    """The kept rows (brought up to date as a page would) equal a recount, area by area, and
    the user's figures equal the directly counted ones."""
    kept = summary.kept_figures(user, today)
    counted = summary.recount(AreaSet(None), today)
    for area_id, figures in kept.items():
        assert figures == counted.get(area_id, summary._empty()), area_id
    assert set(kept) == set(summary._area_ids(user))  # every area of the user's, no other
    db.session.expire_all()
    assert home_figures(user, today) == counted_home_figures(user, today)


def _registration(elder: Elder, areas: dict[str, Area], **changes: Any) -> Registration:
    area = changes.pop("area", None) or elder.residence_area
    categories = changes.pop("categories", None) or set(elder.categories)
    values = registration_values(
        area, name=elder.name, id_number=elder.id_number, filed_on=elder.filed_on,
        is_key=changes.pop("is_key", elder.is_key), key_override_reason="测试",
        category_override_reason="测试", **changes,
    )  # fmt: skip
    return Registration(values=values, members=[], categories=categories)


@pytest.fixture
def district(make_user: Callable[..., User]) -> User:
    return make_user("district", "district", username="summary_district")


def test_kept_figures_equal_a_recount_after_random_writes(
    areas: dict[str, Area], district: User, make_user: Callable[..., User],
    make_elder: Callable[..., Elder],
) -> None:  # fmt: skip
    town = make_user("town", "muer", username="summary_town")
    rng = random.Random(21)
    serial = iter(range(100, 1000))
    elders = [make_elder(area, name=f"老人{n}", filed_on=TODAY - timedelta(days=200))
              for n, area in enumerate(VILLAGES)]  # fmt: skip
    _kept_equals_recount(district, TODAY)
    done: Counter[str] = Counter()
    for _step in range(60):
        kind = rng.choice(
            ["register", "visit", "visit", "void", "archive", "restore", "restore", "move",
             "category", "key"]
        )  # fmt: skip
        for elder in elders:
            db.session.refresh(elder)
        archived = [e for e in elders if e.archived_on is not None]
        active = [e for e in elders if e.archived_on is None]
        if kind == "restore" and archived:
            elder = rng.choice(archived)
        else:
            elder = rng.choice(active if kind != "restore" else elders)
        try:
            if kind == "register":
                from caseman.rules.enums import Gender
                from tests.conftest import make_id_number

                number = make_id_number("500112", date(TODAY.year - 80, 1, 2), next(serial),
                                        Gender.FEMALE)  # fmt: skip
                filed_on = TODAY - timedelta(days=rng.randint(0, 90))
                name = f"新老人{len(elders)}"
                elders.append(make_elder(rng.choice(VILLAGES), id_number=number, name=name,
                                         filed_on=filed_on))  # fmt: skip
            elif kind == "visit":
                day = TODAY - timedelta(days=rng.randint(0, 70))
                method = rng.choice([VisitMethod.HOME, VisitMethod.HOME, VisitMethod.PHONE])
                record_visit(district, elder, visit_values(visited_on=day, method=method),
                             new_submission_key(), TODAY)  # fmt: skip
            elif kind == "void":
                visit = db.session.scalar(
                    select(Visit).where(Visit.voided_at.is_(None)).order_by(Visit.id.desc())
                )
                if visit is None:
                    continue
                void_record(district, visit, "录错了", visit.version)
            elif kind == "archive":
                archive_elder(district, elder, ArchiveReason.OTHER, TODAY, "测试", TODAY,
                              elder.version)  # fmt: skip
            elif kind == "restore":
                restore_elder(district, elder, "误归档", elder.version)
            elif kind == "move":
                here = elder.residence_area
                there = areas[rng.choice([v for v in VILLAGES if areas[v].id != here.id])]
                update_elder(district, elder, _registration(elder, areas, area=there), TODAY,
                             elder.version)  # fmt: skip
            elif kind == "category":
                categories = rng.choice(
                    [{Category.LIVING_ALONE}, {Category.LIVING_ALONE, Category.DISABLED_CARE},
                     {Category.DISABLED_CARE}]
                )  # fmt: skip
                update_elder(district, elder, _registration(elder, areas, categories=categories),
                             TODAY, elder.version)  # fmt: skip
            elif kind == "key":
                update_elder(district, elder, _registration(elder, areas, is_key=not elder.is_key),
                             TODAY, elder.version)  # fmt: skip
        except DomainError:
            db.session.rollback()
            continue
        db.session.commit()
        done[kind] += 1
        _kept_equals_recount(rng.choice([district, district, town]), TODAY)
    # Every kind of write happened at least once (else the test proves less than it says).
    assert set(done) >= {"visit", "void", "archive", "restore", "move", "category", "key"}, done


def test_yesterdays_rows_are_counted_again(
    areas: dict[str, Area], district: User, make_elder: Callable[..., Elder],
    add_visit: Callable[..., Visit],
) -> None:  # fmt: skip
    """Month end to the 1st: the rows counted yesterday are not shown today (the new month's
    rates, schedule and review dates differ), and the new day's figures equal a recount."""
    month_end = date(TODAY.year, TODAY.month, 1) - timedelta(days=1)
    elder = make_elder("jingang", filed_on=month_end - timedelta(days=300))
    add_visit(elder, month_end - timedelta(days=3), today=TODAY)
    _kept_equals_recount(district, month_end)
    kept = db.session.scalars(select(AreaSummary.computed_on)).all()
    assert set(kept) == {month_end}
    _kept_equals_recount(district, month_end + timedelta(days=1))
    assert set(db.session.scalars(select(AreaSummary.computed_on))) == {
        month_end + timedelta(days=1)
    }


def test_a_change_during_a_count_is_not_overwritten(
    areas: dict[str, Area], district: User, make_elder: Callable[..., Elder],
    add_visit: Callable[..., Visit],
) -> None:  # fmt: skip
    """Figures counted before a change committed are not stored over its mark (the version
    moved): the next page counts again and sees the change."""
    elder = make_elder("baiyan", filed_on=TODAY - timedelta(days=100))
    summary.kept_figures(district, TODAY)
    area_id = elder.residence_area_id
    version = db.session.get(AreaSummary, area_id).version
    stale_count = summary.recount(AreaSet(frozenset({area_id})), TODAY)[area_id]
    add_visit(elder, TODAY)  # bumps the version, clears the row
    summary._store({area_id: stale_count}, {area_id: version}, TODAY)
    db.session.expire_all()
    row = db.session.get(AreaSummary, area_id)
    assert row.data is None
    assert row.version == version + 1
    _kept_equals_recount(district, TODAY)


def test_a_town_user_sees_only_its_towns_figures(
    areas: dict[str, Area], district: User, make_user: Callable[..., User],
    make_elder: Callable[..., Elder], add_visit: Callable[..., Visit],
) -> None:  # fmt: skip
    muer = make_user("town", "muer", username="summary_muer")
    ours = make_elder("jingang", filed_on=TODAY - timedelta(days=100))
    theirs = make_elder("caoping", filed_on=TODAY - timedelta(days=100))
    add_visit(ours, TODAY)
    add_visit(theirs, TODAY)
    summary.kept_figures(district, TODAY)  # every area's row kept, the other town's too
    figures = home_figures(muer, TODAY)
    assert figures.total == 1
    assert [r.area.id for r in figures.visits.towns] == [areas["muer"].id]
    assert {r.area.id for r in figures.visits.villages} == {areas["jingang"].id}
    assert figures.visits.total.active == 1
    assert home_figures(district, TODAY).total == 2


def test_longest_without_review_matches_one_ordering(
    areas: dict[str, Area], district: User, make_elder: Callable[..., Elder]
) -> None:
    """The two index-ordered runs give the same 20 as ordering all by coalesce(review, filing)."""
    from caseman.rules.enums import Gender
    from tests.conftest import make_id_number

    rng = random.Random(5)
    for n in range(30):
        elder = make_elder(
            "jingang", name=f"甲{n % 7}", filed_on=TODAY - timedelta(days=rng.randint(150, 900)),
            id_number=make_id_number("500112", date(TODAY.year - 80, 1, 2), 200 + n, Gender.FEMALE),
        )  # fmt: skip
        if n % 3:
            elder.last_reviewed_on = TODAY - timedelta(days=rng.randint(100, 700))
    db.session.commit()
    everyone = db.session.scalars(select(Elder).where(Elder.archived_on.is_(None))).all()
    cutoff = TODAY - summary.REVIEW_INTERVAL
    due = [e for e in everyone if (e.last_reviewed_on or e.filed_on) <= cutoff]
    expected = sorted(due, key=lambda e: (e.last_reviewed_on or e.filed_on, e.name, e.id))
    found = summary.longest_without_review(district, TODAY)
    assert [(e.last_reviewed_on or e.filed_on, e.name) for e in found] == [
        (e.last_reviewed_on or e.filed_on, e.name) for e in expected[:20]
    ]


def test_the_home_page_shows_the_kept_figures(
    areas: dict[str, Area], district: User, make_elder: Callable[..., Elder],
    login_as: Callable[[User], Any], add_visit: Callable[..., Visit],
) -> None:  # fmt: skip
    elder = make_elder("jingang", filed_on=TODAY - timedelta(days=100))
    client = login_as(district)
    tile = re.compile(r"<strong>(\d+)</strong><span>在册老年人")
    assert tile.search(client.get("/").get_data(as_text=True)).group(1) == "1"
    from caseman.rules.enums import Gender
    from tests.conftest import make_id_number

    number = make_id_number("500112", date(TODAY.year - 80, 1, 2), 300, Gender.FEMALE)
    make_elder("caoping", id_number=number, name="王二", filed_on=TODAY - timedelta(days=10))
    assert tile.search(client.get("/").get_data(as_text=True)).group(1) == "2"
    assert db.session.scalar(
        select(AreaSummary.data).where(AreaSummary.area_id == elder.residence_area_id)
    )
    add_visit(elder, TODAY)
    db.session.expire_all()
    assert db.session.get(AreaSummary, elder.residence_area_id).data is None
    assert client.get("/").status_code == 200
    _kept_equals_recount(district, TODAY)


def test_the_command_counts_every_area_again(
    app: Any, areas: dict[str, Area], make_elder: Callable[..., Elder]
) -> None:
    make_elder("caoping", filed_on=TODAY - timedelta(days=100))
    result = app.test_cli_runner().invoke(args=["dashboard-summary"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(AreaSummary.data).where(
        AreaSummary.area_id == areas["caoping"].id))  # fmt: skip
    result = app.test_cli_runner().invoke(args=["dashboard-summary", "--check"])
    assert result.exit_code == 0, result.output
    assert "0 area(s) differ" in result.output
