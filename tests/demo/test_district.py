"""The demo district of ``flask demo-data``: deterministic, complete and valid."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Flask

from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import Role, User
from caseman.auth.passwords import verify_password
from caseman.demo.district import DEFAULT_TODAY, DEMO_PASSWORD, load_demo
from caseman.elders.models import Elder, ElderAssignment, ElderCategory, ElderVersion
from caseman.elders.services import ELDER_FIELDS
from caseman.extensions import db
from caseman.rules.enums import AbilityLevel, ArchiveReason, Category
from caseman.rules.id_number import age_on, parse_id_number


def id_numbers() -> list[str]:
    return list(db.session.scalars(sa.select(Elder.id_number).order_by(Elder.id)))


def test_demo_is_deterministic(app: Flask) -> None:
    first_logins = load_demo()
    first = id_numbers()
    db.session.rollback()  # load_demo only flushes: this empties the database again
    assert db.session.scalar(sa.select(Area.id).limit(1)) is None

    second_logins = load_demo()

    assert id_numbers() == first
    assert second_logins == first_logins


def test_demo_data_command_loads_a_complete_district(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo-data", "--today", DEFAULT_TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    for username in ("district", "town", "village", "worker", "town2", "village2"):
        assert f"{username}\t{DEMO_PASSWORD}\t" in result.output

    # Areas: 渝北区 → 11 towns and 2 streets → villages (金刚村 among them) → villager groups.
    district = db.session.scalar(sa.select(Area).where(Area.level == AreaLevel.DISTRICT))
    assert district is not None
    assert (district.name, district.code) == ("渝北区", "500112")
    towns = db.session.scalars(sa.select(Area).where(Area.level == AreaLevel.TOWN)).all()
    assert len(towns) == 13
    villages = db.session.scalars(sa.select(Area).where(Area.level == AreaLevel.VILLAGE)).all()
    assert len(villages) >= 12
    jingang = next(v for v in villages if v.full_name == "渝北区木耳镇金刚村")
    assert db.session.scalar(sa.select(sa.func.count()).where(Area.parent_id == jingang.id)) == 2

    # Elders: enough, valid ID numbers, 金刚村 well populated.
    elders = db.session.scalars(sa.select(Elder)).all()
    assert len(elders) >= 300
    assert len({e.id_number for e in elders}) == len(elders)
    for elder in elders:
        info = parse_id_number(elder.id_number, DEFAULT_TODAY)
        assert info.birth_on == elder.birth_on
        assert info.gender == elder.gender
        assert 60 <= age_on(elder.birth_on, DEFAULT_TODAY) <= 98
        assert date(2024, 3, 5) <= elder.filed_on <= DEFAULT_TODAY
        assert age_on(elder.birth_on, elder.filed_on) >= 60  # 004: 老年人, when filed
        assert elder.categories, elder.name  # every elder is in at least one category
    assert sum(1 for e in elders if jingang.contains(e.residence_area)) >= 30

    # Every category, every ability level, key and general targets.
    categories = set(db.session.scalars(sa.select(ElderCategory.category).distinct()))
    assert categories == set(Category)
    assert {e.ability_level for e in elders} == set(AbilityLevel)
    assert {e.is_key for e in elders} == {True, False}
    assert any(e.category_override_reason for e in elders)
    assert any(e.key_override_reason for e in elders)
    assert all(e.other_reason for e in elders if Category.OTHER in e.categories)

    # Every item of 附件2 is filled in on the first version's snapshot.
    snapshot = db.session.scalars(sa.select(ElderVersion.snapshot).limit(1)).one()
    assert set(ELDER_FIELDS) <= set(snapshot)

    # Dynamic management: half-year reviews and three archived cases.
    kinds = list(db.session.scalars(sa.select(ElderVersion.kind)))
    assert kinds.count("created") == len(elders)
    assert kinds.count("reviewed") >= 3
    reasons = {e.archive_reason for e in elders if e.is_archived}
    assert reasons == {ArchiveReason.DECEASED, ArchiveReason.MOVED_AWAY, ArchiveReason.INELIGIBLE}

    # One user per role, with the printed password; the worker has elders of 金刚村.
    users = db.session.scalars(sa.select(User)).all()
    assert {u.role for u in users} == set(Role)
    assert all(verify_password(u.password_hash, DEMO_PASSWORD) for u in users)
    worker = next(u for u in users if u.username == "worker")
    assigned = db.session.scalars(
        sa.select(Elder).join(ElderAssignment).where(ElderAssignment.user_id == worker.id)
    ).all()
    assert len(assigned) >= 10
    assert all(jingang.contains(e.residence_area) for e in assigned)

    # Visits (附件3) in every month of the last year, home visits and calls, a few findings;
    # care answering visits; no visit before filing or after archiving; numbers 1..N per elder.
    from caseman.visits.models import Campaign, CareRecord, Visit

    visits = db.session.scalars(sa.select(Visit)).all()
    assert len(visits) > 10 * len(elders)
    months = {(v.visited_on.year, v.visited_on.month) for v in visits}
    assert len(months) >= 12
    assert {v.method.value for v in visits} >= {"home", "phone"}
    assert any(v.unsafe_items for v in visits)
    assert any(v.worse_items for v in visits)
    by_id = {e.id: e for e in elders}
    numbers: dict[int, list[int]] = {}
    for v in visits:
        elder = by_id[v.elder_id]
        assert elder.filed_on <= v.visited_on <= DEFAULT_TODAY
        assert elder.archived_on is None or v.visited_on < elder.archived_on
        numbers.setdefault(v.elder_id, []).append(v.number)
    assert all(sorted(n) == list(range(1, len(n) + 1)) for n in numbers.values())
    cares = db.session.scalars(sa.select(CareRecord)).all()
    assert cares
    assert all(c.visit is not None and c.cared_on >= c.visit.visited_on for c in cares)
    assert db.session.scalar(sa.select(sa.func.count(Campaign.id))) == 2
