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
from typing import Any

from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.rules.consent import ConsentAnswer, ConsentWay
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


def _month_start(day: date, months_back: int) -> date:
    year, month = day.year, day.month - months_back
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def _day_in(rng: random.Random, period: Period, earliest: date, latest: date) -> date | None:
    start, end = max(period.start, earliest), min(period.end, latest)
    if end < start:
        return None
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _findings(rng: random.Random) -> dict[str, Any]:
    values: dict[str, Any] = {
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
    since = _month_start(today, HISTORY_MONTHS - 1)
    diligence: dict[int, float] = {}
    visits: list[Visit] = []
    pending_care: list[tuple[Visit, NeedType, User]] = []
    for elder in elders:
        village = elder.residence_area.village or elder.residence_area
        rate = diligence.setdefault(village.id, rng.uniform(0.72, 0.97))
        visitor_name, visitor = visitors.get(village.id, (fallback.display_name, fallback))
        latest = min(today, elder.archived_on - timedelta(days=1)) if elder.archived_on else today
        history = KeyHistory(elder.is_key)
        days: list[tuple[date, VisitMethod]] = []
        for period in required_periods(elder.filed_on, elder.archived_on, history, today):
            if period.end < since:
                continue
            current = period.contains(today)
            # The current period is still running: about half are done so far.
            chance = rate * (0.55 if current else 1.0)
            if rng.random() < chance:
                day = _day_in(rng, period, max(elder.filed_on, since), latest)
                if day:
                    days.append((day, VisitMethod.HOME))
            if rng.random() < 0.12:
                day = _day_in(rng, period, max(elder.filed_on, since), latest)
                if day:
                    days.append((day, rng.choice((VisitMethod.PHONE, VisitMethod.VIDEO))))
        for number, (day, method) in enumerate(sorted(days), start=1):
            values = _findings(rng)
            visit = Visit(
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
                **values,
            )
            visits.append(visit)
            for need in visit.need_types:
                if need in NEED_CARE and day + timedelta(days=7) <= latest and rng.random() < 0.7:
                    pending_care.append((visit, need, visitor))
    db.session.add_all(visits)
    db.session.flush()
    care_numbers: dict[int, int] = {}
    cares: list[CareRecord] = []
    for visit, need, _visitor in sorted(pending_care, key=lambda item: item[0].visited_on):
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
                created_by_id=_visitor.id,
            )
        )
    db.session.add_all(cares)
    db.session.flush()
    db.session.add_all(
        [_version(v, VISIT_FIELDS) for v in visits] + [_version(c, CARE_FIELDS) for c in cares]
    )
    db.session.flush()
    return visits, cares


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


REFERRED_TO = {
    NeedType.LIFE_CARE: ("金刚村互助养老点", "点长 王素芬"),
    NeedType.REHABILITATION: ("木耳镇卫生院康复科", "值班电话 67800000"),
    NeedType.MEDICAL: ("家庭医生签约团队", "李医生"),
    NeedType.ADAPTATION: ("区居家适老化改造项目", "项目办"),
    NeedType.BENEFITS: ("镇民政办", "民政干事"),
    NeedType.EMERGENCY: ("镇应急办", "值班室"),
}


def load_referrals(visits_by_need: list[Visit], owners: dict[int, User], fallback: User,
                   today: date, seed: int) -> int:  # fmt: skip
    """Referrals raised from visits with needs, at every stage, with follow-ups and history."""
    from caseman.referrals.models import Benefit, BenefitOutcome, FollowUp, Referral, StatusChange
    from caseman.rules.referrals import SETTLED_ON_THE_SPOT, ReferralStatus

    rng = random.Random(seed + 1)  # noqa: S311 - reproducible demo data # nosec B311
    created = 0
    for visit in visits_by_need:
        need = visit.need_types[0]
        if rng.random() > 0.5:
            continue
        owner = owners.get(visit.elder_id, fallback)
        age = (today - visit.visited_on).days
        path = [ReferralStatus.OPEN]
        if need in SETTLED_ON_THE_SPOT:
            if age > 10:
                path.append(ReferralStatus.SOLVED)
        else:
            for step, after in ((ReferralStatus.REFERRED, 3), (ReferralStatus.IN_PROGRESS, 10),
                                (ReferralStatus.SOLVED, 30)):  # fmt: skip
                if age > after:
                    path.append(step)
            if age > 60 and rng.random() < 0.1:
                path[-1] = ReferralStatus.UNSOLVABLE
        status = path[-1]
        referred = ReferralStatus.REFERRED in path
        where = REFERRED_TO.get(need, ("村委会", ""))
        closed_on = visit.visited_on + timedelta(days=min(age, 30)) if status.is_closed else None
        referral = Referral(
            elder_id=visit.elder_id,
            visit_id=visit.id,
            need=need,
            description=visit.needs_note or visit.suggested_care or "探访中发现的需求。",
            raised_on=visit.visited_on,
            referred_to=where[0] if referred else "",
            referred_contact=where[1] if referred else "",
            referred_on=visit.visited_on + timedelta(days=2) if referred else None,
            # Consent asked when referring (caseman.rules.consent)
            consent_answer=ConsentAnswer.AGREED.value if referred else None,
            consent_by="本人" if referred else "",
            consent_way=ConsentWay.IN_PERSON.value if referred else None,
            consent_on=visit.visited_on + timedelta(days=2) if referred else None,
            owner_id=owner.id,
            status=status,
            follow_up_on=None if status.is_closed else today + timedelta(days=rng.randint(-5, 10)),
            outcome="服务已落实，老人表示满意。" if status is ReferralStatus.SOLVED else "",
            unsolvable_reason="老人本人拒绝，已告知家属。"
            if status is ReferralStatus.UNSOLVABLE
            else "",
            closed_on=closed_on,
            benefit=Benefit.OLD_AGE_ALLOWANCE if need is NeedType.BENEFITS else None,
            benefit_applied_on=visit.visited_on + timedelta(days=3)
            if need is NeedType.BENEFITS and referred
            else None,
            benefit_outcome=BenefitOutcome.GRANTED
            if need is NeedType.BENEFITS and status.is_closed
            else None,
            submission_key=new_submission_key(),
            created_by_id=owner.id,
        )
        db.session.add(referral)
        db.session.flush()
        for index, step in enumerate(path):
            day = min(today, visit.visited_on + timedelta(days=[0, 2, 9, 28][min(index, 3)]))
            if step.is_closed and closed_on:
                day = closed_on
            db.session.add(StatusChange(
                record_type="referral", record_id=referral.id, elder_id=referral.elder_id,
                from_status=path[index - 1].value if index else "", to_status=step.value,
                note=referral.outcome or referral.unsolvable_reason if step.is_closed else "",
                changed_on=day, changed_by_id=owner.id,
            ))  # fmt: skip
        if referred:
            for offset in (7, 21):
                if visit.visited_on + timedelta(days=offset) < (closed_on or today):
                    db.session.add(FollowUp(
                        referral_id=referral.id, elder_id=referral.elder_id,
                        followed_on=visit.visited_on + timedelta(days=offset),
                        method=VisitMethod.PHONE, findings="电话回访，服务正在落实。",
                        created_by_id=owner.id,
                    ))  # fmt: skip
        created += 1
    db.session.flush()
    return created


def load_risks(elders: list[Elder], owner: User, town_user: User, today: date) -> int:
    """A few risks: settled ones, one acknowledged by the town, one abuse report still waiting."""
    from datetime import datetime, time

    from caseman.referrals.models import Risk, StatusChange
    from caseman.rules.referrals import RiskStatus, RiskType, Severity

    specs = (
        (RiskType.FALL, Severity.HIGH, 40, "老人夜间起床在卫生间摔倒，左腕擦伤。", True, None),
        (RiskType.HOME_HAZARD, Severity.LOW, 25, "燃气软管老化开裂，有漏气风险。", True, None),
        (RiskType.SUDDEN_ILLNESS, Severity.CRITICAL, 12, "老人突发胸闷气短，呼吸困难。", False,
         "acknowledged"),
        (RiskType.ABUSE, Severity.CRITICAL, 1, "邻居反映老人近日常被儿子大声呵斥，身上有淤青。",
         False, "waiting"),
    )  # fmt: skip
    created = 0
    for elder, (kind, severity, days_ago, text, closed, report) in zip(elders, specs,
                                                                        strict=False):  # fmt: skip
        day = today - timedelta(days=days_ago)
        if day < elder.filed_on:
            continue
        at = datetime.combine(day, time(9, 30))
        risk = Risk(
            elder_id=elder.id,
            risk_type=kind,
            severity=severity,
            occurred_at=at,
            description=text,
            emergency_called=kind is RiskType.SUDDEN_ILLNESS,
            emergency_number="120" if kind is RiskType.SUDDEN_ILLNESS else "",
            contact_reached=elder.emergency_name or "家属",
            contact_reached_at=at + timedelta(minutes=20),
            actions="已通知家属，陪同就医。" if kind is not RiskType.ABUSE else "已向村委会反映。",
            owner_id=owner.id,
            status=RiskStatus.CLOSED if closed else RiskStatus.HANDLING,
            follow_up_on=None if closed else today + timedelta(days=2),
            must_report=kind.must_report_to_town,
            acknowledged_at=at + timedelta(hours=2) if report == "acknowledged" else None,
            acknowledged_by_id=town_user.id if report == "acknowledged" else None,
            outcome="隐患已排除，家属已加装扶手。" if closed else "",
            closed_on=day + timedelta(days=5) if closed else None,
            submission_key=new_submission_key(),
            created_by_id=owner.id,
        )
        db.session.add(risk)
        db.session.flush()
        db.session.add(StatusChange(record_type="risk", record_id=risk.id, elder_id=elder.id,
                                    to_status=RiskStatus.OPEN.value, changed_on=day,
                                    changed_by_id=owner.id))  # fmt: skip
        if closed:
            db.session.add(StatusChange(record_type="risk", record_id=risk.id, elder_id=elder.id,
                                        from_status=RiskStatus.OPEN.value,
                                        to_status=RiskStatus.CLOSED.value, note=risk.outcome,
                                        changed_on=day + timedelta(days=5),
                                        changed_by_id=owner.id))  # fmt: skip
        created += 1
    db.session.flush()
    return created
