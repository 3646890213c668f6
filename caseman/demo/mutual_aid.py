"""Demo rural mutual aid (渝北民〔2023〕23号): a lived-in programme in three villages.

金刚村 and 白岩村 of 木耳镇 and 草坪村 of 古路镇 run mutual aid from April of last year: a team,
a centre point and sub-points with coordinates, one-to-one pairs for caseload elders living
alone, area-based groups with a few other village elders, help records in the daily / weekly /
monthly rhythm (one pair has fallen behind lately), points earned at the village's rates and
redeemed for goods, collective activities and funds. Team, pairs, points and funds go through
the services (the points ledger must be built entry by entry); the many knocks and talks are
rows written directly, as the service would write them.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.mutual_aid import services
from caseman.mutual_aid.models import HelpRecord, PairedElder, Pairing, TeamMember
from caseman.rules.enums import AbilityLevel, Category, Gender
from caseman.rules.mutual_aid import (
    ActivityType,
    AidElderType,
    HelpKind,
    PairingKind,
    PointKind,
    TeamRole,
)

# The villages that run mutual aid: two of 木耳镇's three (67% ≥ 60%) and one of 古路镇's two.
RUNNING = (("木耳镇", "金刚村"), ("木耳镇", "白岩村"), ("古路镇", "草坪村"))
# Rough positions of the villages (WGS-84): the map and the 1 km coverage check need them.
CENTRES = {
    "金刚村": (29.8452, 106.7721),
    "白岩村": (29.8610, 106.7905),
    "草坪村": (29.8105, 106.6932),
}
RATES = (("上门探访", 5), ("送餐入户", 10), ("农活家务", 10), ("沐浴清洁", 15), ("陪同就医", 20))
HELP_WORK = ("送餐入户", "农活家务", "沐浴清洁", "陪同就医")
HELP_TEXT = {
    "送餐入户": "从互助点送午餐到家",
    "农活家务": "帮忙挑水、收菜、打扫院坝",
    "沐浴清洁": "协助洗澡、换洗床单",
    "陪同就医": "陪同到镇卫生院复诊取药",
}
GOODS = ("食用油一桶", "大米十斤", "洗衣液两瓶", "毛巾牙膏套装", "挂面一箱")
VOLUNTEER_NAMES = ("刘春梅", "陈德明", "黄素珍", "杨国华", "何秀兰", "罗建军", "谢桂英", "冉光荣")
SOCIAL_ELDERS = (
    ("周大爷", Gender.MALE, 78, True, "couple", AidElderType.OTHER),
    ("龚婆婆", Gender.FEMALE, 84, True, "alone", AidElderType.ENTITLED),
    ("吴老汉", Gender.MALE, 81, False, "alone", AidElderType.DIBAO),
)
ACTIVITIES = (
    (ActivityType.COURTYARD_MEETING, "村委会院坝", "互助养老议事，选举小组长"),
    (ActivityType.BIRTHDAY, "互助养老中心点", "为本季度过生日的老人集体庆生"),
    (ActivityType.HEALTH, "互助养老中心点", "镇卫生院义诊：量血压、测血糖"),
    (ActivityType.DIGITAL, "村便民服务中心", "教老人用智能手机视频通话，讲防诈骗"),
    (ActivityType.FESTIVAL, "互助养老中心点", "重阳节坝坝宴和文艺表演"),
    (ActivityType.LIFE_SUPPORT, "各分点", "志愿者上门理发、剪指甲"),
)


def _near(
    rng: random.Random, centre: tuple[float, float], metres: float
) -> tuple[Decimal, Decimal]:
    """A point up to ``metres`` from ``centre`` (1° latitude ≈ 111 km; at 30° N, 1° ≈ 96 km)."""
    dy = rng.uniform(-metres, metres) / 111_000
    dx = rng.uniform(-metres, metres) / 96_000
    return (
        Decimal(f"{centre[0] + dy:.6f}"),
        Decimal(f"{centre[1] + dx:.6f}"),
    )


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _aid_type(elder: Elder) -> AidElderType:
    if elder.is_extreme_poverty:
        return AidElderType.DISPERSED_POVERTY
    if Category.FAMILY_PLANNING in elder.categories:
        return AidElderType.LOST_ONLY_CHILD
    if elder.disability_grade or Category.SEVERE_DISABILITY in elder.categories:
        return AidElderType.DISABLED
    if elder.is_dibao:
        return AidElderType.DIBAO
    return AidElderType.OTHER


def _facts(elder: Elder, rng: random.Random, centre: tuple[float, float]) -> dict[str, Any]:
    latitude, longitude = _near(rng, centre, 1300)
    return {
        "elder_id": elder.id,
        "has_children": any(m.relation.is_child and not m.is_deceased for m in elder.members),
        "living": "alone" if Category.LIVING_ALONE in elder.categories else "couple",
        "is_disabled": elder.ability_level is not AbilityLevel.INTACT,
        "elder_type": _aid_type(elder),
        "latitude": latitude,
        "longitude": longitude,
    }


def load_mutual_aid(
    villages: list[tuple[Area, str, str]],
    elders: list[Elder],
    actor: User,
    today: date,
    seed: int,
) -> None:
    """Build the programme of the ``RUNNING`` villages among (village, cadre name, cadre phone)
    (flush only)."""
    rng = random.Random(seed + 2023)  # noqa: S311 - reproducible demo data, not secrets # nosec B311
    start = date(today.year - 1, 4, 1)
    running = [v for v in villages if (v[0].parent.name, v[0].name) in RUNNING]  # type: ignore[union-attr]
    for index, (village, cadre, cadre_phone) in enumerate(running):
        centre = CENTRES.get(village.name, (29.83, 106.75))
        _load_village(
            rng, village, cadre, cadre_phone,
            [e for e in elders if village.contains(e.residence_area) and not e.is_archived],
            actor, start + timedelta(days=30 * index), today, centre,
        )  # fmt: skip


def _load_village(
    rng: random.Random,
    village: Area,
    cadre: str,
    cadre_phone: str,
    elders: list[Elder],
    actor: User,
    start: date,
    today: date,
    centre: tuple[float, float],
) -> None:
    """The programme of one village, step by step (the order of the random draws is the data)."""
    run = _Village(rng, village, actor, start, today, centre)
    helpers = run.team(cadre, cadre_phone)
    run.aid_points()
    rates = {service: services.set_rate(actor, village, service, points)
             for service, points in RATES}  # fmt: skip
    alone = [e for e in elders if Category.LIVING_ALONE in e.categories][: len(helpers)]
    pairs = run.one_to_one_pairs(helpers, alone)
    area_groups = run.area_groups(helpers, elders, alone)
    points = run.help_records(pairs, area_groups)
    db.session.flush()
    run.award_points(points, rates)
    _activities(rng, actor, village, start, today)
    _funds(rng, actor, village, start, today)


# A help that earns points: (day, order within the day, helper, service, paired elder or None
# for a patrol of an area group).
EarnedPoints = tuple[date, int, TeamMember, str, Any]


class _Village:
    """One village's programme from ``start`` to ``today``, drawn from ``rng``."""

    def __init__(
        self,
        rng: random.Random,
        village: Area,
        actor: User,
        start: date,
        today: date,
        centre: tuple[float, float],
    ) -> None:
        self.rng, self.village, self.actor = rng, village, actor
        self.start, self.today, self.centre = start, today, centre
        self.groups = sorted(
            db.session.scalars(select(Area).where(Area.parent_id == village.id)),
            key=lambda g: g.name,
        )

    def member(self, role: TeamRole, name: str, gender: Gender, birth_year: int,
               **extra: Any) -> TeamMember:  # fmt: skip
        rng, village = self.rng, self.village
        values = {
            "role": role, "name": name, "gender": gender, "birth_year": birth_year,
            "phone": f"13{rng.randint(100000000, 999999999)}",
            "address": f"{village.name}{rng.choice(self.groups).name}{rng.randint(1, 60)}号",
            "organisation": "", "group_id": None, "elder_id": None, "started_on": self.start,
        }  # fmt: skip
        values.update(extra)
        return services.add_team_member(self.actor, village, values)

    def team(self, cadre: str, cadre_phone: str) -> list[TeamMember]:
        """The team: coordinator (the cadre), social worker, assistant, a leader per villager
        group and four volunteers, one of whom left in the summer. Returns the helpers still in
        the team (group leaders first)."""
        village = self.village
        self.member(TeamRole.COORDINATOR, cadre, Gender.FEMALE, 1980, phone=cadre_phone)
        self.member(TeamRole.SOCIAL_WORKER, f"{village.name[0]}社工", Gender.FEMALE, 1995,
                    organisation="渝北区仁爱社工服务中心")  # fmt: skip
        self.member(TeamRole.ASSISTANT, f"{village.name[0]}助理", Gender.MALE, 1968)
        helpers: list[TeamMember] = []
        for number, group in enumerate(self.groups):
            helpers.append(
                self.member(
                    TeamRole.GROUP_LEADER,
                    VOLUNTEER_NAMES[number],
                    Gender.FEMALE if number == 0 else Gender.MALE,
                    1960 + number,
                    group_id=group.id,
                )  # fmt: skip
            )
        for name in self.rng.sample(VOLUNTEER_NAMES[2:], 4):
            helpers.append(self.member(TeamRole.VOLUNTEER, name, self.rng.choice(list(Gender)),
                                       self.rng.randint(1955, 1966)))  # fmt: skip
        # One volunteer left the team in the summer (kept, with the date).
        services.end_team_member(self.actor, helpers[-1], self.today - timedelta(days=120))
        return helpers[:-1]

    def aid_points(self) -> None:
        """The centre point by the village committee and a sub-point in every villager group."""
        village, centre, start = self.village, self.centre, self.start
        services.add_aid_point(self.actor, village, {
            "kind": PointKind.CENTRE, "name": f"{village.name}互助养老中心点",
            "address": f"{village.name}村委会旁", "latitude": Decimal(f"{centre[0]:.6f}"),
            "longitude": Decimal(f"{centre[1]:.6f}"),
            "functions": "休闲娱乐、精神慰藉、助餐、志愿服务",
            "opened_on": start, "closed_on": None,
        })  # fmt: skip
        for group in self.groups:
            latitude, longitude = _near(self.rng, centre, 900)
            services.add_aid_point(self.actor, village, {
                "kind": PointKind.SUB, "name": f"{village.name}{group.name}分点",
                "address": f"{group.name}院坝", "latitude": latitude, "longitude": longitude,
                "functions": "休闲娱乐、人文关怀", "opened_on": start + timedelta(days=45),
                "closed_on": None,
            })  # fmt: skip

    def one_to_one_pairs(self, helpers: list[TeamMember], alone: list[Elder]) -> list[Pairing]:
        """One-to-one pairs of a helper and an elder living alone."""
        pairs = []
        for helper, elder in zip(helpers, alone, strict=False):
            on = max(self.start + timedelta(days=self.rng.randint(10, 60)), elder.filed_on)
            if on > self.today:
                continue
            pairs.append(services.create_pairing(
                self.actor, self.village, PairingKind.ONE_TO_ONE, on, [helper.id],
                [_facts(elder, self.rng, self.centre)],
            ))  # fmt: skip
        return pairs

    def area_groups(
        self, helpers: list[TeamMember], elders: list[Elder], alone: list[Elder]
    ) -> list[Pairing]:
        """Area-based groups, one per villager group, take the other caseload elders and a few
        elders of the village outside the caseload; the newest cases (filed in the last two
        months) and a few who declined are not paired."""
        rng, village, groups, today = self.rng, self.village, self.groups, self.today
        others = [
            e
            for index, e in enumerate(elders)
            if e not in alone and e.filed_on <= today - timedelta(days=60) and index % 12 != 5
        ]
        members_of: list[list[dict[str, Any]]] = [
            [_facts(e, rng, self.centre) for e in others[index :: len(groups)]]
            for index in range(len(groups))
        ]
        for name, gender, age, children, living, kind in SOCIAL_ELDERS:
            latitude, longitude = _near(rng, self.centre, 1500)
            members_of[-1].append({
                "elder_id": None, "name": name, "gender": gender, "birth_year": today.year - age,
                "phone": f"13{rng.randint(100000000, 999999999)}",
                "address": f"{village.name}{groups[-1].name}{rng.randint(1, 60)}号",
                "has_children": children, "living": living, "is_disabled": False,
                "elder_type": kind, "latitude": latitude, "longitude": longitude,
            })  # fmt: skip
        return [
            services.create_pairing(
                self.actor, village, PairingKind.AREA_GROUP,
                self.start + timedelta(days=20 + 7 * index),
                [helpers[index].id, helpers[index + 2].id], members, name=f"{group.name}片区",
            )
            for index, (group, members) in enumerate(zip(groups, members_of, strict=True))
            if members
        ]  # fmt: skip

    def help_records(self, pairs: list[Pairing], area_groups: list[Pairing]) -> list[EarnedPoints]:
        """Help records: knocks most days, a talk most weeks, practical help most months, and
        the area groups' patrols. The last pair has fallen behind in the last ten days (it shows
        in the village's list). Returns the helps that earn points, written later."""
        rng, today = self.rng, self.today
        points: list[EarnedPoints] = []
        for number, pairing in enumerate(pairs):
            helper = pairing.helpers[0].member
            paired = pairing.elders[0]
            behind = number == len(pairs) - 1
            for day in _days(pairing.started_on, today):
                if behind and day > today - timedelta(days=10):
                    break
                if day.day in (5, 20) and rng.random() < 0.9:
                    work = rng.choice(HELP_WORK)
                    points.append((day, 0, helper, work, paired))
                elif day.weekday() == 2 and rng.random() < 0.9:
                    _row(paired, helper, day, HelpKind.TALK, "陪老人聊天，了解身体和生活情况")
                elif rng.random() < 0.88:
                    _row(paired, helper, day, HelpKind.KNOCK, "敲门问候，老人安好")
        for area_group in area_groups:
            for number, paired in enumerate(area_group.elders):
                for step, day in enumerate(_days(area_group.started_on, today)[::14]):
                    helper = rng.choice([h.member for h in area_group.helpers])
                    _row(paired, helper, day, HelpKind.TALK, "片区巡访探视")
                    if number == 0 and step % 2 == 0:  # the month's patrol earns points
                        points.append((day, 1, helper, "上门探访", None))
        return points

    def award_points(self, points: list[EarnedPoints], rates: dict[str, Any]) -> None:
        """Points, in date order so every balance builds on the one before; goods each
        quarter."""
        actor = self.actor
        points.sort(key=lambda item: (item[0], item[1], item[2].id))
        last_quarter: dict[int, int] = {}
        for day, _order, helper, service, paired in points:
            quarter = (day.year, (day.month - 1) // 3)
            if last_quarter.get(helper.id) not in (None, quarter):
                balance = services.balance_of(helper.id)
                if balance >= 40:
                    services.redeem_points(actor, helper, balance // 2 // 10 * 10,
                                           self.rng.choice(GOODS), day)  # fmt: skip
            last_quarter[helper.id] = quarter
            if paired is not None:
                values = {"helped_on": day, "kind": HelpKind.HELP, "helper_id": helper.id,
                          "what": HELP_TEXT[service]}  # fmt: skip
                services.record_help(actor, paired, values, rates[service])
            else:
                services.award_points(actor, helper, rates[service], day)


def _row(paired: PairedElder, helper: TeamMember, day: date, kind: HelpKind, what: str) -> None:
    db.session.add(HelpRecord(paired_elder_id=paired.id, helper_id=helper.id, helped_on=day,
                              kind=kind, what=what))  # fmt: skip


def _activities(rng: random.Random, actor: User, village: Area, start: date, today: date) -> None:
    day = start + timedelta(days=25)
    while day <= today:
        kind, place, notes = rng.choice(ACTIVITIES)
        services.log_activity(actor, village, {
            "kind": kind, "held_on": day, "place": place, "elders_count": rng.randint(15, 45),
            "notes": notes,
        })  # fmt: skip
        day += timedelta(days=rng.randint(35, 70))


def _funds(rng: random.Random, actor: User, village: Area, start: date, today: date) -> None:
    for year in range(start.year, today.year + 1):
        gifts = [
            ("town_finance", "", 12000, date(year, 4, 15), "互助养老点运营、助餐补贴"),
            ("village_collective", f"{village.name}股份经济合作社", 5000, date(year, 6, 30),
             "积分兑换物资"),
            ("company", "重庆某农业开发有限公司", rng.choice((3000, 5000, 8000)),
             date(year, 9, 20), "重阳节活动"),
            ("individual", "在外乡贤", rng.choice((1000, 2000)), date(year, 2, 1),
             "春节慰问"),
        ]  # fmt: skip
        for source, donor, amount, received_on, use in gifts:
            if start <= received_on <= today:
                services.record_fund(actor, village, {
                    "source": source, "donor": donor, "amount": Decimal(amount),
                    "received_on": received_on, "use": use,
                })  # fmt: skip
