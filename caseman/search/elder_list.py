"""The elder list: which elders in the user's scope match the list's filters (issue 22 item 2).

The filters read other features' tables (text search, open referrals and risks, visits due, the
visitor), so the list's query lives here, above the registry: the list page (caseman.casefile)
and the bulk assignment of visitors (caseman.visitors) read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseman import clock
from caseman.areas.models import Area
from caseman.auth.models import Role, User
from caseman.elders.models import Elder, ElderCategory
from caseman.elders.queries import Page, is_row_id
from caseman.extensions import db
from caseman.rules.enums import AbilityLevel, Category
from caseman.rules.visit_periods import DueState
from caseman.scope import elder_filter
from caseman.search.queries import open_records_condition, search_hits
from caseman.visits.queries import assigned_to, due_elder_ids, with_visitor


@dataclass
class ElderFilters:
    q: str = ""
    town: int | None = None
    village: int | None = None
    category: str = ""
    key: str = ""  # "key" | "general" | ""
    archived: str = ""  # "" active only | "yes" archived only | "all"
    due: str = ""  # visit schedule state: "overdue" | "due" | "done" | ""
    ability: str = ""  # AbilityLevel value | ""
    open: str = ""  # "referral" | "risk" | "any" (an open referral or risk) | ""
    visitor: str = ""  # a visitor's user id | "none" (no active visitor) | ""

    @classmethod
    def from_args(cls, args: Any) -> ElderFilters:
        """The filters of a request's query string (the elder list's, kept by bulk actions)."""
        return cls(
            q=args.get("q", "")[:64],
            town=args.get("town", type=int),
            village=args.get("village", type=int),
            category=args.get("category", ""),
            key=args.get("key", ""),
            archived=args.get("archived", ""),
            due=args.get("due", ""),
            ability=args.get("ability", ""),
            open=args.get("open", ""),
            visitor=args.get("visitor", "")[:12],
        )

    def as_args(self) -> dict[str, Any]:
        """The filters as query-string values (empty ones left out)."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return {name: value for name, value in values.items() if value not in ("", None)}


def _subtree(area_id: int) -> sa.Select[tuple[int]]:
    path = select(Area.path).where(Area.id == area_id).scalar_subquery()
    return select(Area.id).where(Area.path.startswith(path))


def list_elders(user: User, filters: ElderFilters, page: int, per_page: int) -> Page:
    """Elders in the user's scope matching the filters, by relevance then name, paginated."""
    filtered = _filtered(user, filters)
    if filtered is None:
        return Page([], 0, page, per_page)
    query, order = filtered
    paged = (
        query.options(selectinload(Elder.category_rows), selectinload(Elder.residence_area))
        .order_by(*order, Elder.name, Elder.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    if order:
        # A search ranks every match before it can cut a page, so the count comes with the page
        # in the same statement; counting apart ran the text search a second time (issue 21:
        # at 100,000 elders on PostgreSQL the count took 55 ms and the page 34 ms).
        rows = db.session.execute(paged.add_columns(sa.func.count().over())).all()
        if rows:
            return Page([row[0] for row in rows], rows[0][1], page, per_page)
    total = db.session.scalar(select(sa.func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(paged).all() if total and not order else []
    return Page(list(items), total, page, per_page)


def matching_ids(user: User, filters: ElderFilters) -> list[int]:
    """Ids of every elder in the user's scope matching the filters (a bulk action's "all")."""
    filtered = _filtered(user, filters)
    if filtered is None:
        return []
    query, _order = filtered
    return list(db.session.scalars(query.with_only_columns(Elder.id).order_by(Elder.id)))


def _filtered(
    user: User, filters: ElderFilters
) -> tuple[sa.Select[tuple[Elder]], list[sa.ColumnElement[object]]] | None:
    """The elder list's query and relevance order (None: a search that cannot match)."""
    query = select(Elder).where(elder_filter(user))
    order: list[sa.ColumnElement[object]] = []
    if filters.q.strip():
        # The district sees everyone: its search needs no scope before the text limit.
        scope = None if user.role == Role.DISTRICT else select(Elder.id).where(elder_filter(user))
        hits = search_hits(filters.q, scope)
        if hits is None:
            return None
        query = query.join(hits, hits.c.elder_id == Elder.id)
        order.append(hits.c.rank)
    for area_id in (filters.village, filters.town):
        if area_id:
            query = query.where(Elder.residence_area_id.in_(_subtree(area_id)))
            break
    if filters.category in {c.value for c in Category}:
        query = query.where(
            Elder.id.in_(
                select(ElderCategory.elder_id).where(
                    ElderCategory.category == Category(filters.category)
                )
            )
        )
    if filters.ability in {a.value for a in AbilityLevel}:
        query = query.where(Elder.ability_level == AbilityLevel(filters.ability))
    if filters.open in ("referral", "risk", "any"):
        query = query.where(open_records_condition(filters.open))
    if filters.key in ("key", "general"):
        query = query.where(Elder.is_key.is_(filters.key == "key"))
    if filters.due in {s.value for s in DueState} - {DueState.INACTIVE.value}:
        ids = due_elder_ids(user, clock.today(), DueState(filters.due))
        query = query.where(Elder.id.in_(ids))
    if filters.visitor == "none" or is_row_id(filters.visitor):
        query = query.where(
            Elder.id.not_in(with_visitor())
            if filters.visitor == "none"
            else Elder.id.in_(assigned_to(int(filters.visitor)))
        )
    if filters.archived == "yes":
        query = query.where(Elder.archived_on.is_not(None))
    elif filters.archived != "all":
        query = query.where(Elder.archived_on.is_(None))
    return query, order
