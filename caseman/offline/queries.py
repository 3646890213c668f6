"""What the browser keeps for the field: the visitor's own elders, nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from caseman.auth.models import Role, User
from caseman.rules.visit_periods import DueState, VisitStatus
from caseman.visits.queries import schedule_statuses

# A visitor's caseload is a few dozen elders; the pages of more would fill a phone's storage.
MAX_ELDERS = 60


@dataclass
class OwnElder:
    """One of the visitor's elders as 离线探访 lists it (the phone masked by the page)."""

    elder_id: int
    name: str
    is_key: bool
    phone: str
    address: str
    status: VisitStatus


def _order(row: OwnElder) -> tuple[int, int, int, str]:
    rank = {DueState.OVERDUE: 0, DueState.DUE: 1, DueState.DONE: 2}.get(row.status.state, 3)
    return (rank, -row.status.days_overdue, row.status.days_left or 0, row.name)


def list_own_elders(user: User, today: date) -> list[OwnElder]:
    """The active elders assigned to ``user`` (a visitor), overdue first; none for staff.

    Only these are kept offline (issue 18: cached personal data is limited to the visitor's own
    assigned elders), at most :data:`MAX_ELDERS`.
    """
    if user.role != Role.WORKER:
        return []
    rows = [
        OwnElder(row.id, row.name, row.is_key, row.phone or "", row.residence_address or "", status)
        for row, status in schedule_statuses(user, today, visitor=user.id)
    ]
    rows.sort(key=_order)
    return rows[:MAX_ELDERS]
