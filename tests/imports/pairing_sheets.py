"""Messy pairing ledgers (000 附件2) built with openpyxl, as village offices type them."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook

# 附件2's columns with the elder's and the helper's facts under merged titles, plus the columns a
# ledger kept for import adds (身份证号码, 村（社区）, 结对方式, 小组名称).
TOP = ["序号", "被帮扶老人", None, None, None, None, "身份证号码", "子女情况\n（有无子女）",
       "居住情况\n（独居、双居）", "健康状况\n（自理、失能）", "老人类型", "帮扶人", None, None,
       None, None, "帮扶次数", "备注", "村（社区）", "结对方式", "小组名称"]  # fmt: skip
SUB = [None, "姓名", "性 别", "年龄", "电话", "住址", None, None, None, None, None, "姓名", "性别",
       "年龄", "电话", "住址", None, None, None, None, None]  # fmt: skip


def pairing_row(elder: Any, helper: Any = "王芳", *, id_cell: Any = None, gender: Any = "女",
                age: Any = 82, village: Any = "金刚村", kind: Any = "一对一", group: Any = None,
                children: Any = "有", living: Any = "独居", health: Any = "自理",
                elder_type: Any = "低保", helper_gender: Any = "女", helper_age: Any = 58,
                helper_phone: Any = "13600001111") -> list[Any]:  # fmt: skip
    return [None, elder, gender, age, "13811112222", "金刚村3组", id_cell, children, living,
            health, elder_type, helper, helper_gender, helper_age, helper_phone, "金刚村2组",
            12, None, village, kind, group]  # fmt: skip


def helper_row(helper: Any, helper_gender: Any = "男", helper_age: Any = 45,
               helper_phone: Any = "13900002222") -> list[Any]:  # fmt: skip
    """The next sub-row of a 划片式 group: another helper of the elder above (merged cells)."""
    row: list[Any] = [None] * len(TOP)
    row[11:16] = [helper, helper_gender, helper_age, helper_phone, "金刚村5组"]
    return row


def annex2_workbook(rows: list[list[Any]]) -> bytes:
    """附件2 as printed: title, 填表单位 line, two merged header rows, rows, 说明 line."""
    book = Workbook()
    sheet = book.active
    sheet.append(["渝北区农村互助养老结对帮扶信息台账"])
    sheet.merge_cells("A1:U1")
    sheet.append(["填表单位：（盖章）        审核人：          填报人：          联系电话："])
    sheet.append(TOP)
    sheet.append(SUB)
    for column in "AGHIJKQRSTU":
        sheet.merge_cells(f"{column}3:{column}4")
    sheet.merge_cells("B3:F3")
    sheet.merge_cells("L3:P3")
    serial = 0
    for row in rows:
        row = list(row)
        if row[1] is not None:
            serial += 1
            row[0] = serial
        sheet.append(row)
    sheet.append(["说明：老人类型分为低保、分散特困、失独、残疾、优抚、其他。"])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
