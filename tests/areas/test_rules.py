"""Checks of an area-tree sheet (caseman.rules.area_tree): no database."""

from __future__ import annotations

from caseman.rules.area_tree import check_sheet, find_header, kind_for


def _check(rows, header=("镇（街道）", "村（社区）", "村民小组", "区划代码"), district="渝北区"):
    table = [list(header), *rows]
    found = find_header(table)
    assert found is not None
    return check_sheet(enumerate(table, start=1), found, district)


def _messages(result):
    return [(p.row, p.column, p.message) for p in result.problems]


def test_kind_follows_the_name():
    assert kind_for("王家街道", "town") == "street"
    assert kind_for("木耳镇", "town") == "town"
    assert kind_for("回兴社区", "village") == "community"
    assert kind_for("金刚村", "village") == "village"
    assert kind_for("一组", "group") == "group"


def test_header_titles_are_recognised_with_spaces_and_ascii_brackets():
    found = find_header([["说明"], ["镇 (街道)", "村（社区）", "组", "区划代码"]])
    assert found is not None
    assert found.row_number == 2
    assert found.columns == {"town": 0, "village": 1, "group": 2, "code": 3}
    assert found.unknown == []


def test_no_header_without_town_and_village_columns():
    assert find_header([["姓名", "身份证号码"]]) is None


def test_unknown_header_is_a_problem():
    header = ("镇", "村", "组", "代码", "备注栏")
    result = _check([["木耳镇", "金刚村", "", "", "x"]], header=header)
    assert (1, "", "Unknown column title %(title)s: remove or rename the column.") in _messages(
        result
    )


def test_good_rows_pass():
    result = _check([["木耳镇", "金刚村", "一组", ""], ["木耳镇", "金刚村", "二组", ""],
                     ["王家街道", "回兴社区", "", "500112003001"]])  # fmt: skip
    assert result.problems == []
    assert [(r.town, r.village, r.group) for r in result.rows] == [
        ("木耳镇", "金刚村", "一组"), ("木耳镇", "金刚村", "二组"), ("王家街道", "回兴社区", ""),
    ]  # fmt: skip
    assert {r.district for r in result.rows} == {"渝北区"}


def test_blank_cells_long_names_and_bad_codes():
    result = _check([["", "金刚村", "", ""], ["木耳镇", "", "", ""],
                     ["木耳镇", "村" * 33, "", ""], ["木耳镇", "白岩村", "", "50A"]])  # fmt: skip
    assert _messages(result) == [
        (2, "town", "The cell is blank."),
        (3, "village", "The cell is blank."),
        (4, "village", "The name is longer than %(limit)d characters."),
        (5, "code", "A division code (区划代码) is up to 12 digits."),
    ]
    assert result.rows == []


def test_duplicate_rows_and_codes():
    result = _check([["木耳镇", "金刚村", "", "500112100200"], ["木耳镇", "金刚村", "", ""],
                     ["木耳镇", "白岩村", "", "500112100200"]])  # fmt: skip
    assert [(row, message) for row, _column, message in _messages(result)] == [
        (3, "The same area is already on row %(row)d."),
        (4, "The division code %(code)s is already on row %(row)d."),
    ]


def test_a_village_under_two_towns_is_refused_unless_the_codes_tell_them_apart():
    result = _check([["木耳镇", "金刚村", "", ""], ["古路镇", "金刚村", "", ""]])
    assert [(p.row, p.column) for p in result.problems] == [(3, "village")]
    assert dict(result.problems[0].params)["town"] == "木耳镇"
    coded = _check([["木耳镇", "新村", "", "500112100001"], ["古路镇", "新村", "", "500112101001"]])
    assert coded.problems == []


def test_no_district_anywhere_is_a_problem():
    result = _check([["木耳镇", "金刚村", "", ""]], district="")
    assert _messages(result) == [(2, "district", "No district: add a district column or name it.")]


def test_district_column_wins_over_the_default():
    result = _check([["江北区", "木耳镇", "金刚村"]], header=("区", "镇", "村"))
    assert result.rows[0].district == "江北区"


def test_empty_sheet_body_is_a_problem():
    result = _check([])
    assert _messages(result) == [(0, "", "The sheet has a header but no rows of areas.")]
