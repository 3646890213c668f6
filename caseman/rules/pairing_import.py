"""Reading a hand-typed pairing ledger (000 附件2, 结对帮扶信息台账) row by row.

Pure functions, no Flask, no database. The annex's columns (ANNEXES.md) are 序号
被帮扶老人姓名 性别 年龄 电话 住址 子女情况（有无子女） 居住情况（独居、双居）
健康状况（自理、失能） 老人类型 帮扶人姓名 性别 年龄 电话 住址 帮扶次数 备注.
性别, 年龄, 电话 and 住址 appear twice: left of 帮扶人姓名 they are the elder's, right of it
the helper's (or, in a merged two-row header, under a 被帮扶老人 / 帮扶人 title). A ledger
kept for import may add 身份证号码 (the elder's, to match the case file), 村（社区） and 镇街
(which village), 结对方式 (“一对一” or “划片式”, 000 三(三)) and 小组名称 (the 划片式 group).
"""

from __future__ import annotations

from typing import Any

from caseman.rules.enums import N_
from caseman.rules.ledger_import import HEADER_SEARCH_ROWS, Header, compact, title_key
from caseman.rules.mutual_aid import AidElderType, Living, PairingKind

# Titles that are the same on both sides: which side depends on where they stand.
SHARED = {"性别": "gender", "年龄": "age", "电话": "phone", "联系电话": "phone", "住址": "address",
          "地址": "address", "姓名": "name"}  # fmt: skip
TITLES: dict[str, str] = {
    "序号": "serial",
    "被帮扶老人姓名": "elder_name",
    "老人姓名": "elder_name",
    "被帮扶对象姓名": "elder_name",
    "身份证号码": "elder_id_number",
    "身份证号": "elder_id_number",
    "居民身份证号码": "elder_id_number",
    "老人身份证号码": "elder_id_number",
    "子女情况(有无子女)": "children",
    "子女情况": "children",
    "有无子女": "children",
    "居住情况(独居、双居)": "living",
    "居住情况": "living",
    "健康状况(自理、失能)": "health",
    "健康状况": "health",
    "老人类型": "elder_type",
    "帮扶人姓名": "helper_name",
    "帮扶人": "helper_name",
    "帮扶次数": "ignored",
    "备注": "note",
    "村(社区)": "village",
    "行政村": "village",
    "行政村名称": "village",
    "村社区": "village",
    "村": "village",
    "镇街": "town",
    "镇(街道)": "town",
    "乡镇(街道)": "town",
    "结对方式": "kind",
    "帮扶方式": "kind",
    "结对类型": "kind",
    "结对帮扶方式": "kind",
    "小组名称": "group",
    "划片小组": "group",
    "组名": "group",
}
# A merged upper title over the sub-columns of one side.
ELDER_PARENTS = ("被帮扶老人", "被帮扶对象", "老人情况", "老人信息")
HELPER_PARENTS = ("帮扶人", "帮扶人员", "帮扶人情况", "帮扶人信息")
REQUIRED_FIELDS = ("elder_name", "helper_name")

COLUMN_LABELS: dict[str, str] = {
    "elder_name": "被帮扶老人姓名", "elder_gender": "性别", "elder_age": "年龄",
    "elder_phone": "电话", "elder_address": "住址", "elder_id_number": "身份证号码",
    "children": "子女情况（有无子女）", "living": "居住情况（独居、双居）",
    "health": "健康状况（自理、失能）", "elder_type": "老人类型", "helper_name": "帮扶人姓名",
    "helper_gender": "帮扶人性别", "helper_age": "帮扶人年龄", "helper_phone": "帮扶人电话",
    "helper_address": "帮扶人住址", "note": "备注", "village": "村（社区）", "town": "镇街",
    "kind": "结对方式", "group": "小组名称",
}  # fmt: skip


def find_header(rows: list[list[Any]]) -> Header | None:
    """Find the 附件2 header among the first rows (one row, or two merged rows).

    A header names the elder (被帮扶老人姓名, or 姓名 under a merged 被帮扶老人) and the helper
    (帮扶人姓名, or 姓名 under 帮扶人). A shared title (性别, 年龄, 电话, 住址) is the helper's
    under a merged 帮扶人 title or right of the 帮扶人姓名 column, else the elder's."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        top = [title_key(cell) for cell in row]
        if not any(
            k in ELDER_PARENTS or k in HELPER_PARENTS or TITLES.get(k) in REQUIRED_FIELDS
            for k in top
        ):
            continue  # the title, the 填表单位 line …
        below = [title_key(cell) for cell in rows[index + 1]] if index + 1 < len(rows) else []
        two_rows = any(k in SHARED or k in TITLES for k in below if k)
        columns: dict[str, int] = {}
        titles: dict[str, str] = {}
        parent = ""
        side = "elder"
        for column in range(max(len(top), len(below) if two_rows else 0)):
            upper = top[column] if column < len(top) else ""
            if upper:
                parent = upper
            lower = below[column] if two_rows and column < len(below) else ""
            key = lower or upper
            if lower and parent in ELDER_PARENTS:
                side = "elder"
            elif lower and parent in HELPER_PARENTS:
                side = "helper"
            field = f"{side}_{SHARED[key]}" if key in SHARED else TITLES.get(key, "")
            if field in ("elder_name", "helper_name"):
                side = field.split("_")[0]  # the shared titles after it are this side's
            if field and field != "ignored" and field not in columns:
                columns[field] = column
                titles[field] = key
        if all(name in columns for name in REQUIRED_FIELDS):
            return Header(index, index + (2 if two_rows else 1), columns, titles)
    return None


# --- Small cells (each raises ValueError for a word it does not know) ---------------------------

KIND_WORDS = {"一对一": PairingKind.ONE_TO_ONE, "划片式": PairingKind.AREA_GROUP,
              "划片": PairingKind.AREA_GROUP}  # fmt: skip
LIVING_WORDS = {"独居": Living.ALONE, "双居": Living.COUPLE}
ELDER_TYPE_WORDS = {"低保": AidElderType.DIBAO, "分散特困": AidElderType.DISPERSED_POVERTY,
                    "特困": AidElderType.DISPERSED_POVERTY, "失独": AidElderType.LOST_ONLY_CHILD,
                    "残疾": AidElderType.DISABLED, "优抚": AidElderType.ENTITLED,
                    "其他": AidElderType.OTHER}  # fmt: skip


def _word(value: Any) -> str:
    return compact(value).strip("“”\"'")


def parse_kind(value: Any) -> PairingKind:
    """结对方式: 一对一 (also when blank: the annex's default) or 划片式 (000 三(三))."""
    text = _word(value)
    if not text:
        return PairingKind.ONE_TO_ONE
    if text in KIND_WORDS:
        return KIND_WORDS[text]
    raise ValueError(text)


def parse_children(value: Any) -> bool:
    """子女情况（有无子女）: 有 / 无 (有子女, 无子女); blank is 无."""
    text = _word(value)
    if text in ("", "无", "无子女", "没有", "否"):
        return False
    if text in ("有", "有子女", "是") or (text.startswith("有") and "无" not in text):
        return True
    raise ValueError(text)


def parse_living(value: Any) -> Living:
    """居住情况（独居、双居）: blank is refused (the annex asks for one of the two)."""
    text = _word(value)
    if text in LIVING_WORDS:
        return LIVING_WORDS[text]
    raise ValueError(text)


def parse_health(value: Any) -> bool:
    """健康状况（自理、失能）: True for 失能 (is_disabled); blank is 自理."""
    text = _word(value)
    if text in ("", "自理"):
        return False
    if text in ("失能", "半失能", "部分失能", "完全失能"):
        return True
    raise ValueError(text)


def parse_elder_type(value: Any) -> AidElderType:
    """老人类型: “老人类型分为低保、分散特困、失独、残疾、优抚、其他” (000 附件2 说明)."""
    text = _word(value)
    if not text:
        return AidElderType.OTHER
    if text in ELDER_TYPE_WORDS:
        return ELDER_TYPE_WORDS[text]
    raise ValueError(text)


def birth_year(value: Any, year: int) -> int | None:
    """年龄 as typed (72, 72岁, ７２) → the birth year; ValueError if not an age of 1–120."""
    text = compact(value).removesuffix("岁").removesuffix("周岁")
    if not text:
        return None
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or not 0 < int(text) <= 120:
        raise ValueError(text)
    return year - int(text)


AGE_MESSAGE = N_("Write the age in years.")
