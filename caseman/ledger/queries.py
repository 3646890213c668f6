"""The rows of 附件1 (渝北区特殊困难老年人关爱服务信息台帐): one row per active elder in scope.

A town's ledger goes to the district every June and December (004 二(六)), so the default period
is the current half-year up to today. 上门探访次数 counts the home visits (``counting_visits``) of
the period; 解决问题数量 is ``solved_counts``, the number the case file shows.

Everything is fetched in a handful of queries (elders, areas, categories, relatives, visit counts,
solved counts; the last four in chunks of ids), never one query per elder: a district of 20,000
elders takes seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select

from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import Role, User
from caseman.db import chunks
from caseman.elders.models import Elder, ElderCategory, FamilyMember
from caseman.extensions import db
from caseman.referrals.queries import solved_counts
from caseman.rules.enums import Category, Gender, Relation
from caseman.rules.masking import (
    STRICTEST_AREA_DIGITS,
    area_digits_for,
    mask_id_number,
    mask_phone,
)
from caseman.scope import elder_filter
from caseman.visits.models import Visit
from caseman.visits.queries import counting_visits

# Ids per IN (...) list: well under SQLite's and PostgreSQL's limits on bound parameters.
CHUNK = 5000

# The official wording of the printed form (verbatim, never translated).
GENDER_TEXT = {Gender.MALE: "男", Gender.FEMALE: "女"}
RELATION_TEXT = {
    Relation.SPOUSE: "配偶",
    Relation.SON: "儿子",
    Relation.DAUGHTER: "女儿",
    Relation.SON_IN_LAW: "女婿",
    Relation.DAUGHTER_IN_LAW: "儿媳",
    Relation.GRANDCHILD: "孙子女",
    Relation.SIBLING: "兄弟姐妹",
    Relation.PARENT: "父母",
    Relation.OTHER: "其他亲属",
}
# 对象类型 as the annex names them, in the order of its 说明 line:
# 对象类型分为独居、空巢、农村留守、计生对象、失能、重度残疾老年人、其他关爱对象。
CATEGORY_TEXT = {
    Category.LIVING_ALONE: "独居",
    Category.EMPTY_NEST: "空巢",
    Category.LEFT_BEHIND: "农村留守",
    Category.FAMILY_PLANNING: "计生对象",
    Category.DISABLED_CARE: "失能",
    Category.SEVERE_DISABILITY: "重度残疾老年人",
    Category.OTHER: "其他关爱对象",
}
CATEGORY_ORDER = list(CATEGORY_TEXT)

# Roles that see full ID numbers and phone numbers on the ledger; everyone else sees them masked.
FULL_ID_ROLES = (Role.DISTRICT, Role.TOWN)


@dataclass(frozen=True)
class Relative:
    """One line of 亲属情况: 姓名, 亲属关系, 电话."""

    name: str
    relation: str
    phone: str


@dataclass
class LedgerRow:
    """One row of 附件1."""

    number: int  # 序号
    elder_id: int
    name: str  # 姓名
    gender: str  # 性别 (男/女)
    address: str  # 常住地址: residence area's full name + the address
    id_number: str  # 身份证号码 (masked unless the reader may see it in full)
    phone: str  # 电话 (same rule)
    relatives: list[Relative] = field(default_factory=list)  # 亲属情况
    categories: str = ""  # 对象类型, joined with 、
    town: str = ""  # 责任镇街
    village: str = ""  # 责任村（社区）
    responsible_person: str = ""  # 责任人
    responsible_phone: str = ""  # 责任人电话
    home_visits: int = 0  # 上门探访次数
    solved: int = 0  # 解决问题数量
    pending: str = ""  # 待审核 or 已退回 while a change waits for the town (issue 19 item 1)


def current_half_year(today: date) -> tuple[date, date]:
    """The ledger's default period: 1 Jan or 1 Jul of this half-year, up to ``today``."""
    start = date(today.year, 1 if today.month <= 6 else 7, 1)
    return start, today


def unit_name(area: Area) -> str:
    """填表单位 of an area: the district's name, else the names from the town (木耳镇金刚村)."""
    names: list[str] = []
    node: Area | None = area
    while node is not None and node.level != AreaLevel.DISTRICT:
        names.append(node.name)
        node = node.parent
    return "".join(reversed(names)) or area.name


def shows_full_numbers(user: User | None) -> bool:
    """Whether the ledger shows full ID and phone numbers to ``user`` (district and town)."""
    return user is not None and user.role in FULL_ID_ROLES


def home_visit_counts(elder_ids: Iterable[int], start: date, end: date) -> dict[int, int]:
    """上门探访次数 per elder: home visits not voided with ``start <= visited_on <= end``."""
    ids = list(elder_ids)
    counts = dict.fromkeys(ids, 0)
    for chunk in chunks(ids, CHUNK):
        query = (
            select(Visit.elder_id, sa.func.count(Visit.id))
            .where(Visit.elder_id.in_(chunk), counting_visits())
            .where(Visit.visited_on >= start, Visit.visited_on <= end)
            .group_by(Visit.elder_id)
        )
        for elder_id, number in db.session.execute(query):
            counts[elder_id] = number
    return counts


def _category_texts(elder_ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, set[Category]] = defaultdict(set)
    for chunk in chunks(elder_ids, CHUNK):
        query = select(ElderCategory.elder_id, ElderCategory.category).where(
            ElderCategory.elder_id.in_(chunk)
        )
        for elder_id, category in db.session.execute(query):
            found[elder_id].add(category)
    return {
        elder_id: "、".join(CATEGORY_TEXT[c] for c in CATEGORY_ORDER if c in categories)
        for elder_id, categories in found.items()
    }


def _relatives(elder_ids: Sequence[int], full: bool) -> dict[int, list[Relative]]:
    shown = _phone_shown(full)
    found: dict[int, list[Relative]] = defaultdict(list)
    for chunk in chunks(elder_ids, CHUNK):
        query = (
            select(
                FamilyMember.elder_id, FamilyMember.name, FamilyMember.relation, FamilyMember.phone
            )
            .where(FamilyMember.elder_id.in_(chunk), FamilyMember.is_deceased.is_(False))
            .order_by(FamilyMember.elder_id, FamilyMember.position, FamilyMember.id)
        )
        for elder_id, name, relation, phone in db.session.execute(query):
            found[elder_id].append(Relative(name, RELATION_TEXT[relation], shown(phone)))
    return found


def _phone_shown(full: bool) -> Any:
    return (lambda value: (value or "").strip()) if full else mask_phone


@dataclass(frozen=True)
class _Place:
    town: str
    village: str
    full_name: str


def _places() -> dict[int, _Place]:
    """Town, village and full name of every area (a district has a few hundred areas)."""
    areas = {
        row.id: row
        for row in db.session.execute(select(Area.id, Area.name, Area.level, Area.parent_id))
    }
    places: dict[int, _Place] = {}
    for area_id in areas:
        names: dict[AreaLevel, str] = {}
        chain: list[str] = []
        node = areas.get(area_id)
        while node is not None:
            names[node.level] = node.name
            chain.append(node.name)
            node = areas.get(node.parent_id) if node.parent_id else None
        places[area_id] = _Place(
            names.get(AreaLevel.TOWN, ""),
            names.get(AreaLevel.VILLAGE, ""),
            "".join(reversed(chain)),
        )
    return places


def _subtree(area_id: int) -> sa.Select[tuple[int]]:
    path = select(Area.path).where(Area.id == area_id).scalar_subquery()
    return select(Area.id).where(Area.path.startswith(path))


def _elder_query(user: User | None, area_id: int | None, end: date) -> sa.Select[Any]:
    conditions: list[sa.ColumnElement[bool]] = [
        Elder.filed_on <= end,
        sa.or_(Elder.archived_on.is_(None), Elder.archived_on > end),
    ]
    if user is not None:
        conditions.append(elder_filter(user))
    if area_id:
        conditions.append(Elder.residence_area_id.in_(_subtree(area_id)))
    return select(
        Elder.id,
        Elder.name,
        Elder.gender,
        Elder.id_number,
        Elder.phone,
        Elder.residence_area_id,
        Elder.residence_address,
        Elder.responsible_person,
        Elder.responsible_phone,
    ).where(*conditions)


@dataclass
class LedgerSelection:
    """The elders of a ledger in print order, before the per-elder facts are fetched."""

    elders: list[Any]
    places: dict[int, _Place]
    full: bool
    # Leading digits of a masked ID number (the reader's area-code digits, rules.masking).
    id_head: int = STRICTEST_AREA_DIGITS

    @property
    def total(self) -> int:
        return len(self.elders)


def select_ledger(
    user: User | None, area_id: int | None, end: date, *, full: bool | None = None
) -> LedgerSelection:
    """Active elders (filed by ``end``, not archived on ``end``) in scope and in ``area_id``.

    ``user`` None means no scope limit (the operator's CLI). ``full`` None: full numbers for
    district and town staff only (the audited downloads); True/False forces it (the CLI's
    ``--full``; the page, a list, passes False). Masked ID numbers keep as many area-code
    digits as the user's role sees in lists.
    """
    places = _places()
    elders = list(db.session.execute(_elder_query(user, area_id, end)))
    blank = _Place("", "", "")

    def order(row: Any) -> tuple[str, str, str, int]:
        place = places.get(row.residence_area_id, blank)
        return (place.town, place.village, row.name, row.id)

    elders.sort(key=order)
    return LedgerSelection(
        elders=elders,
        places=places,
        full=shows_full_numbers(user) if full is None else full,
        id_head=area_digits_for(user.role if user is not None else None),
    )


PENDING_TEXT = {"pending": "待审核", "returned": "已退回"}


def pending_marks(elder_ids: Sequence[int]) -> dict[int, str]:
    """待审核 / 已退回 of the elders whose change still waits for the town (issue 19 item 1)."""
    from caseman.approvals.queries import open_states

    return {k: PENDING_TEXT[v.value] for k, v in open_states(elder_ids).items()}


def approval_meta(selection: LedgerSelection) -> dict[str, Any]:
    """主要领导审核 (the last approver) and the count of pending rows, for ``LedgerMeta``."""
    from caseman.approvals.queries import latest_approver, open_states

    ids = [row.id for row in selection.elders]
    return {"approver": latest_approver(ids), "pending": len(open_states(ids))}


def build_rows(
    selection: LedgerSelection, start: date, end: date, offset: int = 0, limit: int | None = None
) -> list[LedgerRow]:
    """The ledger rows ``offset`` .. ``offset + limit`` of a selection (序号 counts from 1)."""
    chosen = selection.elders[offset : None if limit is None else offset + limit]
    ids = [row.id for row in chosen]
    categories = _category_texts(ids)
    relatives = _relatives(ids, selection.full)
    visits = home_visit_counts(ids, start, end)
    solved = solved_counts(ids)
    waiting = pending_marks(ids)
    if selection.full:
        id_shown: Any = lambda value: (value or "").strip()  # noqa: E731
    else:
        id_shown = partial(mask_id_number, head=selection.id_head)
    phone_shown = _phone_shown(selection.full)
    blank = _Place("", "", "")
    rows = []
    for number, elder in enumerate(chosen, start=offset + 1):
        place = selection.places.get(elder.residence_area_id, blank)
        rows.append(
            LedgerRow(
                number=number,
                elder_id=elder.id,
                name=elder.name,
                gender=GENDER_TEXT.get(elder.gender, ""),
                address=place.full_name + (elder.residence_address or ""),
                id_number=id_shown(elder.id_number),
                phone=phone_shown(elder.phone),
                relatives=relatives.get(elder.id, []),
                categories=categories.get(elder.id, ""),
                town=place.town,
                village=place.village,
                responsible_person=elder.responsible_person or "",
                responsible_phone=elder.responsible_phone or "",
                home_visits=visits.get(elder.id, 0),
                solved=solved.get(elder.id, 0),
                pending=waiting.get(elder.id, ""),
            )
        )
    return rows


def ledger_rows(
    user: User | None,
    area_id: int | None,
    start: date,
    end: date,
    *,
    full: bool | None = None,
) -> list[LedgerRow]:
    """Every row of the ledger of ``area_id`` (None: the user's whole scope) for ``start``–``end``.

    Ordered by town, village and name. ID and phone numbers are in full only for district and
    town staff (``shows_full_numbers``) unless ``full`` says otherwise.
    """
    selection = select_ledger(user, area_id, end, full=full)
    return build_rows(selection, start, end)
