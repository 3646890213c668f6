"""Area-tree sheets for the tests: 渝北区's rural shape (seed 002: 11 个镇、2 个街道，
共 172 个村)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from caseman.spreadsheets import set_text

# The towns of 渝北区 (木耳镇 and its 金刚村 are named in seed 002), then its two streets.
TOWNS = ("木耳镇", "古路镇", "兴隆镇", "茨竹镇", "大湾镇", "统景镇", "大盛镇", "洛碛镇", "石船镇",
         "玉峰山镇", "龙兴镇")  # fmt: skip
STREETS = ("王家街道", "石坪街道")
WORDS = (
    "金刚", "白岩", "草坪", "石坝", "桂花", "大石", "青龙", "白鹤", "红岩", "双河",
    "太平", "长岭", "新华", "高峰", "柏林", "黄桷", "三合", "清泉", "五星", "龙井",
    "团结", "明月", "莲花", "天堂", "水口", "松林", "梨子", "观音", "白果", "万寿",
    "凉风", "永安", "和平", "石梁", "杉树", "放牛坪", "新泉", "印盒", "沙溪", "牛皮",
)  # fmt: skip
VILLAGES = 172
HEADER = ["镇（街道）", "村（社区）", "村民小组", "区划代码"]


def village_words() -> list[str]:
    """172 distinct two- or three-character village words: the list, then pairs of its words'
    first and last characters (金坪, 白沙 …)."""
    words = list(WORDS)
    for first in WORDS:
        for last in reversed(WORDS):
            word = first[0] + last[-1]
            if first != last and word not in words:
                words.append(word)
    return words[:VILLAGES]


def yubei_rows(groups_per_village: int = 0) -> list[list[str]]:
    """One row per village (or per villager group): 172 villages spread over the 11 towns and
    2 streets, each village row with a 12-digit division code."""
    rows: list[list[str]] = []
    places = TOWNS + STREETS
    for index, word in enumerate(village_words()):
        town = places[index % len(places)]
        village = f"{word}{'社区' if town.endswith('街道') else '村'}"
        if groups_per_village:
            numbers = "一二三四五六七八九"[:groups_per_village]
            rows += [[town, village, f"{n}组", ""] for n in numbers]
        else:
            code = f"500112{100 + places.index(town):03d}{200 + index:03d}"
            rows.append([town, village, "", code])
    return rows


def xlsx_bytes(rows: list[list[str]], header: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append([None] * len(row))
        for column, value in enumerate(row, start=1):
            if value:
                set_text(sheet.cell(row=sheet.max_row, column=column), value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: list[list[str]], header: list[str] | None = None, encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header or HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)
