"""Demo referrals and risks: what the visits of the demo history found, followed up.

Referrals (转介) are raised from visits that found a need, and stand at every stage of their
path (open, referred, in progress, solved or unsolvable) with their history and follow-ups;
a few risks (风险隐患) are settled, one acknowledged by the town, and one abuse report in
金刚村 still waits for the town's acknowledgement.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.referrals.models import (
    Benefit,
    BenefitOutcome,
    FollowUp,
    Referral,
    Risk,
    StatusChange,
)
from caseman.rules.consent import ConsentAnswer, ConsentWay
from caseman.rules.enums import NeedType, VisitMethod
from caseman.rules.referrals import (
    SETTLED_ON_THE_SPOT,
    ReferralStatus,
    RiskStatus,
    RiskType,
    Severity,
)
from caseman.visits.models import Visit
from caseman.visits.services import new_submission_key

REFERRED_TO = {
    NeedType.LIFE_CARE: ("金刚村互助养老点", "点长 王素芬"),
    NeedType.REHABILITATION: ("木耳镇卫生院康复科", "值班电话 67800000"),
    NeedType.MEDICAL: ("家庭医生签约团队", "李医生"),
    NeedType.ADAPTATION: ("区居家适老化改造项目", "项目办"),
    NeedType.BENEFITS: ("镇民政办", "民政干事"),
    NeedType.EMERGENCY: ("镇应急办", "值班室"),
}
# (type, severity, days ago, what happened, closed, the town's report: None, acknowledged, waiting)
RISKS = (
    (RiskType.FALL, Severity.HIGH, 40, "老人夜间起床在卫生间摔倒，左腕擦伤。", True, None),
    (RiskType.HOME_HAZARD, Severity.LOW, 25, "燃气软管老化开裂，有漏气风险。", True, None),
    (RiskType.SUDDEN_ILLNESS, Severity.CRITICAL, 12, "老人突发胸闷气短，呼吸困难。", False,
     "acknowledged"),
    (RiskType.ABUSE, Severity.CRITICAL, 1, "邻居反映老人近日常被儿子大声呵斥，身上有淤青。",
     False, "waiting"),
)  # fmt: skip


def load_referrals(visits_by_need: list[Visit], owners: dict[int, User], fallback: User,
                   today: date, seed: int) -> int:  # fmt: skip
    """Referrals raised from visits with needs, at every stage, with follow-ups and history."""
    rng = random.Random(seed + 1)  # noqa: S311 - reproducible demo data # nosec B311
    created = 0
    for visit in visits_by_need:
        need = visit.need_types[0]
        if rng.random() > 0.5:
            continue
        owner = owners.get(visit.elder_id, fallback)
        path = _path(rng, need, (today - visit.visited_on).days)
        referral = _referral(rng, visit, need, path, owner, today)
        db.session.add(referral)
        db.session.flush()
        _referral_history(referral, path, visit, owner, today)
        if ReferralStatus.REFERRED in path:
            _referral_follow_ups(referral, visit, owner, today)
        created += 1
    db.session.flush()
    return created


def _path(rng: random.Random, need: NeedType, age: int) -> list[ReferralStatus]:
    """The statuses a referral raised ``age`` days ago has been through, the current one last."""
    path = [ReferralStatus.OPEN]
    if need in SETTLED_ON_THE_SPOT:
        if age > 10:
            path.append(ReferralStatus.SOLVED)
        return path
    for step, after in ((ReferralStatus.REFERRED, 3), (ReferralStatus.IN_PROGRESS, 10),
                        (ReferralStatus.SOLVED, 30)):  # fmt: skip
        if age > after:
            path.append(step)
    if age > 60 and rng.random() < 0.1:
        path[-1] = ReferralStatus.UNSOLVABLE
    return path


def _referral(
    rng: random.Random,
    visit: Visit,
    need: NeedType,
    path: list[ReferralStatus],
    owner: User,
    today: date,
) -> Referral:
    """The referral as it stands at the end of ``path``: where it went, consent, outcome."""
    age = (today - visit.visited_on).days
    status = path[-1]
    referred = ReferralStatus.REFERRED in path
    where = REFERRED_TO.get(need, ("村委会", ""))
    closed_on = visit.visited_on + timedelta(days=min(age, 30)) if status.is_closed else None
    return Referral(
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


def _referral_history(
    referral: Referral, path: list[ReferralStatus], visit: Visit, owner: User, today: date
) -> None:
    """One status change per step of ``path``, the closing one on the day it closed."""
    for index, step in enumerate(path):
        day = min(today, visit.visited_on + timedelta(days=[0, 2, 9, 28][min(index, 3)]))
        if step.is_closed and referral.closed_on:
            day = referral.closed_on
        db.session.add(StatusChange(
            record_type="referral", record_id=referral.id, elder_id=referral.elder_id,
            from_status=path[index - 1].value if index else "", to_status=step.value,
            note=referral.outcome or referral.unsolvable_reason if step.is_closed else "",
            changed_on=day, changed_by_id=owner.id,
        ))  # fmt: skip


def _referral_follow_ups(referral: Referral, visit: Visit, owner: User, today: date) -> None:
    """Phone follow-ups a week and three weeks after the visit, while the referral is open."""
    for offset in (7, 21):
        if visit.visited_on + timedelta(days=offset) < (referral.closed_on or today):
            db.session.add(FollowUp(
                referral_id=referral.id, elder_id=referral.elder_id,
                followed_on=visit.visited_on + timedelta(days=offset),
                method=VisitMethod.PHONE, findings="电话回访，服务正在落实。",
                created_by_id=owner.id,
            ))  # fmt: skip


def load_risks(elders: list[Elder], owner: User, town_user: User, today: date) -> int:
    """A few risks: settled ones, one acknowledged by the town, one abuse report still waiting."""
    created = 0
    for elder, (kind, severity, days_ago, text, closed, report) in zip(elders, RISKS,
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
        _risk_history(risk, day, owner)
        created += 1
    db.session.flush()
    return created


def _risk_history(risk: Risk, day: date, owner: User) -> None:
    """Opened on ``day``; closed five days later when it is closed."""
    db.session.add(StatusChange(record_type="risk", record_id=risk.id, elder_id=risk.elder_id,
                                to_status=RiskStatus.OPEN.value, changed_on=day,
                                changed_by_id=owner.id))  # fmt: skip
    if risk.status is RiskStatus.CLOSED:
        db.session.add(StatusChange(record_type="risk", record_id=risk.id, elder_id=risk.elder_id,
                                    from_status=RiskStatus.OPEN.value,
                                    to_status=RiskStatus.CLOSED.value, note=risk.outcome,
                                    changed_on=day + timedelta(days=5),
                                    changed_by_id=owner.id))  # fmt: skip
