"""Family-duty pages (issue 20 item 2): the reminders list (masked phone, audited tap to call,
record a contact), the family-duty page, duty and entrustment forms with the scan; another
area's user gets 404 everywhere."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.extensions import db
from caseman.family.models import CareEntrustment, FamilyContact, FamilyDuty
from tests.conftest import TODAY, log_in, row_counts
from tests.family.conftest import SON_PHONE

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def audit_details(elder_id, action):
    db.session.expire_all()
    return db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == action,
                                        AuditEvent.elder_id == elder_id)
    ).all()  # fmt: skip


def test_reminders_list_calls_through_an_audited_link_and_records_the_contact(
    app, family_elder, make_user
):
    elder = family_elder()
    son, daughter = elder.members
    client = client_of(app, make_user("village", "jingang"))
    html = client.get("/family/reminders").get_data(as_text=True)
    assert "李强" in html
    assert "李梅" not in html
    assert SON_PHONE not in html
    assert "139****1111" in html
    call = f"/elders/{elder.id}/family/{son.id}/call"
    assert f'href="{call}"' in html
    assert audit_details(elder.id, "reveal") == []

    response = client.get(call)
    assert response.status_code == 302
    assert response.headers["Location"] == f"tel:{SON_PHONE}"
    assert audit_details(elder.id, "reveal") == ["call family"]

    url = f"/elders/{elder.id}/family/{son.id}/contact?from=reminders"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"contacted_on": TODAY.isoformat(), "method": "video",
                                      "note": "已提醒每周视频"})  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/family/reminders")
    contact = db.session.scalar(select(FamilyContact))
    assert (contact.member_name, contact.note) == ("李强", "已提醒每周视频")
    assert f'href="{call}"' not in client.get("/family/reminders").get_data(as_text=True)
    assert len(audit_details(elder.id, "family_contact")) == 1


def test_bad_contact_keeps_the_input_and_says_why(app, family_elder, make_user):
    elder = family_elder()
    client = client_of(app, make_user("village", "jingang"))
    before = row_counts(except_audit=True)
    response = client.post(
        f"/elders/{elder.id}/family/{elder.members[0].id}/contact",
        data={"contacted_on": (TODAY + timedelta(days=3)).isoformat(), "method": "phone",
              "note": "打了电话"},
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "日期不能晚于今天" in html or "不能是将来" in html or "未来" in html, html
    assert "打了电话" in html
    assert row_counts(except_audit=True) == before


def test_family_page_and_case_file_section(app, family_elder, make_user):
    elder = family_elder()
    client = client_of(app, make_user("village", "jingang"))
    html = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert 'id="family-duty"' in html
    assert f'href="/elders/{elder.id}/family"' in html
    assert "李强" in html
    page = client.get(f"/elders/{elder.id}/family").get_data(as_text=True)
    assert "李强" in page
    assert "李梅" in page
    assert "不常探访" in page or "不经常探访" in page


def test_duty_form_sets_rhythm_and_place(app, family_elder, make_user):
    elder = family_elder()
    daughter = elder.members[1]
    client = client_of(app, make_user("village", "jingang"))
    url = f"/elders/{elder.id}/family/{daughter.id}/duty"
    assert client.get(url).status_code == 200
    missing = client.post(url, data={"is_away": "y", "away_place": "", "rhythm": "weekly",
                                     "note": "春节回家"})  # fmt: skip
    assert missing.status_code == 400
    assert "春节回家" in missing.get_data(as_text=True)
    assert db.session.scalar(select(FamilyDuty)) is None
    response = client.post(url, data={"is_away": "y", "away_place": "浙江省杭州市",
                                      "rhythm": "weekly", "note": ""})  # fmt: skip
    assert response.status_code == 302
    duty = db.session.scalar(select(FamilyDuty))
    assert (duty.member_name, duty.away_place, duty.rhythm.value) == ("李梅", "浙江省杭州市",
                                                                      "weekly")  # fmt: skip
    listed = client.get("/family/reminders").get_data(as_text=True)
    assert "李梅" in listed
    assert "浙江省杭州市" in listed


def test_entrustment_with_a_scan(app, family_elder, make_user, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")
    elder = family_elder()
    son = elder.members[0]
    client = client_of(app, make_user("village", "jingang"))
    url = f"/elders/{elder.id}/family/entrustments/new"
    assert client.get(url).status_code == 200
    data = {"entrusting": str(son.id), "entrusted_name": "金刚村互助养老点",
            "entrusted_is_organisation": "y", "entrusted_phone": "02367000000",
            "starts_on": TODAY.isoformat(), "ends_on": (TODAY + timedelta(days=365)).isoformat(),
            "note": ""}  # fmt: skip
    wrong = client.post(url, data={**data, "scan": (BytesIO(b"hello"), "agreement.png")},
                        content_type="multipart/form-data")  # fmt: skip
    assert wrong.status_code == 400
    assert "金刚村互助养老点" in wrong.get_data(as_text=True)
    backwards = client.post(url, data={**data, "ends_on": (TODAY - timedelta(days=1)).isoformat()})
    assert backwards.status_code == 400
    assert db.session.scalar(select(CareEntrustment)) is None

    response = client.post(url, data={**data, "scan": (BytesIO(PNG), "协议.png")},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    item = db.session.scalar(select(CareEntrustment))
    assert (item.entrusting_name, item.entrusted_name) == ("李强", "金刚村互助养老点")
    assert item.scan_media_type == "image/png"
    assert item.scan_size == len(PNG)
    assert (tmp_path / "uploads" / item.scan_stored_as).read_bytes() == PNG
    page = client.get(f"/elders/{elder.id}/family").get_data(as_text=True)
    scan_url = f"/elders/{elder.id}/family/entrustments/{item.id}/scan"
    assert scan_url in page
    download = client.get(scan_url)
    assert download.status_code == 200
    assert download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()
    assert len(audit_details(elder.id, "view_scan")) == 1
    assert len(audit_details(elder.id, "entrustment")) == 1
    # The case file names the agreement in force.
    assert "金刚村互助养老点" in client.get(f"/elders/{elder.id}").get_data(as_text=True)

    other = client_of(app, make_user("town", "gulu", username="gulu_staff"))
    assert other.get(scan_url).status_code == 404


def test_another_area_gets_404_and_sees_no_reminder(app, family_elder, make_user):
    elder = family_elder()
    son = elder.members[0]
    other = client_of(app, make_user("village", "baiyan", username="baiyan_cadre"))
    for url in (f"/elders/{elder.id}/family", f"/elders/{elder.id}/family/{son.id}/call",
                f"/elders/{elder.id}/family/{son.id}/contact",
                f"/elders/{elder.id}/family/{son.id}/duty",
                f"/elders/{elder.id}/family/entrustments/new"):  # fmt: skip
        assert other.get(url).status_code == 404, url
    before = row_counts(except_audit=True)
    assert other.post(f"/elders/{elder.id}/family/{son.id}/contact",
                      data={"contacted_on": TODAY.isoformat(), "method": "phone"}
                      ).status_code == 404  # fmt: skip
    assert row_counts(except_audit=True) == before
    assert "李强" not in other.get("/family/reminders").get_data(as_text=True)
    assert audit_details(elder.id, "reveal") == []
    # A member of another elder, given with this elder's id, answers 404 too.
    second = family_elder()
    mine = client_of(app, make_user("village", "jingang"))
    assert mine.get(f"/elders/{elder.id}/family/{second.members[0].id}/duty").status_code == 404


def test_town_and_district_see_the_reminder(app, family_elder, make_user):
    family_elder()
    for user in (make_user("town", "muer"), make_user("district", "district")):
        assert "李强" in client_of(app, user).get("/family/reminders").get_data(as_text=True)
    assert "李强" not in client_of(app, make_user("town", "gulu")).get(
        "/family/reminders"
    ).get_data(as_text=True)
