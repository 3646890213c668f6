"""Demo family duty and benefit applications (issue 20 items 2 and 5), through the services.

In 金刚村, some children working away have their duty recorded (where they are, how often they
call) and reminders given to them, some are due a reminder; one son has entrusted his mother's
care to a neighbour. Across the district, elders were helped to apply for benefits (004 三协助 三):
some granted (the case file gets a version), some refused with the reason, some pending.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from caseman.auth.models import User
from caseman.benefits.services import apply_for_benefit, decide_application
from caseman.elders.models import Elder
from caseman.family.services import add_entrustment, record_contact, set_duty
from caseman.rules.benefits import BenefitKind, Outcome
from caseman.rules.enums import Relation, Residence
from caseman.rules.family_duty import ContactMethod, ContactRhythm

PLACES = ("广东省东莞市", "浙江省宁波市", "重庆市江北区", "福建省厦门市", "四川省成都市")
REFUSALS = (
    "家庭人均收入超过当地低保标准。",
    "经评估未达到失能等级。",
    "材料不全，已告知补充后再申请。",
)
KINDS = (BenefitKind.OLD_AGE_ALLOWANCE, BenefitKind.DIBAO, BenefitKind.CARE_SUBSIDY,
         BenefitKind.DISABILITY_SUBSIDIES, BenefitKind.TEMPORARY_ASSISTANCE,
         BenefitKind.SERVICE_SUBSIDY)  # fmt: skip


def load_family(
    jingang: list[Elder], elders: list[Elder], cadre: User, actor: User, today: date, seed: int
) -> None:
    """Family duty in 金刚村 (``cadre`` records it) and benefit applications across ``elders``."""
    rng = random.Random(seed + 20)  # noqa: S311 - reproducible demo data # nosec B311
    away = [
        (elder, member)
        for elder in jingang
        if not elder.is_archived
        for member in elder.members
        if member.relation in (Relation.SON, Relation.DAUGHTER)
        and not member.is_deceased
        and member.residence == Residence.ELSEWHERE
    ]
    for index, (elder, member) in enumerate(away[:12]):
        set_duty(cadre, elder, member, is_away=True, away_place=rng.choice(PLACES),
                 rhythm=ContactRhythm.MONTHLY if index % 3 else ContactRhythm.HALF_MONTHLY,
                 note="")  # fmt: skip
        if index % 4 != 3:  # a quarter never reached: due at once
            days = rng.randint(3, 50)
            on = max(today - timedelta(days=days), elder.filed_on)
            record_contact(cadre, elder, member, contacted_on=on,
                           method=rng.choice(list(ContactMethod)),
                           note="已提醒定期给老人打电话、视频。", today=today)  # fmt: skip
    if away:
        elder, member = away[0]
        add_entrustment(cadre, elder, entrusting_name=member.name,
                        entrusting_relation=member.relation, entrusted_name="邻居王大姐",
                        entrusted_is_organisation=False, entrusted_phone="",
                        starts_on=max(today - timedelta(days=90), elder.filed_on), ends_on=None,
                        note="每天上门看望，代买生活用品。", filename="", content=b"",
                        uploads=None, today=today)  # fmt: skip
    active = [e for e in elders if not e.is_archived]
    for index, elder in enumerate(rng.sample(active, min(24, len(active)))):
        kind = KINDS[index % len(KINDS)]
        applied_on = max(today - timedelta(days=rng.randint(5, 150)), elder.filed_on)
        application = apply_for_benefit(actor, elder, kind=kind, other_name="",
                                        applied_on=applied_on, note="", today=today)  # fmt: skip
        if index % 3 == 0:
            continue  # pending
        decided_on = min(applied_on + timedelta(days=rng.randint(10, 30)), today)
        if index % 3 == 1:
            amount = None if kind in (BenefitKind.DIBAO, BenefitKind.TEMPORARY_ASSISTANCE) else (
                Decimal(rng.choice((50, 100, 150, 200)))
            )  # fmt: skip
            decide_application(actor, application, outcome=Outcome.GRANTED,
                               decided_on=decided_on, monthly_amount=amount, reason="",
                               today=today)  # fmt: skip
        else:
            decide_application(actor, application, outcome=Outcome.REFUSED,
                               decided_on=decided_on, monthly_amount=None,
                               reason=rng.choice(REFUSALS), today=today)  # fmt: skip
