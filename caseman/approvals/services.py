"""Asking for, and giving, the town's approval of a case-file change (审核).

The elder services call :func:`record_registration` and :func:`record_review` after they saved
a change (the change stands, the case is visited and counted; the request says 待审核), and the
archive page calls :func:`request_archive`, which archives at once only when no approval is
needed. Town and district staff :func:`approve` or :func:`return_request`; the village
:func:`resubmit`\\ s with an answer, or withdraws an archive. Every step is audited. Flush only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask import current_app, has_app_context
from sqlalchemy import select

from caseman import audit, clock
from caseman.approvals.models import ApprovalRequest
from caseman.auth.models import User
from caseman.elders import hooks
from caseman.elders.models import Elder
from caseman.elders.services import archive_elder, check_archive
from caseman.errors import DomainError, StaleEdit
from caseman.extensions import db
from caseman.rules.approvals import (
    OPEN_STATES,
    ApprovalAction,
    ApprovalKind,
    ApprovalState,
    NotAllowed,
    needs_approval,
    next_state,
    review_needs_approval,
    text_problem,
)
from caseman.rules.enums import N_, ArchiveReason


def approvals_enabled() -> bool:
    """CASEMAN_APPROVALS (on by default): off, every change stands at once as before."""
    if not has_app_context():
        return True
    value = current_app.config.get("CASEMAN_APPROVALS", True)
    if isinstance(value, str):
        return value.strip().lower() not in ("off", "0", "no", "false")
    return bool(value)


def connect() -> None:
    """Plug approvals into the registry's changes (caseman.elders.hooks; at app creation)."""
    hooks.connect(
        hooks.Approvals(
            enabled=approvals_enabled,
            registered=record_registration,
            imported=record_registrations,
            reviewed=record_review,
            archive=request_archive,
        )
    )


def _open_request(elder_id: int, kinds: Iterable[ApprovalKind]) -> ApprovalRequest | None:
    return db.session.scalar(
        select(ApprovalRequest)
        .where(
            ApprovalRequest.elder_id == elder_id,
            ApprovalRequest.kind.in_(list(kinds)),
            ApprovalRequest.state.in_(list(OPEN_STATES)),
        )
        .order_by(ApprovalRequest.id.desc())
        .limit(1)
    )


def _new_request(
    actor: User, elder: Elder, kind: ApprovalKind, version: int | None, fields: list[str]
) -> ApprovalRequest:
    """A request: pending for the village side, approved at once (by the actor) for the town."""
    pending = needs_approval(actor.role.value, True)
    now = clock.utcnow()
    request = ApprovalRequest(
        kind=kind,
        elder_id=elder.id,
        state=ApprovalState.PENDING if pending else ApprovalState.APPROVED,
        version_number=version,
        changed_fields=list(fields),
        requested_by_id=actor.id,
        requested_at=now,
        decided_by_id=None if pending else actor.id,
        decided_at=None if pending else now,
    )
    db.session.add(request)
    db.session.flush()
    if pending:  # approved at once: the change's own audit row (create, update …) says it
        audit.record("approval_request", object_type="approval", object_id=request.id,
                     elder_id=elder.id, detail=kind.value, user=actor)  # fmt: skip
    return request


def record_registration(actor: User, elder: Elder, version: int | None) -> ApprovalRequest | None:
    """A new case file: 待审核 when a village user or visitor registered it (None: off)."""
    if not approvals_enabled():
        return None
    return _new_request(actor, elder, ApprovalKind.REGISTRATION, version, [])


def record_registrations(actor: User, registered: list[tuple[Elder, int]]) -> None:
    """:func:`record_registration` of a batch (an imported ledger): one flush for them all."""
    if not approvals_enabled() or not registered:
        return
    pending = needs_approval(actor.role.value, True)
    now = clock.utcnow()
    requests = [
        ApprovalRequest(
            kind=ApprovalKind.REGISTRATION,
            elder_id=elder.id,
            state=ApprovalState.PENDING if pending else ApprovalState.APPROVED,
            version_number=version,
            changed_fields=[],
            requested_by_id=actor.id,
            requested_at=now,
            decided_by_id=None if pending else actor.id,
            decided_at=None if pending else now,
        )
        for elder, version in registered
    ]
    db.session.add_all(requests)
    db.session.flush()
    if not pending:  # approved at once: the "create" rows say it
        return
    for request in requests:
        audit.record("approval_request", object_type="approval", object_id=request.id,
                     elder_id=request.elder_id, detail="registration", user=actor)  # fmt: skip


def record_review(
    actor: User,
    elder: Elder,
    categories_before: Iterable[str],
    key_before: bool,
    version: int | None,
    fields: list[str],
) -> ApprovalRequest | None:
    """A review or correction: 待审核 only if it changed the categories or key status.

    A case whose registration (or an earlier such change) still waits is covered by that
    request: it now points at the new version, and its state is left as it is (a returned one
    stays returned until the village resubmits)."""
    if not approvals_enabled():
        return None
    after = [c.value for c in elder.categories]
    if not review_needs_approval(categories_before, after, key_before, elder.is_key):
        return None
    if needs_approval(actor.role.value, True):
        found = _open_request(elder.id, (ApprovalKind.REGISTRATION, ApprovalKind.REVIEW))
        if found is not None:
            found.version_number = version
            found.changed_fields = sorted({*found.changed_fields, *fields})
            db.session.flush()
            return found
    return _new_request(actor, elder, ApprovalKind.REVIEW, version, fields)


def request_archive(
    actor: User,
    elder: Elder,
    reason: ArchiveReason,
    on: date,
    note: str,
    today: date,
    expected_version: int | None,
) -> ApprovalRequest | None:
    """Archive the case, or (village side, approvals on) ask the town to: the elder stays active
    until approved. Returns the pending request, or None when the case was archived at once."""
    if not approvals_enabled():
        archive_elder(actor, elder, reason, on, note, today, expected_version)
        return None
    if not needs_approval(actor.role.value, True):
        archive_elder(actor, elder, reason, on, note, today, expected_version)
        waiting = _open_request(elder.id, (ApprovalKind.ARCHIVE,))
        if waiting is not None:  # the village asked for it: the town did it itself
            waiting.state = ApprovalState.APPROVED
            waiting.decided_by_id = actor.id
            waiting.decided_at = clock.utcnow()
            _audit(actor, waiting, "approve")
            db.session.flush()
            return None
        request = _new_request(actor, elder, ApprovalKind.ARCHIVE, None, [])
        _keep_archive(request, reason, on, note)
        return None
    if expected_version is None or expected_version != elder.version:
        raise StaleEdit(elder.version)
    check_archive(elder, on, note, today)
    if _open_request(elder.id, (ApprovalKind.ARCHIVE,)) is not None:
        raise DomainError(None, N_("An archive of this case already waits for the town."))
    request = _new_request(actor, elder, ApprovalKind.ARCHIVE, None, [])
    _keep_archive(request, reason, on, note)
    return request


def _keep_archive(request: ApprovalRequest, reason: ArchiveReason, on: date, note: str) -> None:
    request.archive_reason = reason
    request.archive_on = on
    request.archive_note = note.strip()[:300]
    db.session.flush()


def _step(actor: User, request: ApprovalRequest, action: ApprovalAction) -> ApprovalState:
    try:
        return next_state(request.state, action, actor.role.value, request.kind)
    except NotAllowed as exc:
        raise DomainError(None, exc.message) from exc


def _audit(actor: User, request: ApprovalRequest, action: str) -> None:
    audit.record(action, object_type="approval", object_id=request.id,
                 elder_id=request.elder_id, detail=request.kind.value, user=actor)  # fmt: skip


def approve(actor: User, request: ApprovalRequest, today: date) -> None:
    """审核通过: the change stands; an archive takes effect now, on the date the village gave."""
    state = _step(actor, request, ApprovalAction.APPROVE)
    if request.kind is ApprovalKind.ARCHIVE:
        elder = request.elder
        assert request.archive_reason is not None
        assert request.archive_on is not None
        archive_elder(actor, elder, request.archive_reason, request.archive_on,
                      request.archive_note, today, elder.version)  # fmt: skip
    request.state = state
    request.decided_by_id = actor.id
    request.decided_at = clock.utcnow()
    _audit(actor, request, "approve")
    db.session.flush()


def return_request(actor: User, request: ApprovalRequest, reason: str) -> None:
    """退回: the village sees the reason and answers; the case stays as it is meanwhile."""
    state = _step(actor, request, ApprovalAction.RETURN)
    problem = text_problem(ApprovalAction.RETURN, reason)
    if problem:
        raise DomainError("reason", problem)
    request.state = state
    request.reason = reason.strip()[:300]
    request.decided_by_id = actor.id
    request.decided_at = clock.utcnow()
    request.times_returned += 1
    _audit(actor, request, "return")
    db.session.flush()


def resubmit(actor: User, request: ApprovalRequest, answer: str) -> None:
    """The village's answer to a return (after correcting the case file, if it needed it)."""
    state = _step(actor, request, ApprovalAction.RESUBMIT)
    problem = text_problem(ApprovalAction.RESUBMIT, answer)
    if problem:
        raise DomainError("answer", problem)
    request.state = state
    request.answer = answer.strip()[:300]
    request.answered_at = clock.utcnow()
    _audit(actor, request, "resubmit")
    db.session.flush()


def withdraw(actor: User, request: ApprovalRequest) -> None:
    """The village no longer asks for an archive: the case stays active."""
    state = _step(actor, request, ApprovalAction.WITHDRAW)
    request.state = state
    request.decided_by_id = actor.id
    request.decided_at = clock.utcnow()
    _audit(actor, request, "withdraw")
    db.session.flush()
