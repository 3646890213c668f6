"""Likely duplicates: issue 20 item 4 (requirements row 7).

004 一(三): "填写《渝北区特殊困难老年人信息登记表》（附件2），逐人建立电子台账"
— one case per person;a one-digit typo of the same person's ID number was saved as a new case.
"""

from datetime import date

import pytest
from stdnum.cn import ric

from caseman.rules.duplicates import (
    DuplicateReason,
    Person,
    duplicate_reasons,
    id_difference,
    nearby_birth_dates,
    same_pinyin,
)
from caseman.rules.enums import Gender
from caseman.rules.id_number import make_id_number, parse_id_number

BORN = date(1940, 3, 15)
ID = make_id_number("500112", BORN, 17, Gender.MALE)


def _with_check(body: str) -> str:
    """A valid number with this 17-digit body (a retyped number gets a fresh check character)."""
    return body + ric.calc_check_digit(body + "0")


def test_same_id():
    assert id_difference(ID, ID.lower()) == DuplicateReason.SAME_ID


@pytest.mark.parametrize("position", [0, 5, 6, 9, 13, 14, 16])
def test_one_digit_typo_with_a_fresh_check_character(position):
    body = ID[:17]
    digit = "7" if body[position] != "7" else "8"
    typo = _with_check(body[:position] + digit + body[position + 1 :])
    assert id_difference(typo, ID) == DuplicateReason.ID_ONE_DIGIT


@pytest.mark.parametrize("position", [0, 5, 8, 13, 15])
def test_transposed_pair(position):
    body = ID[:17]
    if body[position] == body[position + 1]:
        pytest.skip("equal neighbours")
    swapped = body[:position] + body[position + 1] + body[position] + body[position + 2 :]
    assert id_difference(_with_check(swapped), ID) == DuplicateReason.ID_TRANSPOSED


def test_two_digits_apart_or_a_far_swap_is_not_near():
    body = ID[:17]
    two = body[:2] + "99" + body[4:] if body[2:4] != "99" else body[:2] + "88" + body[4:]
    assert id_difference(_with_check(two), ID) is None
    far = body[0] + body[3] + body[2] + body[1] + body[4:]  # 1st and 3rd swapped: not adjacent
    if far != body:
        assert id_difference(_with_check(far), ID) is None
    assert id_difference("", ID) is None


def test_same_name_and_birth_date_is_a_duplicate_with_another_id():
    other = make_id_number("500113", BORN, 3, Gender.MALE)  # another county, same birth date
    reasons = duplicate_reasons(Person("张三丰", BORN, other), Person("张 三丰", BORN, ID))
    assert reasons == [DuplicateReason.SAME_NAME_BIRTH]


def test_same_pinyin_other_characters_and_birth_date():
    other = make_id_number("500113", BORN, 3, Gender.MALE)
    assert same_pinyin("张三丰", "章三峰")
    reasons = duplicate_reasons(Person("章三峰", BORN, other), Person("张三丰", BORN, ID))
    assert reasons == [DuplicateReason.SAME_PINYIN_BIRTH]


def test_same_name_other_birth_date_is_not_a_duplicate():
    other_born = date(1941, 3, 15)
    other = make_id_number("500113", other_born, 3, Gender.MALE)
    assert duplicate_reasons(Person("张三丰", other_born, other), Person("张三丰", BORN, ID)) == []


def test_pinyin_needs_every_character_alike():
    assert not same_pinyin("张三丰", "张三")
    assert not same_pinyin("张三丰", "王三丰")
    assert same_pinyin("单丽", "山丽")  # 单 reads shan as a surname


def test_id_and_name_reasons_together():
    typo = _with_check(ID[:16] + ("1" if ID[16] != "1" else "3"))
    reasons = duplicate_reasons(Person("张三丰", BORN, typo), Person("张三丰", BORN, ID))
    assert reasons == [DuplicateReason.ID_ONE_DIGIT, DuplicateReason.SAME_NAME_BIRTH]


def test_every_near_id_has_a_nearby_birth_date():
    """The query reads cases by birth date: every near-miss number must fall in the set."""
    today = date(2026, 12, 5)
    body = ID[:17]
    dates = nearby_birth_dates(BORN)
    variants = []
    for i in range(17):
        for digit in "0123456789":
            variants.append(body[:i] + digit + body[i + 1 :])
        if i < 16:
            variants.append(body[:i] + body[i + 1] + body[i] + body[i + 2 :])
    checked = 0
    for variant in variants:
        try:
            info = parse_id_number(_with_check(variant), today)
        except ValueError:
            continue
        if id_difference(info.number, ID) is not None:
            assert info.birth_on in dates, variant
            checked += 1
    assert checked > 50
    assert len(dates) <= 80
    assert BORN in dates
    assert date(1940, 3, 11) in dates  # 19400311: one digit


def test_nearby_dates_include_a_swap_inside_the_date():
    assert date(1904, 3, 15) in nearby_birth_dates(date(1940, 3, 15))  # 19400315 -> 19040315
    assert date(1940, 3, 15) in nearby_birth_dates(date(1940, 3, 5))  # 19400305: one digit


def test_a_near_number_with_another_name_is_not_a_duplicate():
    """Two people born on one day in one county get numbers one sequence digit apart: the near
    number counts only with a name alike (the same person's typo keeps the name)."""
    neighbour = make_id_number("500112", BORN, 16, Gender.MALE)  # sequence 016 beside 017
    assert id_difference(neighbour, ID) == DuplicateReason.ID_ONE_DIGIT
    assert duplicate_reasons(Person("李桂兰", BORN, neighbour), Person("张三丰", BORN, ID)) == []
    assert duplicate_reasons(Person("章三峰", BORN, neighbour), Person("张三丰", BORN, ID)) == [
        DuplicateReason.ID_ONE_DIGIT,
        DuplicateReason.SAME_PINYIN_BIRTH,
    ]
