"""Exporting all data of the user's scope (.xlsx or CSV in a .zip), in the background."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField
from wtforms.validators import InputRequired

from caseman.access import roles_required
from caseman.auth.models import Role
from caseman.errors import DomainError
from caseman.exports.jobs import start_export
from caseman.extensions import db
from caseman.forms import BaseForm, put_errors
from caseman.jobs.services import enqueue

bp = Blueprint("exports", __name__, url_prefix="/exports")

EXPORTERS = (Role.DISTRICT.value, Role.TOWN.value, Role.VILLAGE.value)


class ExportForm(BaseForm):
    format = RadioField(
        _l("Format"),
        choices=[
            ("xlsx", _l("Excel workbook (.xlsx), one sheet per table")),
            ("zip", _l("CSV files in a .zip, one per table")),
        ],
        default="xlsx",
        validators=[InputRequired(_l("Please choose one."))],
    )


@bp.route("/", methods=["GET", "POST"])
@roles_required(*EXPORTERS)
def index() -> Any:
    form = ExportForm()
    if form.validate_on_submit():
        try:
            job = start_export(current_user, form.format.data or "")
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            put_errors(form, exc)
        else:
            enqueue(job)
            return redirect(url_for("jobs.show", job_id=job.id))
    status = 400 if form.is_submitted() else 200
    return render_template("exports/index.html", form=form), status
