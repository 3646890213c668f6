"""The import pages: upload, preview, confirming a village, the error report, the import job."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.imports.services import imports_directory
from caseman.jobs.models import Job, JobStatus
from tests.conftest import denials, row_counts
from tests.imports.sheets import annex1_workbook, id_number, ledger_row

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


def _sheet() -> bytes:
    return annex1_workbook(
        [
            ledger_row("张秀英", "女", id_number(1)),
            ledger_row("王德明", "男", id_number(3, gender="male"), "金钢村"),
            ledger_row('=HYPERLINK("http://x.cn","赵大")', "男", id_number(4, gender="male")),
            ledger_row("李桂兰", "女", 500112194403050000),
        ]
    )


def _upload(client, content: bytes, name: str = "台账.xlsx"):
    return client.post(
        "/imports/",
        data={"sheet": (BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=EN,
    )


def _download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    data = response.data
    response.close()  # send_file streams from the file
    return data


def _token(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def test_upload_preview_confirm_import_and_report(client, login_as, make_user, areas):
    town = make_user("town", "muer")
    login_as(town)
    assert client.get("/imports/", headers=EN).status_code == 200
    before = row_counts()
    token = _token(_upload(client, _sheet()))
    assert row_counts() == before
    page = client.get(f"/imports/{token}", headers=EN).get_data(as_text=True)
    assert '<dd id="count-new">1</dd>' in page
    assert '<dd id="count-rejected">3</dd>' in page
    assert "金钢村 is not in the area list; is it 金刚村? Confirm the match above." in page
    assert "This cell holds a formula, which is never evaluated" in page
    assert "Excel stored this ID number as a number and lost its last digits" in page
    assert 'value="木耳镇/金钢村"' in page

    # The error report: the rejected rows as uploaded, as text, with the reason.
    sheet = load_workbook(BytesIO(_download(client, f"/imports/{token}/errors.xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "姓名"
    assert rows[0][-2:] == ("错误原因", "原行号")
    assert [r[-1] for r in rows[1:]] == ["6", "7", "8"]
    assert rows[2][1] == '=HYPERLINK("http://x.cn","赵大")'
    assert sheet.cell(3, 2).data_type == "s"  # text, never a formula
    assert rows[3][4] == "500112194403050000"
    assert rows[2][-2].startswith("姓名：")

    response = client.post(f"/imports/{token}/check", data={"match": "木耳镇/金钢村"}, headers=EN)
    assert response.headers["Location"].endswith(f"/imports/{token}")
    page = client.get(f"/imports/{token}", headers=EN).get_data(as_text=True)
    assert '<dd id="count-new">2</dd>' in page
    assert '<dd id="count-rejected">2</dd>' in page

    response = client.post(f"/imports/{token}/import", headers=EN)
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert response.headers["Location"].endswith(f"/jobs/{job.id}")
    assert job.status == JobStatus.DONE, job.message
    names = sorted(db.session.scalars(select(Elder.name)))
    assert names == ["张秀英", "王德明"]
    result = load_workbook(BytesIO(_download(client, f"/jobs/{job.id}/download"))).active
    assert [r[1] for r in result.iter_rows(min_row=2, values_only=True)] == [
        '=HYPERLINK("http://x.cn","赵大")',
        "李桂兰",
    ]

    # The imported upload is not kept; importing the same file again changes no case.
    assert not list(imports_directory().glob(f"{token}*"))
    assert client.post(f"/imports/{token}/import", headers=EN).status_code == 404
    counts = row_counts()
    token = _token(_upload(client, _sheet()))
    client.post(f"/imports/{token}/check", data={"match": "木耳镇/金钢村"}, headers=EN)
    page = client.get(f"/imports/{token}", headers=EN).get_data(as_text=True)
    assert '<dd id="count-unchanged">2</dd>' in page
    assert '<dd id="count-new">0</dd>' in page
    assert row_counts() == counts


def test_another_user_gets_404_and_nothing_changes(client, login_as, make_user):
    owner = make_user("town", "muer")
    login_as(owner)
    token = _token(_upload(client, _sheet()))
    client.post("/logout")
    login_as(make_user("town", "gulu"))
    before, denied = row_counts(except_audit=True), denials()
    assert client.get(f"/imports/{token}").status_code == 404
    assert client.get(f"/imports/{token}/errors.xlsx").status_code == 404
    assert client.post(f"/imports/{token}/import").status_code == 404
    assert client.post(f"/imports/{token}/check").status_code == 404
    assert client.get("/imports/not-a-token").status_code == 404
    assert row_counts(except_audit=True) == before
    assert denials() == denied + 5  # each refusal is in the audit log


def test_workers_cannot_import(client, login_as, make_user):
    login_as(make_user("worker", "jingang"))
    assert client.get("/imports/").status_code == 404


def test_a_renamed_png_is_refused_beside_the_field(client, login_as, make_user):
    login_as(make_user("town", "muer"))
    before = row_counts()
    response = _upload(client, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "ledger.xlsx")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="field-error"' in page
    assert "Upload an Excel workbook (.xlsx) or a CSV file." in page
    assert row_counts() == before


def test_a_50_mb_file_is_refused(client, login_as, make_user):
    login_as(make_user("town", "muer"))
    before = row_counts()
    body = b"PK\x03\x04" + b"\x00" * (50 * 2**20)  # in memory: the size alone is refused
    response = client.post(
        "/imports/", data=body, content_type="multipart/form-data; boundary=x", headers=EN
    )
    assert response.status_code == 413
    assert row_counts() == before


def test_large_files_are_checked_in_the_background(app, client, login_as, make_user):
    app.config["CASEMAN_IMPORT_SYNC_ROWS"] = 1
    login_as(make_user("town", "muer"))
    response = _upload(client, _sheet())
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert job.kind == "ledger_check"
    assert response.headers["Location"].endswith(f"/jobs/{job.id}")
    assert job.status == JobStatus.DONE, job.message
    assert (job.done, job.total) == (4, 4)
    index = client.get("/imports/", headers=EN).get_data(as_text=True)
    token = job.params["token"]
    assert f"/imports/{token}" in index
    page = client.get(f"/imports/{token}", headers=EN).get_data(as_text=True)
    assert '<dd id="count-new">1</dd>' in page
    report = load_workbook(BytesIO(_download(client, f"/jobs/{job.id}/download"))).active
    assert report.max_row == 4  # the header and three rejected rows
