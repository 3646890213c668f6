"""The whole history of one elder in date order: registration versions, visits, care, referrals,
risks, their follow-ups and status changes, visit photos, printed documents and signed scans.

The caller has already loaded the elder through caseman.scope (so the elder is in scope); every
row read here belongs to that elder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select

from caseman.documents.models import PrintedDocument, SignedScan
from caseman.elders.models import Elder, ElderVersion
from caseman.extensions import db
from caseman.photos.queries import photos_by_visit
from caseman.referrals.models import FollowUp, Referral, Risk, StatusChange
from caseman.visits.models import CareRecord, Visit

KINDS = ("registration", "visit", "photo", "care", "referral", "risk", "follow_up", "status",
         "document")  # fmt: skip


@dataclass(frozen=True)
class HistoryEvent:
    """One dated thing in the case history."""

    on: date
    at: datetime  # orders events of one day
    kind: str  # one of KINDS
    record: Any  # the model row, for the template
    endpoint: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _rows(model: Any, elder: Elder, *order: Any) -> list[Any]:
    return list(
        db.session.scalars(select(model).where(model.elder_id == elder.id).order_by(*order))
    )


def list_history(elder: Elder, kinds: set[str] | None = None) -> list[HistoryEvent]:
    """Events of the elder's case, oldest first; only ``kinds`` when given."""
    wanted = set(KINDS) if not kinds else kinds & set(KINDS)
    events: list[HistoryEvent] = []

    def add(kind: str, on: date, at: datetime, record: Any, endpoint: str | None = None,
            **params: Any) -> None:  # fmt: skip
        events.append(HistoryEvent(on, at, kind, record, endpoint, params))

    if "registration" in wanted:
        for version in _rows(ElderVersion, elder, ElderVersion.number):
            # 建档: the first version dates from the filing day, even when typed in later.
            on = elder.filed_on if version.number == 1 else version.created_at.date()
            add("registration", on, version.created_at, version,
                "elders.version", elder_id=elder.id, number=version.number)  # fmt: skip
    if "visit" in wanted:
        for visit in _rows(Visit, elder, Visit.number):
            add("visit", visit.visited_on, visit.created_at, visit, "visits.show",
                visit_id=visit.id)  # fmt: skip
    if "photo" in wanted:
        # The photos of one visit are one event, on the visit's date (issue 18 item 3).
        for photos in photos_by_visit(elder.id).values():
            visit = photos[0].visit
            add("photo", visit.visited_on, photos[0].uploaded_at, photos, "visits.show",
                visit_id=visit.id, _anchor="visit-photos")  # fmt: skip
    if "care" in wanted:
        for care in _rows(CareRecord, elder, CareRecord.number):
            add("care", care.cared_on, care.created_at, care, "visits.show_care", care_id=care.id)
    if "referral" in wanted:
        for referral in _rows(Referral, elder, Referral.id):
            add("referral", referral.raised_on, referral.created_at, referral,
                "referrals.show_referral", referral_id=referral.id)  # fmt: skip
    if "risk" in wanted:
        for risk in _rows(Risk, elder, Risk.id):
            add("risk", risk.occurred_at.date(), risk.occurred_at, risk, "referrals.show_risk",
                risk_id=risk.id)  # fmt: skip
    if "follow_up" in wanted:
        for follow_up in _rows(FollowUp, elder, FollowUp.id):
            endpoint, params = (
                ("referrals.show_referral", {"referral_id": follow_up.referral_id})
                if follow_up.referral_id
                else ("referrals.show_risk", {"risk_id": follow_up.risk_id})
            )
            add("follow_up", follow_up.followed_on, follow_up.created_at, follow_up, endpoint,
                **params)  # fmt: skip
    if "status" in wanted:
        for change in _rows(StatusChange, elder, StatusChange.id):
            endpoint, params = (
                ("referrals.show_referral", {"referral_id": change.record_id})
                if change.record_type == "referral"
                else ("referrals.show_risk", {"risk_id": change.record_id})
            )
            add("status", change.changed_on, change.changed_at, change, endpoint, **params)
    if "document" in wanted:
        for document in _rows(PrintedDocument, elder, PrintedDocument.id):
            if document.printings == 0:
                continue  # a number reserved by a batch still being made
            add("document", document.created_at.date(), document.created_at, document)
        for scan in _rows(SignedScan, elder, SignedScan.id):
            add("document", scan.uploaded_at.date(), scan.uploaded_at, scan,
                "documents.scan", scan_id=scan.id)  # fmt: skip
    events.sort(key=lambda e: (e.on, e.at or _midnight(e.on)))
    return events
