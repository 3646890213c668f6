"""Messy 附件1 ledgers built with openpyxl, as town offices type them."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from openpyxl import Workbook

from caseman.rules.enums import Gender
from caseman.rules.id_number import make_id_number
from tests.conftest import TODAY

TOP = ["序号", "姓名", "性别", "常住地址", "身份证号码", "电话", "亲属情况", None, None,
       "对象\n类型", "责任主体", None, None, None, "上门探访次数", "解决问题数量"]  # fmt: skip
SUB = [None, None, None, None, None, None, "姓名", "亲属 关系", "电话", None, "责任镇街",
       "责任村   （社区）", "责任人", "责任人电话", None, None]  # fmt: skip


def id_number(serial: int, gender: Gender = Gender.FEMALE, age: int = 82) -> str:
    return make_id_number("500112", date(TODAY.year - age, 3, 5), serial, gender)


def id_ending_in_x() -> str:
    for serial in range(500):
        number = id_number(serial, Gender.MALE, 75)
        if number.endswith("X"):
            return number
    raise AssertionError("no X")


SON = ("李强", "儿子", "13987654321")


def ledger_row(
    name: Any,
    gender: Any,
    id_cell: Any,
    village: Any = "金刚村",
    *,
    category: Any = "独居",
    relative: tuple[Any, Any, Any] = SON,
    phone: Any = "13812345678",
    town: Any = "木耳镇",
) -> list[Any]:
    return [None, name, gender, "3组45号", id_cell, phone, *relative, category, town, village,
            "王芳", "13500000000", 2, 0]  # fmt: skip


def annex1_workbook(rows: list[list[Any]], *, blank_after: int | None = None) -> bytes:
    """附件1 as the site prints it: title, 填表单位 line, two merged header rows, 说明 line."""
    book = Workbook()
    sheet = book.active
    sheet.append(["渝北区特殊困难老年人关爱服务信息台帐"])
    sheet.merge_cells("A1:P1")
    sheet.append(["填表单位：（盖章）  主要领导审核：      填报人：        填表日期："])
    sheet.append(TOP)
    sheet.append(SUB)
    for column in "ABCDEFJOP":
        sheet.merge_cells(f"{column}3:{column}4")
    sheet.merge_cells("G3:I3")
    sheet.merge_cells("K3:N3")
    for index, row in enumerate(rows, start=1):
        row = list(row)
        row[0] = index
        sheet.append(row)
        if blank_after == index:
            sheet.append([])
    sheet.append(
        ["说明：对象类型分为独居、空巢、农村留守、计生对象、失能、重度残疾老年人、其他关爱对象。"]
    )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
