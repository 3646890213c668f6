"""Key or general target: 004 一(四).

"对失能、重病、重残、高龄独居等重点对象，每半月至少上门探访服务1次；对其他特殊困难老年人，
每月至少上门探访服务1次。"
"""

import pytest

from caseman.rules.categories import Reason
from caseman.rules.enums import Category
from caseman.rules.key_target import KeySuggestion, suggest_key

L = Category.LIVING_ALONE
E = Category.EMPTY_NEST
D = Category.DISABLED_CARE
S = Category.SEVERE_DISABILITY


@pytest.mark.parametrize(
    ("age", "categories", "is_key"),
    [
        # 高龄独居 with the default age of 80.
        (79, {L}, False),
        (80, {L}, True),
        (81, {L}, True),
        # 高龄 alone is not enough: the notice says 高龄独居.
        (79, set(), False),
        (80, set(), False),
        (81, set(), False),
        (81, {E}, False),  # 空巢 is not 独居
    ],
)
def test_aged_living_alone_default_age(age, categories, is_key):
    assert suggest_key(categories, has_serious_illness=False, age=age).is_key is is_key


@pytest.mark.parametrize(("age", "is_key"), [(74, False), (75, True), (76, True), (80, True)])
def test_target_age_is_a_setting(age, is_key):
    assert suggest_key({L}, has_serious_illness=False, age=age, target_age=75).is_key is is_key


def test_aged_living_alone_reason_gives_both_ages():
    result = suggest_key({L}, has_serious_illness=False, age=81, target_age=75)
    assert result.reasons == (
        Reason(
            "The elder is %(age)s, aged %(target_age)s or over, and lives alone.",
            {"age": 81, "target_age": 75},
        ),
    )


@pytest.mark.parametrize(
    ("categories", "illness"),
    [
        ({D}, False),  # 失能
        (set(), True),  # 重病
        ({S}, False),  # 重残
        ({D, E}, False),
    ],
)
def test_key_whatever_the_age(categories, illness):
    # 失能, 重病 and 重残 make a key target at any age.
    assert suggest_key(categories, has_serious_illness=illness, age=62).is_key


def test_every_applying_condition_is_a_reason_in_notice_order():
    # Order of 一(四): 失能、重病、重残、高龄独居.
    result = suggest_key({S, L, D}, has_serious_illness=True, age=85)
    assert result.is_key
    assert [r.message for r in result.reasons] == [
        "The elder's ability is impaired (disabled).",
        "The elder has a serious illness.",
        "The elder is severely disabled (grade 1 or 2).",
        "The elder is %(age)s, aged %(target_age)s or over, and lives alone.",
    ]


@pytest.mark.parametrize("target_age", [80, 75])
def test_general_target_reason(target_age):
    # "对其他特殊困难老年人，每月至少上门探访服务1次": general, with the reason none applies.
    result = suggest_key(
        {E, Category.LEFT_BEHIND}, has_serious_illness=False, age=70, target_age=target_age
    )
    assert result == KeySuggestion(
        is_key=False,
        reasons=(
            Reason(
                "None of 失能, 重病, 重残 or aged ≥ %(age)s living alone applies.",
                {"age": target_age},
            ),
        ),
    )
