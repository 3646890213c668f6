"""Batch printing in the background (issue 5 item 6): every 附件2 of a village, every 附件3 of a
period, as one PDF, with progress, a download for the user who asked and nobody else."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from huey.storage import SqliteStorage
from sqlalchemy import func, select

from caseman.audit import AuditEvent
from caseman.documents.models import PrintedDocument
from caseman.extensions import db
from caseman.jobs import services as job_services
from caseman.jobs.models import Job, JobStatus
from caseman.jobs.queue import huey
from caseman.jobs.services import JobContext, handler, start_job
from caseman.visits.services import new_submission_key, record_visit
from tests.conftest import TODAY, row_counts
from tests.visits.conftest import visit_values


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


def _pdf(tmp_path: Path, content: bytes) -> tuple[str, int]:
    path = tmp_path / "batch.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout  # fmt: skip
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    pages = next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
    return text, int(pages.split()[1])


EN = {"Accept-Language": "en"}


def _post_batch(client, **data):
    return client.post("/documents/batches/new", data=data, headers=EN)


def _download(client, job: Job) -> bytes:
    response = client.get(f"/jobs/{job.id}/download")
    assert response.status_code == 200
    data = response.data
    response.close()  # send_file streams from the file
    return data


def _job() -> Job:
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert job is not None
    return job


def test_annex2_of_a_village_in_one_pdf(client, login_as, make_user, make_elder, areas, tmp_path):
    names = ["张秀英", "李桂兰", "王德明"]
    for name in names:
        make_elder(name=name)
    make_elder(area="baiyan", name="赵别村")  # same town, another village: not in this batch
    town = make_user("town", "muer")
    login_as(town)
    response = _post_batch(client, kind="annex2", area=areas["jingang"].id)
    assert response.status_code == 302
    job = _job()
    assert response.headers["Location"].endswith(f"/jobs/{job.id}")
    assert job.status == JobStatus.DONE
    assert (job.done, job.total) == (3, 3)

    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f"/jobs/{job.id}/download" in page
    assert 'http-equiv="refresh"' not in page
    download = client.get(f"/jobs/{job.id}/download")
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    text, pages = _pdf(tmp_path, _download(client, job))
    assert pages == 3 * 3  # three copies of each registration form, one page each
    for name in names:
        assert name in text
    assert "赵别村" not in text
    assert text.count("第1联") == 3
    assert text.count("区民政局存档") == 3
    # Each form got its own number, and each printing is in the audit log.
    assert db.session.scalar(select(func.count()).select_from(PrintedDocument)) == 3
    prints = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "print")).all()
    assert len(prints) == 3
    assert {e.user_id for e in prints} == {town.id}
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "download")
        )
        == 2
    )


def test_annex3_of_a_period(client, login_as, make_user, make_elder, areas, tmp_path):
    cadre = make_user("village", "jingang", full_name="王芳")
    filed = TODAY - timedelta(days=90)
    first = make_elder(name="张秀英", filed_on=filed)
    second = make_elder(name="李桂兰", filed_on=filed)
    for elder, day in ((first, TODAY), (second, TODAY), (first, TODAY - timedelta(days=40))):
        record_visit(cadre, elder, visit_values(visited_on=day), new_submission_key(), TODAY)
    db.session.commit()
    login_as(cadre)
    start = TODAY - timedelta(days=10)
    _post_batch(client, kind="annex3", area=areas["jingang"].id,
                start=start.isoformat(), end=TODAY.isoformat())  # fmt: skip
    job = _job()
    assert job.status == JobStatus.DONE
    assert job.total == 2
    text, pages = _pdf(tmp_path, _download(client, job))
    assert pages == 2 * 4  # four copies of each visit record
    assert "张秀英" in text
    assert "李桂兰" in text
    assert text.count("服务人员所在单位存档") == 2


def test_nothing_to_print_and_bad_period_stay_on_the_form(client, login_as, make_user, areas):
    login_as(make_user("town", "muer"))
    before = row_counts()
    page = _post_batch(client, kind="annex2", area=areas["baiyan"].id)
    assert page.status_code == 400
    assert "There is nothing to print for this choice." in page.get_data(as_text=True)
    yesterday = TODAY - timedelta(days=1)
    page = _post_batch(client, kind="annex3", area=areas["jingang"].id,
                       start=TODAY.isoformat(), end=yesterday.isoformat())  # fmt: skip
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert '<p class="field-error" id="end-error">The period ends before it starts.</p>' in html
    assert f'value="{yesterday.isoformat()}"' in html  # what was typed is kept
    assert row_counts() == before


def test_other_area_and_other_user(client, login_as, make_user, make_elder, areas):
    make_elder(name="张秀英")
    gulu = make_user("town", "gulu")
    login_as(gulu)
    before = row_counts()
    page = _post_batch(client, kind="annex2", area=areas["jingang"].id)
    assert page.status_code == 400  # not one of the user's areas: refused as an invalid choice
    assert row_counts() == before
    client.post("/logout")

    login_as(make_user("town", "muer"))
    _post_batch(client, kind="annex2", area=areas["jingang"].id)
    job = _job()
    client.post("/logout")
    login_as(gulu)
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client.get(f"/jobs/{job.id}/download").status_code == 404
    assert job.title not in client.get("/jobs/").get_data(as_text=True)


def test_a_failing_job_says_so_and_keeps_nothing_half_done(app, make_user, areas):
    user = make_user("town", "muer")

    @handler("test_failing")
    def failing(ctx: JobContext) -> str:
        ctx.progress(1, 4)
        db.session.add(PrintedDocument(number="x", annex="annex2", elder_id=1, copies=1))
        raise RuntimeError("boom")

    job = start_job(user, "test_failing", "a job that fails", {}, 4)
    db.session.commit()
    job_services.enqueue(job)
    db.session.expire_all()
    assert job.status == JobStatus.FAILED
    assert job.message == "Something went wrong; the job stopped. Please try again."
    assert job.finished_at is not None
    assert db.session.scalar(select(func.count()).select_from(PrintedDocument)) == 0


def test_queued_job_waits_in_the_queue_then_runs(client, login_as, make_user, make_elder,
                                                 areas, tmp_path, monkeypatch):  # fmt: skip
    """Not in immediate mode: the task goes through Huey's SQLite storage, the page refreshes
    itself while the job waits, and the consumer's execution of the dequeued task finishes it."""
    make_elder(name="张秀英")
    monkeypatch.setattr(huey, "_immediate", False)
    monkeypatch.setattr(huey, "storage", SqliteStorage("caseman-test", str(tmp_path / "q.db")))
    login_as(make_user("town", "muer"))
    _post_batch(client, kind="annex2", area=areas["jingang"].id)
    job = _job()
    assert job.status == JobStatus.QUEUED
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page
    assert "/download" not in page
    assert client.get(f"/jobs/{job.id}/download").status_code == 404

    task = huey.dequeue()
    assert task is not None
    huey.execute(task)
    db.session.expire_all()
    assert _job().status == JobStatus.DONE
    assert _download(client, job).startswith(b"%PDF")


def test_a_batch_too_large_is_refused_with_the_numbers(app, client, login_as, make_user,
                                                       make_elder, areas):  # fmt: skip
    make_elder(name="张秀英")
    make_elder(name="李桂兰")
    app.config["CASEMAN_BATCH_LIMIT"] = 1
    login_as(make_user("town", "muer"))
    before = row_counts()
    page = _post_batch(client, kind="annex2", area=areas["jingang"].id)
    assert page.status_code == 400
    assert "That is 2 forms, more than 1 in one batch" in page.get_data(as_text=True)
    assert row_counts() == before


# --- a batch that never produced its file leaves no printing behind (issue 23 item 6) ---------


def _prints() -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "print")
    )


def test_a_batch_whose_pdf_fails_leaves_no_print_rows_nor_numbers(
    client, login_as, make_user, make_elder, areas, monkeypatch
):
    from caseman.documents import batches

    for name in ("张秀英", "李桂兰", "王德明", "赵桂芝"):
        make_elder(name=name)
    town = make_user("town", "muer")
    login_as(town)
    real = batches.render_pdf_many

    def fails_after_two(documents, on_rendered=None, **kwargs):
        def counting(k):
            if on_rendered:
                on_rendered(k)
            if k == 2:
                raise RuntimeError("the disk is full")

        return real(documents, counting, **kwargs)

    monkeypatch.setattr(batches, "render_pdf_many", fails_after_two)
    numbers_before = db.session.scalar(select(func.count()).select_from(PrintedDocument))
    _post_batch(client, kind="annex2", area=areas["jingang"].id)
    job = _job()
    assert job.status == JobStatus.FAILED
    assert _prints() == 0
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PrintedDocument)) == numbers_before

    # Started again with a working renderer: exactly one number and one print row per form.
    monkeypatch.setattr(batches, "render_pdf_many", real)
    response = client.post(f"/jobs/{job.id}/retry")
    assert response.status_code == 302
    retried = _job()
    assert retried.status == JobStatus.DONE
    assert _prints() == 4
    documents = db.session.scalars(select(PrintedDocument)).all()
    assert len(documents) == 4
    assert all(doc.printings == 1 for doc in documents)
    assert len({doc.elder_id for doc in documents}) == 4


def test_a_batch_reprinting_numbered_forms_counts_them_once_per_form(
    client, login_as, make_user, make_elder, areas
):
    for name in ("张秀英", "李桂兰"):
        make_elder(name=name)
    town = make_user("town", "muer")
    login_as(town)
    _post_batch(client, kind="annex2", area=areas["jingang"].id)
    _post_batch(client, kind="annex2", area=areas["jingang"].id)
    assert _job().status == JobStatus.DONE
    documents = db.session.scalars(select(PrintedDocument)).all()
    assert len(documents) == 2  # unchanged content keeps its number
    assert [doc.printings for doc in documents] == [2, 2]
    assert _prints() == 4


def test_numbers_reserved_by_a_running_batch_are_not_shown_nor_reused(
    client, login_as, make_user, make_elder, areas, monkeypatch
):
    """While the batch lays out its forms, a form printed on its own gets its own number, and
    the case file does not list the batch's numbers yet."""
    from caseman.documents import batches
    from caseman.documents.queries import list_printed

    elder = make_elder(name="张秀英")
    town = make_user("town", "muer")
    login_as(town)
    real = batches.render_pdf_many
    seen: dict[str, object] = {}

    def look_meanwhile(documents, on_rendered=None, **kwargs):
        db.session.commit()
        seen["listed"] = [doc.number for doc in list_printed(elder)]
        single = client.get(f"/elders/{elder.id}/annex2.pdf")
        assert single.status_code == 200
        seen["prints"] = _prints()
        return real(documents, on_rendered, **kwargs)

    monkeypatch.setattr(batches, "render_pdf_many", look_meanwhile)
    _post_batch(client, kind="annex2", area=areas["jingang"].id)
    assert _job().status == JobStatus.DONE
    assert seen["listed"] == []
    assert seen["prints"] == 1  # the single print only
    documents = db.session.scalars(select(PrintedDocument)).all()
    assert len(documents) == 2
    assert _prints() == 2
