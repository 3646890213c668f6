"""The family-duty rules (caseman.rules.family_duty), each test citing the clause it implements:
渝民发〔2018〕30号 (seed 003) 二(一) and 二(三), 渝北民〔2024〕24号 (seed 004) 一(二)10."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from caseman.rules.enums import Relation
from caseman.rules.family_duty import (
    ContactRhythm,
    MemberDuty,
    ReminderReason,
    default_rhythm,
    entrustment_problem,
    is_entrustment_current,
    next_contact_on,
    reminder_due,
)

TODAY = date(2026, 12, 5)
AWAY_SON = MemberDuty(relation=Relation.SON, is_away=True, visits_often=False)


def test_child_away_who_does_not_visit_often_is_due_at_once():
    """004 一(二)10: "对子女在外地居住的，督促其定期通过电话、微信、视频等形式，与老年人保持联系";
    003 二(一): "子女或其他赡养人……应当经常看望或者问候留守老年人". 是否经常探访 = 否 on the
    registration makes an away child due; never contacted, due now."""
    reminder = reminder_due(AWAY_SON, TODAY)
    assert reminder is not None
    assert reminder.due_on is None
    assert reminder.reasons == (ReminderReason.NOT_VISITING,)
    assert reminder.rhythm is ContactRhythm.MONTHLY


def test_a_recorded_contact_quiets_the_child_for_a_month():
    """004 一(二)10 "定期": after a reminder the child is due again a month later."""
    contacted = MemberDuty(Relation.DAUGHTER, is_away=True, visits_often=False,
                           last_contact_on=TODAY - timedelta(days=29))  # fmt: skip
    assert reminder_due(contacted, TODAY) is None
    assert next_contact_on(contacted) == TODAY + timedelta(days=1)
    late = MemberDuty(Relation.DAUGHTER, is_away=True, visits_often=False,
                      last_contact_on=TODAY - timedelta(days=30))  # fmt: skip
    reminder = reminder_due(late, TODAY)
    assert reminder is not None
    assert reminder.due_on == TODAY
    assert reminder.overdue_days(TODAY) == 0


def test_key_elders_children_are_reminded_every_half_month():
    """003 二(三): "将存在高龄、失能、失智、独居和生活困难的留守老年人作为重点帮扶对象，及时通知
    并督促其子女和其他家庭成员予以照顾"."""
    assert default_rhythm(elder_is_key=True) is ContactRhythm.HALF_MONTHLY
    member = MemberDuty(Relation.SON, is_away=True, visits_often=False,
                        last_contact_on=TODAY - timedelta(days=16))  # fmt: skip
    assert reminder_due(member, TODAY) is None
    reminder = reminder_due(member, TODAY, elder_is_key=True)
    assert reminder is not None
    assert reminder.rhythm is ContactRhythm.HALF_MONTHLY


@pytest.mark.parametrize(
    "member",
    [
        MemberDuty(Relation.SON, is_away=True, visits_often=True),  # visits often
        MemberDuty(Relation.SON, is_away=False, visits_often=False),  # lives nearby
        MemberDuty(Relation.SPOUSE, is_away=True, visits_often=False),  # not a supporter child
        MemberDuty(Relation.SON, is_away=True, visits_often=False, is_deceased=True),
    ],
)
def test_no_reminder_without_a_reason(member):
    """003 二(一) asks children (子女或其他赡养人) to keep in touch; a child who visits often, lives
    nearby, or has died is not reminded unless staff set a rhythm."""
    assert reminder_due(member, TODAY) is None


def test_a_rhythm_set_by_staff_applies_to_any_member():
    """003 二(一): "支持家族成员和亲友对留守老年人给予生活照料和精神关爱": staff may ask any
    relative to keep a rhythm; it is due once that long has passed since the last contact."""
    sister = MemberDuty(Relation.SIBLING, rhythm=ContactRhythm.WEEKLY,
                        last_contact_on=TODAY - timedelta(days=8))  # fmt: skip
    reminder = reminder_due(sister, TODAY)
    assert reminder is not None
    assert reminder.due_on == TODAY - timedelta(days=1)
    assert reminder.reasons == (ReminderReason.RHYTHM,)
    # The staff's rhythm wins over the default one for an away child.
    son = MemberDuty(
        Relation.SON,
        is_away=True,
        visits_often=False,
        rhythm=ContactRhythm.QUARTERLY,
        last_contact_on=TODAY - timedelta(days=40),
    )
    assert reminder_due(son, TODAY) is None


def test_entrustment_dates():
    """003 二(一): "赡养义务人可与有能力照顾的人或条件适合的机构签订委托照顾协议": an agreement
    runs from one date to another (or open-ended) and cannot end before it starts."""
    assert entrustment_problem(TODAY, TODAY - timedelta(days=1), TODAY) == "ends_before_start"
    assert entrustment_problem(TODAY + timedelta(days=400), None, TODAY) == "starts_too_late"
    assert entrustment_problem(TODAY, None, TODAY) is None
    assert is_entrustment_current(TODAY - timedelta(days=10), None, TODAY)
    assert is_entrustment_current(TODAY, TODAY, TODAY)
    assert not is_entrustment_current(TODAY - timedelta(days=10), TODAY - timedelta(days=1), TODAY)
    assert not is_entrustment_current(TODAY + timedelta(days=1), None, TODAY)
