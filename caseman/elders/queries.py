"""Read functions for elders, always through the acting user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseman import clock
from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import Role, User
from caseman.elders.models import Elder, ElderCategory, ElderVersion
from caseman.extensions import db
from caseman.rules.enums import AbilityLevel, Category
from caseman.rules.visit_periods import DueState
from caseman.scope import elder_filter, scoped_areas


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


@dataclass
class Page:
    items: list[Elder]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


MAX_ROW_ID = 2**31 - 1  # an INTEGER key on PostgreSQL


def is_row_id(value: str) -> bool:
    """Whether a query-string value can be a row id (digits that fit an INTEGER key)."""
    return value.isascii() and value.isdigit() and len(value) <= 10 and int(value) <= MAX_ROW_ID


def _subtree(area_id: int) -> sa.Select[tuple[int]]:
    path = select(Area.path).where(Area.id == area_id).scalar_subquery()
    return select(Area.id).where(Area.path.startswith(path))


def list_elders(user: User, filters: ElderFilters, page: int, per_page: int) -> Page:
    """Elders in the user's scope matching the filters, by relevance then name, paginated."""
    filtered = _filtered(user, filters)
    if filtered is None:
        return Page([], 0, page, per_page)
    query, order = filtered
    total = db.session.scalar(select(sa.func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(
        query.options(selectinload(Elder.category_rows), selectinload(Elder.residence_area))
        .order_by(*order, Elder.name, Elder.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
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
        from caseman.search.queries import search_hits

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
        from caseman.search.queries import open_records_condition

        query = query.where(open_records_condition(filters.open))
    if filters.key in ("key", "general"):
        query = query.where(Elder.is_key.is_(filters.key == "key"))
    if filters.due in {s.value for s in DueState} - {DueState.INACTIVE.value}:
        from caseman.visits.queries import due_elder_ids

        ids = due_elder_ids(user, clock.today(), DueState(filters.due))
        query = query.where(Elder.id.in_(ids))
    if filters.visitor == "none" or is_row_id(filters.visitor):
        from caseman.visits.queries import assigned_to, with_visitor

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


def list_filter_areas(user: User) -> tuple[list[Area], list[Area]]:
    """Towns and villages the user may filter by."""
    areas = db.session.scalars(scoped_areas(user).order_by(Area.path)).all()
    towns = [a for a in areas if a.level == AreaLevel.TOWN]
    villages = [a for a in areas if a.level == AreaLevel.VILLAGE]
    return towns, villages


def list_residence_areas(user: User) -> list[Area]:
    """Open villages and groups where the user may register an elder (closed ones: none)."""
    areas = db.session.scalars(
        scoped_areas(user)
        .where(Area.level.in_([AreaLevel.VILLAGE, AreaLevel.GROUP]), Area.closed_on.is_(None))
        .order_by(Area.path)
    ).all()
    return list(areas)


def get_version(elder: Elder, number: int) -> ElderVersion | None:
    return db.session.scalar(
        select(ElderVersion).where(ElderVersion.elder_id == elder.id, ElderVersion.number == number)
    )
