"""Family-duty services (issue 20 item 2): duty, contacts and entrustments; they outlive a
correction of the registration (whose family rows are written anew); an archived case refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.elders.services import Registration, archive_elder, snapshot, update_elder
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.family.queries import list_member_rows, list_reminders
from caseman.family.services import record_contact, set_duty
from caseman.rules.enums import ArchiveReason, Category
from caseman.rules.family_duty import ContactMethod, ContactRhythm, ReminderReason
from tests.conftest import TODAY


def actions(elder_id):
    return db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.elder_id == elder_id).order_by(AuditEvent.id)
    ).all()


def test_away_son_is_due_and_a_contact_clears_him(family_elder, make_user):
    elder = family_elder()
    cadre = make_user("village", "jingang")
    rows = {r.member.name: r for r in list_member_rows(elder, TODAY)}
    assert rows["李强"].reminder is not None
    assert rows["李强"].reminder.reasons == (ReminderReason.NOT_VISITING,)
    assert rows["李梅"].reminder is None
    assert [r.member.name for r in list_reminders(cadre, TODAY)[0]] == ["李强"]

    son = rows["李强"].member
    record_contact(cadre, elder, son, contacted_on=TODAY - timedelta(days=2),
                   method=ContactMethod.PHONE, note="提醒每周打电话", today=TODAY)  # fmt: skip
    db.session.commit()
    assert list_reminders(cadre, TODAY) == ([], 0)
    row = {r.member.name: r for r in list_member_rows(elder, TODAY)}["李强"]
    assert row.last_contact_on == TODAY - timedelta(days=2)
    assert elder.is_key
    assert row.next_on == TODAY + timedelta(days=13)  # every half month for a key elder
    assert "family_contact" in actions(elder.id)


def test_contact_date_is_checked(family_elder, make_user):
    elder = family_elder()
    cadre = make_user("village", "jingang")
    son = elder.members[0]
    with pytest.raises(DomainError) as future:
        record_contact(cadre, elder, son, contacted_on=TODAY + timedelta(days=1),
                       method=ContactMethod.PHONE, note="", today=TODAY)  # fmt: skip
    assert future.value.field == "contacted_on"
    with pytest.raises(DomainError):
        record_contact(cadre, elder, son, contacted_on=elder.filed_on - timedelta(days=1),
                       method=ContactMethod.PHONE, note="", today=TODAY)  # fmt: skip


def test_duty_outlives_a_correction_of_the_registration(family_elder, make_user):
    """The registration's family rows are written anew on every correction: the duty is kept by
    the member's name and still applies afterwards."""
    elder = family_elder()
    cadre = make_user("village", "jingang")
    daughter = elder.members[1]
    set_duty(cadre, elder, daughter, is_away=True, away_place="广东省深圳市",
             rhythm=ContactRhythm.WEEKLY, note="在深圳打工")  # fmt: skip
    db.session.commit()
    assert "family_duty" in actions(elder.id)

    data = snapshot(elder)
    members = data.pop("members")
    values = {**data, "note": "更正电话", "phone": "13812340000"}
    for name in ("birth_on", "categories", "suggested_categories", "residence_area",
                 "household_area"):  # fmt: skip
        values.pop(name)
    from datetime import date

    values["filed_on"] = date.fromisoformat(values["filed_on"])
    for member in members:
        if member["working_away_since"]:
            member["working_away_since"] = date.fromisoformat(member["working_away_since"])
    update_elder(cadre, elder, Registration(values, members, {Category.LIVING_ALONE}), TODAY,
                 elder.version)  # fmt: skip
    db.session.commit()
    rows = {r.member.name: r for r in list_member_rows(elder, TODAY)}
    assert rows["李梅"].duty is not None
    assert rows["李梅"].duty.away_place == "广东省深圳市"
    assert rows["李梅"].facts.is_away
    assert rows["李梅"].reminder is not None  # weekly, never contacted
    assert rows["李梅"].reminder.reasons == (ReminderReason.RHYTHM,)


def test_away_needs_a_place(family_elder, make_user):
    elder = family_elder()
    cadre = make_user("village", "jingang")
    with pytest.raises(DomainError) as error:
        set_duty(cadre, elder, elder.members[0], is_away=True, away_place=" ", rhythm=None,
                 note="")  # fmt: skip
    assert error.value.field == "away_place"


def test_archived_case_takes_no_family_change(family_elder, make_user):
    elder = family_elder()
    cadre = make_user("village", "jingang")
    archive_elder(cadre, elder, ArchiveReason.MOVED_AWAY, TODAY, "迁往外地", TODAY, elder.version)
    db.session.commit()
    with pytest.raises(DomainError):
        record_contact(cadre, elder, elder.members[0], contacted_on=TODAY,
                       method=ContactMethod.PHONE, note="", today=TODAY)  # fmt: skip
    assert list_reminders(cadre, TODAY) == ([], 0)  # archived cases are not listed


def test_reminders_most_overdue_first_with_a_limit(family_elder, make_user):
    first, second = family_elder(), family_elder()
    cadre = make_user("village", "jingang")
    # The first elder's son was reminded 40 days ago, the second's never: the second comes first.
    record_contact(cadre, first, first.members[0], contacted_on=TODAY - timedelta(days=40),
                   method=ContactMethod.PHONE, note="", today=TODAY)  # fmt: skip
    db.session.commit()
    rows, total = list_reminders(cadre, TODAY)
    assert total == 2
    assert [r.elder.id for r in rows] == [second.id, first.id]
    assert rows[1].reminder.due_on == TODAY - timedelta(days=40 - 15)
    shown, total = list_reminders(cadre, TODAY, limit=1)
    assert ([r.elder.id for r in shown], total) == ([second.id], 2)
