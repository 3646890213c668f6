"""Issue 21 goal 3: the case file's body kept rendered (caseman.casefile.cache) is never stale.

After each kind of change (a visit, care, a referral closed, a visitor's or an area's or a
service force's new name, a statement updating rows, a merge, an archive, the next day), the
page served from the kept bodies is the page rendered afresh. What changes nothing a case file
shows (a login, a view) keeps the kept body, and a body is never shown to another user.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from caseman.areas.models import Area
from caseman.casefile import cache
from caseman.casefile.cache import NOT_SHOWN, TOKEN_MARK, CacheGeneration, PageCache
from caseman.elders.merging import merge_elders
from caseman.elders.models import Elder
from caseman.elders.services import archive_elder
from caseman.extensions import db
from caseman.referrals.services import move_risk
from caseman.rules.enums import ArchiveReason
from caseman.rules.referrals import RiskStatus
from caseman.visits.models import CareRecord
from tests.casefile.test_case_file_page import FILED, _visit, cases  # noqa: F401  (fixture)
from tests.conftest import TODAY, log_in
from tests.referrals.conftest import (  # noqa: F401  (fixtures)
    add_referral,
    add_risk,
    cadre,
    other_town_user,
    town_user,
)

TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')


def _text(client, elder_id: int) -> str:
    response = client.get(f"/elders/{elder_id}")
    assert response.status_code == 200
    return TOKEN.sub('name="csrf_token" value=""', response.get_data(as_text=True))


def _kept_then_fresh(app, client, elder_id: int) -> str:
    """The page as served (from a kept body when its key still holds), and asserted equal to the
    page rendered with nothing kept."""
    kept = _text(client, elder_id)
    app.extensions["case_file_cache"].clear()
    fresh = _text(client, elder_id)
    assert kept == fresh
    return fresh


def _hits(app) -> int:
    return app.extensions["case_file_cache"].hits


def test_a_kept_case_file_follows_every_change(app, client, cases, make_user, frozen_clock):  # noqa: F811
    c = cases
    log_in(client, c.town_user)
    first = _text(client, c.rich.id)
    hits = _hits(app)
    assert _text(client, c.rich.id) == first
    assert _hits(app) == hits + 1  # kept: nothing changed

    # A login and a view change nothing the page shows: the body stays kept.
    other = make_user("village", "jingang", username="jingang_cadre2")
    log_in(app.test_client(), other)
    assert _text(client, c.rich.id) == first
    assert _hits(app) == hits + 2

    # A visit and care recorded.
    _visit(c.cadre, c.rich, 0, suggested_care="换季添衣，检查电热毯")
    db.session.commit()
    assert "换季添衣，检查电热毯" in _kept_then_fresh(app, client, c.rich.id)

    # The visitor, the area and the visit contact's service force renamed (none names the elder).
    c.worker.full_name = "赵探访员"
    db.session.commit()
    assert "赵探访员" in _kept_then_fresh(app, client, c.rich.id)
    area = db.session.get(Area, c.rich.residence_area_id)
    area.name = "金刚新村"
    db.session.commit()
    assert "金刚新村" in _kept_then_fresh(app, client, c.rich.id)
    c.force.name = "周网格员"
    db.session.commit()
    assert "周网格员" in _kept_then_fresh(app, client, c.rich.id)

    # A risk closed, and a statement that updates rows (no service writes one today).
    move_risk(c.cadre, c.open_risk, RiskStatus.CLOSED, "已安装扶手和防滑垫", TODAY,
              c.open_risk.version)  # fmt: skip
    db.session.commit()
    assert "已安装扶手和防滑垫" in _kept_then_fresh(app, client, c.rich.id)
    db.session.execute(
        sa.update(CareRecord)
        .where(CareRecord.elder_id == c.rich.id)
        .values(what_was_done="送药上门")
    )
    db.session.commit()
    assert "送药上门" in _kept_then_fresh(app, client, c.rich.id)

    # Merged into the kept case: its page shows the merged case's history.
    _text(client, c.kept.id)
    twin = make_elder_like(c, "吴秀瑛二")
    merge_elders(c.town_user, twin, c.kept, "同一人", TODAY, twin.version)
    db.session.commit()
    assert "吴秀瑛二" in _kept_then_fresh(app, client, c.kept.id)

    # Archived.
    archive_elder(c.town_user, c.rich, ArchiveReason.MOVED_AWAY, TODAY, "随子女迁居", TODAY,
                  c.rich.version)  # fmt: skip
    db.session.commit()
    assert "随子女迁居" in _kept_then_fresh(app, client, c.rich.id)

    # The next day (Beijing's): the schedule and ages are counted for it.
    before = _text(client, c.bare.id)
    frozen_clock(datetime.combine(TODAY + timedelta(days=40), datetime.min.time()).replace(hour=9))
    after = _kept_then_fresh(app, client, c.bare.id)
    assert after != before


def make_elder_like(c, name: str) -> Elder:
    twin = c.make_elder(name=name, filed_on=FILED)
    _visit(c.cadre, twin, 4, suggested_care=f"{name}的探访建议")
    db.session.commit()
    return twin


def test_a_kept_body_is_never_another_users(app, client, cases):  # noqa: F811
    c = cases
    log_in(client, c.town_user)
    town_page = _text(client, c.rich.id)
    assert "/visitors/new" in town_page or "Assign a visitor" in town_page or "指派" in town_page
    visitor = app.test_client()
    log_in(visitor, c.worker)
    worker_page = _text(visitor, c.rich.id)
    assert worker_page != town_page
    app.extensions["case_file_cache"].clear()
    assert _text(visitor, c.rich.id) == worker_page
    # Staff of another town get 404 whatever is kept.
    stranger = app.test_client()
    log_in(stranger, c.other_town_user)
    assert stranger.get(f"/elders/{c.rich.id}").status_code == 404


def test_the_kept_body_carries_no_token_and_the_full_numbers_are_never_kept(app, client, cases):  # noqa: F811
    c = cases
    log_in(client, c.town_user)
    served = client.get(f"/elders/{c.rich.id}").get_data(as_text=True)
    kept = app.extensions["case_file_cache"]
    (body,) = kept._items.values()
    assert TOKEN_MARK in body
    token = re.search(r'name="csrf_token" value="([^"]+)"', served).group(1)
    assert token
    assert token not in body
    assert TOKEN_MARK not in served
    revealed = client.post(f"/elders/{c.rich.id}/reveal").get_data(as_text=True)
    assert c.rich.id_number in revealed
    assert len(kept) == 1  # the full-number page was not kept
    assert c.rich.id_number not in client.get(f"/elders/{c.rich.id}").get_data(as_text=True)


def test_a_write_gives_a_new_revision_or_generation_in_its_transaction(app, cases):  # noqa: F811
    c = cases
    db.session.commit()
    revision = db.session.scalar(sa.select(Elder.case_revision).where(Elder.id == c.rich.id))
    generation = cache.generation(db.session)
    # An elder's row: its own revision, read again by the loaded object; its updated_at (when
    # the registration last changed) stays.
    updated_at = c.rich.updated_at
    _visit(c.cadre, c.rich, 0)
    db.session.flush()
    assert c.rich.case_revision != revision
    assert db.session.scalar(sa.select(Elder.updated_at).where(Elder.id == c.rich.id)) == updated_at
    db.session.rollback()  # gone with the transaction
    assert c.rich.case_revision == revision
    assert cache.generation(db.session) == generation
    # A shown row that names no elder: a new generation. A login's columns: none.
    c.town_user.last_login_at = datetime(2026, 12, 1, 8, 0)
    db.session.commit()
    assert cache.generation(db.session) == generation
    c.town_user.full_name = "木耳镇民政办"
    db.session.commit()
    assert cache.generation(db.session) != generation


def test_not_shown_names_real_tables():
    assert set(db.metadata.tables) >= NOT_SHOWN
    assert CacheGeneration.__tablename__ in NOT_SHOWN


@pytest.mark.parametrize("room", [2, 3])
def test_the_page_cache_drops_the_least_recently_used(room):
    one = sys.getsizeof("aaaaa")  # a text's own memory, as the cache counts it
    max_bytes = room * one
    pages = PageCache(max_bytes)
    pages.put("a", "aaaaa")
    pages.put("b", "bbbbb")
    assert pages.get("a") == "aaaaa"  # now the most recent
    pages.put("c", "ccccc")
    assert pages.size <= max_bytes
    if room == 2:
        assert pages.get("b") is None
        assert pages.get("a") == "aaaaa"
        assert pages.get("c") == "ccccc"
    else:
        assert len(pages) == 3
    pages.put("big", "x" * max_bytes)  # larger than the whole cache: not kept
    assert pages.get("big") is None
    pages.clear()
    assert len(pages) == 0
    assert pages.size == 0
