"""What the case file reads, in as few statements as the page allows (issue 21 goal 3).

The case file is the most opened page: under load every statement it saves counts (each costs
far more Python in SQLAlchemy than in the database). Everything still goes through the scope
(caseman.scope): the elder is loaded with ``get_elder_or_404`` and every row read here is one of
that elder's, under the data layer's criteria.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.util import identity_key

from caseman.areas.models import Area
from caseman.elders.models import Elder, ElderVersion
from caseman.extensions import db
from caseman.visits.models import CareRecord, Visit
from caseman.visits.queries import counts_for_schedule

# Loaded with the elder, in its statement: the areas the page names. The registration history is
# read with who made each version (one statement, not one more per person).
ELDER_OPTIONS = (
    joinedload(Elder.residence_area),
    joinedload(Elder.household_area),
    selectinload(Elder.versions).joinedload(ElderVersion.created_by),
)


@dataclass(frozen=True)
class Timeline:
    """The latest visits and care records of one elder, newest first, and how many there are."""

    items: list[Visit | CareRecord]
    total: int  # visits and care records in all (voided ones included, as listed)
    visits: list[Visit]  # the latest ``limit`` visits (newest first), before the cut
    limit: int

    def home_visit_dates(self, start: date, today: date) -> list[date] | None:
        """The dates of the elder's home visits (not voided) from ``start`` to ``today``, when the
        visits read hold all of them (None: they may not; ask the database)."""
        visits = self.visits
        complete = len(visits) < self.limit or (visits and visits[-1].visited_on < start)
        if not complete:
            return None
        return [
            v.visited_on
            for v in visits
            if counts_for_schedule(v) and start <= v.visited_on <= today
        ]


def _when(item: Visit | CareRecord) -> tuple[date, int, int]:
    if isinstance(item, Visit):
        return (item.visited_on, 0, item.number)
    return (item.cared_on, 1, item.number)


def case_timeline(elder: Elder, limit: int, *, care: bool = True) -> Timeline:
    """The latest ``limit`` visits and care records of ``elder`` (as
    :func:`caseman.visits.queries.timeline` lists them) and their total, in two statements: each
    row carries the count of all the elder's rows of its kind (a window over the whole result,
    worked out before the limit), so no count statement follows. ``care=False``: the elder is
    known to have no care record (casefile.presence), so none is asked for."""
    total = sa.func.count().over().label("total")
    visit_rows = db.session.execute(
        select(Visit, total)
        .where(Visit.elder_id == elder.id)
        .order_by(Visit.visited_on.desc(), Visit.number.desc())
        .limit(limit)
    ).all()
    care_rows = (
        db.session.execute(
            select(CareRecord, total)
            .where(CareRecord.elder_id == elder.id)
            .order_by(CareRecord.cared_on.desc(), CareRecord.number.desc())
            .limit(limit)
        ).all()
        if care
        else []
    )
    visits = [row[0] for row in visit_rows]
    items: list[Visit | CareRecord] = [*visits, *(row[0] for row in care_rows)]
    count = (visit_rows[0][1] if visit_rows else 0) + (care_rows[0][1] if care_rows else 0)
    return Timeline(sorted(items, key=_when, reverse=True)[:limit], count, visits, limit)


def load_area_chains(*areas: Area | None) -> None:
    """Read, in one statement, the ancestors of ``areas`` not loaded yet (the page names each
    area with its whole path: 木耳镇金刚村…): their ``parent`` is then found in the session, not
    read one level at a time."""
    session = db.session()
    wanted: set[int] = set()
    for area in areas:
        if area is not None:
            wanted.update(int(part) for part in area.path.strip("/").split("/") if part.isdigit())
    missing = [i for i in wanted if identity_key(Area, i) not in session.identity_map]
    read = (
        session.scalars(select(Area).where(Area.id.in_(sorted(missing)))).all() if missing else []
    )
    # Link each area to its parent now, while ``read`` holds the rows: the session keeps only
    # weak references, and rows nothing points to would be gone before the page asks for them.
    for area in areas:
        node = area
        while node is not None:
            node = node.parent
    del read
