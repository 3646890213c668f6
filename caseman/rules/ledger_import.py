"""Reading a hand-typed 附件1 ledger (渝北区特殊困难老年人关爱服务信息台帐) row by row.

Pure functions, no Flask, no database: find the header and its columns by their titles, make
cell text plain (full-width digits, stray spaces), tell an ID number Excel has rounded, map the
ledger's 对象类型 words to categories (004 附件1 说明), parse the 亲属情况 cells and Excel dates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from difflib import SequenceMatcher
from typing import Any

from caseman.rules.enums import N_, AbilityLevel, Category, Gender, Relation

HEADER_SEARCH_ROWS = 15  # the title, the 填表单位 line and the header fit in the first rows

# Leaf column titles of 附件1 (and the words town offices use instead) → field.
TITLES: dict[str, str] = {
    "序号": "serial",
    "姓名": "name",
    "老人姓名": "name",
    "性别": "gender",
    "常住地址": "address",
    "居住地址": "address",
    "住址": "address",
    "地址": "address",
    "身份证号码": "id_number",
    "身份证号": "id_number",
    "身份证": "id_number",
    "公民身份号码": "id_number",
    "居民身份证号码": "id_number",
    "电话": "phone",
    "联系电话": "phone",
    "手机": "phone",
    "亲属情况": "relatives",
    "亲属关系": "relative_relation",
    "关系": "relative_relation",
    "对象类型": "category",
    "对象类别": "category",
    "类型": "category",
    "责任镇街": "town",
    "镇街": "town",
    "镇(街道)": "town",
    "乡镇(街道)": "town",
    "责任村(社区)": "village",
    "村(社区)": "village",
    "村社区": "village",
    "村": "village",
    "责任人": "responsible_person",
    "责任人电话": "responsible_phone",
    "能力程度": "ability_level",
    "建档日期": "filed_on",
    "残疾证号": "disability_certificate_no",
    "残疾等级": "disability_grade",
    "备注": "note",
    "上门探访次数": "ignored",
    "解决问题数量": "ignored",
}
# Under the merged 亲属情况 title, 姓名 and 电话 are the relative's.
RELATIVE_SUBTITLES = {
    "姓名": "relative_name",
    "电话": "relative_phone",
    "联系电话": "relative_phone",
}
REQUIRED_FIELDS = ("name", "id_number")

# The official column titles, for messages and the error report.
COLUMN_LABELS: dict[str, str] = {
    "name": "姓名", "gender": "性别", "address": "常住地址", "id_number": "身份证号码",
    "phone": "电话", "relatives": "亲属情况", "relative_name": "亲属情况", "relative_relation":
    "亲属情况", "relative_phone": "亲属情况", "category": "对象类型", "town": "责任镇街",
    "village": "责任村（社区）", "responsible_person": "责任人", "responsible_phone": "责任人电话",
    "ability_level": "能力程度", "filed_on": "建档日期", "disability_certificate_no": "残疾证号",
    "disability_grade": "残疾等级", "note": "备注",
}  # fmt: skip


def plain(value: Any) -> str:
    """Cell text as typed, made plain: full-width forms to ASCII (NFKC), trimmed, one space."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


def compact(value: Any) -> str:
    """Cell text without any whitespace (names, ID numbers and phones typed with spaces)."""
    return "".join(plain(value).split())


def title_key(value: Any) -> str:
    """A header title made comparable: no whitespace or line breaks, ASCII brackets."""
    return compact(value)


@dataclass(frozen=True)
class Header:
    """Where the header is (0-based row indexes) and which column holds which field."""

    first_row: int
    data_row: int  # the first row after the header
    columns: dict[str, int]  # field → 0-based column
    titles: dict[str, str]  # field → the title as found in the sheet


def find_header(rows: list[list[Any]]) -> Header | None:
    """Find the header among the first rows; tolerate a merged two-row header (附件1's layout).

    A header row has at least three known titles including 姓名 and a 身份证 title. When the
    row below names sub-columns (亲属情况 → 姓名 · 亲属关系 · 电话; 责任主体 → 责任镇街 …), each
    column takes its title from the lower row, falling back to the upper row.
    """
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [title_key(cell) for cell in row]
        found = {TITLES[k] for k in keys if k in TITLES}
        if not all(name in found for name in REQUIRED_FIELDS) or len(found) < 3:
            continue
        below = [title_key(cell) for cell in rows[index + 1]] if index + 1 < len(rows) else []
        two_rows = any(k in TITLES or k in RELATIVE_SUBTITLES for k in below if k) and not any(
            TITLES.get(k) == "id_number" for k in below
        )
        columns: dict[str, int] = {}
        titles: dict[str, str] = {}
        parent = ""
        width = max(len(keys), len(below) if two_rows else 0)
        for column in range(width):
            top = keys[column] if column < len(keys) else ""
            if top:
                parent = top
            lower = below[column] if two_rows and column < len(below) else ""
            field = _field_of(lower, parent) if lower else TITLES.get(top, "")
            if field and field != "ignored" and field not in columns:
                columns[field] = column
                titles[field] = lower or top
        return Header(index, index + (2 if two_rows else 1), columns, titles)
    return None


def _field_of(title: str, parent: str) -> str:
    if parent == "亲属情况" and title in RELATIVE_SUBTITLES:
        return RELATIVE_SUBTITLES[title]
    if parent == "亲属情况" and title in ("亲属关系", "关系"):
        return "relative_relation"
    return TITLES.get(title, "")


# --- ID numbers -------------------------------------------------------------------------------

ROUNDED_MESSAGE = N_(
    "Excel stored this ID number as a number and lost its last digits; it cannot be repaired. "
    "Type the full number again as text."
)


def id_number_text(value: Any) -> tuple[str, str | None]:
    """The ID number typed in a cell, and the problem Excel made of it (a msgid) if any.

    Excel keeps 15 significant digits: an 18-digit number stored as a number (or shown as
    5.00112E+17 and saved as text) has lost its last three digits for good.
    """
    if isinstance(value, bool):
        return str(value), None
    if isinstance(value, int | float):
        if value >= 1e14:
            return f"{int(Decimal(repr(value)))}", ROUNDED_MESSAGE
        return plain(value), None
    text = compact(value)
    if re.fullmatch(r"\d(\.\d+)?E\+\d+", text.upper()):
        return text, ROUNDED_MESSAGE
    return text, None


# --- Small cells ------------------------------------------------------------------------------

GENDER_WORDS = {"男": Gender.MALE, "女": Gender.FEMALE}


def parse_gender(value: Any) -> Gender | None:
    """男 / 女 (None when blank); raises ValueError for anything else."""
    text = compact(value)
    if not text:
        return None
    if text in GENDER_WORDS:
        return GENDER_WORDS[text]
    raise ValueError(text)


def parse_phone(value: Any) -> str:
    """A phone as digits (with - between area code and number); blank stays blank."""
    text = compact(value).replace("—", "-").replace("－", "-")
    return text


PHONE_PATTERN = re.compile(r"^[0-9+\- ]{7,20}$")  # as the registration form's PHONE validator


def phone_is_valid(phone: str) -> bool:
    return not phone or bool(PHONE_PATTERN.fullmatch(phone))


# 004 附件1 说明: 对象类型分为独居、空巢、农村留守、计生对象、失能、重度残疾老年人、其他关爱对象.
CATEGORY_WORDS: dict[str, Category] = {
    "独居": Category.LIVING_ALONE,
    "孤寡": Category.LIVING_ALONE,
    "空巢": Category.EMPTY_NEST,
    "农村留守": Category.LEFT_BEHIND,
    "留守": Category.LEFT_BEHIND,
    "计生对象": Category.FAMILY_PLANNING,
    "计生": Category.FAMILY_PLANNING,
    "计划生育特殊家庭": Category.FAMILY_PLANNING,
    "失独": Category.FAMILY_PLANNING,
    "失能": Category.DISABLED_CARE,
    "重度残疾": Category.SEVERE_DISABILITY,
    "重残": Category.SEVERE_DISABILITY,
    "其他关爱对象": Category.OTHER,
    "其他": Category.OTHER,
}
_CATEGORY_SUFFIXES = ("老年人", "老人", "对象")


def parse_categories(value: Any) -> tuple[set[Category], list[str]]:
    """The categories named in a 对象类型 cell, and the words that are not a category."""
    found: set[Category] = set()
    unknown: list[str] = []
    for word in re.split(r"[、,，/;；\s]+", plain(value)):
        if not word:
            continue
        key = word
        if key not in CATEGORY_WORDS:
            for suffix in _CATEGORY_SUFFIXES:
                if key.endswith(suffix) and key[: -len(suffix)] in CATEGORY_WORDS:
                    key = key[: -len(suffix)]
                    break
        if key in CATEGORY_WORDS:
            found.add(CATEGORY_WORDS[key])
        else:
            unknown.append(word)
    return found, unknown


ABILITY_WORDS = {
    "能力完好": AbilityLevel.INTACT,
    "轻度失能": AbilityLevel.MILD,
    "中度失能": AbilityLevel.MODERATE,
    "重度失能": AbilityLevel.SEVERE,
    "完全失能": AbilityLevel.TOTAL,
}


def default_ability(categories: set[Category]) -> AbilityLevel:
    """附件1 has no ability column: 失能 says at least 轻度失能 (004 一(三)4), others 能力完好."""
    return AbilityLevel.MILD if Category.DISABLED_CARE in categories else AbilityLevel.INTACT


# --- Relatives (亲属情况) ---------------------------------------------------------------------

RELATION_WORDS: dict[str, Relation] = {
    "配偶": Relation.SPOUSE, "老伴": Relation.SPOUSE, "丈夫": Relation.SPOUSE,
    "妻子": Relation.SPOUSE, "夫妻": Relation.SPOUSE, "夫": Relation.SPOUSE, "妻": Relation.SPOUSE,
    "儿子": Relation.SON, "长子": Relation.SON, "次子": Relation.SON, "子": Relation.SON,
    "女儿": Relation.DAUGHTER, "长女": Relation.DAUGHTER, "次女": Relation.DAUGHTER,
    "女": Relation.DAUGHTER, "女婿": Relation.SON_IN_LAW, "儿媳": Relation.DAUGHTER_IN_LAW,
    "媳妇": Relation.DAUGHTER_IN_LAW, "孙子": Relation.GRANDCHILD, "孙女": Relation.GRANDCHILD,
    "外孙": Relation.GRANDCHILD, "外孙女": Relation.GRANDCHILD, "哥哥": Relation.SIBLING,
    "弟弟": Relation.SIBLING, "姐姐": Relation.SIBLING, "妹妹": Relation.SIBLING,
    "兄弟": Relation.SIBLING, "姐妹": Relation.SIBLING, "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
}  # fmt: skip
NO_RELATIVES = {"无", "没有", "/", "-", "无亲属"}


@dataclass(frozen=True)
class Relative:
    name: str
    relation: Relation
    phone: str


_PHONE_IN_TEXT = re.compile(r"[0-9][0-9\-]{6,19}")


def _relation_of(word: str) -> Relation | None:
    return RELATION_WORDS.get(word.strip("()（）:："))


def parse_relative_text(value: Any) -> list[Relative]:
    """Relatives written in one 亲属情况 cell: "李强 儿子 13987654321；李红（女儿）1380…".

    One relative per line or per ；/; part. In a part, the phone is the run of digits, the
    relation the known kinship word, and the name what is left. A part without a name is
    skipped; 无 means no relatives. Unknown kinship words become 其他亲属.
    """
    text = unicodedata.normalize("NFKC", str(value or ""))
    if compact(text) in NO_RELATIVES or not text.strip():
        return []
    relatives = []
    for raw in re.split(r"[;；\n]+|(?<=\d)[,，、]", text):
        part = plain(raw).strip(" ,，、")
        if not part:
            continue
        phone_match = _PHONE_IN_TEXT.search(part)
        phone = phone_match.group(0) if phone_match else ""
        rest = _PHONE_IN_TEXT.sub(" ", part)
        relation = Relation.OTHER
        name_words = []
        for word in re.split(r"[\s()（）:：,，、]+", rest):
            if not word:
                continue
            found = _relation_of(word)
            if found is not None and relation == Relation.OTHER:
                relation = found
            else:
                name_words.append(word)
        name = "".join(name_words)
        if name:
            relatives.append(Relative(name, relation, phone))
    return relatives


def parse_relative_columns(names: Any, relations: Any, phones: Any) -> list[Relative]:
    """Relatives in the three 亲属情况 sub-columns; several are one per line in each cell."""

    def lines(value: Any) -> list[str]:
        return [compact(x) for x in re.split(r"[\n;；、,，]+", str(value or "")) if compact(x)]

    name_lines = [n for n in lines(names) if n not in NO_RELATIVES]
    relation_lines = lines(relations)
    phone_lines = lines(phones)
    relatives = []
    for index, name in enumerate(name_lines):
        word = relation_lines[index] if index < len(relation_lines) else ""
        relation = _relation_of(word) or Relation.OTHER
        phone = phone_lines[index] if index < len(phone_lines) else ""
        relatives.append(Relative(name, relation, phone))
    return relatives


# --- Dates ------------------------------------------------------------------------------------

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (with Excel's 1900 leap-year bug)


def parse_date(value: Any) -> date | None:
    """A date typed as a date, an Excel serial number or text (2024-03-05, 2024/3/5,
    2024.3.5, 2024年3月5日, 20240305). None when blank; ValueError when not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # up to 9999-12-31
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(value)
    text = compact(value)
    if not text:
        return None
    if text.isdigit() and len(text) == 8:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    if text.isdigit() and len(text) <= 6:
        return parse_date(int(text))
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not match:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))


# --- Villages ---------------------------------------------------------------------------------

_AREA_SUFFIXES = ("社区居委会", "村委会", "居委会", "社区", "村", "镇", "街道")


def area_stem(name: str) -> str:
    """A village or town name without its 村/社区/镇/街道 suffix (白岩村 → 白岩)."""
    text = compact(name)
    for suffix in _AREA_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def close_matches(name: str, candidates: list[str]) -> list[str]:
    """Candidates close to ``name``, best first: the same stem (白岩 for 白岩村, 白岩社区), or
    the same suffix and a stem one character off (金钢村 for 金刚村).

    An exact name is not "close": callers try exact matches first.
    """
    stem = area_stem(name)
    scored = []
    for candidate in candidates:
        other = area_stem(candidate)
        if other == stem:
            scored.append((2.0, candidate))
            continue
        same_kind = compact(name)[len(stem) :] == compact(candidate)[len(other) :]
        if same_kind and len(stem) == len(other) and len(stem) >= 2:
            differ = sum(1 for a, b in zip(stem, other, strict=True) if a != b)
            if differ == 1:
                scored.append((1.0 + SequenceMatcher(None, stem, other).ratio() / 10, candidate))
    scored.sort(key=lambda item: -item[0])
    return [candidate for _score, candidate in scored]


# --- Addresses --------------------------------------------------------------------------------

_ADDRESS_GAP = " \u3000,，、"


def strip_area_path(address: str, area_path: list[str]) -> str:
    """The address without a leading area path that names the elder's own area.

    附件1's 常住地址 is the residence area's full name followed by the address within it
    (004 附件1; caseman.ledger prints 渝北区木耳镇白岩村2组45号), while a case keeps the area
    and the address within it apart. A ledger read back must not keep the area path in the
    address, or the next ledger prints it twice (渝北区木耳镇白岩村渝北区木耳镇白岩村2组45号).

    ``area_path`` lists the names from the district down to the elder's area; the prefix may
    start at any level of it (渝北区木耳镇白岩村, 木耳镇白岩村, 白岩村) and may be repeated or
    followed by a space. An address naming another area is kept as it is.
    """
    text = plain(address)
    names = [compact(name) for name in area_path if compact(name)]
    prefixes = ["".join(names[start:]) for start in range(len(names))]
    stripped = True
    while stripped:
        stripped = False
        for prefix in prefixes:  # the longest first
            if text.startswith(prefix) and len(text) >= len(prefix):
                rest = text[len(prefix) :].lstrip(_ADDRESS_GAP)
                if rest != text:
                    text, stripped = rest, True
                    break
    return text
