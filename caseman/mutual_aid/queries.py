"""Mutual-aid reads, always within the acting user's scope, and the numbers of the two quarterly
forms and the indicators (counted here from the data, printed by ``documents``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeVar

import sqlalchemy as sa
from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import aliased

from caseman.areas.models import Area, AreaKind, AreaLevel
from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.ledger.queries import shows_full_numbers, unit_name
from caseman.mutual_aid.models import (
    Activity,
    AidPoint,
    Fund,
    HelpRecord,
    PairedElder,
    Pairing,
    PointEntry,
    PointRate,
    TeamMember,
)
from caseman.rules.enums import AbilityLevel
from caseman.rules.masking import mask_phone
from caseman.rules.mutual_aid import (
    AID_ELDER_TYPE_NAMES,
    EntryKind,
    HelpKind,
    Indicator,
    Living,
    PairingKind,
    PointKind,
    TeamRole,
    TownFigures,
    is_covered,
    missed_beats,
    nearest_point_m,
    town_in_scope,
    town_indicators,
    village_in_scope,
)

T = TypeVar("T")
GENDER_TEXT = {"male": "男", "female": "女"}


# --- scope ----------------------------------------------------------------------------------


def _visible(user: User, area: Area | None) -> bool:
    return user.is_active and area is not None and area.path.startswith(user.area.path)


def get_area_or_404(user: User, area_id: int, level: AreaLevel) -> Area:
    """A village or town in the user's scope, else 404."""
    area = db.session.get(Area, area_id)
    if area is None or area.level != level or not _visible(user, area):
        abort(404)
    return area


def get_record_or_404(user: User, model: type[T], record_id: int) -> T:
    """A mutual-aid record (anything with ``village_id``) of a village in scope, else 404."""
    record = db.session.get(model, record_id)
    village_id = getattr(record, "village_id", None)
    if village_id is None and isinstance(record, PairedElder):
        village_id = record.pairing.village_id
    if record is None or not _visible(user, db.session.get(Area, village_id)):
        abort(404)
    return record


def list_villages(user: User) -> list[Area]:
    return list(
        db.session.scalars(
            select(Area)
            .where(
                Area.level == AreaLevel.VILLAGE,
                Area.path.startswith(user.area.path, autoescape=True),
            )
            .order_by(Area.path)
        )
    )


def list_towns(user: User) -> list[Area]:
    if user.area.level == AreaLevel.TOWN:
        return [user.area]
    if user.area.level != AreaLevel.DISTRICT:
        return []
    return list(
        db.session.scalars(
            select(Area)
            .where(Area.level == AreaLevel.TOWN, Area.parent_id == user.area_id)
            .order_by(Area.name)
        )
    )


# --- one village ----------------------------------------------------------------------------


def _active(model: type, start_col: str, end_col: str, day: date) -> sa.ColumnElement[bool]:
    start, end = getattr(model, start_col), getattr(model, end_col)
    return sa.and_(start <= day, sa.or_(end.is_(None), end > day))


def list_members(village: Area, *, include_ended: bool = False) -> list[TeamMember]:
    query = select(TeamMember).where(TeamMember.village_id == village.id)
    if not include_ended:
        query = query.where(TeamMember.ended_on.is_(None))
    return list(db.session.scalars(query.order_by(TeamMember.role, TeamMember.name)))


def list_points(village: Area) -> list[AidPoint]:
    return list(
        db.session.scalars(
            select(AidPoint)
            .where(AidPoint.village_id == village.id)
            .order_by(AidPoint.kind, AidPoint.name)
        )
    )


def _one_to_one_first() -> sa.ColumnElement[int]:
    return sa.case((Pairing.kind == PairingKind.ONE_TO_ONE, 0), else_=1)


def list_pairings(village: Area, *, include_ended: bool = False) -> list[Pairing]:
    query = select(Pairing).where(Pairing.village_id == village.id)
    if not include_ended:
        query = query.where(Pairing.ended_on.is_(None))
    return list(db.session.scalars(query.order_by(_one_to_one_first(), Pairing.id)))


def list_rates(village: Area) -> list[PointRate]:
    return list(
        db.session.scalars(
            select(PointRate)
            .where(PointRate.village_id == village.id, PointRate.is_active)
            .order_by(PointRate.service)
        )
    )


def list_activities(village: Area) -> list[Activity]:
    return list(
        db.session.scalars(
            select(Activity)
            .where(Activity.village_id == village.id)
            .order_by(Activity.held_on.desc())
        )
    )


def list_funds(village: Area) -> list[Fund]:
    return list(
        db.session.scalars(
            select(Fund).where(Fund.village_id == village.id).order_by(Fund.received_on.desc())
        )
    )


def list_entries(member: TeamMember) -> list[PointEntry]:
    return list(
        db.session.scalars(
            select(PointEntry)
            .where(PointEntry.member_id == member.id)
            .order_by(PointEntry.sequence.desc())
        )
    )


def balances(village: Area) -> dict[int, int]:
    """Member id → balance (the sum of the member's entries)."""
    rows = db.session.execute(
        select(PointEntry.member_id, sa.func.sum(PointEntry.points))
        .where(PointEntry.village_id == village.id)
        .group_by(PointEntry.member_id)
    )
    return {member_id: int(total) for member_id, total in rows}


def help_records(paired_elder_ids: list[int]) -> dict[int, list[HelpRecord]]:
    out: dict[int, list[HelpRecord]] = defaultdict(list)
    if paired_elder_ids:
        for record in db.session.scalars(
            select(HelpRecord)
            .where(HelpRecord.paired_elder_id.in_(paired_elder_ids))
            .order_by(HelpRecord.helped_on.desc(), HelpRecord.id.desc())
        ):
            out[record.paired_elder_id].append(record)
    return out


@dataclass
class MissedRhythm:
    pairing: Pairing
    paired_elder: PairedElder
    beats: list[HelpKind]
    last_help_on: date | None


def missed_rhythms(village: Area, as_of: date) -> list[MissedRhythm]:
    """Active one-to-one pairs that missed 每天敲敲门、每周谈谈心 or 每月帮帮忙 (000 三(三))."""
    pairings = [p for p in list_pairings(village) if p.kind is PairingKind.ONE_TO_ONE]
    records = help_records([pe.id for p in pairings for pe in p.elders])
    out = []
    for pairing in pairings:
        for paired in pairing.elders:
            mine = records.get(paired.id, [])
            beats = missed_beats([(r.helped_on, r.kind) for r in mine], pairing.started_on, as_of)
            if beats:
                out.append(
                    MissedRhythm(pairing, paired, beats, mine[0].helped_on if mine else None)
                )
    return out


@dataclass
class Uncovered:
    paired_elder: PairedElder
    distance_m: float | None


def uncovered_elders(village: Area) -> list[Uncovered]:
    """Paired elders with coordinates farther than 1 km from every open point (000 三(一))."""
    spots = [
        (float(p.latitude), float(p.longitude))
        for p in list_points(village)
        if p.closed_on is None and p.latitude is not None and p.longitude is not None
    ]
    out = []
    for pairing in list_pairings(village):
        for paired in pairing.elders:
            if paired.latitude is None or paired.longitude is None:
                continue
            home = (float(paired.latitude), float(paired.longitude))
            if not is_covered(home, spots):
                out.append(Uncovered(paired, nearest_point_m(home, spots)))
    return out


@dataclass
class MapMarker:
    kind: str  # centre | sub | elder
    label: str
    latitude: float
    longitude: float
    x: float = 0.0  # position on a plain 0–100 grid (the map without tiles)
    y: float = 0.0
    number: int = 0  # elders are numbered on the map and listed beside it (names overlap)


def map_markers(village: Area) -> list[MapMarker]:
    """互助养老地图 (000 三(六)2): open points and paired special-difficulty elders with
    coordinates, placed on a plain grid (longitude → x, latitude → y, north up)."""
    markers = [
        MapMarker(p.kind.value, p.name, float(p.latitude), float(p.longitude))
        for p in list_points(village)
        if p.closed_on is None and p.latitude is not None and p.longitude is not None
    ]
    for pairing in list_pairings(village):
        for paired in pairing.elders:
            if paired.elder_id and paired.latitude is not None and paired.longitude is not None:
                markers.append(
                    MapMarker(
                        "elder",
                        paired.display_name,
                        float(paired.latitude),
                        float(paired.longitude),
                        number=sum(m.kind == "elder" for m in markers) + 1,
                    )  # fmt: skip
                )
    if markers:
        lats = [m.latitude for m in markers]
        lons = [m.longitude for m in markers]
        span = max(max(lats) - min(lats), max(lons) - min(lons), 0.002)
        mid_lat, mid_lon = (max(lats) + min(lats)) / 2, (max(lons) + min(lons)) / 2
        for m in markers:
            # A 15-unit margin keeps markers and their labels off the edges.
            m.x = round(50 + (m.longitude - mid_lon) / span * 70, 2)
            m.y = round(50 - (m.latitude - mid_lat) / span * 70, 2)
    return markers


# --- the quarterly forms and indicators -----------------------------------------------------


@dataclass
class SummaryRow:
    """One row of 000 附件1 (渝北区农村互助养老服务工作进展情况汇总表)."""

    number: int  # 序号
    village: str  # 行政村名称
    organisations: str  # 社工组织名称
    social_workers: int  # 社工人数
    centre_points: int  # 互助养老点数量
    sub_points: int  # 互助养老分点数量
    volunteers: int  # 志愿者队伍人数
    one_to_one: int  # 特殊老人“一对一”结对帮扶（对）
    area_groups: int  # 社会老人“划片式”结对帮扶（组）
    points: int  # 互助养老积分（分)
    activities: int  # 集体活动(场)
    funds: Decimal  # 镇街配套和捐赠金额筹集（元）
    village_id: int = 0
    is_running: bool = False
    ledger_elders: int = 0
    paired_ledger_elders: int = 0
    is_community: bool = False  # a 社区, outside 000 二's 行政村


@dataclass(frozen=True)
class ReportMeta:
    unit: str  # 填表单位
    year: int
    quarter: int
    start: date  # counting from (1 January)
    end: date  # the quarter's last day
    prepared_on: date


def _villages_of(area: Area) -> list[Area]:
    if area.level == AreaLevel.VILLAGE:
        return [area]
    return list(
        db.session.scalars(
            select(Area)
            .where(
                Area.level == AreaLevel.VILLAGE, Area.path.startswith(area.path, autoescape=True)
            )  # fmt: skip
            .order_by(Area.path)
        )
    )


def _count_by_village(query: sa.Select, village_col: sa.ColumnElement) -> dict[int, int]:
    return {vid: int(n or 0) for vid, n in db.session.execute(query.group_by(village_col))}


def summary_rows(area: Area, start: date, end: date) -> list[SummaryRow]:
    """000 附件1 for a town (a row per village) or one village.

    Team, points and pairings are counted as they stand on ``end`` (the quarter's last day);
    points earned, activities and funds from ``start`` (1 January) to ``end``. A village runs
    mutual aid when it has an open centre point (中心点) on ``end``.
    """
    villages = _villages_of(area)
    ids = [v.id for v in villages]
    if not ids:
        return []
    members = list(
        db.session.scalars(
            select(TeamMember).where(
                TeamMember.village_id.in_(ids), _active(TeamMember, "started_on", "ended_on", end)
            )
        )
    )
    points = list(
        db.session.scalars(
            select(AidPoint).where(
                AidPoint.village_id.in_(ids), _active(AidPoint, "opened_on", "closed_on", end)
            )
        )
    )
    pairings = list(
        db.session.scalars(
            select(Pairing).where(
                Pairing.village_id.in_(ids), _active(Pairing, "started_on", "ended_on", end)
            )
        )
    )
    # Points earned: earnings, and corrections of earnings (a corrected redemption gives points
    # back, it is not points earned).
    earning = aliased(PointEntry)
    _earned_entry_ids = select(earning.id).where(earning.kind == EntryKind.EARN)
    earned = _count_by_village(
        select(PointEntry.village_id, sa.func.sum(PointEntry.points)).where(
            PointEntry.village_id.in_(ids),
            sa.or_(
                PointEntry.kind == EntryKind.EARN,
                PointEntry.corrects_id.in_(_earned_entry_ids),
            ),
            PointEntry.entry_on.between(start, end),
        ),
        PointEntry.village_id,
    )
    activities = _count_by_village(
        select(Activity.village_id, sa.func.count()).where(
            Activity.village_id.in_(ids),
            Activity.voided_on.is_(None),
            Activity.held_on.between(start, end),
        ),
        Activity.village_id,
    )
    funds: dict[int, Decimal] = {
        vid: Decimal(total or 0)
        for vid, total in db.session.execute(
            select(Fund.village_id, sa.func.sum(Fund.amount))
            .where(
                Fund.village_id.in_(ids),
                Fund.voided_on.is_(None),
                Fund.received_on.between(start, end),
            )  # fmt: skip
            .group_by(Fund.village_id)
        )
    }
    # Special-difficulty ledger elders (active caseload) per village, and those paired on ``end``.
    village_of_area: dict[int, int] = {}
    for village in villages:
        for area_id in db.session.scalars(
            select(Area.id).where(Area.path.startswith(village.path, autoescape=True))
        ):
            village_of_area[area_id] = village.id
    ledger: dict[int, set[int]] = defaultdict(set)
    for elder_id, area_id in db.session.execute(
        select(Elder.id, Elder.residence_area_id).where(
            Elder.residence_area_id.in_(list(village_of_area)),
            Elder.filed_on <= end,
            sa.or_(Elder.archived_on.is_(None), Elder.archived_on > end),
        )
    ):
        ledger[village_of_area[area_id]].add(elder_id)
    paired_ids = {pe.elder_id for p in pairings for pe in p.elders if pe.elder_id}

    rows = []
    for number, village in enumerate(villages, start=1):
        mine = [m for m in members if m.village_id == village.id]
        social = [m for m in mine if m.role is TeamRole.SOCIAL_WORKER]
        my_points = [p for p in points if p.village_id == village.id]
        my_pairings = [p for p in pairings if p.village_id == village.id]
        centre = sum(1 for p in my_points if p.kind is PointKind.CENTRE)
        rows.append(
            SummaryRow(
                number=number,
                village=village.name,
                organisations="、".join(
                    dict.fromkeys(m.organisation for m in social if m.organisation)
                ),
                social_workers=len(social),
                centre_points=centre,
                sub_points=sum(1 for p in my_points if p.kind is PointKind.SUB),
                volunteers=sum(1 for m in mine if m.role is TeamRole.VOLUNTEER),
                one_to_one=sum(1 for p in my_pairings if p.kind is PairingKind.ONE_TO_ONE),
                area_groups=sum(1 for p in my_pairings if p.kind is PairingKind.AREA_GROUP),
                points=earned.get(village.id, 0),
                activities=activities.get(village.id, 0),
                funds=funds.get(village.id, Decimal(0)).quantize(Decimal("0.01")),
                village_id=village.id,
                is_running=centre > 0,
                ledger_elders=len(ledger[village.id]),
                paired_ledger_elders=len(ledger[village.id] & paired_ids),
                is_community=village.kind == AreaKind.COMMUNITY,
            )
        )
    return rows


def figures_of(rows: list[SummaryRow], quarter: int) -> TownFigures:
    """The numbers behind a town's indicators, from its 附件1 rows (行政村 only, 000 二)."""
    rows = [r for r in rows if village_in_scope(r.is_community)]
    running = [r for r in rows if r.is_running]
    return TownFigures(
        villages=len(rows),
        running_villages=len(running),
        ledger_elders=sum(r.ledger_elders for r in running),
        paired_ledger_elders=sum(r.paired_ledger_elders for r in running),
        points=sum(r.points for r in rows),
        activities=sum(r.activities for r in rows),
        quarters=quarter,
        funds=sum((r.funds for r in rows), Decimal(0)),
    )


def indicators_for(town: Area, year: int, quarter: int, end: date) -> list[Indicator]:
    """000's indicators of a town; all 不适用 for a town outside 000 二's scope."""
    rows = summary_rows(town, date(year, 1, 1), end)
    return town_indicators(
        figures_of(rows, quarter), in_scope=town_in_scope(town.name, town.is_street)
    )


@dataclass
class PairingRow:
    """One row of 000 附件2 (渝北区农村互助养老结对帮扶信息台账): one paired elder."""

    number: int
    name: str
    gender: str
    age: str
    phone: str
    address: str
    children: str  # 有 / 无
    living: str  # 独居 / 双居
    health: str  # 自理 / 失能
    elder_type: str
    helper_names: str
    helper_genders: str
    helper_ages: str
    helper_phones: str
    helper_addresses: str
    help_count: int
    note: str
    paired_elder_id: int = 0
    extra: dict[str, str] = field(default_factory=dict)


def pairing_rows(
    area: Area, start: date, end: date, user: User | None = None, *, full: bool | None = None
) -> list[PairingRow]:
    """000 附件2: every elder in a pairing active on ``end``, with the help records counted
    from ``start`` to ``end`` (帮扶次数). Phones are masked below town level."""
    if full is None:
        full = shows_full_numbers(user)
    phone = (lambda v: v) if full else mask_phone
    ids = [v.id for v in _villages_of(area)]
    if not ids:
        return []
    pairings = list(
        db.session.scalars(
            select(Pairing)
            .join(Area, Area.id == Pairing.village_id)
            .where(Pairing.village_id.in_(ids), _active(Pairing, "started_on", "ended_on", end))
            .order_by(Area.path, _one_to_one_first(), Pairing.id)
        )
    )
    counts = {
        pid: int(n)
        for pid, n in db.session.execute(
            select(HelpRecord.paired_elder_id, sa.func.count())
            .where(HelpRecord.helped_on.between(start, end))
            .group_by(HelpRecord.paired_elder_id)
        )
    }
    rows = []
    for pairing in pairings:
        helpers = [h.member for h in pairing.helpers]
        kind_note = (
            "一对一" if pairing.kind is PairingKind.ONE_TO_ONE else f"划片式：{pairing.name}"
        )
        for paired in pairing.elders:
            elder = paired.elder
            if elder is not None:
                name, gender = elder.name, GENDER_TEXT[elder.gender.value]
                age = (
                    end.year
                    - elder.birth_on.year
                    - ((end.month, end.day) < (elder.birth_on.month, elder.birth_on.day))
                )
                tel = elder.phone
                address = unit_name(elder.residence_area) + elder.residence_address
                disabled = elder.ability_level is not AbilityLevel.INTACT
            else:
                name = paired.name
                gender = GENDER_TEXT[paired.gender.value] if paired.gender else ""
                age = end.year - paired.birth_year if paired.birth_year else ""
                tel, address = paired.phone, paired.address
                disabled = paired.is_disabled
            note = "；".join(filter(None, [kind_note, "" if elder else "社会老人", paired.note]))
            rows.append(
                PairingRow(
                    number=len(rows) + 1,
                    name=name,
                    gender=gender,
                    age=str(age),
                    phone=phone(tel) if tel else "",
                    address=address,
                    children="有" if paired.has_children else "无",
                    living="独居" if paired.living is Living.ALONE else "双居",
                    health="失能" if disabled else "自理",
                    elder_type=AID_ELDER_TYPE_NAMES[paired.elder_type],
                    helper_names="\n".join(h.name for h in helpers),
                    helper_genders="\n".join(GENDER_TEXT[h.gender.value] for h in helpers),
                    helper_ages="\n".join(str(h.age_on(end) or "") for h in helpers),
                    helper_phones="\n".join(phone(h.phone) if h.phone else "" for h in helpers),
                    helper_addresses="\n".join(h.address for h in helpers),
                    help_count=counts.get(paired.id, 0),
                    note=note,
                    paired_elder_id=paired.id,
                )  # fmt: skip
            )
    return rows


def report_meta(area: Area, year: int, quarter: int, end: date, today: date) -> ReportMeta:
    return ReportMeta(unit_name(area), year, quarter, date(year, 1, 1), end, today)
