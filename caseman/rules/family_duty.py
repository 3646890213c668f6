"""Family members' duty of care and reminders to them (issue 20 item 2).

From 渝民发〔2018〕30号 (seed 003), 二(一) 强化家庭主体责任:
"子女或其他赡养人、扶养人应当经常看望或者问候留守老年人，不得忽视、冷落老年人" and
"赡养义务人可与有能力照顾的人或条件适合的机构签订委托照顾协议并妥善安排老年人生活，
并及时向村民委员会报告去向、联系方式、老年人安置情况等信息" — so the case keeps, per family
member, where they are and how often they keep in touch (the duty), and the care-entrustment
agreements (委托照顾协议).

003 二(三): the village committee "将存在高龄、失能、失智、独居和生活困难的留守老年人作为
重点帮扶对象，及时通知并督促其子女和其他家庭成员予以照顾"; and 004 一(二)10:
"对子女在外地居住的，督促其定期通过电话、微信、视频等形式，与老年人保持联系".
A member is due a reminder (a call or message from staff) when:

* a contact rhythm was set for them and that long has passed since the last recorded contact; or
* they are a child (or child-in-law) living away whom the registration (附件2 二、家庭基本情况,
  是否经常探访) records as not visiting often: they are reminded every month, every half month for a
  key elder (重点帮扶对象, 003 二(三)), unless a rhythm of their own was set.

A member never contacted is due at once. Deceased members are never due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from caseman.rules.enums import Relation


class ContactRhythm(StrEnum):
    """How often a family member should be in touch (and be reminded when they are not)."""

    WEEKLY = "weekly"  # 每周
    HALF_MONTHLY = "half_monthly"  # 每半月
    MONTHLY = "monthly"  # 每月
    QUARTERLY = "quarterly"  # 每季度

    @property
    def days(self) -> int:
        return RHYTHM_DAYS[self]


RHYTHM_DAYS = {
    ContactRhythm.WEEKLY: 7,
    ContactRhythm.HALF_MONTHLY: 15,
    ContactRhythm.MONTHLY: 30,
    ContactRhythm.QUARTERLY: 91,
}


class ContactMethod(StrEnum):
    """How staff reached a family member (004 一(二)10: 电话、微信、视频)."""

    PHONE = "phone"  # 电话
    MESSAGE = "message"  # 微信或短信
    VIDEO = "video"  # 视频
    IN_PERSON = "in_person"  # 当面


class ReminderReason(StrEnum):
    RHYTHM = "rhythm"  # the member's own contact rhythm has passed
    NOT_VISITING = "not_visiting"  # a child away, 是否经常探访 = 否 on the registration


# 子女或其他赡养人 (003 二(一)): the children and their spouses.
SUPPORTERS = frozenset(
    {Relation.SON, Relation.DAUGHTER, Relation.SON_IN_LAW, Relation.DAUGHTER_IN_LAW}
)


@dataclass(frozen=True)
class MemberDuty:
    """What the reminder rule reads of one family member."""

    relation: Relation
    is_deceased: bool = False
    is_away: bool = False  # not in the elder's town/street (外地), or working away
    visits_often: bool = True  # 是否经常探访 on the registration
    rhythm: ContactRhythm | None = None  # set by staff on the family-duty page
    last_contact_on: date | None = None  # the latest recorded contact


@dataclass(frozen=True)
class Reminder:
    """A member due a reminder: since when (None: never contacted) and why."""

    due_on: date | None
    rhythm: ContactRhythm
    reasons: tuple[ReminderReason, ...]

    def overdue_days(self, today: date) -> int | None:
        return None if self.due_on is None else (today - self.due_on).days


def default_rhythm(elder_is_key: bool) -> ContactRhythm:
    """How often an away child who does not visit often is reminded: every half month for a key
    elder (003 二(三) 重点帮扶对象, like the key elders' visits of 004 一(四)), else every month."""
    return ContactRhythm.HALF_MONTHLY if elder_is_key else ContactRhythm.MONTHLY


def needs_prompting(member: MemberDuty) -> bool:
    """A child (or child-in-law) living away who does not visit often (是否经常探访 = 否)."""
    return (
        not member.is_deceased
        and member.relation in SUPPORTERS
        and member.is_away
        and not member.visits_often
    )


def reminder_due(member: MemberDuty, today: date, *, elder_is_key: bool = False) -> Reminder | None:
    """The reminder ``member`` is due on ``today``, or None (see the module's docstring)."""
    if member.is_deceased:
        return None
    reasons: list[ReminderReason] = []
    rhythm = member.rhythm
    if rhythm is not None:
        reasons.append(ReminderReason.RHYTHM)
    if needs_prompting(member):
        reasons.append(ReminderReason.NOT_VISITING)
        if rhythm is None:
            rhythm = default_rhythm(elder_is_key)
    if rhythm is None:
        return None
    if member.last_contact_on is None:
        return Reminder(None, rhythm, tuple(reasons))
    due_on = member.last_contact_on + timedelta(days=rhythm.days)
    if due_on > today:
        return None
    return Reminder(due_on, rhythm, tuple(reasons))


def next_contact_on(member: MemberDuty, *, elder_is_key: bool = False) -> date | None:
    """When the next reminder falls due (None: no reminder asked, or never contacted)."""
    rhythm = member.rhythm
    if rhythm is None and needs_prompting(member):
        rhythm = default_rhythm(elder_is_key)
    if rhythm is None or member.last_contact_on is None or member.is_deceased:
        return None
    return member.last_contact_on + timedelta(days=rhythm.days)


def entrustment_problem(starts_on: date, ends_on: date | None, today: date) -> str | None:
    """Why the dates of a care-entrustment agreement (委托照顾协议) cannot be right, or None.

    An agreement starts on the day it was signed or later; it may be recorded before it starts
    (signed ahead), but not more than a year ahead, and it cannot end before it starts."""
    if ends_on is not None and ends_on < starts_on:
        return "ends_before_start"
    if starts_on > today + timedelta(days=366):
        return "starts_too_late"
    return None


def is_entrustment_current(starts_on: date, ends_on: date | None, today: date) -> bool:
    """The agreement is in force on ``today``."""
    return starts_on <= today and (ends_on is None or today <= ends_on)
