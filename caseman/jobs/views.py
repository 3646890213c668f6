"""The user's background jobs: progress while they run, the file when they are done."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from caseman import audit, read_only
from caseman.access import login_required
from caseman.extensions import db
from caseman.jobs.models import Job, JobStatus
from caseman.jobs.services import (
    enqueue,
    fail_stale_jobs,
    live_progress,
    result_path,
    retry_job,
)

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

RECENT = 30


def _own_job_or_404(job_id: int) -> Job:
    """A job is seen only by the user who started it (its file may hold full ID numbers)."""
    job = db.session.get(Job, job_id)
    if job is None or job.user_id != current_user.id:
        abort(404)
    return job


@bp.app_template_global("job_progress")
def job_progress(job: Job) -> Any:
    return live_progress(job)


@bp.route("/")
@login_required
@read_only
def index() -> Any:
    query = select(Job).where(Job.user_id == current_user.id).order_by(Job.id.desc()).limit(RECENT)
    jobs = db.session.scalars(query).all()
    if fail_stale_jobs(list(jobs)):
        jobs = db.session.scalars(query).all()
    return render_template("jobs/index.html", jobs=jobs)


@bp.route("/<int:job_id>")
@login_required
@read_only
def show(job_id: int) -> Any:
    job = _own_job_or_404(job_id)
    if fail_stale_jobs([job]):
        job = _own_job_or_404(job_id)
    return render_template("jobs/show.html", job=job, ready=result_path(job) is not None)


@bp.route("/<int:job_id>/retry", methods=["POST"])
@login_required
def retry(job_id: int) -> Any:
    """Start a failed job again (same request, same user): a new job, the old one kept."""
    job = _own_job_or_404(job_id)
    if job.status != JobStatus.FAILED:
        abort(400)
    again = retry_job(job)
    db.session.commit()
    enqueue(again)
    return redirect(url_for("jobs.show", job_id=again.id))


@bp.route("/<int:job_id>/download")
@login_required
def download(job_id: int) -> Any:
    job = _own_job_or_404(job_id)
    path = result_path(job)
    if path is None:
        abort(404)
    audit.record("download", object_type="job", object_id=job.id, detail=job.kind)
    db.session.commit()
    return send_file(path, as_attachment=True, download_name=job.result_name)
