"""Full numbers only through an audited door (issue 23 item 5): the disability certificate number
masked like the ID number it carries, the correction and review forms audited, and the duplicate
ID check's answers about other areas audited and limited per user and hour."""

from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import func, select

from caseman.audit import AuditEvent
from caseman.elders.models import Elder
from caseman.elders.services import TooManyProbes
from caseman.extensions import db
from caseman.rules.enums import Category
from tests.conftest import TODAY, denials
from tests.elders.test_views import form_data
from tests.imports.sheets import annex1_workbook, id_number, ledger_row

ZH = {"Accept-Language": "zh-CN"}
TOO_MANY = "一小时内查询其他地区身份证号码的次数过多"
TOO_MANY_MSGID = TooManyProbes().message


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


def _events(action: str, user_id: int | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    return list(db.session.scalars(query))


def _masked(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:]


@pytest.fixture
def disabled_elder(make_elder):
    """A severely disabled elder whose certificate number is the ID number plus kind and grade."""
    number = id_number(60)
    return make_elder(
        name="残疾老人",
        id_number=number,
        disability_grade=1,
        disability_certificate_no=number + "41",
        categories={Category.LIVING_ALONE, Category.SEVERE_DISABILITY},
        members=[{"name": "李强", "relation": "son", "id_number": id_number(61, "male", 50),
                  "phone": "13987654321", "residence": "elsewhere"}],
    )  # fmt: skip


@pytest.mark.parametrize("role", ["village", "worker"])
def test_certificate_number_is_masked_like_the_id_until_the_audited_reveal(
    client, login_as, make_user, disabled_elder, role
):
    elder = disabled_elder
    certificate = elder.disability_certificate_no
    login_as(make_user(role, "jingang"))
    page = client.get(f"/elders/{elder.id}", headers=ZH)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert certificate not in text
    assert elder.id_number not in text
    assert _masked(elder.id_number) + "41" in text  # masked as the ID is, kind and grade kept
    version = client.get(f"/elders/{elder.id}/versions/1", headers=ZH).get_data(as_text=True)
    assert "残疾证号" in version
    assert certificate not in version
    assert _masked(elder.id_number) + "41" in version
    revealed = client.post(f"/elders/{elder.id}/reveal", headers=ZH).get_data(as_text=True)
    assert certificate in revealed
    (event,) = _events("reveal")
    assert event.elder_id == elder.id
    assert event.detail == "id_number phone disability_certificate_no"


def test_town_staff_see_six_digits_of_the_area_in_the_certificate(
    client, login_as, make_user, disabled_elder
):
    login_as(make_user("town", "muer"))
    text = client.get(f"/elders/{disabled_elder.id}").get_data(as_text=True)
    assert disabled_elder.disability_certificate_no not in text
    assert disabled_elder.id_number[:6] + "*" * 8 + disabled_elder.id_number[-4:] + "41" in text


def test_village_export_masks_the_certificate_number(client, login_as, make_user, disabled_elder):
    import csv
    import io
    import zipfile

    from caseman.jobs.models import Job

    login_as(make_user("village", "jingang"))
    response = client.post("/exports/", data={"format": "zip"})
    assert response.status_code == 302
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    download = client.get(f"/jobs/{job.id}/download")
    archive = zipfile.ZipFile(BytesIO(download.data))
    download.close()
    rows = list(csv.DictReader(io.StringIO(archive.read("elders.csv").decode("utf-8-sig"))))
    assert rows[0]["disability_certificate_no"] == _masked(disabled_elder.id_number) + "41"


@pytest.mark.parametrize("role", ["village", "worker"])
@pytest.mark.parametrize("page", ["edit", "review"])
def test_opening_the_correction_or_review_form_is_audited(
    client, login_as, make_user, disabled_elder, role, page
):
    """The form holds the full numbers (a typo is corrected in the whole number): opening it is
    recorded like the case file's "show full numbers"."""
    elder = disabled_elder
    member = elder.members[0]
    user = make_user(role, "jingang")
    login_as(user)
    response = client.get(f"/elders/{elder.id}/{page}", headers=ZH)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for number in (elder.id_number, elder.phone, member.id_number, member.phone):
        assert f'value="{number}"' in text
    (event,) = _events("view_form")
    assert (event.user_id, event.elder_id, event.detail) == (user.id, elder.id, page)


def test_another_village_cannot_open_the_form_and_nothing_is_disclosed(
    client, login_as, make_user, disabled_elder
):
    login_as(make_user("village", "baiyan"))
    denied = denials()
    for page in ("edit", "review"):
        response = client.get(f"/elders/{disabled_elder.id}/{page}")
        assert response.status_code == 404
        assert disabled_elder.id_number not in response.get_data(as_text=True)
    assert _events("view_form") == []
    assert denials() == denied + 2


def test_the_audit_log_reads_the_new_actions_in_chinese(
    client, areas, login_as, make_user, make_elder
):
    other = make_elder(area="caoping")
    village = make_user("village", "jingang")
    login_as(village)
    client.post("/elders/new", data=form_data(areas, id_number=other.id_number), headers=ZH)
    client.get(f"/elders/{other.id}/edit")  # out of scope: a denial, not a view_form
    client.post("/logout")
    login_as(make_user("district", "district"))
    assert client.get(f"/elders/{other.id}/review").status_code == 200
    text = client.get("/audit?action=view_form", headers=ZH).get_data(as_text=True)
    assert "打开登记表（显示完整号码）" in text
    assert "半年复核" in text
    text = client.get("/audit?action=duplicate_probe", headers=ZH).get_data(as_text=True)
    assert "身份证号码已在其他地区建档" in text
    assert _masked(other.id_number) in text
    assert "古路镇" in text


def _probe(client, areas, number: str, name: str = "王大山"):
    data = form_data(areas, id_number=number, name=name)
    return client.post("/elders/new", data=data, headers=ZH)


def test_duplicate_answers_about_other_areas_are_audited_and_limited(
    app, client, areas, login_as, make_user, make_elder
):
    app.config["CASEMAN_DUPLICATE_PROBES_PER_HOUR"] = 2
    others = [make_elder(area="caoping", id_number=id_number(70 + k)) for k in range(3)]
    own = make_elder(area="jingang", id_number=id_number(80))
    village = make_user("village", "jingang")
    login_as(village)
    elders_before = db.session.scalar(select(func.count(Elder.id)))
    for other in others[:2]:
        response = _probe(client, areas, other.id_number)
        assert response.status_code == 200  # the form again, nothing saved
        assert "古路镇" in response.get_data(as_text=True)
    events = _events("duplicate_probe", village.id)
    assert [e.detail for e in events] == [f"{_masked(o.id_number)} town=古路镇" for o in others[:2]]
    # A duplicate the user may see anyway is no probe: answered, not counted.
    response = _probe(client, areas, own.id_number)
    assert f"/elders/{own.id}" in response.get_data(as_text=True)
    # The third answer about another area within the hour is refused, the input kept.
    response = _probe(client, areas, others[2].id_number, name="赵小花")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert TOO_MANY in text
    assert "古路镇" not in text
    assert 'value="赵小花"' in text
    assert f'value="{others[2].id_number}"' in text
    # Even a number that is filed nowhere gets its answer: only other areas' cases are limited.
    free = _probe(client, areas, id_number(99, "male"), name="新老人")
    assert free.status_code == 302
    assert len(_events("duplicate_probe", village.id)) == 2
    assert db.session.scalar(select(func.count(Elder.id))) == elders_before + 1
    # The limit is per user: a colleague still gets answers.
    client.post("/logout")
    login_as(make_user("village", "jingang"))
    assert "古路镇" in _probe(client, areas, others[2].id_number).get_data(as_text=True)


def test_answers_older_than_an_hour_no_longer_count(
    app, client, areas, login_as, make_user, make_elder, frozen_clock
):
    from datetime import datetime, timedelta

    app.config["CASEMAN_DUPLICATE_PROBES_PER_HOUR"] = 1
    other = make_elder(area="caoping", id_number=id_number(71))
    village = make_user("village", "jingang")
    start = datetime.combine(TODAY, datetime.min.time()) + timedelta(hours=9)
    for minutes, answer in ((0, "古路镇"), (59, TOO_MANY), (61, "古路镇")):
        frozen_clock(start + timedelta(minutes=minutes))
        login_as(village)  # a fresh session at the frozen time
        assert answer in _probe(client, areas, other.id_number).get_data(as_text=True)


def test_changing_an_id_on_the_correction_form_is_limited_too(
    app, client, areas, login_as, make_user, make_elder
):
    app.config["CASEMAN_DUPLICATE_PROBES_PER_HOUR"] = 1
    others = [make_elder(area="caoping", id_number=id_number(72 + k)) for k in range(2)]
    worker = make_user("worker", "jingang")
    login_as(worker)
    assert _probe(client, areas, id_number(90, "male")).status_code == 302  # their own case
    elder = db.session.scalar(select(Elder).where(Elder.id_number == id_number(90, "male")))
    data = form_data(areas, id_number=others[0].id_number, version=str(elder.version))
    response = client.post(f"/elders/{elder.id}/edit", data=data, headers=ZH)
    assert "古路镇" in response.get_data(as_text=True)
    data["id_number"] = others[1].id_number
    response = client.post(f"/elders/{elder.id}/edit", data=data, headers=ZH)
    assert response.status_code == 400
    assert TOO_MANY in response.get_data(as_text=True)
    assert [e.detail for e in _events("duplicate_probe", worker.id)] == [
        f"{_masked(others[0].id_number)} town=古路镇"
    ]
    db.session.expire_all()
    assert db.session.get(Elder, elder.id).id_number == id_number(90, "male")


def test_an_import_spends_the_same_budget(app, client, login_as, make_user, make_elder):
    app.config["CASEMAN_DUPLICATE_PROBES_PER_HOUR"] = 1
    others = [make_elder(area="caoping", id_number=id_number(74 + k)) for k in range(2)]
    town = make_user("town", "muer")
    login_as(town)
    content = annex1_workbook([ledger_row("甲", "女", o.id_number) for o in others])
    response = client.post(
        "/imports/",
        data={"sheet": (BytesIO(content), "台账.xlsx")},
        content_type="multipart/form-data",
        headers=ZH,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"], headers=ZH).get_data(as_text=True)
    assert "古路镇" in page  # row 5: answered …
    assert TOO_MANY in page  # … row 6: refused
    probes = [f"{_masked(others[0].id_number)} town=古路镇"]
    assert [e.detail for e in _events("duplicate_probe", town.id)] == probes
    # Checking the same upload again (after confirming a village) or importing it tells nothing
    # new about row 5: it spends no more of the budget; row 6 stays refused.
    from caseman.imports.services import check_upload, import_upload, load_upload

    upload = load_upload(town, response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    for _again in range(2):
        problems = check_upload(town, upload, {}, TODAY)["problems"]
        assert [(row, message) for row, _column, message, _params in problems] == [
            (5, "A case for this ID number already exists in %(town)s. Ask its staff."),
            (6, TOO_MANY_MSGID),
        ]
    outcome = import_upload(town, upload, TODAY)
    assert [p.message for p in outcome.problems] == [problems[0][2], TOO_MANY_MSGID]
    db.session.commit()
    assert [e.detail for e in _events("duplicate_probe", town.id)] == probes


def test_a_stale_save_shows_the_saved_numbers_and_is_audited_too(
    client, areas, login_as, make_user, disabled_elder
):
    """A save on an old version answers 409 with the values saved meanwhile (the phone in full):
    posting a stale version is no way around the audited opening of the form."""
    elder = disabled_elder
    login_as(make_user("village", "jingang"))
    data = form_data(
        areas, id_number=elder.id_number, gender="female", version="0", phone="13700000000"
    )
    response = client.post(f"/elders/{elder.id}/edit", data=data, headers=ZH)
    assert response.status_code == 409
    assert elder.phone in response.get_data(as_text=True)
    (event,) = _events("view_form")
    assert (event.elder_id, event.detail) == (elder.id, "edit")
