"""Pure mutual-aid rules of 渝北民〔2023〕23号 (seed 000)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from caseman.rules.mutual_aid import (
    HelpKind,
    TownFigures,
    distance_m,
    is_covered,
    missed_beats,
    next_balance,
    quarter_bounds,
    town_in_scope,
    town_indicators,
    village_in_scope,
)


def test_quarter_bounds():
    assert quarter_bounds(2025, 1) == (date(2025, 1, 1), date(2025, 3, 31))
    assert quarter_bounds(2024, 1)[1] == date(2024, 3, 31)
    assert quarter_bounds(2025, 4) == (date(2025, 10, 1), date(2025, 12, 31))
    with pytest.raises(ValueError, match="quarter"):
        quarter_bounds(2025, 5)


def test_coverage_radius_is_one_kilometre():
    """000 三(一): 按1公里范围……设置互助养老分点."""
    # 0.009° of latitude is about 1,000.8 m; 0.008° about 889.6 m.
    assert round(distance_m(29.8, 106.7, 29.808, 106.7)) == 890
    assert is_covered((29.8, 106.7), [(29.808, 106.7)])
    assert not is_covered((29.8, 106.7), [(29.809, 106.7)])
    assert not is_covered((29.8, 106.7), [])


def test_rhythm_knock_daily_talk_weekly_help_monthly():
    """000 三(三): 每天“敲敲门”、每周“谈谈心”、每月“帮帮忙”."""
    started = date(2025, 1, 1)
    today = date(2025, 3, 31)
    assert missed_beats([], started, today) == [HelpKind.KNOCK, HelpKind.TALK, HelpKind.HELP]
    # A knock yesterday keeps the daily beat; a 帮帮忙 visit 6 days ago keeps talk and help too.
    records = [(date(2025, 3, 30), HelpKind.KNOCK), (date(2025, 3, 25), HelpKind.HELP)]
    assert missed_beats(records, started, today) == []
    # Only knocks: talk and help missed.
    records = [(date(2025, 3, d), HelpKind.KNOCK) for d in range(1, 32)]
    assert missed_beats(records, started, today) == [HelpKind.TALK, HelpKind.HELP]
    # A talk 8 days ago is too old for the week.
    records = [(date(2025, 3, 31), HelpKind.KNOCK), (date(2025, 3, 23), HelpKind.TALK),
               (date(2025, 3, 10), HelpKind.HELP)]  # fmt: skip
    assert missed_beats(records, started, today) == [HelpKind.TALK]
    # Records after the day checked do not count.
    assert missed_beats([(date(2025, 4, 1), HelpKind.HELP)], started, today) == [
        HelpKind.KNOCK, HelpKind.TALK, HelpKind.HELP]  # fmt: skip


def test_rhythm_is_not_due_before_a_whole_window():
    today = date(2025, 3, 31)
    assert missed_beats([], date(2025, 3, 31), today) == []
    assert missed_beats([], date(2025, 3, 27), today) == [HelpKind.KNOCK]
    assert missed_beats([], date(2025, 3, 25), today) == [HelpKind.KNOCK, HelpKind.TALK]


def test_balance_never_negative():
    assert next_balance(10, -10) == 0
    assert next_balance(0, 5) == 5
    with pytest.raises(ValueError, match="negative"):
        next_balance(10, -11)


def _figures(**overrides):
    values = {"villages": 10, "running_villages": 6, "ledger_elders": 100,
              "paired_ledger_elders": 90, "points": 10_000, "activities": 18, "quarters": 3,
              "funds": Decimal("50000")}  # fmt: skip
    values.update(overrides)
    return TownFigures(**values)


def test_indicators_at_their_targets_are_met():
    """000 三(六)1 (1)–(4) and 000 四, each exactly at its threshold."""
    items = {i.key: i for i in town_indicators(_figures())}
    assert [i.key for i in items.values()] == ["villages", "paired", "points", "activities",
                                               "funds"]  # fmt: skip
    assert all(i.met for i in items.values())
    assert items["villages"].value == Decimal("0.6")
    assert (items["villages"].numerator, items["villages"].denominator) == (6, 10)
    assert items["paired"].value == Decimal("0.9")
    assert items["activities"].target == 18  # running villages × quarters
    assert items["funds"].clause == "000 四"


def test_indicators_one_below_are_not_met():
    items = {
        i.key: i
        for i in town_indicators(
            _figures(
                running_villages=5,
                paired_ledger_elders=89,
                points=9_999,
                activities=14,
                funds=Decimal("49999.99"),
            )  # fmt: skip
        )
    }
    assert not any(i.met for i in items.values())
    # Five running villages × 3 quarters = 15 activities needed.
    assert items["activities"].target == 15


def test_indicators_of_a_town_without_villages():
    """0 / 0 is 不适用 (no data), not 达标."""
    items = {
        i.key: i
        for i in town_indicators(
            _figures(villages=0, running_villages=0, ledger_elders=0, paired_ledger_elders=0)
        )
    }
    assert items["villages"].met is None
    assert items["paired"].met is None  # nobody to pair: no data, not met either
    assert items["activities"].met is None  # no running village: a target of 0 activities
    assert items["villages"].value == 0
    assert items["points"].met is True


def test_no_ledger_elder_in_the_running_villages_is_not_applicable():
    items = {i.key: i for i in town_indicators(_figures(ledger_elders=0, paired_ledger_elders=0))}
    assert items["paired"].met is None
    assert items["villages"].met is True


def test_a_town_outside_the_scope_has_no_indicator_met_or_missed():
    items = town_indicators(_figures(), in_scope=False)
    assert [i.met for i in items] == [None] * 5


@pytest.mark.parametrize(
    ("name", "is_street", "expected"),
    [
        ("木耳镇", False, True),
        ("古路镇", False, True),
        ("龙兴镇", False, False),  # 000 二: 10个镇（不含龙兴镇）
        (" 龙兴镇", False, False),
        ("双凤桥街道", True, False),  # 街道 are not in scope
        ("回兴街道", True, False),
    ],
)
def test_town_scope_of_000_part_two(name, is_street, expected):
    assert town_in_scope(name, is_street) is expected


def test_communities_are_outside_the_scope():
    assert village_in_scope(is_community=False)
    assert not village_in_scope(is_community=True)
