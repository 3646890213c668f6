"""Reading benefit applications: the filtered list and the counts per area, in the user's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.benefits.models import BenefitApplication
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.rules.benefits import BenefitKind, Outcome
from caseman.scope import _area_subtree, area_in_scope, elder_filter

LIST_LIMIT = 200


def _date_arg(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@dataclass
class BenefitFilters:
    """The list's filters: area (town or village), kind, outcome and the period applied in."""

    area: int | None = None
    kind: str = ""
    outcome: str = ""
    start: date | None = None
    end: date | None = None

    @classmethod
    def from_args(cls, args: Any) -> BenefitFilters:
        kind = args.get("kind", "")
        outcome = args.get("outcome", "")
        return cls(
            area=args.get("area", type=int),
            kind=kind if kind in set(BenefitKind) else "",
            outcome=outcome if outcome in set(Outcome) else "",
            start=_date_arg(args.get("start", "")[:10]),
            end=_date_arg(args.get("end", "")[:10]),
        )


def _filtered(actor: User, filters: BenefitFilters) -> Any:
    query = (
        select(BenefitApplication)
        .join(Elder, Elder.id == BenefitApplication.elder_id)
        .where(elder_filter(actor))
    )
    area = area_in_scope(actor, filters.area)
    if area is not None:
        query = query.where(Elder.residence_area_id.in_(_area_subtree(area)))
    if filters.kind:
        query = query.where(BenefitApplication.kind == BenefitKind(filters.kind))
    if filters.outcome:
        query = query.where(BenefitApplication.outcome == Outcome(filters.outcome))
    if filters.start is not None:
        query = query.where(BenefitApplication.applied_on >= filters.start)
    if filters.end is not None:
        query = query.where(BenefitApplication.applied_on <= filters.end)
    return query


def list_applications(actor: User, filters: BenefitFilters) -> tuple[list[BenefitApplication], int]:
    """The newest applications matching ``filters`` (at most LIST_LIMIT) and how many match."""
    query = _filtered(actor, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.options(selectinload(BenefitApplication.elder).selectinload(Elder.residence_area))
        .order_by(BenefitApplication.applied_on.desc(), BenefitApplication.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return list(rows), total


@dataclass
class AreaCount:
    area: Area
    by_outcome: dict[Outcome, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_outcome.values())


def counts_by_area(actor: User, filters: BenefitFilters) -> list[AreaCount]:
    """Applications matching ``filters`` per area one level below the actor's (towns for the
    district, villages for a town; a village user's own village), by outcome."""
    inner = _filtered(actor, filters).subquery()
    rows = db.session.execute(
        select(Elder.residence_area_id, inner.c.outcome, func.count())
        .join(inner, inner.c.elder_id == Elder.id)
        .group_by(Elder.residence_area_id, inner.c.outcome)
    ).all()
    top = actor.area
    found: dict[int, AreaCount] = {}
    for area_id, outcome, count in rows:
        residence = db.session.get(Area, area_id)
        if residence is None:
            continue
        target = _report_area(top, residence)
        entry = found.setdefault(target.id, AreaCount(target))
        key = Outcome(outcome)
        entry.by_outcome[key] = entry.by_outcome.get(key, 0) + count
    return sorted(found.values(), key=lambda c: c.area.path)


def _report_area(top: Area, residence: Area) -> Area:
    """The area one level below ``top`` holding ``residence`` (``top`` for what lies in it alone,
    or for a residence outside it: a worker's assigned elder elsewhere counts at its village)."""
    if not residence.path.startswith(top.path):
        return residence.village or residence
    rest = residence.path[len(top.path) :].strip("/")
    if not rest:
        return top
    child = db.session.get(Area, int(rest.split("/")[0]))
    return child or top


def list_elder_applications(elder: Elder) -> list[BenefitApplication]:
    return list(
        db.session.scalars(
            select(BenefitApplication)
            .where(BenefitApplication.elder_id == elder.id)
            .order_by(BenefitApplication.applied_on.desc(), BenefitApplication.id.desc())
        )
    )


def get_application(elder: Elder, application_id: int) -> BenefitApplication | None:
    return db.session.scalar(
        select(BenefitApplication).where(
            BenefitApplication.id == application_id, BenefitApplication.elder_id == elder.id
        )
    )
