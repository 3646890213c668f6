"""Pure rules for reading a hand-typed 附件1 ledger (004 附件1 and its 说明)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from caseman.rules.enums import AbilityLevel, Category, Gender, Relation
from caseman.rules.ledger_import import (
    ROUNDED_MESSAGE,
    Relative,
    area_stem,
    close_matches,
    compact,
    default_ability,
    find_header,
    id_number_text,
    parse_categories,
    parse_date,
    parse_gender,
    parse_relative_columns,
    parse_relative_text,
    plain,
    strip_area_path,
)

# 附件1's two-row header as read from a sheet with merged cells (only the top-left cell of a
# merge holds the text; the others read as None).
TOP = ["序号", "姓名", "性别", "常住地址\u3000", "身份证号码", "电话", "亲属情况", None, None,
       "对象\n类型", "责任主体", None, None, None, "上门探访次数", "解决问题数量"]  # fmt: skip
SUB = [None, None, None, None, None, None, "姓名", "亲属 关系", "电话", None, "责任镇街",
       "责任村   （社区）", "责任人", "责任人电话", None, None]  # fmt: skip


def test_two_row_header_of_annex1_maps_every_column():
    rows = [
        ["渝北区特殊困难老年人关爱服务信息台帐"],
        ["填表单位：（盖章）  主要领导审核："],
        TOP,
        SUB,
    ]
    header = find_header(rows)
    assert header is not None
    assert (header.first_row, header.data_row) == (2, 4)
    assert header.columns == {
        "serial": 0, "name": 1, "gender": 2, "address": 3, "id_number": 4, "phone": 5,
        "relative_name": 6, "relative_relation": 7, "relative_phone": 8, "category": 9,
        "town": 10, "village": 11, "responsible_person": 12, "responsible_phone": 13,
    }  # fmt: skip


def test_one_row_header_with_extra_columns_and_other_words():
    rows = [["备注", "老人姓名", "身份证号", "联系电话", "村（社区）", "亲属情况", "乱七八糟"]]
    header = find_header(rows)
    assert header is not None
    assert header.data_row == 1
    assert header.columns == {"note": 0, "name": 1, "id_number": 2, "phone": 3, "village": 4,
                              "relatives": 5}  # fmt: skip


def test_no_header_without_name_and_id_columns():
    assert find_header([["序号", "姓名", "性别", "电话"], [1, "张三", "男", "123"]]) is None
    assert find_header([]) is None


def test_full_width_digits_spaces_and_lower_case_x_become_plain():
    assert compact("５００１１２ １９４４０３０５ ００７ｘ") == "50011219440305007X".replace(
        "X", "x"
    )
    assert plain("  张\u3000秀英  ") == "张 秀英"
    assert compact("张 秀英") == "张秀英"


def test_id_number_stored_as_a_number_is_rounded_and_cannot_be_repaired():
    # Excel keeps 15 significant digits: 500112194403050071 becomes 500112194403050000.
    assert id_number_text(500112194403050000) == ("500112194403050000", ROUNDED_MESSAGE)
    assert id_number_text(5.0011219440305e17)[1] == ROUNDED_MESSAGE
    assert id_number_text("5.00112E+17")[1] == ROUNDED_MESSAGE
    assert id_number_text("50011219440305007x") == ("50011219440305007x", None)
    assert id_number_text(None) == ("", None)


def test_category_words_of_the_annex1_note():
    # 004 附件1 说明: 独居、空巢、农村留守、计生对象、失能、重度残疾老年人、其他关爱对象.
    words = "独居、空巢、农村留守、计生对象、失能、重度残疾老年人、其他关爱对象"
    found, unknown = parse_categories(words)
    assert found == set(Category)
    assert unknown == []
    assert parse_categories("独居老人，失能") == ({Category.LIVING_ALONE, Category.DISABLED_CARE},
                                                 [])  # fmt: skip
    assert parse_categories("困难户") == (set(), ["困难户"])
    assert parse_categories(None) == (set(), [])


def test_disabled_category_means_at_least_mild_disability():
    # 004 一(三)4: 轻度、中度、重度、完全失能 are 失能; the ledger does not say which.
    assert default_ability({Category.DISABLED_CARE}) == AbilityLevel.MILD
    assert default_ability({Category.LIVING_ALONE}) == AbilityLevel.INTACT


def test_gender_words():
    assert parse_gender(" 女 ") == Gender.FEMALE
    assert parse_gender("") is None
    with pytest.raises(ValueError, match="F"):
        parse_gender("F")


def test_relatives_in_one_cell():
    text = "李强 儿子 13987654321；李红（女儿）138-0000-0000\n王大 邻居"
    assert parse_relative_text(text) == [
        Relative("李强", Relation.SON, "13987654321"),
        Relative("李红", Relation.DAUGHTER, "138-0000-0000"),
        Relative("王大邻居", Relation.OTHER, ""),
    ]
    assert parse_relative_text("无") == []
    assert parse_relative_text(None) == []


def test_relatives_in_the_three_sub_columns_one_per_line():
    assert parse_relative_columns("李强\n李红", "儿子\n女儿", 13987654321) == [
        Relative("李强", Relation.SON, "13987654321"),
        Relative("李红", Relation.DAUGHTER, ""),
    ]
    assert parse_relative_columns("无", None, None) == []


def test_dates_as_text_serials_and_dates():
    assert parse_date(45000) == date(2023, 3, 15)  # Excel serial
    assert parse_date("45000") == date(2023, 3, 15)
    assert parse_date("2024年3月5日") == date(2024, 3, 5)
    assert parse_date("2024/3/5") == date(2024, 3, 5)
    assert parse_date("２０２４.０３.０５") == date(2024, 3, 5)
    assert parse_date("20240305") == date(2024, 3, 5)
    assert parse_date(datetime(2024, 3, 5, 0, 0)) == date(2024, 3, 5)
    assert parse_date("") is None
    with pytest.raises(ValueError, match="下周"):
        parse_date("下周")


def test_village_names_spelled_another_way():
    villages = ["金刚村", "白岩村", "草坪村", "金山社区"]
    assert area_stem("白岩村委会") == "白岩"
    assert close_matches("金钢村", villages) == ["金刚村"]  # one character off
    assert close_matches("白岩", villages) == ["白岩村"]  # suffix missing
    assert close_matches("白岩社区", villages) == ["白岩村"]
    assert close_matches("石船村", villages) == []


PATH = ["渝北区", "木耳镇", "白岩村"]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("渝北区木耳镇白岩村2组45号", "2组45号"),  # what the site's 附件1 prints
        ("渝北区木耳镇白岩村 渝北区木耳镇白岩村2组45号", "2组45号"),  # doubled before the fix
        ("木耳镇白岩村2组45号", "2组45号"),
        ("白岩村　2组45号", "2组45号"),  # an ideographic space
        ("2组45号", "2组45号"),
        ("渝北区木耳镇白岩村", ""),
        ("渝北区木耳镇金刚村3组", "渝北区木耳镇金刚村3组"),  # another village: kept
        ("白岩村路12号", "路12号"),  # printed again as 渝北区木耳镇白岩村路12号
        ("", ""),
    ],
)
def test_a_leading_area_path_of_the_elders_area_is_stripped(address, expected):
    assert strip_area_path(address, PATH) == expected


def test_no_area_path_keeps_the_address():
    assert strip_area_path(" 2组 45号 ", []) == "2组 45号"
