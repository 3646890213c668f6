"""The approvals inbox (审核): town staff approve or return; the village answers and resubmits."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask import request as flask_request
from flask_babel import gettext as _
from flask_login import current_user

from caseman import audit, clock
from caseman.access import login_required, roles_required
from caseman.approvals import labels
from caseman.approvals.forms import ApproveForm, ResubmitForm, ReturnForm, WithdrawForm
from caseman.approvals.models import ApprovalRequest
from caseman.approvals.queries import (
    counts,
    get_request_or_404,
    inbox,
    open_for_elder,
    open_states,
)
from caseman.approvals.services import (
    approvals_enabled,
    approve,
    resubmit,
    return_request,
    withdraw,
)
from caseman.elders import labels as elder_labels
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.i18n import translate_message
from caseman.rules.approvals import (
    APPROVER_ROLES,
    AWAITING_STATES,
    REQUESTER_ROLES,
    ApprovalKind,
    ApprovalState,
)

bp = Blueprint("approvals", __name__, url_prefix="/approvals")

APPROVERS = tuple(sorted(APPROVER_ROLES))
REQUESTERS = tuple(sorted(REQUESTER_ROLES))


@bp.get("/")
@login_required
def index() -> Any:
    """Town: what awaits approval. Village: what was returned, with the reason, to answer."""
    return render_template(
        "approvals/index.html",
        inbox=inbox(current_user),
        labels=labels,
        is_approver=current_user.role.value in APPROVER_ROLES,
    )


def _render(request: ApprovalRequest, status: int = 200, **forms: Any) -> Any:
    role = current_user.role.value
    awaiting = request.state in AWAITING_STATES
    may_decide = role in APPROVER_ROLES and request.is_open
    may_return = role in APPROVER_ROLES and awaiting
    may_answer = role in REQUESTER_ROLES and request.state is ApprovalState.RETURNED
    may_withdraw = (
        role in REQUESTER_ROLES and request.is_open and request.kind is ApprovalKind.ARCHIVE
    )
    audit.record("view", object_type="approval", object_id=request.id,
                 elder_id=request.elder_id)  # fmt: skip
    page = render_template(
        "approvals/show.html",
        request=request,
        labels=labels,
        elder_labels=elder_labels,
        approve_form=forms.get("approve_form") or ApproveForm(formdata=None),
        return_form=forms.get("return_form") or ReturnForm(formdata=None),
        resubmit_form=forms.get("resubmit_form") or ResubmitForm(formdata=None),
        withdraw_form=WithdrawForm(formdata=None),
        may_decide=may_decide,
        may_return=may_return,
        may_answer=may_answer,
        may_withdraw=may_withdraw,
        page_errors=forms.get("page_errors", []),
    )
    db.session.commit()
    return page, status


@bp.get("/<int:request_id>")
@login_required
def show(request_id: int) -> Any:
    return _render(get_request_or_404(current_user, request_id))


def _fail(request: ApprovalRequest, form: Any, exc: DomainError, key: str) -> Any:
    db.session.rollback()
    text = translate_message(exc.message, exc.params)
    target = getattr(form, exc.field or "", None) if exc.field else None
    if target is not None:
        target.errors = [*list(target.errors), text]
        return _render(get_request_or_404(current_user, request.id), 400, **{key: form})
    # Not about a field (already decided, not for this role): said at the top of the page,
    # where it shows even when the form is no longer offered.
    return _render(get_request_or_404(current_user, request.id), 400, page_errors=[text])


@bp.post("/<int:request_id>/approve")
@roles_required(*APPROVERS)
def approve_view(request_id: int) -> Any:
    request = get_request_or_404(current_user, request_id)
    form = ApproveForm()
    if not form.validate():
        return _render(request, 400, approve_form=form)
    try:
        approve(current_user, request, clock.today())
        db.session.commit()
    except DomainError as exc:
        return _fail(request, form, exc, "approve_form")
    flash(_("Approved."), "success")
    return redirect(url_for("approvals.index"))


@bp.post("/<int:request_id>/return")
@roles_required(*APPROVERS)
def return_view(request_id: int) -> Any:
    request = get_request_or_404(current_user, request_id)
    form = ReturnForm()
    if not form.validate():
        return _render(request, 400, return_form=form)
    try:
        return_request(current_user, request, form.reason.data or "")
        db.session.commit()
    except DomainError as exc:
        return _fail(request, form, exc, "return_form")
    flash(_("Returned to the village with your reason."), "success")
    return redirect(url_for("approvals.index"))


@bp.post("/<int:request_id>/resubmit")
@roles_required(*REQUESTERS)
def resubmit_view(request_id: int) -> Any:
    request = get_request_or_404(current_user, request_id)
    form = ResubmitForm()
    if not form.validate():
        return _render(request, 400, resubmit_form=form)
    try:
        resubmit(current_user, request, form.answer.data or "")
        db.session.commit()
    except DomainError as exc:
        return _fail(request, form, exc, "resubmit_form")
    flash(_("Resubmitted: the town sees your answer."), "success")
    return redirect(url_for("approvals.show", request_id=request.id))


@bp.post("/<int:request_id>/withdraw")
@roles_required(*REQUESTERS)
def withdraw_view(request_id: int) -> Any:
    request = get_request_or_404(current_user, request_id)
    form = WithdrawForm()
    if form.validate():
        try:
            withdraw(current_user, request)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(translate_message(exc.message, exc.params), "error")
            return redirect(url_for("approvals.show", request_id=request_id))
        flash(_("The archive was withdrawn; the case stays active."), "success")
    return redirect(url_for("elders.show", elder_id=request.elder_id))


# --- helpers of the partial templates included by shared pages (one line each) ---------------


@bp.app_template_global()
def approval_marks_of(elders: Any) -> dict[int, ApprovalState]:
    """PENDING or RETURNED per elder of a list with an undecided change: read once a page."""
    ids = tuple(elder.id for elder in elders)
    # Kept with the request it belongs to (an application context may outlive a request).
    held = g.get("approval_marks")
    if held is None or held[0] is not request_object():
        held = (request_object(), {})
        g.approval_marks = held
    cache: dict[tuple[int, ...], dict[int, ApprovalState]] = held[1]
    if ids not in cache:
        cache[ids] = open_states(ids) if ids else {}
    return cache[ids]


def request_object() -> object:
    return flask_request._get_current_object()  # type: ignore[attr-defined]


@bp.app_template_global()
def open_approvals(elder: Any) -> list[ApprovalRequest]:
    """The case file's undecided requests."""
    return open_for_elder(elder)


@bp.app_template_global()
def approval_counts() -> dict[str, int]:
    """The dashboard's counts in the current user's scope."""
    return counts(current_user)


@bp.app_template_global()
def approvals_on() -> bool:
    return approvals_enabled()


@bp.app_template_global()
def approval_labels() -> Any:
    return labels
