"""Jobs whose worker died (issue 23 item 6): after a kill -9 of the queue consumer the job row
stays "running" and its heartbeat file stops being touched. Such a job is marked failed, with a
plain message, when its owner next looks, and can be started again; a live job is left alone."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest

from caseman import clock
from caseman.extensions import db
from caseman.jobs import services as job_services
from caseman.jobs.models import Job, JobStatus
from caseman.jobs.services import JobContext, handler, jobs_directory, start_job
from tests.conftest import log_in

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


@handler("test_echo")
def echo(ctx: JobContext) -> str:
    ctx.output(".txt").write_text("ok", encoding="utf-8")
    return "echo.txt"


def running_job(user, minutes_ago: int) -> Job:
    """The row a killed worker leaves: running, started ``minutes_ago``."""
    job = start_job(user, "test_echo", "导出测试", {"a": 1}, 3)
    job.status = JobStatus.RUNNING
    job.started_at = clock.utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return job


def test_a_job_whose_worker_died_is_marked_failed_and_can_be_started_again(
    client, login_as, make_user
):
    user = make_user("town", "muer")
    job = running_job(user, minutes_ago=10)
    login_as(user)
    page = client.get(f"/jobs/{job.id}", headers=ZH).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.FAILED
    assert "重新开始" in page
    assert 'http-equiv="refresh"' not in page  # it no longer waits for nothing

    response = client.post(f"/jobs/{job.id}/retry")
    assert response.status_code == 302
    again = db.session.scalars(db.select(Job).order_by(Job.id.desc())).first()
    assert again.id != job.id
    assert response.headers["Location"].endswith(f"/jobs/{again.id}")
    assert (again.kind, again.title, again.params, again.status) == (
        "test_echo",
        "导出测试",
        {"a": 1, "_locale": "zh_Hans_CN"},  # the retrying user's language (issue 17 item 2)
        JobStatus.DONE,
    )
    assert db.session.get(Job, job.id).status == JobStatus.FAILED  # the old one is kept


def test_the_list_marks_dead_jobs_too_and_leaves_live_ones(client, login_as, make_user):
    user = make_user("town", "muer")
    dead = running_job(user, minutes_ago=10)
    live = running_job(user, minutes_ago=10)
    beat = jobs_directory() / f"heartbeat-{live.id}"
    beat.touch()  # its worker is still beating
    fresh = running_job(user, minutes_ago=0)  # just started, no beat yet
    login_as(user)
    assert client.get("/jobs/").status_code == 200
    db.session.expire_all()
    statuses = {j.id: db.session.get(Job, j.id).status for j in (dead, live, fresh)}
    assert statuses == {
        dead.id: JobStatus.FAILED,
        live.id: JobStatus.RUNNING,
        fresh.id: JobStatus.RUNNING,
    }
    os.utime(beat, (time.time() - 600, time.time() - 600))  # the beats stopped ten minutes ago
    client.get(f"/jobs/{live.id}")
    db.session.expire_all()
    assert db.session.get(Job, live.id).status == JobStatus.FAILED


def test_only_a_failed_job_of_ones_own_can_be_started_again(app, make_user):
    user = make_user("town", "muer")
    job = running_job(user, minutes_ago=0)
    own, other = app.test_client(), app.test_client()
    log_in(own, user)
    log_in(other, make_user("town", "muer"))
    assert other.post(f"/jobs/{job.id}/retry").status_code == 404
    assert own.post(f"/jobs/{job.id}/retry").status_code == 400


def test_the_worker_beats_while_a_long_step_runs(app, make_user, monkeypatch):
    monkeypatch.setattr(job_services, "HEARTBEAT_SECONDS", 0.05)
    seen: list[float] = []

    @handler("test_slow")
    def slow(ctx: JobContext) -> str:
        beat = jobs_directory() / f"heartbeat-{ctx.job.id}"
        for _ in range(3):
            time.sleep(0.12)
            seen.append(beat.stat().st_mtime)
        ctx.output(".txt").write_text("ok", encoding="utf-8")
        return "slow.txt"

    job = start_job(make_user("town", "muer"), "test_slow", "慢任务", {}, 1)
    db.session.commit()
    job_services.enqueue(job)
    assert len(set(seen)) == 3  # touched again and again during one long call
    assert not (jobs_directory() / f"heartbeat-{job.id}").exists()  # gone once finished
