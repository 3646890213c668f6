"""``demo-data --elders N --months M``: a Yubei-shaped synthetic district loaded in bulk, with data
the services accept (valid ID numbers, numbered visits, scoped pages that open)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import func, select

from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import Role, User
from caseman.demo.scale import SCALE_PASSWORD
from caseman.elders.models import Elder, ElderCategory, ElderVersion
from caseman.extensions import db
from caseman.referrals.models import Referral
from caseman.rules.enums import Category, VisitMethod
from caseman.rules.id_number import check_gender, parse_id_number
from caseman.visits.models import Visit
from tests.conftest import TODAY, log_in


def test_scale_demo_loads_a_district_services_accept(app, client):
    result = app.test_cli_runner().invoke(args=["demo-data", "--elders", "300", "--months", "3"])
    assert result.exit_code == 0, result.output
    assert "town1\tscale-pass-2024\ttown" in result.output

    levels = Counter(db.session.scalars(select(Area.level)))
    assert levels[AreaLevel.TOWN] == 13  # 11 towns and 2 streets (002)
    assert levels[AreaLevel.VILLAGE] == 172
    assert db.session.scalar(select(func.count(Elder.id))) == 300
    assert db.session.scalar(select(func.count(ElderVersion.id))) == 300

    elders = db.session.scalars(select(Elder)).all()
    assert len({e.id_number for e in elders}) == 300
    for elder in elders[:100]:
        info = parse_id_number(elder.id_number, TODAY)  # raises on a bad check digit or date
        check_gender(info, elder.gender)
        assert info.birth_on == elder.birth_on
        assert elder.categories
        assert elder.versions[0].snapshot["id_number"] == elder.id_number

    categories = Counter(db.session.scalars(select(ElderCategory.category)))
    assert categories[Category.LIVING_ALONE] > 0
    assert categories[Category.DISABLED_CARE] > 0

    # Visits: numbered 1..n per elder in date order of insertion, within the months asked for.
    visits = db.session.execute(select(Visit.elder_id, Visit.number, Visit.visited_on,
                                       Visit.method)).all()  # fmt: skip
    assert visits
    numbers: dict[int, list[int]] = defaultdict(list)
    for elder_id, number, visited_on, method in visits:
        numbers[elder_id].append(number)
        assert visited_on <= TODAY
        assert visited_on >= date(TODAY.year - 1, 1, 1)
        assert method in (VisitMethod.HOME, VisitMethod.PHONE)
    for found in numbers.values():
        assert sorted(found) == list(range(1, len(found) + 1))
    # Key elders are visited about twice a month, the others about once.
    key_ids = {e.id for e in elders if e.is_key}
    key_rate = sum(len(numbers[i]) for i in key_ids) / max(1, len(key_ids))
    other_rate = sum(len(v) for k, v in numbers.items() if k not in key_ids) / max(
        1, len(elders) - len(key_ids)
    )
    assert key_rate > other_rate
    assert db.session.scalar(select(func.count(Referral.id))) > 0  # some needs were referred

    # The site reads the data: a town user opens the list, a case file and the ledger.
    town = db.session.scalar(select(User).where(User.role == Role.TOWN).order_by(User.id))
    mine = db.session.scalar(
        select(Elder.id)
        .join(Area, Area.id == Elder.residence_area_id)
        .where(Area.path.startswith(town.area.path))
        .limit(1)
    )
    other = db.session.scalar(
        select(Elder.id)
        .join(Area, Area.id == Elder.residence_area_id)
        .where(~Area.path.startswith(town.area.path))
        .limit(1)
    )
    log_in(client, town, SCALE_PASSWORD)  # the password, then the town's second factor
    assert client.get("/elders/").status_code == 200
    assert client.get(f"/elders/{mine}").status_code == 200
    assert client.get(f"/elders/{other}").status_code == 404
    assert client.get("/").status_code == 200
    assert client.get("/visits/due").status_code == 200
    response = client.get(f"/ledger?format=xlsx&town={town.area_id}")
    assert response.status_code == 200
    response.close()

    # A second load refuses: demo data goes into an empty database.
    again = app.test_cli_runner().invoke(args=["demo-data", "--elders", "10"])
    assert again.exit_code != 0


def test_scale_demo_has_risks_follow_ups_and_its_search_index(app):
    """The bulk load writes the search index itself: the same rows a full rebuild would write."""
    from caseman.referrals.models import FollowUp, Risk
    from caseman.rules.referrals import RiskStatus
    from caseman.search.indexing import rebuild_index
    from caseman.search.models import SearchDocument, SearchKey

    result = app.test_cli_runner().invoke(args=["demo-data", "--elders", "600", "--months", "12"])
    assert result.exit_code == 0, result.output
    risks = db.session.scalars(select(Risk)).all()
    assert risks, "no risk generated"
    statuses = Counter(r.status for r in risks)
    assert statuses[RiskStatus.CLOSED] > 0
    assert all(r.closed_on is not None for r in risks if r.status == RiskStatus.CLOSED)
    assert all(r.visit.elder_id == r.elder_id for r in risks)
    follow_ups = db.session.scalars(select(FollowUp)).all()
    referrals = db.session.scalar(select(func.count(Referral.id)))
    assert len(follow_ups) == len(risks) + referrals  # one follow-up of each

    def index() -> tuple[Counter, Counter]:
        keys = Counter(db.session.execute(select(SearchKey.elder_id, SearchKey.key,
                                                 SearchKey.rank)).tuples())  # fmt: skip
        documents = Counter(db.session.execute(select(SearchDocument.source,
                                                      SearchDocument.record_id,
                                                      SearchDocument.field,
                                                      SearchDocument.body)).tuples())  # fmt: skip
        return keys, documents

    loaded = index()
    assert loaded[0]
    assert {source for source, *_rest in loaded[1]} >= {"visit", "risk", "follow_up"}
    rebuild_index(db.session.connection())
    assert index() == loaded


def test_a_loaded_district_grows_to_a_larger_size_in_its_own_areas(app):
    """``bench_scale.py --elders N --grow``: the figures at 100,000, 250,000 … elders without
    loading each size from nothing. The grown elders live in the same areas, with the same
    logins, new ID numbers, numbered visits and their search keys."""
    from caseman.demo.scale import grow_scale
    from caseman.scope import system_access
    from caseman.search.models import SearchKey

    result = app.test_cli_runner().invoke(args=["demo-data", "--elders", "200", "--months", "3"])
    assert result.exit_code == 0, result.output
    areas_before = db.session.scalar(select(func.count(Area.id)))
    users_before = db.session.scalar(select(func.count(User.id)))
    visits_before = db.session.scalar(select(func.count(Visit.id)))
    with system_access("test: grow the scale district"):
        assert grow_scale(500, 3, today=TODAY, echo=lambda _text: None) == 300
        assert grow_scale(400, 3, today=TODAY, echo=lambda _text: None) == 0  # already larger
    assert db.session.scalar(select(func.count(Elder.id))) == 500
    assert db.session.scalar(select(func.count(Area.id))) == areas_before
    assert db.session.scalar(select(func.count(User.id))) == users_before
    assert db.session.scalar(select(func.count(Visit.id))) > visits_before
    numbers = list(db.session.scalars(select(Elder.id_number)))
    assert len(set(numbers)) == 500
    grown = db.session.scalars(select(Elder).order_by(Elder.id.desc()).limit(50)).all()
    villages = set(db.session.scalars(select(Area.id).where(Area.level == AreaLevel.VILLAGE)))
    assert all(e.residence_area_id in villages for e in grown)
    assert all(db.session.scalar(select(func.count(SearchKey.id)).where(
        SearchKey.elder_id == e.id)) for e in grown[:5])  # fmt: skip
    per_elder = defaultdict(list)
    for elder_id, number in db.session.execute(select(Visit.elder_id, Visit.number)):
        per_elder[elder_id].append(number)
    assert all(sorted(n) == list(range(1, len(n) + 1)) for n in per_elder.values())


def test_a_bulk_load_leaves_no_stale_home_page_figures(app):
    """The scale loader writes past the ORM (its flush listener never sees the rows): the kept
    figures of every area must be counted again, never shown as they were."""
    from caseman.area_figures import differences, rebuild
    from caseman.demo.scale import grow_scale
    from caseman.scope import system_access

    result = app.test_cli_runner().invoke(args=["demo-data", "--elders", "150", "--months", "2"])
    assert result.exit_code == 0, result.output
    with system_access("test: kept figures after a bulk load"):
        rebuild(TODAY)
        db.session.commit()
        assert differences(TODAY) == []
        grow_scale(300, 2, today=TODAY, echo=lambda _text: None)
        assert differences(TODAY) == []


def test_a_district_grown_by_blocks_gets_new_towns_of_a_real_towns_size(app):
    """``bench_scale.py --grow --block N``: each further N elders live in a new block of 13 towns
    and 172 villages with their own town logins, so a town keeps a real town's size however
    large the whole grows (issue 21 goal 4); the first block is not touched."""
    from caseman.demo.scale import TOWNS, VILLAGE_COUNT, grow_scale
    from caseman.scope import system_access

    result = app.test_cli_runner().invoke(args=["demo-data", "--elders", "200", "--months", "2"])
    assert result.exit_code == 0, result.output
    first_block = set(db.session.scalars(select(Area.id).where(Area.level == AreaLevel.VILLAGE)))
    with system_access("test: grow the scale district by blocks"):
        assert grow_scale(650, 2, today=TODAY, echo=lambda _text: None, block=200) == 450
    towns = db.session.scalars(
        select(Area).where(Area.level == AreaLevel.TOWN).order_by(Area.id)
    ).all()
    assert len(towns) == 4 * len(TOWNS)  # 200 + 200 + 200 + 50: three new blocks
    assert [t.name for t in towns[13:16]] == [f"{name}2" for name in TOWNS[:3]]
    villages = db.session.scalar(select(func.count(Area.id)).where(Area.level == AreaLevel.VILLAGE))
    assert villages == 4 * VILLAGE_COUNT
    per_block = defaultdict(int)
    town_of = {t.id: k // len(TOWNS) for k, t in enumerate(towns)}
    for (parent,) in db.session.execute(
        select(Area.parent_id).join(Elder, Elder.residence_area_id == Area.id)
    ):
        per_block[town_of[parent]] += 1
    assert dict(per_block) == {0: 200, 1: 200, 2: 200, 3: 50}
    logins = {u.username: u for u in db.session.scalars(select(User).where(User.role == Role.TOWN))}
    assert len(logins) == len(towns)
    assert logins["town14"].area_id == towns[13].id
    assert logins["town14"].totp_secret
    assert len(set(db.session.scalars(select(Elder.id_number)))) == 650
    assert first_block <= set(db.session.scalars(select(Area.id)))
