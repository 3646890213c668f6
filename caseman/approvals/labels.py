"""Display labels of approval kinds and states (English msgids, translated by Babel)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseman.rules.approvals import ApprovalKind, ApprovalState

KIND = {
    ApprovalKind.REGISTRATION: _l("New registration"),
    ApprovalKind.REVIEW: _l("Change of category or key status"),
    ApprovalKind.ARCHIVE: _l("Archive"),
}
STATE = {
    ApprovalState.PENDING: _l("Awaiting approval"),
    ApprovalState.RETURNED: _l("Returned"),
    ApprovalState.RESUBMITTED: _l("Resubmitted, awaiting approval"),
    ApprovalState.APPROVED: _l("Approved"),
    ApprovalState.WITHDRAWN: _l("Withdrawn"),
}
# The short mark of lists, the ledger and the case file's heading.
MARK = {
    ApprovalState.PENDING: _l("Awaiting approval"),
    ApprovalState.RETURNED: _l("Returned"),
}
