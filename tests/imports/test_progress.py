"""A large import: its progress shows on /jobs/<id> while its single transaction is still open,
nothing of it is visible to other connections before the commit, and the audit rows it makes in
the job carry the job's user."""

from __future__ import annotations

import threading
from io import BytesIO

import pytest
from sqlalchemy import func, select, text

from caseman.audit import AuditEvent
from caseman.elders.models import Elder, ElderVersion
from caseman.extensions import db
from caseman.imports import services as import_services
from caseman.jobs import services as job_services
from caseman.jobs.models import Job, JobStatus
from caseman.rules.enums import Gender
from tests.imports.sheets import annex1_workbook, id_number, ledger_row

EN = {"Accept-Language": "en"}
ROWS = 450  # three chunks of caseman.imports.services.CHUNK rows


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


def _sheet() -> bytes:
    rows = []
    for k in range(ROWS):
        gender = Gender.MALE if k % 2 else Gender.FEMALE
        rows.append(
            ledger_row(f"老人{k}", "男" if k % 2 else "女", id_number(k, gender, 70 + k % 20))
        )
    return annex1_workbook(rows)


def test_progress_is_visible_while_the_import_transaction_is_open(
    app, client, login_as, make_user, monkeypatch
):
    assert import_services.CHUNK == 200
    monkeypatch.setattr(job_services, "PROGRESS_EVERY", 0)  # report every chunk
    town = make_user("town", "muer")
    login_as(town)
    response = client.post(
        "/imports/",
        data={"sheet": (BytesIO(_sheet()), "大台账.xlsx")},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    token = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    page = client.get(f"/imports/{token}", headers=EN).get_data(as_text=True)
    assert f'<dd id="count-new">{ROWS}</dd>' in page

    seen: list[tuple[int, str, int]] = []  # (status, page, elders committed) per look
    original = import_services.save_checked
    calls = {"n": 0}

    def look_from_elsewhere() -> None:
        """Another request and another connection, as the browser and the database see it."""
        job = db.session.scalar(select(Job).order_by(Job.id.desc()))  # the request's own session
        result: dict[str, object] = {}

        def other() -> None:  # a new thread: its own app context, session and connection
            answer = client.get(f"/jobs/{job.id}", headers=EN)
            with app.app_context(), db.engine.connect() as connection:
                result["elders"] = connection.execute(text("SELECT count(*) FROM elders")).scalar()
            result["answer"] = (answer.status_code, answer.get_data(as_text=True))

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(30)
        assert not thread.is_alive(), "the progress page waited for the import's transaction"
        status, body = result["answer"]  # type: ignore[misc]
        seen.append((status, body, result["elders"]))  # type: ignore[arg-type]

    def save_and_look(actor, items, today):
        calls["n"] += 1
        if calls["n"] == 2:  # chunk 1 is saved and reported, chunk 2 is being saved
            look_from_elsewhere()
        return original(actor, items, today)

    monkeypatch.setattr(import_services, "save_checked", save_and_look)
    response = client.post(f"/imports/{token}/import", headers=EN)
    assert response.status_code == 302
    assert calls["n"] == 3

    [(status, body, elders)] = seen
    assert status == 200
    assert "200 of 450" in body
    assert 'value="44"' in body  # the progress bar: 200 / 450
    assert elders == 0  # nothing committed yet: the import is one transaction

    db.session.expire_all()
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert job.status == JobStatus.DONE, job.message
    assert (job.done, job.total) == (ROWS, ROWS)
    assert not list(job_services.jobs_directory().glob("progress-*"))  # removed when done
    assert db.session.scalar(select(func.count(Elder.id))) == ROWS
    assert db.session.scalar(select(func.count(ElderVersion.id))) == ROWS
    creates = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "create")).all()
    assert len(creates) == ROWS
    assert {(a.user_id, a.username, a.role) for a in creates} == {(town.id, town.username, "town")}


def test_an_import_failing_half_way_leaves_nothing(app, client, login_as, make_user, monkeypatch):
    login_as(make_user("town", "muer"))
    response = client.post(
        "/imports/",
        data={"sheet": (BytesIO(_sheet()), "大台账.xlsx")},
        content_type="multipart/form-data",
        headers=EN,
    )
    token = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    original = import_services.save_checked
    calls = {"n": 0}

    def fail_in_the_second_chunk(actor, items, today):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(actor, items, today)

    monkeypatch.setattr(import_services, "save_checked", fail_in_the_second_chunk)
    client.post(f"/imports/{token}/import", headers=EN)
    db.session.expire_all()
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert job.status == JobStatus.FAILED
    assert db.session.scalar(select(func.count(Elder.id))) == 0  # chunk 1 was rolled back too
    assert db.session.scalar(select(func.count(ElderVersion.id))) == 0
    assert (
        db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "create"))
        == 0
    )
    assert list(import_services.imports_directory().glob(f"{token}*"))  # kept: try again
    assert not list(job_services.jobs_directory().glob("progress-*"))
