"""Search keys of names, ID numbers and phones (caseman.rules.pinyin).

Issue 6 item 1: a person is found by part of the name, its pinyin (full, initials or mixed), the
trailing digits of the ID number (4 or more) or phone digits; surnames with a special reading
(单 shan, 曾 zeng, 仇 qiu, 解 xie, 区 ou) are found by that reading.
"""

from __future__ import annotations

import pytest

from caseman.rules.pinyin import (
    ID_TAIL,
    NAME,
    PHONE,
    PINYIN,
    elder_keys,
    id_key,
    name_keys,
    normalise,
    phone_keys,
    pinyin_keys,
    prefix_bounds,
    query_keys,
)


def _found(keys: set[str], namespace: str, typed: str) -> bool:
    lower, upper = prefix_bounds(namespace + typed)
    return any(lower <= key < upper for key in keys)


def test_name_suffixes_make_every_substring_a_prefix():
    keys = name_keys("张三丰")
    assert keys == {NAME + "张三丰", NAME + "三丰", NAME + "丰"}
    for typed in ("张", "三", "丰", "张三", "三丰", "张三丰"):
        assert _found(keys, NAME, typed), typed
    assert not _found(keys, NAME, "丰三")


@pytest.mark.parametrize(
    "typed", ["zhangsanfeng", "zsf", "zhangsf", "zsanfeng", "zhang", "sanfeng", "sf", "feng", "zs"]
)
def test_pinyin_full_initials_and_mixed(typed):
    assert _found(pinyin_keys("张三丰"), PINYIN, typed)


@pytest.mark.parametrize("typed", ["zhangsanfang", "sz", "fsz"])
def test_pinyin_that_is_not_the_name(typed):
    assert not _found(pinyin_keys("张三丰"), PINYIN, typed)


@pytest.mark.parametrize(
    ("name", "typed"),
    [("单田芳", "shantianfang"), ("单田芳", "stf"), ("曾国藩", "zengguofan"), ("曾国藩", "zgf"),
     ("仇英", "qiuying"), ("解缙", "xiejin"), ("区华", "ouhua"), ("朴正", "piaozheng"),
     ("吕秀英", "lvxiuying"), ("吕秀英", "luxiuying")],
)  # fmt: skip
def test_heteronym_surnames_are_found_by_their_surname_reading(name, typed):
    assert _found(pinyin_keys(name), PINYIN, typed)


def test_long_names_have_bounded_keys():
    keys = pinyin_keys("单曾仇解区朴乐长")  # 3×2×3×2×2×3×2×2 readings: too many to mix all
    for typed in ("shan", "dan", "dancengchou", "sccjqplz", "shanccjqplz", "zhang"):
        assert _found(keys, PINYIN, typed), typed
    assert len(keys) < 500


def test_id_tail_is_a_prefix_of_the_reversed_number():
    keys = id_key("50011219440601101x")
    assert keys == {ID_TAIL + "50011219440601101X"[::-1]}
    for namespace, value in query_keys("101x"):
        if namespace == ID_TAIL:
            assert _found(keys, ID_TAIL, value)
    assert [v for n, v in query_keys("50011219440601101X") if n == ID_TAIL] == [
        "50011219440601101X"[::-1]
    ]


def test_phone_digits_of_four_or_more():
    keys = phone_keys("138-0000-1111", "")
    assert _found(keys, PHONE, "1111")
    assert _found(keys, PHONE, "00001111")
    assert _found(keys, PHONE, "13800001111")
    assert not any(len(k) - 1 < 4 for k in keys)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("张", [(NAME, "张")]), (" 张 三 ", [(NAME, "张三")]), ("ZSF", [(PINYIN, "zsf")]),
     ("z", []), ("123", []), ("１２３４", [(ID_TAIL, "4321"), (PHONE, "1234")]),
     ("1234x", [(ID_TAIL, "X4321")]), ("张sf", [])],
)  # fmt: skip
def test_query_kinds(typed, expected):
    assert query_keys(typed) == expected


def test_normalise_full_width_and_separators():
    assert normalise("Ａｌｉ·Ｍｕ ") == "alimu"


def test_elder_keys_cover_every_kind():
    keys = elder_keys("王五", "500112194406011010", "13800004444")
    assert {k[0] for k in keys} == {NAME, PINYIN, ID_TAIL, PHONE}
