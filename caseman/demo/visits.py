"""Demo visit history: 14 months of visits and care for the demo elders, and two campaigns.

Each village has its own diligence, so visit rates differ between villages and months; most
visits find nothing new (无变化), a few find an unsafe stove or wiring, worse health or mood, and
some needs are answered by a care record a few days later. Rows are built directly (not through
``record_visit``) because thousands of them are needed in a few seconds; they hold the same values
the service would store, version 1 included.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from enum import Enum
from typing import Any

from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.rules.enums import (
    FamilyChange,
    IllnessChange,
    NeedType,
    Safety,
    Satisfaction,
    Trend,
    VisitMethod,
)
from caseman.rules.visit_periods import KeyHistory, Period, required_periods
from caseman.visits.models import Campaign, CareRecord, RecordVersion, Visit
from caseman.visits.queries import months_back
from caseman.visits.services import CARE_FIELDS, VISIT_FIELDS, _snapshot, new_submission_key

HISTORY_MONTHS = 14
NEED_CARE = {
    NeedType.LIFE_CARE: ("协调邻居每日送餐并帮助打扫卫生。", "金刚村互助养老点"),
    NeedType.REHABILITATION: ("联系镇卫生院康复科上门指导康复训练。", "木耳镇卫生院"),
    NeedType.EMOTIONAL: ("社工上门陪伴聊天，联系在外子女每周视频通话。", "渝北区社工站"),
    NeedType.ADAPTATION: ("为卫生间加装扶手和防滑垫。", "区适老化改造项目组"),
    NeedType.MEDICAL: ("联系家庭医生上门巡诊，调整用药。", "家庭医生签约团队"),
    NeedType.SAFETY_HAZARD: ("更换老化电线和燃气软管，讲解安全用气。", "村委会"),
    NeedType.BENEFITS: ("协助准备材料申请高龄津贴。", "镇民政办"),
}
ILLNESSES = ("高血压", "脑梗后遗症", "慢性阻塞性肺病", "糖尿病并发症", "骨折")
# What a visit that finds nothing new (无变化) records on 附件3.
NOTHING_NEW: dict[str, Any] = {
    "family_change": FamilyChange.UNCHANGED,
    "family_change_count": None,
    "expression": Trend.UNCHANGED,
    "mobility": Trend.UNCHANGED,
    "illness": IllnessChange.UNCHANGED,
    "illness_name": "",
    "mood": Trend.UNCHANGED,
    "gas_safety": Safety.SAFE,
    "water_heating_safety": Safety.SAFE,
    "electricity_safety": Safety.SAFE,
    "personal_hygiene": Trend.UNCHANGED,
    "home_hygiene": Trend.UNCHANGED,
    "indoor_environment": Trend.UNCHANGED,
}
# The same as stored (enums by value), for rows inserted in bulk past the ORM.
NOTHING_NEW_STORED: dict[str, Any] = {
    name: value.value if isinstance(value, Enum) else value for name, value in NOTHING_NEW.items()
}


def _day_in(rng: random.Random, period: Period, earliest: date, latest: date) -> date | None:
    start, end = max(period.start, earliest), min(period.end, latest)
    if end < start:
        return None
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _findings(rng: random.Random) -> dict[str, Any]:
    values: dict[str, Any] = {
        **NOTHING_NEW,
        "needs": [],
        "needs_note": "",
        "suggested_care": "",
    }
    roll = rng.random()
    if roll < 0.04:
        values[rng.choice(("gas_safety", "electricity_safety"))] = Safety.UNSAFE
        values["needs"] = [NeedType.SAFETY_HAZARD.value]
        values["suggested_care"] = "尽快排除安全隐患，告知家属。"
    elif roll < 0.08:
        values["mood"] = Trend.WORSE
        values["needs"] = [NeedType.EMOTIONAL.value]
        values["needs_note"] = "老人说子女很久没有打电话，感到孤单。"
        values["suggested_care"] = "增加探访频次，联系子女多问候。"
    elif roll < 0.10:
        values["illness"] = IllnessChange.SERIOUS
        values["illness_name"] = rng.choice(ILLNESSES)
        values["mobility"] = Trend.WORSE
        values["needs"] = [NeedType.MEDICAL.value, NeedType.LIFE_CARE.value]
        values["suggested_care"] = "联系家庭医生，协调生活照料。"
    elif roll < 0.13:
        need = rng.choice((NeedType.ADAPTATION, NeedType.REHABILITATION, NeedType.BENEFITS))
        values["needs"] = [need.value]
    elif roll < 0.16:
        values[rng.choice(("personal_hygiene", "home_hygiene", "expression"))] = Trend.BETTER
    elif roll < 0.17:
        values["family_change"] = FamilyChange.DECREASED
        values["family_change_count"] = 1
    return values


def _version(record: Visit | CareRecord, fields: tuple[str, ...]) -> RecordVersion:
    """Version 1 of a demo record, as ``record_visit`` / ``record_care`` would store it."""
    return RecordVersion(
        record_type="visit" if isinstance(record, Visit) else "care",
        record_id=record.id,
        elder_id=record.elder_id,
        number=1,
        kind="created",
        snapshot=_snapshot(record, fields),
        changed_fields=[],
        created_by_id=record.created_by_id,
    )


def load_visit_history(
    elders: list[Elder],
    visitors: dict[int, tuple[str, User]],
    fallback: User,
    today: date,
    seed: int,
) -> tuple[list[Visit], list[CareRecord]]:
    """Visits and care for ``elders`` over the last months.

    ``visitors`` maps a village id to the visitor's name and the user who enters the records
    (``fallback`` enters them elsewhere, under the village cadre's name).

    Returns the visits and care records created.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data # nosec B311
    since = months_back(today, HISTORY_MONTHS)[-1].start
    diligence: dict[int, float] = {}
    visits: list[Visit] = []
    pending_care: list[tuple[Visit, NeedType, User]] = []
    for elder in elders:
        village = elder.residence_area.village or elder.residence_area
        # A rate is drawn for every elder; the village keeps the first one drawn.
        rate = diligence.setdefault(village.id, rng.uniform(0.72, 0.97))
        visitor_name, visitor = visitors.get(village.id, (fallback.display_name, fallback))
        latest = min(today, elder.archived_on - timedelta(days=1)) if elder.archived_on else today
        days = _visit_days(rng, elder, rate, since, latest, today)
        for number, (day, method) in enumerate(sorted(days), start=1):
            visit = _visit(rng, elder, number, day, method, visitor_name, visitor)
            visits.append(visit)
            for need in visit.need_types:
                if need in NEED_CARE and day + timedelta(days=7) <= latest and rng.random() < 0.7:
                    pending_care.append((visit, need, visitor))
    db.session.add_all(visits)
    db.session.flush()
    cares = _care_records(rng, pending_care)
    db.session.add_all(cares)
    db.session.flush()
    db.session.add_all(
        [_version(v, VISIT_FIELDS) for v in visits] + [_version(c, CARE_FIELDS) for c in cares]
    )
    db.session.flush()
    return visits, cares


def _visit_days(
    rng: random.Random, elder: Elder, rate: float, since: date, latest: date, today: date
) -> list[tuple[date, VisitMethod]]:
    """The days (and ways) an elder was visited: a home visit in most periods the schedule asks
    for (about half of the current one, still running), now and then a call or video call."""
    history = KeyHistory(elder.is_key)
    days: list[tuple[date, VisitMethod]] = []
    for period in required_periods(elder.filed_on, elder.archived_on, history, today):
        if period.end < since:
            continue
        current = period.contains(today)
        chance = rate * (0.55 if current else 1.0)
        if rng.random() < chance:
            day = _day_in(rng, period, max(elder.filed_on, since), latest)
            if day:
                days.append((day, VisitMethod.HOME))
        if rng.random() < 0.12:
            day = _day_in(rng, period, max(elder.filed_on, since), latest)
            if day:
                days.append((day, rng.choice((VisitMethod.PHONE, VisitMethod.VIDEO))))
    return days


def _visit(
    rng: random.Random,
    elder: Elder,
    number: int,
    day: date,
    method: VisitMethod,
    visitor_name: str,
    visitor: User,
) -> Visit:
    """Visit ``number`` of an elder, with what it found (附件3)."""
    return Visit(
        elder_id=elder.id,
        number=number,
        visited_on=day,
        method=method,
        method_other="",
        visitor_name=visitor_name,
        visited_person_name=elder.name,
        recorder_name=visitor.display_name,
        note="",
        submission_key=new_submission_key(),
        created_by_id=visitor.id,
        **_findings(rng),
    )


def _care_records(
    rng: random.Random, pending_care: list[tuple[Visit, NeedType, User]]
) -> list[CareRecord]:
    """The care given a few days after the visits that found a need, numbered per elder."""
    care_numbers: dict[int, int] = {}
    cares: list[CareRecord] = []
    for visit, need, visitor in sorted(pending_care, key=lambda item: item[0].visited_on):
        what, provider = NEED_CARE[need]
        care_numbers[visit.elder_id] = care_numbers.get(visit.elder_id, 0) + 1
        cares.append(
            CareRecord(
                elder_id=visit.elder_id,
                number=care_numbers[visit.elder_id],
                visit_id=visit.id,
                need=need,
                cared_on=visit.visited_on + timedelta(days=rng.randint(1, 7)),
                what_was_done=what,
                provider=provider,
                satisfaction=rng.choice(list(Satisfaction)[:3]),
                satisfaction_note="",
                submission_key=new_submission_key(),
                created_by_id=visitor.id,
            )
        )
    return cares


def load_campaigns(district: Area, town: Area, actor: User, today: date) -> list[Campaign]:
    """A festival campaign that ended (重阳节) and a cold-wave campaign still open."""
    chongyang = Campaign(
        name=f"{(today - timedelta(days=35)).year}年重阳节探访",
        starts_on=today - timedelta(days=40),
        ends_on=today - timedelta(days=30),
        area_id=district.id,
        categories=[],
        key_only=True,
        home_visit_only=True,
        note="重阳节前后对重点对象上门探访，送去慰问品。",
        created_by_id=actor.id,
    )
    cold = Campaign(
        name="寒潮天气探访",
        starts_on=today - timedelta(days=5),
        ends_on=today + timedelta(days=9),
        area_id=town.id,
        categories=["living_alone", "empty_nest", "left_behind"],
        key_only=False,
        home_visit_only=False,
        note="寒潮降温，逐户电话或上门提醒防寒保暖、安全用电用气。",
        created_by_id=actor.id,
    )
    db.session.add_all([chongyang, cold])
    db.session.flush()
    return [chongyang, cold]
