"""Mutual-aid pages through the test client: forms, errors beside fields, scope, downloads."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import docx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.extensions import db
from caseman.mutual_aid import services
from caseman.mutual_aid.documents import PAIRING, SUMMARY
from caseman.mutual_aid.models import Activity, HelpRecord, PointEntry, TeamMember
from caseman.rules.mutual_aid import HelpKind
from tests.conftest import row_counts
from tests.mutual_aid.conftest import YEAR


def test_village_user_builds_a_team_and_logs_work(client, login_as, programme):
    p = programme
    login_as(p.actor)
    base = f"/mutual-aid/villages/{p.village.id}"
    page = client.get(base)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "刘志愿" in html
    assert "3组片区" in html
    assert "孙婆婆" in html
    assert 'id="missed"' in html  # the one-to-one pair has no help recorded

    response = client.post(base + "/members/new", data={
        "role": "volunteer", "name": "钱志愿", "gender": "male", "birth_year": "1965",
        "phone": "13900002222", "address": "1组", "started_on": "2025-03-01"})  # fmt: skip
    assert response.status_code == 302
    assert db.session.scalar(select(TeamMember).where(TeamMember.name == "钱志愿")) is not None

    response = client.post(base + "/activities/new", data={
        "kind": "birthday", "held_on": "2025-03-08", "place": "中心点", "elders_count": "23",
        "notes": "集体生日会"})  # fmt: skip
    assert response.status_code == 302
    response = client.post(base + "/funds/new", data={
        "source": "charity", "donor": "慈善会", "amount": "5000.00", "received_on": "2025-03-09",
        "use": "生日蛋糕"})  # fmt: skip
    assert response.status_code == 302
    html = client.get(base).get_data(as_text=True)
    assert "集体生日会" in html
    assert "5000.00" in html


def test_bad_input_is_explained_beside_the_field_and_kept(client, login_as, programme):
    p = programme
    login_as(p.actor)
    before = row_counts()
    response = client.post(f"/mutual-aid/villages/{p.village.id}/members/new", data={
        "role": "social_worker", "name": "没有机构", "gender": "female",
        "started_on": "2025-03-01"})  # fmt: skip
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Give the social worker&#39;s organisation." in html or "社工" in html
    assert 'value="没有机构"' in html
    assert row_counts() == before


def test_help_and_points_through_the_pages(client, login_as, programme):
    p = programme
    login_as(p.actor)
    response = client.post(f"/mutual-aid/paired/{p.paired.id}/help", data={
        "helped_on": "2025-03-02", "kind": "help", "helper_id": str(p.volunteer.id),
        "what": "代买药品", "rate_id": str(p.rate.id)})  # fmt: skip
    assert response.status_code == 302
    record = db.session.scalar(select(HelpRecord))
    assert record.kind is HelpKind.HELP
    entry = db.session.scalar(select(PointEntry))
    assert (entry.points, entry.help_record_id) == (5, record.id)

    redeem = f"/mutual-aid/villages/{p.village.id}/points/redeem"
    response = client.post(redeem, data={"member_id": str(p.volunteer.id), "points": "6",
                                         "goods": "大米", "entry_on": "2025-03-03"})  # fmt: skip
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "5" in html
    assert 'value="大米"' in html
    assert db.session.scalar(select(PointEntry).where(PointEntry.points < 0)) is None
    response = client.post(redeem, data={"member_id": str(p.volunteer.id), "points": "5",
                                         "goods": "大米", "entry_on": "2025-03-03"})  # fmt: skip
    assert response.status_code == 302
    page = client.get(f"/mutual-aid/members/{p.volunteer.id}").get_data(as_text=True)
    assert 'id="balance">0<' in page

    response = client.post(f"/mutual-aid/entries/{entry.id}/correct", data={"reason": "录错"})
    assert response.status_code == 302
    assert services.balance_of(p.volunteer.id) == 0  # refused: it would go to -5
    assert db.session.scalar(select(PointEntry).where(PointEntry.kind == "correction")) is None


def test_pairing_page_and_new_pairing(client, login_as, programme):
    p = programme
    login_as(p.actor)
    html = client.get(f"/mutual-aid/pairings/{p.group.id}").get_data(as_text=True)
    assert "陈老汉" in html
    assert "赵邻居" in html
    response = client.post(f"/mutual-aid/villages/{p.village.id}/pairings/new", data={
        "kind": "one_to_one", "helper_ids": [str(p.neighbour.id)], "started_on": "2025-03-01",
        "elder_id": str(p.unpaired.id), "living": "alone", "elder_type": "dispersed_poverty",
    })  # fmt: skip
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "aid_pairing"))
    assert {e.action for e in events} >= {"create", "view"}


def test_other_areas_get_404_and_nothing_changes(client, login_as, programme, make_user):
    p = programme
    outsider = make_user("village", "baiyan")
    worker = make_user("worker", "jingang")
    entry = services.award_points(p.actor, p.volunteer, p.rate, date(YEAR, 3, 2))
    activity = services.log_activity(p.actor, p.village, {
        "kind": "health", "held_on": date(YEAR, 3, 2), "place": "", "elders_count": 3,
        "notes": ""})  # fmt: skip
    db.session.commit()
    gets = [f"/mutual-aid/villages/{p.village.id}", f"/mutual-aid/pairings/{p.group.id}",
            f"/mutual-aid/members/{p.volunteer.id}", f"/mutual-aid/paired/{p.paired.id}/help",
            f"/mutual-aid/report?area={p.village.id}&form=annex2",
            f"/mutual-aid/report?area={p.village.id}&form=annex2&format=xlsx"]  # fmt: skip
    posts = [
        (f"/mutual-aid/villages/{p.village.id}/activities/new",
         {"kind": "health", "held_on": "2025-03-02", "elders_count": "1"}),
        (f"/mutual-aid/entries/{entry.id}/correct", {"reason": "x"}),
        (f"/mutual-aid/activities/{activity.id}/void", {"reason": "x"}),
        (f"/mutual-aid/pairings/{p.group.id}/end", {"ended_on": "2025-03-03"}),
        (f"/mutual-aid/paired/{p.paired.id}/help",
         {"helped_on": "2025-03-02", "kind": "knock", "helper_id": str(p.volunteer.id)}),
    ]  # fmt: skip
    before = row_counts()
    for user in (outsider, worker):
        client.post("/logout")
        login_as(user)
        for url in gets:
            assert client.get(url).status_code == 404, (user.username, url)
        for url, data in posts:
            assert client.post(url, data=data).status_code == 404, (user.username, url)
    assert row_counts() == {**before, "audit_events": row_counts()["audit_events"]}
    assert db.session.get(Activity, activity.id).voided_on is None


def _download(client, area_id, form, fmt):
    response = client.get(
        f"/mutual-aid/report?area={area_id}&form={form}&year={YEAR}&quarter=1&format={fmt}"
    )
    assert response.status_code == 200
    return response.data


@pytest.fixture
def quarter_data(programme):
    p = programme
    for day in (2, 3):
        services.record_help(p.actor, p.paired, {"helped_on": date(YEAR, 3, day),
                             "kind": "knock", "helper_id": p.volunteer.id, "what": ""})  # fmt: skip
    services.award_points(p.actor, p.volunteer, p.rate, date(YEAR, 3, 2))
    services.award_points(p.actor, p.volunteer, p.rate, date(YEAR, 3, 4))
    services.log_activity(p.actor, p.village, {"kind": "festival", "held_on": date(YEAR, 2, 12),
                          "place": "院坝", "elders_count": 30, "notes": ""})  # fmt: skip
    db.session.commit()
    return p


def test_annex1_downloads_carry_the_counted_numbers(client, login_as, make_user, quarter_data,
                                                    areas):  # fmt: skip
    town_user = make_user("town", "muer")
    login_as(town_user)
    town = areas["muer"].id
    html = client.get(f"/mutual-aid/report?area={town}&form=annex1&year={YEAR}&quarter=1")
    assert html.status_code == 200
    # 金刚村: 1 social worker, 1 + 1 points, 2 volunteers, 1 pair, 1 group, 10 points, 1 activity.
    expected = ["1", "金刚村", "渝北区仁爱社工服务中心", "1", "1", "1", "2", "1", "1", "10", "1",
                "0.00"]  # fmt: skip

    sheet = load_workbook(io.BytesIO(_download(client, town, "annex1", "xlsx"))).active
    assert sheet["A1"].value == SUMMARY.title
    assert sheet["A2"].value.startswith("填表单位：木耳镇（盖章）        审核人：")
    assert [c.value for c in sheet[3]] == list(SUMMARY.headings)
    assert [str(c.value) for c in sheet[4]][:11] == expected[:11]
    assert sheet["L4"].value == 0  # a number (formatted 0.00), not the text "0.00"
    assert sheet["L4"].number_format == "#,##0.00"
    assert sheet[5][1].value == "白岩村"
    assert sheet.page_setup.orientation == "landscape"

    table = docx.Document(io.BytesIO(_download(client, town, "annex1", "docx"))).tables[0]
    assert [c.text for c in table.rows[0].cells] == list(SUMMARY.headings)
    assert [c.text for c in table.rows[1].cells] == expected
    assert len(table.rows) == 3

    pdf = _download(client, town, "annex1", "pdf")
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                              check=True).stdout.decode()  # fmt: skip
        assert SUMMARY.title in text
        assert "渝北区仁爱社工服务中" in text
        assert "白岩村" in text
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert [e.detail.split()[0] for e in events] == ["format=xlsx", "format=docx", "format=pdf"]


def test_annex2_downloads_list_each_paired_elder(client, login_as, quarter_data):
    p = quarter_data
    login_as(p.actor)
    sheet = load_workbook(io.BytesIO(_download(client, p.village.id, "annex2", "xlsx"))).active
    assert sheet["A1"].value == PAIRING.title
    assert [c.value for c in sheet[3]] == list(PAIRING.headings)
    # 张秀英 (one helper) takes row 4; 陈老汉 and 孙婆婆 (two helpers each) two rows each.
    names = [sheet.cell(row, 2).value for row in range(4, 9)]
    assert names == ["张秀英", "陈老汉", None, "孙婆婆", None]
    assert [sheet.cell(row, 11).value for row in range(4, 9)] == [
        "刘志愿", "赵邻居", "刘志愿", "赵邻居", "刘志愿"]  # fmt: skip
    assert "B5:B6" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.cell(4, 16).value == 2  # 帮扶次数
    assert sheet.cell(4, 5).value == "138****5678"
    assert sheet.cell(9, 1).value == PAIRING.note

    document = docx.Document(io.BytesIO(_download(client, p.village.id, "annex2", "docx")))
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == list(PAIRING.headings)
    assert [row.cells[10].text for row in table.rows[1:]] == [
        "刘志愿", "赵邻居", "刘志愿", "赵邻居", "刘志愿"]  # fmt: skip
    assert table.rows[3].cells[1].text == "陈老汉"  # the elder's cell spans the helper rows
    assert table.rows[1].cells[15].text == "2"
    assert any(PAIRING.note in para.text for para in document.paragraphs)

    pdf = _download(client, p.village.id, "annex2", "pdf")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                              check=True).stdout.decode()  # fmt: skip
        assert PAIRING.title in text
        assert "张秀英" in text
        assert "说明：老人类型分为低保" in text


def test_index_shows_indicators_for_the_town(client, login_as, make_user, quarter_data):
    login_as(make_user("town", "muer"))
    html = client.get(f"/mutual-aid/?year={YEAR}&quarter=1").get_data(as_text=True)
    assert 'data-key="villages"' in html
    assert "1 / 2" in html
    assert client.get("/mutual-aid/?quarter=7").status_code == 404


def test_map_page_draws_points_and_elders_without_tiles(client, login_as, programme):
    p = programme
    login_as(p.actor)
    response = client.get(f"/mutual-aid/villages/{p.village.id}/map")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('class="marker-centre"') == 1
    assert html.count('class="marker-sub"') == 1
    assert html.count('class="marker-elder"') == 1  # only caseload elders are on the map
    assert "leaflet" not in html  # no tile server configured: no script, nothing fetched
    assert "img-src 'self' data:;" in response.headers["Content-Security-Policy"]
    assert "孙婆婆" in html  # listed as beyond 1 km


def test_map_page_with_a_tile_server_loads_the_vendored_leaflet(app, client, login_as,
                                                                  programme):  # fmt: skip
    app.config["CASEMAN_MAP_TILES"] = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    login_as(programme.actor)
    response = client.get(f"/mutual-aid/villages/{programme.village.id}/map")
    html = response.get_data(as_text=True)
    assert "/static/vendor/leaflet/leaflet.min.js" in html
    assert 'data-tiles="https://{s}.tiles.example.org/{z}/{x}/{y}.png"' in html
    assert (
        "img-src 'self' data: https://*.tiles.example.org;"
        in (response.headers["Content-Security-Policy"])
    )
    script = client.get("/static/vendor/leaflet/leaflet.min.js")
    assert script.status_code == 200
    script.close()


def test_towns_outside_000_part_two_show_no_indicator_met(client, login_as, make_user, areas):
    """龙兴镇 and the 街道 are outside the scope (000 二); a community is not a 行政村."""
    from caseman.areas.models import AreaLevel
    from caseman.areas.services import create_area

    create_area("龙兴镇", AreaLevel.TOWN, areas["district"])
    street = create_area("回兴街道", AreaLevel.TOWN, areas["district"])
    create_area("兴科社区", AreaLevel.VILLAGE, street)
    create_area("木耳社区", AreaLevel.VILLAGE, areas["muer"])
    db.session.commit()
    login_as(make_user("district", "district"))
    html = client.get(f"/mutual-aid/?year={YEAR}&quarter=1", headers={"Accept-Language": "en"})
    page = html.get_data(as_text=True)
    sections = {s.split("</h2>")[0].split(":")[0].strip(): s for s in page.split("<h2>")[1:]}
    for town in ("龙兴镇", "回兴街道"):
        assert 'data-scope="outside"' in sections[town], town
        assert 'class="tag alert"' not in sections[town]
        assert 'class="tag ok"' not in sections[town]
        assert sections[town].count("Not applicable") == 5
    assert 'data-scope="outside"' not in sections["木耳镇"]
    assert "0 / 2" in sections["木耳镇"]  # two 行政村; 木耳社区 is not counted
    assert "Not applicable" in sections["木耳镇"]  # no ledger elder in a running village
