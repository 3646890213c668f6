"""Who may start, answer and cancel a transfer, and its states (caseman.rules.transfers)."""

from __future__ import annotations

import pytest

from caseman.rules.transfers import (
    TransferStatus,
    is_valid_target,
    may_answer,
    may_cancel,
    may_change,
    may_start,
)

DISTRICT, MUER, GULU = "/1/", "/1/2/", "/1/3/"
JINGANG, BAIYAN, CAOPING = "/1/2/4/", "/1/2/5/", "/1/3/6/"
GROUP = "/1/2/4/7/"


@pytest.mark.parametrize(
    ("role", "actor", "allowed"),
    [
        ("village", JINGANG, True),
        ("village", GROUP, False),  # a group's staff do not hold the whole village
        ("town", MUER, True),
        ("district", DISTRICT, True),
        ("village", BAIYAN, False),
        ("town", GULU, False),
        ("worker", JINGANG, False),
    ],
)
def test_the_sending_side_starts_and_cancels(role, actor, allowed):
    assert may_start(role, actor, JINGANG) is allowed
    assert may_cancel(role, actor, JINGANG) is allowed


def test_staff_of_a_group_start_for_an_elder_of_their_group():
    assert may_start("village", GROUP, GROUP)


@pytest.mark.parametrize(
    ("role", "actor", "allowed"),
    [
        ("village", CAOPING, True),
        ("town", GULU, True),
        ("district", DISTRICT, True),
        ("village", JINGANG, False),  # the sender cannot accept its own request
        ("town", MUER, False),
        ("worker", CAOPING, False),
    ],
)
def test_the_receiving_side_answers(role, actor, allowed):
    assert may_answer(role, actor, CAOPING) is allowed


def test_only_a_pending_transfer_changes_and_only_once():
    pending = TransferStatus.PENDING
    for after in (TransferStatus.ACCEPTED, TransferStatus.REFUSED, TransferStatus.CANCELLED):
        assert may_change(pending, after)
        for again in TransferStatus:
            assert not may_change(after, again)
    assert not may_change(pending, pending)
    assert pending.is_open
    assert not TransferStatus.ACCEPTED.is_open


def test_the_target_is_another_village_of_any_town():
    assert is_valid_target(JINGANG, BAIYAN)
    assert is_valid_target(JINGANG, CAOPING)
    assert not is_valid_target(JINGANG, JINGANG)
