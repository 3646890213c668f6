"""Exporting all data of the user's scope (issue 9 item 7): .xlsx and CSV zip, masked below
town level, audited, never formulas."""

from __future__ import annotations

import csv
import io
import zipfile
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.exports.services import TABLES
from caseman.extensions import db
from caseman.jobs.models import Job, JobStatus
from tests.conftest import denials, row_counts

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


@pytest.fixture
def elders(make_elder):
    inside = make_elder(
        name="张秀英",
        medical_history='=HYPERLINK("http://x.cn","点我")',
        members=[
            {"name": "李强", "relation": "son", "phone": "13987654321", "residence": "elsewhere"}
        ],  # fmt: skip
    )
    other_village = make_elder(area="baiyan", name="白岩老人")
    other_town = make_elder(area="caoping", name="古路老人")
    return inside, other_village, other_town


def _export(client, fmt: str) -> bytes:
    response = client.post("/exports/", data={"format": fmt}, headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True)
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert response.headers["Location"].endswith(f"/jobs/{job.id}")
    assert job.status == JobStatus.DONE, job.message
    download = client.get(f"/jobs/{job.id}/download")
    assert download.status_code == 200
    data = download.data
    download.close()
    return data


def test_town_staff_get_their_town_in_full_as_xlsx(client, login_as, make_user, elders):
    inside, other_village, _other_town = elders
    town = make_user("town", "muer")
    login_as(town)
    assert client.get("/exports/", headers=EN).status_code == 200
    book = load_workbook(BytesIO(_export(client, "xlsx")))
    assert book.sheetnames == [*TABLES, "data_dictionary"]
    rows = list(book["elders"].iter_rows(values_only=True))
    header = rows[0]
    assert "case_revision" not in header  # the site's bookkeeping (casefile.cache), not data
    names = sorted(r[header.index("name")] for r in rows[1:])
    assert names == ["张秀英", "白岩老人"]  # not the other town's elder
    zhang = next(r for r in rows[1:] if r[header.index("name")] == "张秀英")
    assert zhang[header.index("id_number")] == inside.id_number  # full for town staff
    assert zhang[header.index("medical_history")] == '=HYPERLINK("http://x.cn","点我")'
    cell = book["elders"].cell(
        row=rows.index(zhang) + 1, column=header.index("medical_history") + 1
    )
    assert cell.data_type == "s"  # text, never a formula
    members = list(book["family_members"].iter_rows(values_only=True))
    assert [r[members[0].index("phone")] for r in members[1:]] == ["13987654321"]
    dictionary = list(book["data_dictionary"].iter_rows(values_only=True))
    assert [
        "elders",
        "老年人（附件2 一、三、四）",
        "id_number",
        "VARCHAR(18)",
        "居民身份证号码",
    ] in [list(r) for r in dictionary]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.user_id == town.id
    assert event.detail == "format=xlsx,elders=2"


def test_village_staff_get_their_village_masked_as_csv_zip(client, login_as, make_user, elders):
    inside, _other_village, _other_town = elders
    login_as(make_user("village", "jingang"))
    archive = zipfile.ZipFile(BytesIO(_export(client, "zip")))
    assert sorted(archive.namelist()) == sorted(f"{n}.csv" for n in [*TABLES, "data_dictionary"])
    text = archive.read("elders.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == ["张秀英"]
    assert rows[0]["id_number"] == inside.id_number[:4] + "*" * 10 + inside.id_number[-4:]
    assert rows[0]["phone"] == "138****5678"
    assert rows[0]["medical_history"].startswith("'=HYPERLINK")  # inert in a spreadsheet
    members = list(
        csv.DictReader(io.StringIO(archive.read("family_members.csv").decode("utf-8-sig")))
    )
    assert members[0]["phone"] == "139****4321"


def test_workers_cannot_export_and_nothing_changes(client, login_as, make_user, elders):
    login_as(make_user("worker", "jingang"))
    before, denied = row_counts(except_audit=True), denials()
    assert client.get("/exports/").status_code == 404
    assert client.post("/exports/", data={"format": "xlsx"}).status_code == 404
    assert row_counts(except_audit=True) == before
    assert denials() == denied + 2  # each refusal is in the audit log


def test_an_empty_area_has_nothing_to_export(client, login_as, make_user):
    login_as(make_user("town", "gulu"))
    response = client.post("/exports/", data={"format": "zip"}, headers=EN)
    assert response.status_code == 400
    assert "There is nothing to export in your area." in response.get_data(as_text=True)
    assert db.session.scalar(select(Job)) is None
