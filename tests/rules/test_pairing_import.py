"""Reading the pairing ledger of 渝北民〔2023〕23号 (seed 000, 附件2 结对帮扶信息台账)."""

from __future__ import annotations

import pytest

from caseman.rules.mutual_aid import AidElderType, Living, PairingKind
from caseman.rules.pairing_import import (
    birth_year,
    find_header,
    parse_children,
    parse_elder_type,
    parse_health,
    parse_kind,
    parse_living,
)

# 000 附件2, one header row, verbatim column titles (ANNEXES.md).
ANNEX2 = ["序号", "被帮扶老人姓名", "性别", "年龄", "电话", "住址", "子女情况\n（有无子女）",
          "居住情况\n（独居、双居）", "健康状况\n（自理、失能）", "老人类型", "帮扶人姓名", "性别",
          "年龄", "电话", "住址", "帮扶次数", "备注"]  # fmt: skip


def test_the_annex_header_in_one_row_splits_the_repeated_titles_at_the_helper_name():
    data = [1, "陈老汉", "男", 83, "13711112222", "3组", "有", "双居", "自理", "其他", "王芳"]
    rows = [["渝北区农村互助养老结对帮扶信息台账"], ["填表单位：（盖章）"], ANNEX2, data]
    header = find_header(rows)
    assert header is not None
    assert (header.first_row, header.data_row) == (2, 3)
    assert header.columns == {
        "serial": 0, "elder_name": 1, "elder_gender": 2, "elder_age": 3, "elder_phone": 4,
        "elder_address": 5, "children": 6, "living": 7, "health": 8, "elder_type": 9,
        "helper_name": 10, "helper_gender": 11, "helper_age": 12, "helper_phone": 13,
        "helper_address": 14, "note": 16,
    }  # fmt: skip


def test_a_merged_two_row_header_takes_the_side_from_the_upper_title():
    top = ["序号", "被帮扶老人", None, None, "身份证号码", "帮扶人", None, "村（社区）", "结对方式"]
    sub = [None, "姓名", "性 别", "电话", None, "姓名", "电话", None, None]
    header = find_header([top, sub, [1, "陈老汉"]])
    assert header is not None
    assert (header.first_row, header.data_row) == (0, 2)
    assert header.columns == {
        "serial": 0, "elder_name": 1, "elder_gender": 2, "elder_phone": 3, "elder_id_number": 4,
        "helper_name": 5, "helper_phone": 6, "village": 7, "kind": 8,
    }  # fmt: skip


def test_no_header_without_both_names():
    assert find_header([["序号", "被帮扶老人姓名", "性别"], [1, "陈老汉", "男"]]) is None
    assert find_header([["姓名", "身份证号码", "电话"]]) is None


def test_pairing_kinds_of_000_part_3_3():
    # 000 三(三): “一对一”结对帮扶 and “划片式” groups; the annex has no column, so blank is 一对一.
    assert parse_kind("") is PairingKind.ONE_TO_ONE
    assert parse_kind("“一对一”") is PairingKind.ONE_TO_ONE
    assert parse_kind(" 划片式 ") is PairingKind.AREA_GROUP
    with pytest.raises(ValueError, match="结对"):
        parse_kind("结对")


def test_the_annex_columns_words():
    # 附件2: 子女情况（有无子女）, 居住情况（独居、双居）, 健康状况（自理、失能）.
    assert parse_children("有") is True
    assert parse_children("有子女") is True
    assert parse_children("无") is False
    assert parse_children(None) is False
    with pytest.raises(ValueError, match="不详"):
        parse_children("不详")
    assert parse_living("独居") is Living.ALONE
    assert parse_living("双 居") is Living.COUPLE
    with pytest.raises(ValueError, match="^$"):
        parse_living("")
    assert parse_health("自理") is False
    assert parse_health("失能") is True
    assert parse_health("") is False
    with pytest.raises(ValueError, match="良好"):
        parse_health("良好")


def test_elder_types_of_the_annex_note():
    # 附件2 说明: “老人类型分为低保、分散特困、失独、残疾、优抚、其他”.
    words = ["低保", "分散特困", "失独", "残疾", "优抚", "其他"]
    assert [parse_elder_type(w) for w in words] == list(AidElderType)
    assert parse_elder_type("") is AidElderType.OTHER
    with pytest.raises(ValueError, match="五保"):
        parse_elder_type("五保")


def test_ages_as_typed():
    assert birth_year(82, 2026) == 1944
    assert birth_year("８２岁", 2026) == 1944  # full-width digits
    assert birth_year(82.0, 2026) == 1944
    assert birth_year(None, 2026) is None
    for bad in ("八十", "0", "130", "-3"):
        with pytest.raises(ValueError, match=bad):
            birth_year(bad, 2026)
