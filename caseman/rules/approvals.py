"""Town approval of the village's changes (审核, issue 19 item 1, row 41): the state machine.

004 二(三) 确定服务对象: "各镇街根据前期摸排情况，确定探访关爱服务对象，填写《渝北区特殊困难老年人
信息登记表》（附件2），逐人建立电子台账，且每半年动态更新一次。" — the town decides who is a
service object; the village surveys and fills in. 附件1 carries the line "填表单位：（盖章）
主要领导审核：      填报人：        填表日期：": the ledger is checked by the unit's leader.

So a new registration, a half-year review that changes the categories or key status, and an
archive made by village staff or a visitor wait for the town (待审核): town or district staff
approve them, or return them with a reason, which the village answers and resubmits. The case is
visited and counted all the while (nobody waits for paperwork to be visited); only an archive
waits to take effect. A change made by town or district staff themselves is approved at once.

States::

    pending ──approve──▶ approved
       │ └────return──▶ returned ──resubmit──▶ resubmitted ──approve──▶ approved
       │                   │ └──approve──▶ approved    └───────return──▶ returned …
       └──withdraw (archive only, by the village) ──▶ withdrawn
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from caseman.rules.enums import N_


class ApprovalKind(StrEnum):
    REGISTRATION = "registration"  # 新建档
    REVIEW = "review"  # 半年更新，对象类别或重点/一般有变化
    ARCHIVE = "archive"  # 销档


class ApprovalState(StrEnum):
    PENDING = "pending"  # 待审核
    RETURNED = "returned"  # 已退回 (the village answers)
    RESUBMITTED = "resubmitted"  # 已重新提交 (awaits the town again)
    APPROVED = "approved"  # 已审核通过
    WITHDRAWN = "withdrawn"  # 已撤回 (an archive the village no longer asks for)


class ApprovalAction(StrEnum):
    APPROVE = "approve"
    RETURN = "return"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"


# Roles (caseman.auth.models.Role values) on each side.
APPROVER_ROLES = frozenset({"town", "district"})
REQUESTER_ROLES = frozenset({"village", "worker"})

# Not decided yet: the case shows 待审核 (or 已退回) and the inbox lists it.
OPEN_STATES = frozenset({ApprovalState.PENDING, ApprovalState.RETURNED, ApprovalState.RESUBMITTED})
# Waiting for the town (the inbox's count).
AWAITING_STATES = frozenset({ApprovalState.PENDING, ApprovalState.RESUBMITTED})

TRANSITIONS: dict[tuple[ApprovalState, ApprovalAction], ApprovalState] = {
    (ApprovalState.PENDING, ApprovalAction.APPROVE): ApprovalState.APPROVED,
    (ApprovalState.PENDING, ApprovalAction.RETURN): ApprovalState.RETURNED,
    (ApprovalState.RESUBMITTED, ApprovalAction.APPROVE): ApprovalState.APPROVED,
    (ApprovalState.RESUBMITTED, ApprovalAction.RETURN): ApprovalState.RETURNED,
    # The town may still approve what it returned (the village answered by phone, say): a
    # returned change never has to wait on the village for ever.
    (ApprovalState.RETURNED, ApprovalAction.APPROVE): ApprovalState.APPROVED,
    (ApprovalState.RETURNED, ApprovalAction.RESUBMIT): ApprovalState.RESUBMITTED,
    (ApprovalState.PENDING, ApprovalAction.WITHDRAW): ApprovalState.WITHDRAWN,
    (ApprovalState.RETURNED, ApprovalAction.WITHDRAW): ApprovalState.WITHDRAWN,
    (ApprovalState.RESUBMITTED, ApprovalAction.WITHDRAW): ApprovalState.WITHDRAWN,
}

ACTORS: dict[ApprovalAction, frozenset[str]] = {
    ApprovalAction.APPROVE: APPROVER_ROLES,
    ApprovalAction.RETURN: APPROVER_ROLES,
    ApprovalAction.RESUBMIT: REQUESTER_ROLES,
    ApprovalAction.WITHDRAW: REQUESTER_ROLES,
}


class NotAllowed(ValueError):
    """The action is not open to this role in this state; ``message`` is an English msgid."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def needs_approval(role: str, enabled: bool) -> bool:
    """Whether a change by ``role`` waits for the town (CASEMAN_APPROVALS on, village side)."""
    return enabled and role in REQUESTER_ROLES


def is_open(state: ApprovalState) -> bool:
    return state in OPEN_STATES


def review_needs_approval(
    categories_before: Iterable[str],
    categories_after: Iterable[str],
    key_before: bool,
    key_after: bool,
) -> bool:
    """A review (or correction) waits for the town only if it changes the categories or the
    key/general status: those decide who is a service object and how often they are visited."""
    return set(categories_before) != set(categories_after) or key_before != key_after


def next_state(
    state: ApprovalState, action: ApprovalAction, role: str, kind: ApprovalKind
) -> ApprovalState:
    """The state after ``action`` by ``role``, or NotAllowed (with the reason as a msgid)."""
    if role not in ACTORS[action]:
        if action in (ApprovalAction.APPROVE, ApprovalAction.RETURN):
            raise NotAllowed(N_("Only town or district staff approve or return."))
        raise NotAllowed(N_("Only village staff or visitors answer a returned change."))
    if action is ApprovalAction.WITHDRAW and kind is not ApprovalKind.ARCHIVE:
        raise NotAllowed(N_("Only an archive can be withdrawn; correct the case file instead."))
    found = TRANSITIONS.get((state, action))
    if found is None:
        raise NotAllowed(N_("This change was already decided or is not waiting for you."))
    return found


def text_problem(action: ApprovalAction, text: str) -> str | None:
    """A return needs its reason and a resubmission its answer (what was corrected)."""
    if action is ApprovalAction.RETURN and not text.strip():
        return N_("Say why it is returned: the village sees this and answers.")
    if action is ApprovalAction.RESUBMIT and not text.strip():
        return N_("Say what was corrected or answer the reason.")
    return None
