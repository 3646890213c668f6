"""The approval state machine (caseman.rules.approvals): states, who may act, texts."""

from __future__ import annotations

import pytest

from caseman.rules.approvals import (
    AWAITING_STATES,
    OPEN_STATES,
    TRANSITIONS,
    ApprovalAction,
    ApprovalKind,
    ApprovalState,
    NotAllowed,
    needs_approval,
    next_state,
    review_needs_approval,
    text_problem,
)

P, R, S, A, W = (ApprovalState.PENDING, ApprovalState.RETURNED, ApprovalState.RESUBMITTED,
                 ApprovalState.APPROVED, ApprovalState.WITHDRAWN)  # fmt: skip
REG, ARCH = ApprovalKind.REGISTRATION, ApprovalKind.ARCHIVE


@pytest.mark.parametrize(
    ("role", "enabled", "expected"),
    [("village", True, True), ("worker", True, True), ("town", True, False),
     ("district", True, False), ("village", False, False), ("worker", False, False)],
)  # fmt: skip
def test_only_the_village_side_waits_and_only_when_approvals_are_on(role, enabled, expected):
    assert needs_approval(role, enabled) is expected


@pytest.mark.parametrize(
    ("state", "action", "role", "kind", "expected"),
    [
        (P, ApprovalAction.APPROVE, "town", REG, A),
        (P, ApprovalAction.APPROVE, "district", REG, A),
        (P, ApprovalAction.RETURN, "town", REG, R),
        (R, ApprovalAction.RESUBMIT, "village", REG, S),
        (R, ApprovalAction.RESUBMIT, "worker", REG, S),
        (R, ApprovalAction.APPROVE, "town", REG, A),  # the town may still approve it
        (S, ApprovalAction.APPROVE, "town", REG, A),
        (S, ApprovalAction.RETURN, "town", REG, R),
        (P, ApprovalAction.WITHDRAW, "village", ARCH, W),
        (R, ApprovalAction.WITHDRAW, "village", ARCH, W),
    ],
)
def test_the_allowed_steps(state, action, role, kind, expected):
    assert next_state(state, action, role, kind) is expected


@pytest.mark.parametrize(
    ("state", "action", "role", "kind"),
    [
        (P, ApprovalAction.APPROVE, "village", REG),  # the village cannot approve itself
        (P, ApprovalAction.RETURN, "worker", REG),
        (R, ApprovalAction.RESUBMIT, "town", REG),  # the town decides, it does not answer
        (P, ApprovalAction.RESUBMIT, "village", REG),  # nothing to answer yet
        (R, ApprovalAction.RETURN, "town", REG),  # already returned
        (A, ApprovalAction.RETURN, "town", REG),  # decided stays decided
        (A, ApprovalAction.APPROVE, "town", REG),
        (W, ApprovalAction.RESUBMIT, "village", ARCH),
        (P, ApprovalAction.WITHDRAW, "village", REG),  # a registration is not withdrawn
        (A, ApprovalAction.WITHDRAW, "village", ARCH),
    ],
)
def test_refused_steps_say_why(state, action, role, kind):
    with pytest.raises(NotAllowed) as refused:
        next_state(state, action, role, kind)
    assert refused.value.message


def test_every_transition_leaves_an_open_state_and_decided_states_are_final():
    for (state, _action), after in TRANSITIONS.items():
        assert state in OPEN_STATES
        assert after != state
    assert {A, W}.isdisjoint(OPEN_STATES)
    assert {P, S} == AWAITING_STATES


def test_a_review_waits_only_if_categories_or_key_status_change():
    assert not review_needs_approval(["living_alone"], ["living_alone"], True, True)
    assert not review_needs_approval(["a", "b"], ["b", "a"], False, False)
    assert review_needs_approval(["living_alone"], ["empty_nest"], True, True)
    assert review_needs_approval(["living_alone"], ["living_alone", "other"], True, True)
    assert review_needs_approval(["living_alone"], ["living_alone"], False, True)


def test_a_return_needs_a_reason_and_a_resubmission_an_answer():
    assert text_problem(ApprovalAction.RETURN, "  ")
    assert text_problem(ApprovalAction.RESUBMIT, "")
    assert text_problem(ApprovalAction.RETURN, "身份证号码与户口簿不符") is None
    assert text_problem(ApprovalAction.RESUBMIT, "已核对更正") is None
    assert text_problem(ApprovalAction.APPROVE, "") is None
