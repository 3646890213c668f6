"""Benefit applications (issue 20 item 5): the list with filters and counts per area, recording
an application from the case file, and its outcome (a grant updates the case file)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseman import clock
from caseman.access import login_required
from caseman.benefits import labels
from caseman.benefits.forms import ApplicationForm, DecisionForm
from caseman.benefits.queries import (
    LIST_LIMIT,
    BenefitFilters,
    counts_by_area,
    get_application,
    list_applications,
    list_elder_applications,
)
from caseman.benefits.services import apply_for_benefit, decide_application
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.forms import form_status, saving
from caseman.rules.benefits import BenefitKind, Outcome
from caseman.scope import get_elder_or_404, scoped_areas

bp = Blueprint("benefits", __name__)


@bp.app_template_global()
def benefit_applications_of(elder: Elder) -> list[Any]:
    """The elder's applications, newest first (the case file's benefits section)."""
    return list_elder_applications(elder)


@bp.app_template_global()
def benefit_kind_label(application: Any) -> str:
    """The benefit's name: its kind, or the name given for 其他."""
    if application.kind is BenefitKind.OTHER and application.other_name:
        return str(application.other_name)
    return str(labels.KIND[application.kind])


@bp.app_template_global()
def benefit_outcome_label(application: Any) -> str:
    return str(labels.OUTCOME[application.outcome])


@bp.get("/benefits/")
@login_required
def index() -> Any:
    filters = BenefitFilters.from_args(request.args)
    rows, total = list_applications(current_user, filters)
    counts = counts_by_area(current_user, filters)
    areas = [a for a in db.session.scalars(scoped_areas(current_user)) if a.level.value != "group"]
    areas.sort(key=lambda a: a.path)
    return render_template(
        "benefits/index.html",
        filters=filters,
        rows=rows,
        total=total,
        limit=LIST_LIMIT,
        counts=counts,
        areas=areas,
        labels=labels,
        outcomes=list(Outcome),
    )


@bp.route("/elders/<int:elder_id>/benefits/new", methods=["GET", "POST"])
@login_required
def new(elder_id: int) -> Any:
    """Record an application made for the elder (三协助 三)."""
    elder = get_elder_or_404(current_user, elder_id)
    form = ApplicationForm()
    if not form.is_submitted():
        form.applied_on.data = clock.today()
    elif form.validate():
        with saving(form) as saved:
            apply_for_benefit(
                current_user,
                elder,
                kind=BenefitKind(form.kind.data),
                other_name=form.other_name.data or "",
                applied_on=form.applied_on.data,
                note=form.note.data or "",
                today=clock.today(),
            )
        if saved:
            flash(_("The application was recorded."), "success")
            return redirect(url_for("elders.show", elder_id=elder.id, _anchor="benefits"))
    status = form_status(form)
    return render_template("benefits/new.html", form=form, elder=elder), status


@bp.route("/elders/<int:elder_id>/benefits/<int:record_id>/decide", methods=["GET", "POST"])
@login_required
def decide(elder_id: int, record_id: int) -> Any:
    """Record the outcome; a grant updates the case file (a new version)."""
    elder = get_elder_or_404(current_user, elder_id)
    application = get_application(elder, record_id)
    if application is None:
        abort(404)
    form = DecisionForm()
    if not form.is_submitted():
        form.decided_on.data = clock.today()
    elif form.validate():
        with saving(form) as saved:
            decide_application(
                current_user,
                application,
                outcome=Outcome(form.outcome.data),
                decided_on=form.decided_on.data,
                monthly_amount=form.monthly_amount.data,
                reason=form.reason.data or "",
                today=clock.today(),
            )
        if saved:
            if application.outcome is Outcome.GRANTED:
                flash(_("The grant was recorded and the case file updated."), "success")
            else:
                flash(_("The refusal was recorded."), "success")
            return redirect(url_for("elders.show", elder_id=elder.id, _anchor="benefits"))
    status = form_status(form)
    return render_template(
        "benefits/decide.html", form=form, elder=elder, application=application, labels=labels
    ), status
