"""What the registry leaves to approvals, without importing it (issue 22 item 2).

caseman.elders sits below the features and imports none of them (tests/test_architecture.py).
Approvals decides whether a village's registration, review or archive waits for the town (issue
19 item 1): caseman.create_app plugs its functions in here (caseman.approvals.services.connect).
Left unplugged, every change stands at once, as with CASEMAN_APPROVALS=off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def _nothing(*args: Any) -> None:
    return None


def _off() -> bool:
    return False


@dataclass(frozen=True)
class Approvals:
    """The approval steps of the registry's changes; the defaults ask for no approval."""

    enabled: Callable[[], bool] = _off
    # (actor, elder, version number): a new case file
    registered: Callable[..., Any] = _nothing
    # (actor, [(elder, version number)]): a batch of new case files (an imported ledger)
    imported: Callable[..., Any] = _nothing
    # (actor, elder, categories before, key before, version number, changed fields)
    reviewed: Callable[..., Any] = _nothing
    # (actor, elder, reason, archived on, note, today, expected version) -> the waiting
    # request, or None when archived at once; None here: the registry archives at once
    archive: Callable[..., Any] | None = None


approvals = Approvals()


def connect(steps: Approvals) -> None:
    """Plug the approval steps in (once per process; every app plugs the same ones)."""
    global approvals
    approvals = steps
