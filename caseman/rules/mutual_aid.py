"""Rural mutual aid (农村互助养老) rules of 渝北民〔2023〕23号 (seed 000): pure functions.

- 000 三(一): sub-points (分点) within 1 km or a 15-minute walk of the elders they serve.
- 000 三(三): one-to-one pairing (“一对一”结对帮扶) with the rhythm 每天“敲敲门”、每周“谈谈心”、
  每月“帮帮忙”; area-based groups (“划片式”) for other elders.
- 000 三(五): every running village holds at least one collective activity a quarter.
- 000 二: the scope: the district's 镇 other than 龙兴镇, and their 行政村 (not 街道, not 社区).
- 000 三(六)1: the four indicators per town; 000 四: at least 50,000 yuan raised per town.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from caseman.rules.enums import N_

# 000 三(一): “按1公里范围或老年人步行15分钟内时长设置互助养老分点”.
COVERAGE_RADIUS_M = 1000
EARTH_RADIUS_M = 6_371_000

# 000 三(六)1 and 000 四.
RUNNING_VILLAGE_SHARE = Decimal("0.60")  # (1) 不少于60%
PAIRED_SHARE = Decimal("0.90")  # (2) 不少于……台账的90%
POINTS_PER_YEAR = 10_000  # (3) 全年互助养老积分不少于10000分
FUNDS_PER_TOWN = Decimal("50000")  # 四: 原则要求每个镇不少于5万元

# 000 二 实施范围: “在全区10个镇（不含龙兴镇）老龄化程度较高的行政村深入开展……互助养老服务”.
EXCLUDED_TOWNS = frozenset({"龙兴镇"})


class TeamRole(StrEnum):
    """互助养老服务队伍 roles (000 三(二))."""

    COORDINATOR = "coordinator"  # 养老专干 (a village cadre)
    SOCIAL_WORKER = "social_worker"  # 社工 (of a social-work organisation)
    ASSISTANT = "assistant"  # 养老助理
    GROUP_LEADER = "group_leader"  # 互助养老小组长 (one per villager group)
    VOLUNTEER = "volunteer"  # 志愿者


class PointKind(StrEnum):
    """互助养老点: the centre point or a sub-point (000 三(一))."""

    CENTRE = "centre"  # 中心点
    SUB = "sub"  # 分点


class PairingKind(StrEnum):
    ONE_TO_ONE = "one_to_one"  # “一对一” (无人照顾的独居老人)
    AREA_GROUP = "area_group"  # “划片式” (其他高龄、独居、留守社会老年人)


class HelpKind(StrEnum):
    """The three beats of the one-to-one rhythm (000 三(三))."""

    KNOCK = "knock"  # 敲敲门 (daily)
    TALK = "talk"  # 谈谈心 (weekly)
    HELP = "help"  # 帮帮忙 (monthly)


class Living(StrEnum):
    """居住情况 of 000 附件2."""

    ALONE = "alone"  # 独居
    COUPLE = "couple"  # 双居


class AidElderType(StrEnum):
    """老人类型 of 000 附件2: “老人类型分为低保、分散特困、失独、残疾、优抚、其他”."""

    DIBAO = "dibao"  # 低保
    DISPERSED_POVERTY = "dispersed_poverty"  # 分散特困
    LOST_ONLY_CHILD = "lost_only_child"  # 失独
    DISABLED = "disabled"  # 残疾
    ENTITLED = "entitled"  # 优抚
    OTHER = "other"  # 其他


class ActivityType(StrEnum):
    """Collective activity types listed in 000 三(五)."""

    HOME_VISIT = "home_visit"  # 入户探访
    COURTYARD_MEETING = "courtyard_meeting"  # 院坝会
    CULTURE = "culture"  # 互助文化活动
    FESTIVAL = "festival"  # 节日娱乐活动
    BIRTHDAY = "birthday"  # 集体生日会
    HEALTH = "health"  # 健康服务
    LIFE_SUPPORT = "life_support"  # 生活支持服务
    DIGITAL = "digital"  # 数字鸿沟消除服务
    OTHER = "other"  # 其他


class FundSource(StrEnum):
    """Fund sources of 000 四."""

    TOWN_FINANCE = "town_finance"  # 镇财政
    VILLAGE_COLLECTIVE = "village_collective"  # 村集体经济组织
    CHARITY = "charity"  # 慈善组织
    COMPANY = "company"  # 爱心企业
    INDIVIDUAL = "individual"  # 爱心人士（乡贤、老人亲属）


class EntryKind(StrEnum):
    """A points-ledger entry (积分): earned, redeemed for goods, or a correction."""

    EARN = "earn"
    REDEEM = "redeem"
    CORRECTION = "correction"


AID_ELDER_TYPE_NAMES = {
    AidElderType.DIBAO: "低保",
    AidElderType.DISPERSED_POVERTY: "分散特困",
    AidElderType.LOST_ONLY_CHILD: "失独",
    AidElderType.DISABLED: "残疾",
    AidElderType.ENTITLED: "优抚",
    AidElderType.OTHER: "其他",
}


# --- quarters -------------------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of quarter 1–4 of ``year``."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1-4")
    start = date(year, 3 * quarter - 2, 1)
    next_start = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, next_start - timedelta(days=1)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


# --- coverage (000 三(一)) --------------------------------------------------------------------


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def nearest_point_m(home: tuple[float, float], points: list[tuple[float, float]]) -> float | None:
    """Distance to the nearest mutual-aid point, or None when there is none with coordinates."""
    if not points:
        return None
    return min(distance_m(home[0], home[1], lat, lon) for lat, lon in points)


def is_covered(home: tuple[float, float], points: list[tuple[float, float]]) -> bool:
    """000 三(一): a point (centre or sub) within ``COVERAGE_RADIUS_M`` of the elder's home."""
    nearest = nearest_point_m(home, points)
    return nearest is not None and nearest <= COVERAGE_RADIUS_M


# --- the one-to-one rhythm (000 三(三)) -------------------------------------------------------

# A beat is kept when a record of that kind (or a fuller one: a 帮忙 visit also knocks and talks)
# lies inside the window ending on the day checked.
RHYTHM_WINDOW_DAYS = {HelpKind.KNOCK: 2, HelpKind.TALK: 7, HelpKind.HELP: 31}
_SATISFIES = {
    HelpKind.KNOCK: {HelpKind.KNOCK, HelpKind.TALK, HelpKind.HELP},
    HelpKind.TALK: {HelpKind.TALK, HelpKind.HELP},
    HelpKind.HELP: {HelpKind.HELP},
}


def missed_beats(
    records: list[tuple[date, HelpKind]], started_on: date, as_of: date
) -> list[HelpKind]:
    """The beats of 每天敲敲门、每周谈谈心、每月帮帮忙 a one-to-one pair has missed on ``as_of``.

    The window for 敲敲门 is two days (yesterday or today: a knock not yet made today is not
    late), 谈谈心 the last 7 days and 帮帮忙 the last 31. A beat is not due before the pair has
    existed for a whole window.
    """
    missed = []
    for beat, days in RHYTHM_WINDOW_DAYS.items():
        window_start = as_of - timedelta(days=days - 1)
        if started_on > window_start:
            continue
        kept = any(window_start <= on <= as_of and kind in _SATISFIES[beat] for on, kind in records)
        if not kept:
            missed.append(beat)
    return missed


# --- points ---------------------------------------------------------------------------------


def next_balance(balance: int, points: int) -> int:
    """The balance after an entry; raises ValueError if it would go below zero (000 三(四))."""
    after = balance + points
    if after < 0:
        raise ValueError("balance would be negative")
    return after


# --- scope (000 二) ----------------------------------------------------------------------------


def town_in_scope(name: str, is_street: bool) -> bool:
    """000 二: the rural mutual-aid work and its indicators concern the 镇 of the district other
    than 龙兴镇; a 街道 (street) is not in scope."""
    return not is_street and name.strip() not in EXCLUDED_TOWNS


def village_in_scope(is_community: bool) -> bool:
    """000 二: the work is in 行政村 (administrative villages), not in 社区 (communities)."""
    return not is_community


# --- indicators (000 三(六)1, 四) ---------------------------------------------------------------


@dataclass(frozen=True)
class TownFigures:
    """The numbers behind a town's indicators for one quarter (year to date)."""

    villages: int  # 本镇行政村数量
    running_villages: int  # 开展互助养老服务的行政村数量
    ledger_elders: int  # 开展互助养老服务村的特殊老年人关爱服务信息台账人数
    paired_ledger_elders: int  # of those, paired (被帮扶)
    points: int  # 互助养老积分 earned from 1 January to the quarter's end
    activities: int  # 集体活动场次 from 1 January to the quarter's end
    quarters: int  # quarters of the year elapsed (the quarter number)
    funds: Decimal  # 资金筹集 from 1 January to the quarter's end (元)


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str  # English msgid
    clause: str
    value: Decimal | int
    target: Decimal | int
    numerator: Decimal | int
    denominator: Decimal | int | None
    met: bool | None  # None: 不适用 (no data: 0/0, or a town outside 000 二's scope)


def _share(part: int, whole: int) -> Decimal:
    if whole == 0:
        return Decimal(0)
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def town_indicators(figures: TownFigures, *, in_scope: bool = True) -> list[Indicator]:
    """The five indicators, each against its target with the numbers behind it.

    A share of nothing (no village, no ledger elder in the running villages) and a target of
    zero activities (no running village) are 不适用 (``met`` None), never 达标; so is every
    indicator of a town outside 000 二's scope (``in_scope`` False, see :func:`town_in_scope`).
    """
    f = figures
    village_share = _share(f.running_villages, f.villages)
    paired_share = _share(f.paired_ledger_elders, f.ledger_elders)
    activity_target = f.running_villages * f.quarters

    def met(applies: bool, reached: bool) -> bool | None:
        return reached if in_scope and applies else None

    return [
        Indicator(
            "villages", N_("Villages running mutual aid"), "000 三(六)1(1)",
            village_share, RUNNING_VILLAGE_SHARE, f.running_villages, f.villages,
            met(f.villages > 0, village_share >= RUNNING_VILLAGE_SHARE),
        ),
        Indicator(
            "paired", N_("Ledger elders paired in those villages"), "000 三(六)1(2)",
            paired_share, PAIRED_SHARE, f.paired_ledger_elders, f.ledger_elders,
            met(f.ledger_elders > 0, paired_share >= PAIRED_SHARE),
        ),
        Indicator(
            "points", N_("Mutual-aid points this year"), "000 三(六)1(3)",
            f.points, POINTS_PER_YEAR, f.points, None, met(True, f.points >= POINTS_PER_YEAR),
        ),
        Indicator(
            "activities", N_("Collective activities this year"), "000 三(六)1(4)",
            f.activities, activity_target, f.activities, activity_target,
            met(activity_target > 0, f.activities >= activity_target),
        ),
        Indicator(
            "funds", N_("Funds raised this year (yuan)"), "000 四",
            f.funds, FUNDS_PER_TOWN, f.funds, None, met(True, f.funds >= FUNDS_PER_TOWN),
        ),
    ]  # fmt: skip
