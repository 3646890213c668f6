"""Mutual-aid services: team, pairing, help, the points ledger, and the quarterly numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from caseman.errors import DomainError
from caseman.extensions import db
from caseman.mutual_aid import queries, services
from caseman.mutual_aid.models import PointEntry
from caseman.rules.enums import Gender
from caseman.rules.id_number import make_id_number
from caseman.rules.mutual_aid import EntryKind, HelpKind, PairingKind
from tests.mutual_aid.conftest import YEAR, member_values, social_elder


def _help(p, on, kind=HelpKind.KNOCK, rate=None, paired=None):
    record = services.record_help(
        p.actor, paired or p.paired,
        {"helped_on": on, "kind": kind, "helper_id": p.volunteer.id, "what": "送菜"}, rate,
    )  # fmt: skip
    db.session.commit()
    return record


def test_group_leader_needs_a_group_and_one_per_group(programme, areas):
    p = programme
    with pytest.raises(DomainError) as exc:
        services.add_team_member(p.actor, p.village, member_values(role="group_leader"))
    assert exc.value.field == "group_id"
    group = areas["jingang1"]
    services.add_team_member(p.actor, p.village, member_values(role="group_leader",
                                                               group_id=group.id))  # fmt: skip
    with pytest.raises(DomainError, match="already has a group leader"):
        services.add_team_member(p.actor, p.village, member_values(role="group_leader",
                                                                   group_id=group.id))  # fmt: skip
    # A group of another village is refused.
    with pytest.raises(DomainError):
        services.add_team_member(
            p.actor, areas["baiyan"], member_values(role="group_leader", group_id=group.id)
        )


def test_social_worker_needs_an_organisation(programme):
    with pytest.raises(DomainError) as exc:
        services.add_team_member(programme.actor, programme.village,
                                 member_values(role="social_worker"))  # fmt: skip
    assert exc.value.field == "organisation"


def test_one_to_one_has_one_helper_and_one_elder(programme):
    p = programme
    with pytest.raises(DomainError, match="exactly one helper"):
        services.create_pairing(p.actor, p.village, PairingKind.ONE_TO_ONE, date(YEAR, 3, 1),
                                [p.volunteer.id, p.neighbour.id], [social_elder()])  # fmt: skip
    with pytest.raises(DomainError, match="exactly one elder"):
        services.create_pairing(p.actor, p.village, PairingKind.ONE_TO_ONE, date(YEAR, 3, 1),
                                [p.volunteer.id], [social_elder(), social_elder()])  # fmt: skip
    with pytest.raises(DomainError, match="exactly one elder"):
        services.add_paired_elder(p.actor, p.one_to_one, social_elder())


def test_an_elder_is_paired_once_and_only_in_their_village(programme, make_elder):
    p = programme
    with pytest.raises(DomainError, match="already paired"):
        services.create_pairing(p.actor, p.village, PairingKind.ONE_TO_ONE, date(YEAR, 3, 1),
                                [p.neighbour.id], [social_elder(elder_id=p.elder.id)])  # fmt: skip
    db.session.rollback()
    other = make_elder(area="baiyan", name="外村人")
    with pytest.raises(DomainError, match="of this village"):
        services.create_pairing(p.actor, p.village, PairingKind.ONE_TO_ONE, date(YEAR, 3, 1),
                                [p.neighbour.id], [social_elder(elder_id=other.id)])  # fmt: skip


def test_helpers_must_be_active_members_of_the_village(programme, areas):
    p = programme
    services.end_team_member(p.actor, p.neighbour, date(YEAR, 2, 15))
    with pytest.raises(DomainError) as exc:
        services.create_pairing(p.actor, p.village, PairingKind.ONE_TO_ONE, date(YEAR, 3, 1),
                                [p.neighbour.id], [social_elder()])  # fmt: skip
    assert exc.value.field == "helper_ids"


def test_help_must_be_by_a_helper_of_the_pairing_inside_its_time(programme):
    p = programme
    with pytest.raises(DomainError) as exc:
        services.record_help(
            p.actor,
            p.paired,
            {
                "helped_on": date(YEAR, 3, 1),
                "kind": "knock",
                "helper_id": p.neighbour.id,
                "what": "",
            },
        )
    assert exc.value.field == "helper_id"
    with pytest.raises(DomainError) as exc:
        services.record_help(
            p.actor,
            p.paired,
            {
                "helped_on": date(YEAR, 1, 1),
                "kind": "knock",
                "helper_id": p.volunteer.id,
                "what": "",
            },
        )
    assert exc.value.field == "helped_on"


def test_missed_rhythm_lists_the_pair(programme):
    p = programme
    as_of = date(YEAR, 3, 31)
    [missed] = queries.missed_rhythms(p.village, as_of)
    assert missed.paired_elder.id == p.paired.id
    assert missed.beats == [HelpKind.KNOCK, HelpKind.TALK, HelpKind.HELP]
    _help(p, date(YEAR, 3, 31), HelpKind.KNOCK)
    _help(p, date(YEAR, 3, 28), HelpKind.HELP)
    assert queries.missed_rhythms(p.village, as_of) == []
    # Area-based groups have no daily rhythm: they never show here.
    assert all(m.pairing.kind is PairingKind.ONE_TO_ONE
               for m in queries.missed_rhythms(p.village, date(YEAR, 6, 30)))  # fmt: skip


def test_points_ledger_balances_are_sums_and_never_negative(programme):
    p = programme
    member = p.volunteer
    services.award_points(p.actor, member, p.rate, date(YEAR, 3, 2))  # +5
    help_record = _help(p, date(YEAR, 3, 3), HelpKind.HELP, rate=p.rate)  # +5, linked
    services.redeem_points(p.actor, member, 8, "食用油一桶", date(YEAR, 3, 4))
    db.session.commit()
    assert services.balance_of(member.id) == 2
    with pytest.raises(DomainError) as exc:
        services.redeem_points(p.actor, member, 3, "大米", date(YEAR, 3, 5))
    assert exc.value.field == "points"
    assert exc.value.params == {"balance": 2}
    db.session.rollback()
    entries = queries.list_entries(member)
    assert [e.sequence for e in entries] == [3, 2, 1]
    assert [e.balance_after for e in reversed(entries)] == [5, 10, 2]
    assert entries[1].help_record_id == help_record.id
    assert all(e.source for e in entries)
    # Every running balance is the sum of the entries up to it.
    running = 0
    for entry in reversed(entries):
        running += entry.points
        assert entry.balance_after == running


def test_correction_is_a_new_entry_and_cannot_overdraw(programme):
    p = programme
    member = p.volunteer
    first = services.award_points(p.actor, member, p.rate, date(YEAR, 3, 2))
    services.award_points(p.actor, member, p.rate, date(YEAR, 3, 2))
    services.redeem_points(p.actor, member, 10, "毛巾", date(YEAR, 3, 3))
    db.session.commit()
    # Cancelling an earning now would take the balance to -5: refused.
    with pytest.raises(DomainError, match="cannot go below zero"):
        services.correct_entry(p.actor, first, "重复录入", date(YEAR, 3, 4))
    db.session.rollback()
    redemption = queries.list_entries(member)[0]
    correction = services.correct_entry(p.actor, redemption, "未领取", date(YEAR, 3, 4))
    db.session.commit()
    assert correction.kind is EntryKind.CORRECTION
    assert correction.points == 10
    assert correction.corrects_id == redemption.id
    assert services.balance_of(member.id) == 10
    assert db.session.get(PointEntry, redemption.id).points == -10  # the original stays
    with pytest.raises(DomainError, match="already been corrected"):
        services.correct_entry(p.actor, redemption, "again", date(YEAR, 3, 4))


def test_entries_cannot_be_edited(programme):
    p = programme
    entry = services.award_points(p.actor, p.volunteer, p.rate, date(YEAR, 3, 2))
    db.session.commit()
    entry.points = 500
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_a_negative_balance_or_a_reused_sequence(programme):
    p = programme
    services.award_points(p.actor, p.volunteer, p.rate, date(YEAR, 3, 2))
    db.session.commit()
    row = {"member_id": p.volunteer.id, "village_id": p.village.id, "kind": "redeem",
           "entry_on": date(YEAR, 3, 3), "source": "直接写库"}  # fmt: skip
    table = PointEntry.__table__
    with pytest.raises(IntegrityError):
        db.session.execute(sa.insert(table).values(sequence=2, points=-6, balance_after=-1, **row))
    db.session.rollback()
    # A second entry built on the same balance (a concurrent request) collides on sequence.
    with pytest.raises(IntegrityError):
        db.session.execute(sa.insert(table).values(sequence=1, points=-5, balance_after=0, **row))
    db.session.rollback()
    assert services.balance_of(p.volunteer.id) == 5


def test_rates_are_positive(programme):
    with pytest.raises(DomainError):
        services.set_rate(programme.actor, programme.village, "沐浴清洁", 0)
    rate = services.set_rate(programme.actor, programme.village, "送餐入户", 6)
    assert rate.id == programme.rate.id
    assert rate.points == 6


def test_void_activity_and_fund_stop_counting(programme):
    p = programme
    activity = services.log_activity(p.actor, p.village, {
        "kind": "birthday", "held_on": date(YEAR, 3, 8), "place": "中心点", "elders_count": 20,
        "notes": ""})  # fmt: skip
    fund = services.record_fund(p.actor, p.village, {
        "source": "company", "donor": "某公司", "amount": Decimal("3000"),
        "received_on": date(YEAR, 3, 9), "use": "活动"})  # fmt: skip
    db.session.commit()
    [row] = queries.summary_rows(p.village, date(YEAR, 1, 1), date(YEAR, 3, 31))
    assert (row.activities, row.funds) == (1, Decimal("3000.00"))
    services.void_record(p.actor, activity, "重复", date(YEAR, 3, 10))
    services.void_record(p.actor, fund, "退回", date(YEAR, 3, 10))
    with pytest.raises(DomainError, match="already void"):
        services.void_record(p.actor, fund, "again", date(YEAR, 3, 10))
    [row] = queries.summary_rows(p.village, date(YEAR, 1, 1), date(YEAR, 3, 31))
    assert (row.activities, row.funds) == (0, Decimal("0.00"))


def test_coverage_lists_elders_beyond_one_kilometre(programme):
    [far] = queries.uncovered_elders(programme.village)
    assert far.paired_elder.name == "孙婆婆"
    assert 2700 < far.distance_m < 2900  # 0.025° north of the 2组 sub-point


def test_map_markers_put_points_and_caseload_elders_on_a_grid(programme):
    markers = queries.map_markers(programme.village)
    assert sorted(m.kind for m in markers) == ["centre", "elder", "sub"]
    assert all(0 <= m.x <= 100 and 0 <= m.y <= 100 for m in markers)
    centre = next(m for m in markers if m.kind == "centre")
    sub = next(m for m in markers if m.kind == "sub")
    assert sub.x > centre.x
    assert sub.y < centre.y


def test_caseload_elder_can_also_be_a_helper(programme):
    p = programme
    member = services.add_team_member(p.actor, p.village, member_values(
        name="李桂芳", elder_id=p.unpaired.id))  # fmt: skip
    assert member.elder_id == p.unpaired.id


def _activity(p, on):
    services.log_activity(p.actor, p.village, {"kind": "health", "held_on": on, "place": "",
                                               "elders_count": 12, "notes": ""})  # fmt: skip


def test_summary_and_indicators_count_the_data(programme, areas, make_elder):
    """000 附件1 per village, and the town's indicators from those rows (000 三(六)1)."""
    p = programme
    services.award_points(p.actor, p.volunteer, p.rate, date(YEAR, 2, 10))
    services.award_points(p.actor, p.neighbour, p.rate, date(YEAR, 5, 10))  # next quarter
    services.redeem_points(p.actor, p.volunteer, 5, "肥皂", date(YEAR, 3, 1))  # not earned
    _activity(p, date(YEAR, 3, 20))
    _activity(p, date(YEAR, 4, 2))
    services.record_fund(p.actor, p.village, {"source": "town_finance", "donor": "",
                         "amount": Decimal("20000.50"), "received_on": date(YEAR, 1, 20),
                         "use": ""})  # fmt: skip
    db.session.commit()
    rows = queries.summary_rows(areas["muer"], date(YEAR, 1, 1), date(YEAR, 3, 31))
    assert [r.village for r in rows] == ["金刚村", "白岩村"]
    jingang, baiyan = rows
    assert (jingang.organisations, jingang.social_workers) == ("渝北区仁爱社工服务中心", 1)
    assert (jingang.centre_points, jingang.sub_points, jingang.volunteers) == (1, 1, 2)
    assert (jingang.one_to_one, jingang.area_groups) == (1, 1)
    assert (jingang.points, jingang.activities, jingang.funds) == (5, 1, Decimal("20000.50"))
    assert (jingang.ledger_elders, jingang.paired_ledger_elders) == (2, 1)
    assert jingang.is_running
    assert not baiyan.is_running
    assert (baiyan.points, baiyan.one_to_one) == (0, 0)

    items = {i.key: i for i in queries.indicators_for(areas["muer"], YEAR, 1, date(YEAR, 3, 31))}
    assert (items["villages"].numerator, items["villages"].denominator) == (1, 2)
    assert not items["villages"].met  # 50% < 60%
    assert (items["paired"].numerator, items["paired"].denominator) == (1, 2)
    assert items["points"].value == 5
    assert (items["activities"].value, items["activities"].target) == (1, 1)
    assert items["activities"].met
    assert items["funds"].value == Decimal("20000.50")
    assert not items["funds"].met
    # Second quarter: year to date.
    items = {i.key: i for i in queries.indicators_for(areas["muer"], YEAR, 2, date(YEAR, 6, 30))}
    assert (items["points"].value, items["activities"].value, items["activities"].target) == (
        10, 2, 2)  # fmt: skip


def test_pairing_ledger_rows(programme, make_user):
    """000 附件2: a row per paired elder, caseload facts from the case file, 帮扶次数 counted."""
    p = programme
    _help(p, date(YEAR, 3, 2))
    _help(p, date(YEAR, 3, 3), HelpKind.TALK)
    _help(p, date(YEAR, 4, 3), HelpKind.TALK)  # after the quarter
    end = date(YEAR, 3, 31)
    rows = queries.pairing_rows(p.village, date(YEAR, 1, 1), end, p.actor)
    assert [r.name for r in rows] == ["张秀英", "陈老汉", "孙婆婆"]
    first = rows[0]
    birth = p.elder.birth_on
    age = end.year - birth.year - ((end.month, end.day) < (birth.month, birth.day))
    assert (first.gender, first.age, first.living, first.children) == ("女", str(age), "独居", "无")
    assert (first.health, first.elder_type, first.help_count) == ("自理", "低保", 2)
    assert first.phone == "138****5678"  # village staff see phones masked
    assert first.helper_names == "刘志愿"
    assert first.helper_ages == str(YEAR - 1962)
    assert first.note == "一对一"
    group = rows[1]
    assert group.helper_names == "赵邻居\n刘志愿"
    assert group.note == "划片式：3组片区；社会老人"
    assert (group.living, group.children, group.age) == ("双居", "有", str(YEAR - 1941))
    town_user = make_user("town", "muer")
    assert queries.pairing_rows(p.village, date(YEAR, 1, 1), end, town_user)[0].phone == (
        "13812345678")  # fmt: skip


def test_ended_pairings_leave_the_ledger(programme):
    p = programme
    services.end_pairing(p.actor, p.group, date(YEAR, 3, 15))
    db.session.commit()
    rows = queries.pairing_rows(p.village, date(YEAR, 1, 1), date(YEAR, 3, 31), p.actor)
    assert [r.name for r in rows] == ["张秀英"]
    earlier = queries.pairing_rows(p.village, date(YEAR, 1, 1), date(YEAR, 3, 10), p.actor)
    assert len(earlier) == 3


def test_archived_elders_cannot_be_paired(programme, make_elder):
    p = programme
    elder = make_elder(name="归档者", id_number=make_id_number(
        "500112", date(1940, 1, 1), 99, Gender.MALE), gender="male")  # fmt: skip
    elder.archived_on = date(YEAR, 2, 1)
    db.session.flush()
    with pytest.raises(DomainError, match="archived"):
        services.create_pairing(p.actor, p.village, PairingKind.ONE_TO_ONE, date(YEAR, 3, 1),
                                [p.neighbour.id], [social_elder(elder_id=elder.id)])  # fmt: skip


def test_a_lost_race_for_the_same_balance_saves_nothing(programme, monkeypatch):
    """Two entries built on one balance: the second collides on its sequence and is refused."""
    p = programme
    services.award_points(p.actor, p.volunteer, p.rate, date(YEAR, 3, 2))
    db.session.commit()
    real_next_balance = services.next_balance

    def racing(balance, points):
        # Meanwhile another request redeems the same 5 points (sequence 2, balance 0).
        db.session.execute(
            sa.insert(PointEntry.__table__).values(
                member_id=p.volunteer.id,
                village_id=p.village.id,
                sequence=2,
                kind="redeem",
                points=-5,
                balance_after=0,
                entry_on=date(YEAR, 3, 3),
                source="兑换：大米",
            )
        )
        return real_next_balance(balance, points)

    monkeypatch.setattr(services, "next_balance", racing)
    with pytest.raises(DomainError, match="at the same moment"):
        services.redeem_points(p.actor, p.volunteer, 5, "食用油", date(YEAR, 3, 3))
    db.session.commit()
    entries = queries.list_entries(p.volunteer)
    assert [(e.sequence, e.points, e.balance_after) for e in entries] == [(2, -5, 0), (1, 5, 5)]
    assert services.balance_of(p.volunteer.id) == 0
