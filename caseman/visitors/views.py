"""Visitor pages: assign elders to a visitor (from the elder list or the case file), end an
assignment, and each visitor's load. Staff only: a worker gets 404, like anything out of scope."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseman import clock
from caseman.access import roles_required
from caseman.db import chunks
from caseman.elders.models import Elder
from caseman.elders.queries import is_row_id
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forms import saving
from caseman.rules.enums import N_
from caseman.scope import elder_filter, get_elder_or_404
from caseman.search.elder_list import ElderFilters, matching_ids
from caseman.visitors.forms import AssignForm, BulkAssignForm, EndForm
from caseman.visitors.queries import (
    get_assignment_or_none,
    get_worker_in_scope,
    list_workers,
    visitor_loads,
)
from caseman.visitors.services import ASSIGNERS, assign_visitor, end_assignment

bp = Blueprint("visitors", __name__)

# Ids a bulk assignment takes from checkboxes (a page of the list); "all" has no such limit.
MAX_CHOSEN = 500


def worker_label(worker: Any) -> str:
    """How the picker names a worker: the real name and the area."""
    return f"{worker.display_name} · {worker.area.full_name}"


def _visitor_choices(form: AssignForm, workers: list[Any]) -> None:
    form.visitor.choices = [("", "—"), *((str(w.id), worker_label(w)) for w in workers)]


def _chosen_worker(form: AssignForm) -> Any:
    """The worker picked on ``form`` (in the user's area), or DomainError beside the picker."""
    worker = get_worker_in_scope(current_user, int(form.visitor.data or 0))
    if worker is None:
        raise DomainError("visitor", N_("Choose an active worker as the visitor."))
    return worker


def _chosen_elders() -> tuple[list[Elder], bool, ElderFilters]:
    """The elders a bulk assignment is about: the checked ones, or all matching the filters."""
    filters = ElderFilters.from_args(request.args)
    everything = request.args.get("all") == "1"
    if everything:
        ids = matching_ids(current_user, filters)
    else:
        ids = sorted({int(v) for v in request.args.getlist("elder") if is_row_id(v)})
        if len(ids) > MAX_CHOSEN:
            abort(400)
    elders: list[Elder] = []
    for chunk in chunks(ids, 500):
        elders.extend(
            db.session.scalars(
                select(Elder)
                .where(Elder.id.in_(chunk), elder_filter(current_user))
                .options(selectinload(Elder.residence_area))
            )
        )
    if not everything and len(elders) != len(ids):
        abort(404)  # an id outside scope (or unknown): not disclosed
    elders.sort(key=lambda e: (e.name, e.id))
    return elders, everything, filters


@bp.route("/elders/assign", methods=["GET", "POST"])
@roles_required(*ASSIGNERS)
def bulk() -> Any:
    """Assign the checked elders, or all those matching the list's filters, to one visitor."""
    elders, everything, filters = _chosen_elders()
    form = BulkAssignForm()
    _visitor_choices(form, list_workers(current_user))
    back = url_for("elders.index", **filters.as_args())
    if not form.is_submitted():
        form.started_on.data = clock.today()
        form.expected.data = str(len(elders))
    elif form.validate():
        with saving(form) as saved:
            if not elders:
                raise DomainError(None, N_("Choose at least one elder."))
            if everything and form.expected.data != str(len(elders)):
                form.expected.data = str(len(elders))
                raise DomainError(
                    "confirm",
                    N_(
                        "The filters now match %(count)d elders: check the number and confirm "
                        "again."
                    ),  # fmt: skip
                    count=len(elders),
                )
            if everything and not form.confirm.data:
                raise DomainError("confirm", N_("Confirm the number of elders to assign."))
            worker = _chosen_worker(form)
            created = assign_visitor(current_user, elders, worker, form.started_on.data,
                                     clock.today())  # fmt: skip
        if saved:
            flash(
                ngettext(
                    "%(num)d elder assigned to %(name)s.",
                    "%(num)d elders assigned to %(name)s.",
                    len(created),
                    name=worker.display_name,
                )
                + (
                    " " + _("%(count)d already had this visitor.", count=len(elders) - len(created))
                    if len(created) < len(elders)
                    else ""
                ),
                "success",
            )
            return redirect(back)
    status = 400 if form.is_submitted() and (form.errors or form.form_errors) else 200
    return (
        render_template(
            "visitors/bulk.html",
            form=form,
            elders=elders,
            everything=everything,
            back=back,
            shown=elders[:50],
        ),
        status,
    )


@bp.route("/elders/<int:elder_id>/visitors/new", methods=["GET", "POST"])
@roles_required(*ASSIGNERS)
def new(elder_id: int) -> Any:
    """Assign a visitor from the case file."""
    elder = get_elder_or_404(current_user, elder_id)
    form = AssignForm()
    workers = list_workers(current_user, elder)
    _visitor_choices(form, workers)
    if not form.is_submitted():
        form.started_on.data = clock.today()
    elif form.validate():
        with saving(form) as saved:
            worker = _chosen_worker(form)
            if not assign_visitor(current_user, [elder], worker, form.started_on.data,
                                  clock.today()):  # fmt: skip
                raise DomainError("visitor", N_("This worker is already the elder's visitor."))
        if saved:
            flash(_("%(name)s is now a visitor of this elder.", name=worker.display_name),
                  "success")  # fmt: skip
            return redirect(url_for("elders.show", elder_id=elder.id))
    status = 400 if form.is_submitted() and (form.errors or form.form_errors) else 200
    return render_template("visitors/new.html", form=form, elder=elder, workers=workers), status


@bp.route("/elders/<int:elder_id>/visitors/<int:assignment_id>/end", methods=["GET", "POST"])
@roles_required(*ASSIGNERS)
def end(elder_id: int, assignment_id: int) -> Any:
    """End an assignment (with date and reason); the row stays as history."""
    elder = get_elder_or_404(current_user, elder_id)
    assignment = get_assignment_or_none(elder, assignment_id)
    if assignment is None:
        abort(404)
    form = EndForm()
    if not form.is_submitted():
        form.ended_on.data = clock.today()
    elif form.validate():
        with saving(form) as saved:
            end_assignment(current_user, assignment, form.ended_on.data, form.reason.data or "",
                           clock.today())  # fmt: skip
        if saved:
            flash(_("The assignment was ended. It stays in the case file's history."), "success")
            return redirect(url_for("elders.show", elder_id=elder.id))
    status = 400 if form.is_submitted() and (form.errors or form.form_errors) else 200
    return (
        render_template("visitors/end.html", form=form, elder=elder, assignment=assignment),
        status,
    )


@bp.get("/visitors/")
@roles_required(*ASSIGNERS)
def index() -> Any:
    """Each visitor's load in the user's scope: elders, key elders, overdue."""
    loads = visitor_loads(current_user, clock.today())
    order = request.args.get("sort", "")
    rows = loads.rows
    if order in ("elders", "key", "overdue"):
        rows = sorted(rows, key=lambda load: -getattr(load, order))
    return render_template("visitors/index.html", loads=loads, rows=rows, order=order)
