"""The import job as the queue's consumer runs it: a worker thread with no request (and no app
context of its own), translating its report with the locale of the user who started it."""

from __future__ import annotations

import threading
from io import BytesIO

import pytest
from huey.storage import SqliteStorage
from openpyxl import load_workbook
from sqlalchemy import select

from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.jobs import services as job_services
from caseman.jobs.models import Job, JobStatus
from caseman.jobs.queue import huey
from tests.imports.sheets import annex1_workbook, id_number, ledger_row


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


@pytest.fixture
def queued(app, tmp_path, monkeypatch):
    """Tasks go through Huey's storage; the consumer's app is this test's app."""
    monkeypatch.setattr(huey, "_immediate", False)
    monkeypatch.setattr(huey, "storage", SqliteStorage("caseman-test", str(tmp_path / "q.db")))
    monkeypatch.setattr(job_services, "_app", app)


def _consume() -> None:
    """Run the next task in a new thread, as huey_consumer's thread worker does."""
    task = huey.dequeue()
    assert task is not None
    db.session.commit()  # the test's session holds no transaction while the worker writes
    errors: list[BaseException] = []

    def work() -> None:
        try:
            huey.execute(task)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert not errors, errors
    db.session.expire_all()


def _wrong_check_digit(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def _upload_and_import(client, language: str) -> Job:
    headers = {"Accept-Language": language}
    sheet = annex1_workbook(
        [
            ledger_row("张秀英", "女", id_number(1)),
            ledger_row("李桂兰", "女", _wrong_check_digit(id_number(2))),
        ]
    )
    response = client.post(
        "/imports/",
        data={"sheet": (BytesIO(sheet), "台账.xlsx")},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    token = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    response = client.post(f"/imports/{token}/import", headers=headers)
    assert response.status_code == 302
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert job.status == JobStatus.QUEUED
    return job


def _report(client, job: Job) -> list[tuple]:
    response = client.get(f"/jobs/{job.id}/download")
    assert response.status_code == 200
    data = response.data
    response.close()
    return list(load_workbook(BytesIO(data)).active.iter_rows(values_only=True))


@pytest.mark.parametrize(
    ("language", "reason"),
    [("zh-CN", "身份证号码：身份证号码校验位不正确"), ("en", "身份证号码：The check digit")],
)
def test_an_import_with_a_rejected_row_runs_in_the_worker(
    client, login_as, make_user, queued, language, reason
):
    login_as(make_user("town", "muer"))
    job = _upload_and_import(client, language)
    _consume()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.DONE, job.message
    assert list(db.session.scalars(select(Elder.name))) == ["张秀英"]
    rows = _report(client, job)
    assert [r[1] for r in rows[1:]] == ["李桂兰"]
    assert rows[1][-2].startswith(reason), rows[1][-2]
