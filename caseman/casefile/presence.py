"""Which kinds of record an elder has at all, asked in one statement (issue 21 goal 3).

The case file shows a dozen kinds of record beside the registration: referrals, risks, care,
printed forms, visitors, transfers, requests awaiting the town, family duty, entrustments,
benefit applications, the visit contact, merged cases. Most elders have none of most kinds, and
each kind asked on its own is a statement: under load the statements, not the database, are what
a case file costs. So the page first asks, in one statement of ``EXISTS`` probes on each table's
elder index, which kinds have any row for the elder, and reads only those.

A kind reported present is read by its own query exactly as before (that query may still find
nothing, e.g. a printed form never printed): the probe only ever skips a read that would have
found no row. Nothing here is scoped: it answers for an elder already loaded in the user's scope
(``get_elder_or_404``), and it tells only whether rows exist, never what they hold.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import select

from caseman.approvals.models import ApprovalRequest
from caseman.benefits.models import BenefitApplication
from caseman.documents.models import PrintedDocument
from caseman.elders.models import ElderAssignment, ElderMerge
from caseman.extensions import db
from caseman.family.models import CareEntrustment, FamilyContact, FamilyDuty
from caseman.forces.models import VisitContact
from caseman.referrals.models import Referral, Risk
from caseman.rules.approvals import OPEN_STATES
from caseman.transfers.models import Transfer
from caseman.visits.models import CareRecord

# Each kind: the column naming the elder (the leading column of an index) and, for a kind the
# case file shows only some rows of, the condition of those rows.
KINDS: dict[str, tuple[Any, Any]] = {
    "referrals": (Referral.elder_id, None),
    "risks": (Risk.elder_id, None),
    "care": (CareRecord.elder_id, None),
    "printed": (PrintedDocument.elder_id, None),
    "assignments": (ElderAssignment.elder_id, None),
    "merged": (ElderMerge.kept_id, None),
    # Nearly every elder a village registered has a request, decided long ago: only the
    # undecided ones are shown.
    "approvals": (ApprovalRequest.elder_id, ApprovalRequest.state.in_(list(OPEN_STATES))),
    "transfers": (Transfer.elder_id, None),
    "visit_contact": (VisitContact.elder_id, None),
    "family_duties": (FamilyDuty.elder_id, None),
    "family_contacts": (FamilyContact.elder_id, None),
    "entrustments": (CareEntrustment.elder_id, None),
    "benefits": (BenefitApplication.elder_id, None),
}


def _probe() -> Any:
    """The statement: one ``EXISTS`` per kind, the elder a bound parameter. Made once: SQLAlchemy
    keeps a made statement's cache key, where one made per call is walked again each time."""
    elder_id = sa.bindparam("elder_id", type_=sa.Integer)
    probes = []
    for kind, (column, shown) in KINDS.items():
        rows = column == elder_id if shown is None else sa.and_(column == elder_id, shown)
        probes.append(sa.exists().where(rows).label(kind))
    return select(*probes)


_PROBE = _probe()


def kinds_present(elder_id: int) -> frozenset[str]:
    """The kinds of :data:`KINDS` with at least one row for the elder, in one statement."""
    row = db.session.execute(
        _PROBE, {"elder_id": elder_id}, execution_options={"caseman_unscoped": True}
    ).one()
    return frozenset(kind for kind, present in zip(KINDS, row, strict=True) if present)
