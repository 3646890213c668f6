"""The area page: district staff change the tree; town staff see their own town only."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from sqlalchemy import func, select

from caseman.areas.models import Area, AreaLevel
from caseman.areas.services import close_area
from caseman.audit import AuditEvent
from caseman.extensions import db
from tests.areas.sheets import csv_bytes, xlsx_bytes, yubei_rows
from tests.conftest import denials, row_counts


def _area(name: str) -> Area:
    return db.session.scalar(select(Area).where(Area.name == name))


def _admin(make_user, login_as):
    return login_as(make_user("district", "district"))


def test_district_sees_the_whole_tree_and_the_nav_link(make_user, login_as, make_elder):
    make_elder(area="jingang")
    client = _admin(make_user, login_as)
    page = client.get("/areas/").get_data(as_text=True)
    for name in ("渝北区", "木耳镇", "古路镇", "金刚村", "草坪村", "一组"):
        assert name in page
    assert 'href="/areas/"' in page
    assert "/areas/import" in page


def test_town_sees_its_own_subtree_read_only_and_never_another_town(
    areas, make_user, login_as, client
):
    login_as(make_user("town", "muer"))
    page = client.get("/areas/").get_data(as_text=True)
    assert "金刚村" in page
    assert "草坪村" not in page
    assert "古路镇" not in page
    assert "/areas/new" not in page
    assert client.get(f"/areas/{areas['jingang'].id}").status_code == 200
    before = denials()
    assert client.get(f"/areas/{areas['caoping'].id}").status_code == 404
    assert client.get(f"/areas/{areas['gulu'].id}").status_code == 404
    assert denials() == before + 2
    counts = row_counts(except_audit=True)
    for path, data in (
        ("/areas/new", {"parent_id": areas["muer"].id, "name": "新村"}),
        (f"/areas/{areas['jingang'].id}/edit", {"edit-name": "金刚新村"}),
        (
            f"/areas/{areas['baiyan'].id}/close",
            {"close-closed_on": "2026-12-01", "close-reason": "撤并"},
        ),
        (f"/areas/{areas['baiyan'].id}/move", {"move-parent_id": areas["gulu"].id}),
        ("/areas/import", {}),
    ):
        assert client.post(path, data=data).status_code == 404, path
    assert row_counts(except_audit=True) == counts


def test_village_staff_and_workers_get_404(areas, make_user, login_as, client):
    login_as(make_user("village", "jingang"))
    assert client.get("/areas/").status_code == 404
    assert client.get(f"/areas/{areas['jingang'].id}").status_code == 404


def test_add_rename_move_close_and_reopen_through_the_page(areas, make_user, login_as):
    client = _admin(make_user, login_as)
    response = client.post(
        "/areas/new",
        data={"parent_id": areas["district"].id, "name": "王家街道", "kind": "", "code": ""},
    )
    assert response.status_code == 302
    street = _area("王家街道")
    assert street.is_street
    # A duplicate name: the message beside the field, the input kept.
    response = client.post("/areas/new", data={"parent_id": areas["muer"].id, "name": "金刚村"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "已有" in text or "already" in text
    assert 'value="金刚村"' in text

    response = client.post(
        f"/areas/{areas['baiyan'].id}/edit",
        data={"edit-name": "白岩新村", "edit-kind": "village", "edit-code": "500112100001"},
    )
    assert response.status_code == 302
    assert areas["baiyan"].name == "白岩新村"

    response = client.post(
        f"/areas/{areas['jingang'].id}/move", data={"move-parent_id": areas["gulu"].id}
    )
    assert response.status_code == 302
    db.session.expire_all()
    group = _area("一组")
    assert group.path.startswith(areas["gulu"].path)

    response = client.post(
        f"/areas/{areas['caoping'].id}/close",
        data={"close-closed_on": "2026-12-01", "close-reason": "并入金刚村"},
    )
    assert response.status_code == 302
    assert _area("草坪村").is_closed
    client.get(response.headers["Location"])  # shows (and uses up) the flash message
    # Closed areas are hidden from the tree (unless asked) and from pickers.
    assert "草坪村" not in client.get("/areas/").get_data(as_text=True)
    assert "草坪村" in client.get("/areas/?closed=1").get_data(as_text=True)
    assert "古路镇草坪村" not in client.get("/areas/new").get_data(as_text=True)
    response = client.post(f"/areas/{areas['caoping'].id}/reopen", data={})
    assert response.status_code == 302
    assert not _area("草坪村").is_closed
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "area")
    ).all()
    assert actions == ["create", "update", "move", "close", "reopen"]


def test_close_with_active_elders_is_refused_with_a_message(areas, make_user, make_elder, login_as):
    make_elder(area="jingang1")
    client = _admin(make_user, login_as)
    response = client.post(
        f"/areas/{areas['muer'].id}/close",
        data={"close-closed_on": "2026-12-01", "close-reason": "撤并"},
    )
    assert response.status_code == 400
    assert "1" in response.get_data(as_text=True)
    assert not areas["muer"].is_closed
    response = client.post(
        f"/areas/{areas['baiyan'].id}/close", data={"close-closed_on": "", "close-reason": ""}
    )
    assert response.status_code == 400


def test_import_preview_writes_nothing_then_imports_yubei_once(app, make_user, login_as):
    client = _admin(make_user, login_as)
    before = db.session.scalar(select(func.count(Area.id)))
    response = client.post(
        "/areas/import",
        data={"sheet": (BytesIO(xlsx_bytes(yubei_rows())), "渝北区村社.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    text = preview.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Area.id))) == before  # the preview wrote nothing
    # The fixture's tree has 木耳镇 (金刚村, 白岩村) and 古路镇 (草坪村); the sheet puts 白岩村
    # under 古路镇 and 草坪村 under 兴隆镇: two problems, everything else new.
    assert 'id="problems">2<' in text
    assert "木耳镇" in text
    assert 'id="added-town">11<' in text
    assert 'id="added-village">169<' in text
    assert 'id="codes">1<' in text  # 木耳镇金刚村 is there, without its code
    assert client.post(response.headers["Location"], data={}).status_code == 400
    assert db.session.scalar(select(func.count(Area.id))) == before
    # Close the fixture's two villages: the preview, worked out again, has no problem left.
    for name in ("白岩村", "草坪村"):
        close_area(None, _area(name), date(2026, 12, 1), "撤并")
    db.session.commit()
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="problems">0<' in text
    assert 'id="added-village">171<' in text
    response = client.post(response.headers["Location"], data={})
    assert response.status_code == 302
    towns = db.session.scalars(select(Area).where(Area.level == AreaLevel.TOWN)).all()
    assert len(towns) == 13
    assert sum(1 for t in towns if t.is_street) == 2
    assert (
        db.session.scalar(select(func.count(Area.id)).where(Area.level == AreaLevel.VILLAGE)) == 174
    )  # 172 + 白岩村 and 草坪村 of the fixture
    # The same sheet again: nothing to import.
    response = client.post(
        "/areas/import",
        data={"sheet": (BytesIO(xlsx_bytes(yubei_rows())), "again.xlsx")},
        content_type="multipart/form-data",
    )
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="unchanged">172<' in text  # 金刚村's code filled by the first import
    assert 'id="codes">0<' in text
    assert 'id="added-village">0<' in text


def test_import_shows_problems_and_refuses(areas, make_user, login_as):
    client = _admin(make_user, login_as)
    rows = [["木耳镇", "", "", ""], ["古路镇", "金刚村", "", ""], ["木耳镇", "村" * 40, "", ""]]
    response = client.post(
        "/areas/import",
        data={
            "sheet": (
                BytesIO(csv_bytes(rows, header=["镇街", "村", "组", "区划代码", "备注"])),
                "tree.csv",
            )
        },
        content_type="multipart/form-data",
    )
    location = response.headers["Location"]
    text = client.get(location).get_data(as_text=True)
    assert 'id="problems">4<' in text
    assert "备注" in text
    counts = row_counts(except_audit=True)
    assert client.post(location, data={}).status_code == 400
    assert row_counts(except_audit=True) == counts


def test_import_refuses_a_file_that_is_not_a_sheet(make_user, login_as):
    client = _admin(make_user, login_as)
    response = client.post(
        "/areas/import",
        data={"sheet": (BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old"), "tree.xls")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert 'class="field-error"' in response.get_data(as_text=True)


def test_another_users_import_token_is_404(make_user, login_as, client):
    admin = make_user("district", "district")
    login_as(admin)
    response = client.post(
        "/areas/import",
        data={"sheet": (BytesIO(csv_bytes([["木耳镇", "新村", "", ""]])), "t.csv")},
        content_type="multipart/form-data",
    )
    location = response.headers["Location"]
    client.post("/logout")
    login_as(make_user("district", "district"))
    assert client.get(location).status_code == 404


def test_a_closed_village_is_not_offered_for_registering_elders(areas, make_user, login_as):
    client = _admin(make_user, login_as)
    assert "木耳镇白岩村" in client.get("/elders/new").get_data(as_text=True)
    close_area(None, areas["baiyan"], date(2026, 12, 1), "并入金刚村")
    db.session.commit()
    page = client.get("/elders/new").get_data(as_text=True)
    assert "木耳镇白岩村" not in page
    assert "木耳镇金刚村" in page
