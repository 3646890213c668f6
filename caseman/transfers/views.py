"""Transfer pages: start one from the case file, the inbox with counts, a request's page where
the receiving side accepts (choosing the new visitor and who takes over open referrals) or
refuses with a reason, and the sending side cancels. Staff only: a worker gets 404."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseman import clock
from caseman.access import roles_required
from caseman.areas.models import Area
from caseman.auth.models import Role, User
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forms import saving
from caseman.referrals import labels as referral_labels
from caseman.rules.enums import N_
from caseman.rules.transfers import STAFF, may_answer, may_cancel
from caseman.scope import can_see_elder, get_elder_or_404
from caseman.transfers.forms import AcceptForm, ReasonForm, StartForm
from caseman.transfers.queries import (
    get_transfer_or_404,
    inbox,
    pending_counts,
    target_villages,
    transfers_of,
)
from caseman.transfers.services import (
    accept_transfer,
    cancel_transfer,
    handover_owners,
    open_items,
    refuse_transfer,
    start_transfer,
)
from caseman.visits import labels as visit_labels

bp = Blueprint("transfers", __name__)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    """For the one-line includes in the dashboard and the case file."""
    from caseman.elders import labels as elder_labels
    from caseman.transfers import labels

    return {"transfer_counts": lambda: pending_counts(current_user), "transfer_labels": labels,
            "transfer_elder_labels": elder_labels, "transfers_of": transfers_of}  # fmt: skip


def _status(form: Any) -> int:
    return 400 if form.is_submitted() and (form.errors or form.form_errors) else 200


@bp.get("/transfers/")
@roles_required(*STAFF)
def index() -> Any:
    """Requests waiting for this area, requests it sent, and the answered ones."""
    return render_template("transfers/index.html", box=inbox(current_user))


@bp.route("/elders/<int:elder_id>/transfer", methods=["GET", "POST"])
@roles_required(*STAFF)
def new(elder_id: int) -> Any:
    """Ask another village (any town) to take on the case."""
    elder = get_elder_or_404(current_user, elder_id)
    form = StartForm()
    villages = target_villages(elder.residence_area)
    form.to_area.choices = [("", "—"), *((str(a.id), a.full_name) for a in villages)]
    if form.is_submitted() and form.validate():
        with saving(form) as saved:
            to_area = db.session.get(Area, int(form.to_area.data or 0))
            transfer = start_transfer(current_user, elder, to_area, form.to_address.data or "",
                                      form.reason.data or "")  # fmt: skip
        if saved:
            flash(_("The request was sent. The case stays here until %(area)s accepts it.",
                    area=transfer.to_area.full_name), "success")  # fmt: skip
            return redirect(url_for("transfers.show", transfer_id=transfer.id))
    return render_template("transfers/new.html", form=form, elder=elder), _status(form)


def _people(actor: User, transfer: Any) -> tuple[list[User], list[User]]:
    """(workers who may become the visitor, people who may own the handed-over referrals)."""
    owners = handover_owners(actor, transfer.to_area)
    return [u for u in owners if u.role == Role.WORKER], owners


def _render_show(transfer: Any, accept: AcceptForm | None = None,
                 refuse: ReasonForm | None = None, cancel: ReasonForm | None = None,
                 status: int = 200) -> Any:  # fmt: skip
    role, path = current_user.role.value, current_user.area.path
    answerable = transfer.is_pending and may_answer(role, path, transfer.to_area.path)
    cancellable = transfer.is_pending and may_cancel(role, path, transfer.from_area.path)
    items = open_items(transfer.elder_id) if answerable else None
    if answerable and accept is None:
        accept = AcceptForm(formdata=None)
    if accept is not None:
        workers, owners = _people(current_user, transfer)
        accept.visitor.choices = [("", _("Leave unassigned for now")),
                                  *((str(u.id), u.display_name + " · " + u.area.full_name)
                                    for u in workers)]  # fmt: skip
        accept.owner.choices = [(str(u.id), u.display_name + " · " + u.area.full_name)
                                for u in owners]  # fmt: skip
        if accept.owner.data is None:
            accept.owner.data = str(current_user.id)
    return render_template(
        "transfers/show.html",
        transfer=transfer,
        answerable=answerable,
        cancellable=cancellable,
        items=items,
        accept=accept,
        refuse=refuse or ReasonForm(formdata=None, prefix="refuse"),
        cancel=cancel or ReasonForm(formdata=None, prefix="cancel"),
        sees_case=can_see_elder(current_user, transfer.elder_id),
        referral_labels=referral_labels,
        visit_labels=visit_labels,
    ), status


@bp.get("/transfers/<int:transfer_id>")
@roles_required(*STAFF)
def show(transfer_id: int) -> Any:
    """The request: the case's summary (masked ID) and, for the sides, what they may do."""
    return _render_show(get_transfer_or_404(current_user, transfer_id))


def _chosen(value: str | None, people: list[User]) -> User | None:
    if not value:
        return None
    found = next((u for u in people if str(u.id) == value), None)
    if found is None:
        raise DomainError("visitor", N_("Choose a worker of the receiving village or town."))
    return found


@bp.post("/transfers/<int:transfer_id>/accept")
@roles_required(*STAFF)
def accept(transfer_id: int) -> Any:
    transfer = get_transfer_or_404(current_user, transfer_id)
    form = AcceptForm()
    workers, owners = _people(current_user, transfer)
    form.visitor.choices = [("", ""), *((str(u.id), "") for u in workers)]
    form.owner.choices = [(str(u.id), "") for u in owners]
    if form.validate():
        with saving(form) as saved:
            visitor = _chosen(form.visitor.data, workers)
            try:
                owner = _chosen(form.owner.data, owners)
            except DomainError as exc:
                raise DomainError("owner", exc.message) from exc
            accept_transfer(current_user, transfer, visitor, owner, clock.today())
        if saved:
            flash(_("The case of %(name)s is now in %(area)s.", name=transfer.summary["name"],
                    area=transfer.to_area.full_name), "success")  # fmt: skip
            return redirect(url_for("elders.show", elder_id=transfer.elder_id))
    return _render_show(transfer, accept=form, status=400)


@bp.post("/transfers/<int:transfer_id>/refuse")
@roles_required(*STAFF)
def refuse(transfer_id: int) -> Any:
    transfer = get_transfer_or_404(current_user, transfer_id)
    form = ReasonForm(prefix="refuse")
    if form.validate():
        with saving(form) as saved:
            refuse_transfer(current_user, transfer, form.reason.data or "")
        if saved:
            flash(_("The request was refused; the case stays where it was."), "success")
            return redirect(url_for("transfers.index"))
    return _render_show(transfer, refuse=form, status=400)


@bp.post("/transfers/<int:transfer_id>/cancel")
@roles_required(*STAFF)
def cancel(transfer_id: int) -> Any:
    transfer = get_transfer_or_404(current_user, transfer_id)
    form = ReasonForm(prefix="cancel")
    if form.validate():
        with saving(form) as saved:
            cancel_transfer(current_user, transfer, form.reason.data or "")
        if saved:
            flash(_("The request was taken back."), "success")
            return redirect(url_for("transfers.show", transfer_id=transfer.id))
    return _render_show(transfer, cancel=form, status=400)
