"""Changing the tree: add, rename, move, close, reopen — paths right, history kept, audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from caseman import clock
from caseman.areas.models import Area, AreaKind, AreaLevel
from caseman.areas.services import (
    add_area,
    close_area,
    find_area,
    move_area,
    reopen_area,
    update_area,
)
from caseman.audit import AuditEvent
from caseman.elders.services import archive_elder
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.rules.enums import ArchiveReason


def _audit(action):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_type == "area")
    ).all()


def test_add_records_kind_and_audits(areas, make_user):
    admin = make_user("district", "district")
    street = add_area(admin, "王家街道", AreaLevel.TOWN, areas["district"])
    community = add_area(admin, "回兴社区", AreaLevel.VILLAGE, street)
    town = add_area(admin, "统景镇", AreaLevel.TOWN, areas["district"], code="500112110")
    assert street.kind == AreaKind.STREET
    assert street.is_street
    assert community.kind == AreaKind.COMMUNITY
    assert town.kind == AreaKind.TOWN
    assert not town.is_street
    assert community.path == f"{areas['district'].path}{street.id}/{community.id}/"
    events = _audit("create")
    assert [e.object_id for e in events] == [street.id, community.id, town.id]
    assert events[0].username == admin.username


def test_add_refuses_duplicates_wrong_levels_and_bad_kinds(areas):
    with pytest.raises(DomainError, match="already an area"):
        add_area(None, "金刚村", AreaLevel.VILLAGE, areas["muer"])
    with pytest.raises(DomainError, match="cannot be placed"):
        add_area(None, "新村", AreaLevel.VILLAGE, areas["district"])
    with pytest.raises(DomainError, match="kind does not fit"):
        add_area(None, "新镇", AreaLevel.TOWN, areas["district"], kind="village")
    # The same name under another parent is fine.
    assert add_area(None, "金刚村", AreaLevel.VILLAGE, areas["gulu"]).parent == areas["gulu"]


def test_update_renames_and_changes_kind(areas):
    changed = update_area(None, areas["muer"], "木耳街道", "street", "500112101")
    assert changed == ["name", "kind", "code"]
    assert areas["muer"].is_street
    with pytest.raises(DomainError, match="already an area"):
        update_area(None, areas["baiyan"], "金刚村", None, "")
    assert _audit("update")[0].detail == "fields=name,kind,code"


def test_move_keeps_the_paths_of_the_area_and_everything_below_right(areas):
    jingang, group = areas["jingang"], areas["jingang1"]
    assert move_area(None, jingang, areas["gulu"]) == 2
    db.session.commit()
    db.session.expire_all()
    jingang = db.session.get(Area, jingang.id)
    group = db.session.get(Area, group.id)
    gulu = areas["gulu"]
    assert jingang.path == f"{gulu.path}{jingang.id}/"
    assert group.path == f"{gulu.path}{jingang.id}/{group.id}/"
    assert jingang.town == gulu
    assert group.town == gulu
    assert _audit("move")[0].detail == f"from={areas['muer'].id} to={gulu.id} areas=2"


def test_move_refuses_wrong_level_and_duplicate_names(areas):
    with pytest.raises(DomainError, match="cannot be placed"):
        move_area(None, areas["jingang"], areas["district"])
    add_area(None, "金刚村", AreaLevel.VILLAGE, areas["gulu"])
    with pytest.raises(DomainError, match="already an area"):
        move_area(None, areas["jingang"], areas["gulu"])


def test_close_is_refused_while_active_elders_live_below(areas, make_elder, make_user):
    elder = make_elder(area="jingang1")  # lives in a group of 金刚村 of 木耳镇
    for name in ("muer", "jingang", "jingang1"):
        with pytest.raises(DomainError, match="active elders"):
            close_area(None, areas[name], date(2026, 12, 1), "并村")
    today = clock.today()
    archive_elder(make_user("district", "district"), elder, ArchiveReason.DECEASED, today, "病故",
                  today, elder.version)  # fmt: skip
    db.session.commit()
    assert close_area(None, areas["jingang"], date(2026, 12, 1), "并入白岩村") == 2
    assert areas["jingang1"].closed_on == date(2026, 12, 1)
    assert areas["jingang"].closed_reason == "并入白岩村"


def test_close_is_refused_while_active_users_are_bound_below(areas, make_user):
    make_user("village", "jingang")
    with pytest.raises(DomainError, match="1 active users"):
        close_area(None, areas["muer"], date(2026, 12, 1), "撤并")
    with pytest.raises(DomainError, match="reason"):
        close_area(None, areas["baiyan"], date(2026, 12, 1), "  ")
    close_area(None, areas["baiyan"], date(2026, 12, 1), "撤并")
    assert areas["baiyan"].is_closed


def test_closed_areas_keep_their_name_reopen_and_refuse_children(areas):
    close_area(None, areas["baiyan"], date(2026, 12, 1), "撤并")
    with pytest.raises(DomainError, match="closed"):
        add_area(None, "白岩村", AreaLevel.VILLAGE, areas["muer"])
    with pytest.raises(DomainError, match="closed"):
        add_area(None, "一组", AreaLevel.GROUP, areas["baiyan"])
    reopen_area(None, areas["baiyan"])
    assert not areas["baiyan"].is_closed
    assert areas["baiyan"].closed_reason == ""
    assert [e.action for e in db.session.scalars(select(AuditEvent))] == ["close", "reopen"]


def test_find_area_prefers_the_open_one_of_two_names(areas):
    other = add_area(None, "金刚村", AreaLevel.VILLAGE, areas["gulu"])
    with pytest.raises(DomainError, match="Several areas"):
        find_area("金刚村")
    close_area(None, other, date(2026, 12, 1), "撤并")
    assert find_area("金刚村") == areas["jingang"]
