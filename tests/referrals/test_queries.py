"""Follow-up lists (mine and the town's), reports awaiting the town, and possible owners."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caseman.elders.models import ElderAssignment
from caseman.extensions import db
from caseman.referrals.queries import (
    get_referral_or_none,
    get_risk_or_none,
    list_follow_ups,
    list_possible_owners,
    list_unacknowledged_reports,
)
from caseman.referrals.services import acknowledge_risk, move_referral, move_risk
from caseman.rules.enums import NeedType
from caseman.rules.referrals import ReferralStatus, RiskStatus, RiskType
from tests.conftest import TODAY
from tests.referrals.conftest import FILED, NOW


def ids(records):
    return [r.id for r in records]


def solve(actor, referral):
    move_referral(
        actor, referral, ReferralStatus.SOLVED, {"note": "当场解决"}, TODAY, referral.version
    )
    db.session.commit()


# --- my follow-ups ---------------------------------------------------------------------------


def test_mine_lists_what_i_own_that_is_due_soon_overdue_or_undated(
    elder, cadre, town_user, add_referral, add_risk
):
    undated = add_referral(elder)
    overdue = add_referral(
        elder, today=TODAY - timedelta(days=10), follow_up_on=TODAY - timedelta(days=5)
    )
    today_due = add_referral(elder, follow_up_on=TODAY)
    soon = add_referral(elder, follow_up_on=TODAY + timedelta(days=3))  # the last day counted
    add_referral(elder, follow_up_on=TODAY + timedelta(days=4))  # not yet
    add_referral(elder, follow_up_on=TODAY + timedelta(days=60))  # far away
    closed = add_referral(elder, need=NeedType.SAFETY_HAZARD.value)
    solve(cadre, closed)
    add_referral(elder, owner_id=town_user.id)  # someone else's
    risk_due = add_risk(elder, follow_up_on=TODAY + timedelta(days=1))
    add_risk(elder, follow_up_on=TODAY + timedelta(days=20))
    closed_risk = add_risk(elder)
    move_risk(cadre, closed_risk, RiskStatus.CLOSED, "已处理", TODAY, closed_risk.version)
    db.session.commit()

    mine = list_follow_ups(cadre, TODAY)
    # no date first (never planned), then by due date
    assert ids(mine.referrals) == [undated.id, overdue.id, today_due.id, soon.id]
    assert ids(mine.risks) == [risk_due.id]
    assert mine.total == 5
    theirs = list_follow_ups(town_user, TODAY)
    assert len(theirs.referrals) == 1
    assert theirs.risks == []


def test_mine_is_limited_to_the_kind_asked(elder, add_referral, add_risk, cadre):
    add_referral(elder)
    add_risk(elder)
    assert list_follow_ups(cadre, TODAY, kind="referrals").risks == []
    assert len(list_follow_ups(cadre, TODAY, kind="referrals").referrals) == 1
    assert list_follow_ups(cadre, TODAY, kind="risks").referrals == []
    assert len(list_follow_ups(cadre, TODAY, kind="risks").risks) == 1


@pytest.fixture
def town_records(make_elder, cadre, other_town_user, make_user, add_referral, add_risk):
    """Open and closed records in 金刚村 and 白岩村 (木耳镇) and 草坪村 (古路镇)."""
    jingang = make_elder("jingang", filed_on=FILED)
    baiyan = make_elder("baiyan", filed_on=FILED)
    caoping = make_elder("caoping", filed_on=FILED)
    baiyan_cadre = make_user("village", "baiyan")
    records = {
        "jingang_new": add_referral(
            jingang, today=TODAY - timedelta(days=2), follow_up_on=TODAY + timedelta(days=50)
        ),
        "baiyan_old": add_referral(
            baiyan,
            baiyan_cadre,
            today=TODAY - timedelta(days=40),
            follow_up_on=TODAY + timedelta(days=50),
        ),
        "jingang_mid": add_referral(jingang, today=TODAY - timedelta(days=9)),
        "jingang_closed": add_referral(
            jingang, need=NeedType.OTHER.value, today=TODAY - timedelta(days=90)
        ),
        "caoping": add_referral(caoping, other_town_user, today=TODAY - timedelta(days=60)),
        "risk_jingang": add_risk(jingang, occurred_at=NOW - timedelta(days=1)),
        "risk_baiyan": add_risk(baiyan, baiyan_cadre, occurred_at=NOW - timedelta(days=5)),
        "risk_caoping": add_risk(caoping, other_town_user),
    }
    solve(cadre, records["jingang_closed"])
    return records


def test_town_view_lists_every_open_one_in_the_town_oldest_first(town_records, town_user, areas):
    r = town_records
    everything = list_follow_ups(town_user, TODAY, mine_only=False)
    assert ids(everything.referrals) == [
        r["baiyan_old"].id,
        r["jingang_mid"].id,
        r["jingang_new"].id,
    ]
    assert ids(everything.risks) == [r["risk_baiyan"].id, r["risk_jingang"].id]
    referrals_only = list_follow_ups(town_user, TODAY, mine_only=False, kind="referrals")
    assert (len(referrals_only.referrals), referrals_only.risks) == (3, [])
    risks_only = list_follow_ups(town_user, TODAY, mine_only=False, kind="risks")
    assert (risks_only.referrals, len(risks_only.risks)) == ([], 2)
    baiyan = list_follow_ups(town_user, TODAY, mine_only=False, area_id=areas["baiyan"].id)
    assert ids(baiyan.referrals) == [r["baiyan_old"].id]
    assert ids(baiyan.risks) == [r["risk_baiyan"].id]
    # an area of another town gives nothing: the user's scope still applies
    caoping = areas["caoping"].id
    assert list_follow_ups(town_user, TODAY, mine_only=False, area_id=caoping).total == 0
    # the town user owns none of them: "mine" is empty
    assert list_follow_ups(town_user, TODAY).total == 0


def test_other_town_and_village_see_only_their_own(town_records, other_town_user, cadre):
    r = town_records
    gulu = list_follow_ups(other_town_user, TODAY, mine_only=False)
    assert ids(gulu.referrals) == [r["caoping"].id]
    assert ids(gulu.risks) == [r["risk_caoping"].id]
    village = list_follow_ups(cadre, TODAY, mine_only=False)
    assert ids(village.referrals) == [r["jingang_mid"].id, r["jingang_new"].id]
    assert ids(village.risks) == [r["risk_jingang"].id]
    assert get_referral_or_none(other_town_user, r["jingang_mid"].id) is None
    assert get_risk_or_none(other_town_user, r["risk_jingang"].id) is None
    assert get_referral_or_none(other_town_user, r["caoping"].id) is not None


# --- reports awaiting the town ---------------------------------------------------------------


def test_reports_await_the_town_of_the_elder_until_acknowledged(
    make_elder, cadre, town_user, other_town_user, make_user, add_risk
):
    jingang = make_elder("jingang", filed_on=FILED)
    caoping = make_elder("caoping", filed_on=FILED)
    later = add_risk(jingang, risk_type=RiskType.ABUSE.value, occurred_at=NOW - timedelta(hours=1))
    earlier = add_risk(
        jingang, risk_type=RiskType.MISSING.value, occurred_at=NOW - timedelta(days=1)
    )
    add_risk(jingang, risk_type=RiskType.FALL.value)  # no report needed
    theirs = add_risk(caoping, other_town_user, risk_type=RiskType.ABUSE.value)
    district = make_user("district", "district")

    assert ids(list_unacknowledged_reports(town_user)) == [earlier.id, later.id]
    assert ids(list_unacknowledged_reports(other_town_user)) == [theirs.id]
    assert set(ids(list_unacknowledged_reports(district))) == {earlier.id, later.id, theirs.id}
    assert list_unacknowledged_reports(cadre) == []  # village users are not the town
    assert list_unacknowledged_reports(make_user("worker", "jingang")) == []

    acknowledge_risk(town_user, later, TODAY)
    db.session.commit()
    assert ids(list_unacknowledged_reports(town_user)) == [earlier.id]
    assert ids(list_unacknowledged_reports(other_town_user)) == [theirs.id]


# --- possible owners -------------------------------------------------------------------------


def test_possible_owners_are_active_staff_who_can_see_the_elder(
    elder, cadre, town_user, other_town_user, make_user
):
    group_worker = make_user("worker", "jingang", full_name="赵社工")  # bound to the village
    assigned = make_user("worker", "muer", full_name="钱助理")  # town-level, assigned
    make_user("worker", "muer", full_name="孙志愿")  # town-level, not assigned
    make_user("village", "baiyan")  # another village
    make_user("district", "district")  # district staff do not own follow-ups
    gone = make_user("village", "jingang", full_name="离职")
    gone.is_active_user = False
    db.session.add(ElderAssignment(elder_id=elder.id, user_id=assigned.id))
    db.session.commit()

    owners = list_possible_owners(elder)
    assert {u.id for u in owners} == {cadre.id, town_user.id, group_worker.id, assigned.id}
    assert other_town_user not in owners
