"""The half-year submission pages: towns make and send their package; the district follows."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseman import audit, clock
from caseman.access import roles_required
from caseman.areas.models import AreaLevel
from caseman.auth.models import Role
from caseman.db import utcnow
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forms import saving
from caseman.jobs.services import enqueue, result_path
from caseman.rules.half_year import parse_half_year
from caseman.scope import area_in_scope
from caseman.submissions import services  # noqa: F401 - registers the job handler
from caseman.submissions.forms import ReturnForm
from caseman.submissions.queries import get_submission_or_404, overview
from caseman.submissions.services import (
    accept_submission,
    changes_for,
    mark_submitted,
    return_submission,
    start_package,
)

bp = Blueprint("submissions", __name__, url_prefix="/submissions")

VIEW_ROLES = (Role.DISTRICT.value, Role.TOWN.value)


def _message(error: DomainError) -> str:
    return _(error.message, **error.params)


@bp.get("/")
@roles_required(*VIEW_ROLES)
def index() -> Any:
    """Towns × the last half-years: built, submitted, overdue; changes since the last one sent."""
    periods, lines = overview(current_user, clock.today(), utcnow())
    return render_template("submissions/index.html", periods=periods, lines=lines,
                           today=clock.today(), is_town=current_user.role == Role.TOWN)  # fmt: skip


@bp.post("/<int:town_id>/<period_key>/build")
@roles_required(Role.TOWN.value)
def build(town_id: int, period_key: str) -> Any:
    """Start making the town's package of a half-year in the background."""
    town = area_in_scope(current_user, town_id)
    period = parse_half_year(period_key)
    if town is None or town.level != AreaLevel.TOWN or period is None:
        abort(404)
    try:
        job = start_package(current_user, town, period, clock.today())
    except DomainError as error:
        db.session.rollback()
        flash(_message(error), "error")
        return redirect(url_for("submissions.index"))
    db.session.commit()
    enqueue(job)
    return redirect(url_for("jobs.show", job_id=job.id))


def _render_show(submission: Any, form: ReturnForm | None = None, status: int = 200) -> Any:
    changes = changes_for(submission, utcnow())
    ready = submission.job is not None and result_path(submission.job) is not None
    return render_template("submissions/show.html", submission=submission, changes=changes,
                           ready=ready, today=clock.today(), is_town=current_user.role == Role.TOWN,
                           is_district=current_user.role == Role.DISTRICT,
                           return_form=form or ReturnForm(formdata=None)), status  # fmt: skip


@bp.get("/<int:submission_id>")
@roles_required(*VIEW_ROLES)
def show(submission_id: int) -> Any:
    return _render_show(get_submission_or_404(current_user, submission_id))


@bp.post("/<int:submission_id>/accept")
@roles_required(Role.DISTRICT.value)
def accept(submission_id: int) -> Any:
    """The district accepts the town's package as sent."""
    submission = get_submission_or_404(current_user, submission_id)
    try:
        accept_submission(current_user, submission)
    except DomainError as error:
        db.session.rollback()
        flash(_message(error), "error")
    else:
        db.session.commit()
        flash(_("The package was accepted."), "success")
    return redirect(url_for("submissions.show", submission_id=submission_id))


@bp.post("/<int:submission_id>/return")
@roles_required(Role.DISTRICT.value)
def send_back(submission_id: int) -> Any:
    """The district returns the package with its reasons; the town makes it again."""
    submission = get_submission_or_404(current_user, submission_id)
    form = ReturnForm()
    if form.validate():
        with saving(form) as saved:
            return_submission(current_user, submission, form.reason.data or "")
        if saved:
            flash(_("The package was returned to the town with your reasons."), "success")
            return redirect(url_for("submissions.show", submission_id=submission_id))
    return _render_show(submission, form, 400)


@bp.post("/<int:submission_id>/submit")
@roles_required(Role.TOWN.value)
def submit(submission_id: int) -> Any:
    """The town marks its package sent to the district."""
    submission = get_submission_or_404(current_user, submission_id)
    try:
        mark_submitted(current_user, submission, clock.today())
    except DomainError as error:
        db.session.rollback()
        flash(_message(error), "error")
    else:
        db.session.commit()
        flash(_("Marked as submitted to the district."), "success")
    return redirect(url_for("submissions.show", submission_id=submission_id))


@bp.get("/<int:submission_id>/package")
@roles_required(*VIEW_ROLES)
def package(submission_id: int) -> Any:
    """The package (.zip) for the town's staff and the district (audited)."""
    submission = get_submission_or_404(current_user, submission_id)
    path = result_path(submission.job) if submission.job is not None else None
    if path is None:
        abort(404)
    audit.record("download", object_type="submission", object_id=submission.id,
                 detail=f"town={submission.town_id} period={submission.period.key}")  # fmt: skip
    db.session.commit()
    assert submission.job is not None
    return send_file(path, as_attachment=True, download_name=submission.job.result_name,
                     mimetype="application/zip")  # fmt: skip
