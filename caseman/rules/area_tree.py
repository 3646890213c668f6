"""The area tree's own rules, and the checks of an imported tree sheet: pure functions.

The tree is the one of DESIGN.md: district (区) → town or street (镇/街道) → village or community
(村/社区) → villager group (村民小组). Seed 002 gives 渝北区's rural shape (11 个镇、2 个街道，
共 172 个村); seed 000 (农村互助养老) concerns 镇 and 村 and 村民小组 (“每个村民小组（集中院落）
组建1个互助养老小组”), so the kind of a town- or village-level area is recorded: a 街道 is not a 镇.

An area sheet has one row per village (or per villager group): columns 镇（街道）, 村（社区）,
村民小组 (optional), 区划代码 (optional) and 区 (optional). The checks below need no database; what
the database already holds is compared by ``caseman.areas.imports``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from caseman.rules.enums import N_
from caseman.rules.ledger_import import compact, title_key

# Names of Chinese administrative areas rarely pass ten characters; a longer cell is a sentence
# typed in the wrong column (the database column holds 64).
MAX_NAME_LENGTH = 32
MAX_CODE_LENGTH = 12  # 统计用区划代码: 12 digits at village level
HEADER_SEARCH_ROWS = 10

LEVELS = ("district", "town", "village", "group")

# The kinds each level may have (AreaKind values), the first being the default.
KINDS_BY_LEVEL: dict[str, tuple[str, ...]] = {
    "district": ("district",),
    "town": ("town", "street"),
    "village": ("village", "community"),
    "group": ("group",),
}


def kind_for(name: str, level: str) -> str:
    """The kind a name says: a town-level ``…街道`` is a street, a village-level ``…社区`` a
    community; otherwise the level's own kind (镇, 村)."""
    name = compact(name)
    if level == "town" and name.endswith("街道"):
        return "street"
    if level == "village" and name.endswith("社区"):
        return "community"
    return KINDS_BY_LEVEL[level][0]


def check_name(name: str) -> str | None:
    """The msgid of what is wrong with an area name, or None."""
    if not name:
        return N_("The name is blank.")
    if len(name) > MAX_NAME_LENGTH:
        return N_("The name is longer than %(limit)d characters.")
    if any(character in name for character in "/\\<>\"'"):
        return N_("The name contains a character that is not allowed (/ \\ < > quotes).")
    return None


def check_code(code: str) -> str | None:
    """The msgid of what is wrong with a 区划代码, or None (blank is allowed)."""
    if code and (not code.isdigit() or len(code) > MAX_CODE_LENGTH):
        return N_("A division code (区划代码) is up to 12 digits.")
    return None


# --- the sheet --------------------------------------------------------------------------------

# Accepted titles of each column (compared without spaces, brackets made ASCII).
COLUMN_TITLES: dict[str, tuple[str, ...]] = {
    "district": ("区", "区县", "区(县)", "区县名称", "district"),
    "town": (
        "镇",
        "街道",
        "镇街",
        "镇(街道)",
        "镇/街道",
        "镇街道",
        "乡镇",
        "乡镇(街道)",
        "镇(街)",
        "责任镇街",
        "town",
    ),
    "village": (
        "村",
        "社区",
        "村(社区)",
        "村/社区",
        "村社区",
        "村居",
        "村(居)",
        "责任村(社区)",
        "village",
    ),
    "group": ("组", "小组", "村民小组", "村(居)民小组", "group"),
    "code": ("区划代码", "行政区划代码", "统计用区划代码", "代码", "code"),
}
_TITLE_INDEX = {
    title_key(title).lower().replace("（", "(").replace("）", ")"): column
    for column, titles in COLUMN_TITLES.items()
    for title in titles
}


def _key(value: Any) -> str:
    return title_key(value).lower().replace("（", "(").replace("）", ")")


@dataclass
class SheetHeader:
    row_number: int  # 1-based row of the titles
    columns: dict[str, int]  # column name → index
    unknown: list[str]  # titles that name no column


def find_header(rows: list[list[Any]]) -> SheetHeader | None:
    """The first of the top rows that names both the town and the village column."""
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        unknown: list[str] = []
        for position, cell in enumerate(cells):
            title = compact(cell)
            if not title:
                continue
            column = _TITLE_INDEX.get(_key(cell))
            if column is None or column in columns:
                unknown.append(title)
            else:
                columns[column] = position
        if "town" in columns and "village" in columns:
            return SheetHeader(index + 1, columns, unknown)
    return None


@dataclass(frozen=True)
class TreeRow:
    """One checked row: the names from the district down (group may be blank)."""

    number: int
    district: str
    town: str
    village: str
    group: str
    code: str  # 区划代码 of the lowest area named on the row


@dataclass(frozen=True)
class Problem:
    row: int  # 0: the whole sheet
    column: str  # "", or one of COLUMN_TITLES' keys
    message: str  # msgid
    params: tuple[tuple[str, Any], ...] = ()


@dataclass
class SheetCheck:
    rows: list[TreeRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, at: int, column: str, message: str, **params: Any) -> None:
        self.problems.append(Problem(at, column, message, tuple(params.items())))


def check_sheet(
    numbered_rows: Iterable[tuple[int, list[Any]]], header: SheetHeader, district: str = ""
) -> SheetCheck:
    """Check every row under ``header``: blank cells, names, codes, duplicates, a village listed
    under two towns (unless both rows give different 区划代码: then they are two villages).

    ``district`` fills a row with no district column or a blank district cell.
    """
    result = SheetCheck()
    for title in header.unknown:
        result.problem(
            header.row_number,
            "",
            N_("Unknown column title %(title)s: remove or rename the column."),
            title=title,
        )
    seen: dict[tuple[str, str, str, str], int] = {}
    village_towns: dict[tuple[str, str], dict[str, tuple[int, str]]] = {}
    codes: dict[str, tuple[int, tuple[str, ...]]] = {}
    columns = header.columns
    for number, cells in numbered_rows:
        if number <= header.row_number:
            continue

        def cell(name: str, cells: list[Any] = cells) -> str:
            position = columns.get(name)
            if position is None or position >= len(cells):
                return ""
            return compact(cells[position])

        values = {name: cell(name) for name in ("district", "town", "village", "group", "code")}
        if not any(values.values()):
            continue  # blank line
        bad = False
        values["district"] = values["district"] or district
        if not values["district"]:
            result.problem(number, "district", N_("No district: add a district column or name it."))
            bad = True
        for name in ("town", "village"):
            if not values[name]:
                result.problem(number, name, N_("The cell is blank."))
                bad = True
        for name in ("district", "town", "village", "group"):
            message = check_name(values[name]) if values[name] else None
            if message:
                result.problem(number, name, message, limit=MAX_NAME_LENGTH)
                bad = True
        message = check_code(values["code"])
        if message:
            result.problem(number, "code", message)
            bad = True
        if bad:
            continue
        row = TreeRow(
            number,
            values["district"],
            values["town"],
            values["village"],
            values["group"],
            values["code"],
        )
        key = (row.district, row.town, row.village, row.group)
        if key in seen:
            result.problem(
                number, "", N_("The same area is already on row %(row)d."), row=seen[key]
            )
            continue
        seen[key] = number
        if row.code:
            named = key if row.group else key[:3]
            earlier = codes.get(row.code)
            if earlier is not None and earlier[1] != named:
                result.problem(
                    number,
                    "code",
                    N_("The division code %(code)s is already on row %(row)d."),
                    code=row.code,
                    row=earlier[0],
                )
                continue
            codes.setdefault(row.code, (number, named))
        village_code = "" if row.group else row.code
        towns = village_towns.setdefault((row.district, row.village), {})
        if row.town not in towns:
            clash = next(
                (
                    (town, first)
                    for town, first in towns.items()
                    if not (first[1] and village_code and first[1] != village_code)
                ),
                None,
            )
            if clash is not None:
                result.problem(
                    number,
                    "village",
                    N_(
                        "%(village)s is also listed under %(town)s (row %(row)d): a village "
                        "belongs to one town. If they are two villages, give each its division "
                        "code."
                    ),
                    village=row.village,
                    town=clash[0],
                    row=clash[1][0],
                )
                continue
            towns[row.town] = (number, village_code)
        elif village_code and not towns[row.town][1]:
            towns[row.town] = (towns[row.town][0], village_code)
        result.rows.append(row)
    if not result.rows and not result.problems:
        result.problem(0, "", N_("The sheet has a header but no rows of areas."))
    return result
