"""附件2 渝北区特殊困难老年人信息登记表: the registration form, in three labelled copies.

Built from a registration snapshot (``caseman.elders.services.snapshot`` or a saved
``ElderVersion.snapshot``), so any earlier version prints exactly as it was. The layout follows
``shared/ANNEXES.md`` (from seeds/004 附件2) cell by cell; the one deliberate change is a fifth
ability box □完全失能, because the notice itself defines five levels (004 一(三)4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from caseman.documents import metrics
from caseman.documents.layout import Box, Cell, Document, Line, Row, Sheet, Table, Text

TITLE = "渝北区特殊困难老年人信息登记表"
COPIES = ("第1联 区民政局存档", "第2联 镇（街道）存档", "第3联 村（社区）存档")
# Printed after 建档日期 while the registration waits for the town's approval (issue 19).
PENDING_MARK = "（待镇街审核）"
NOTE = "备注：此表一式三份 ， 区民政局、镇（街道）、村（社区）各存档一份。"
# 180 mm (A4 less 15 mm margins). Columns 4 and 6 carry 18-character ID numbers (family table
# and the elder's own) and column 8 the phone: their widths come from the fonts' metrics
# (caseman.documents.metrics), so a number never overflows its cell nor wraps; column 2 (names)
# takes what is left.
WIDTH_MM = 180.0
FIXED = {0: 14.0, 2: 10.5, 4: 15.0, 6: 16.0}  # 序号, 性别, 与户主关系, 是否为低保对象/特困人员
MIN_FAMILY_ROWS = 5

GENDER = {"male": "男", "female": "女"}
ABILITY = (
    ("intact", "能力完好"),
    ("mild", "轻度失能"),
    ("moderate", "中度失能"),
    ("severe", "重度失能"),
    ("total", "完全失能"),
)
RELATION = {
    "spouse": "配偶", "son": "儿子", "daughter": "女儿", "son_in_law": "女婿",
    "daughter_in_law": "儿媳", "grandchild": "孙子女", "sibling": "兄弟姐妹", "parent": "父母",
    "other": "其他亲属",
}  # fmt: skip
# The annex's five box lines, set two by two so the form keeps to one page.
SUPPORT_LINES = (
    (
        ("party_government", "党政机关、群团组织"),
        ("town_village", "乡镇（街道）、村（居）民委员会"),
    ),
    (("enterprise", "企业"), ("social_organisation", "社会组织"), ("social_work", "专业社会工作")),
    (("volunteer", "志愿者"), ("other", "其他")),
)
SUFFIXES = ("街道", "社区", "区", "县", "镇", "乡", "村")


@dataclass(frozen=True)
class Place:
    """The parts of an address the form asks for: 区（县） 乡镇（街道） 村（社区） and the rest."""

    district: str = ""
    town: str = ""
    village: str = ""
    detail: str = ""


@lru_cache(maxsize=1)
def column_widths() -> tuple[float, ...]:
    """The eight column widths in mm: ID and phone columns measured, names take the rest."""
    id_mm = metrics.id_number_mm(metrics.BODY_PT)
    widths = dict(FIXED)
    widths[3] = widths[5] = id_mm
    widths[7] = metrics.phone_mm(metrics.BODY_PT)
    widths[1] = WIDTH_MM - sum(widths.values())
    return tuple(widths[k] for k in range(8))


def _stem(name: str) -> str:
    """渝北区 → 渝北: the form prints the level itself (区（县）)."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def cn_date(value: str | date | None) -> list[Text | str]:
    """A date written 年 月 日, blank when unknown (for hand filling)."""
    if not value:
        return ["　　　　年　　月　　日"]
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return [Text(str(day.year), fill=True), "年", Text(str(day.month), fill=True), "月",
            Text(str(day.day), fill=True), "日"]  # fmt: skip


def _money(value: Any) -> str:
    if value in (None, ""):
        return ""
    amount = Decimal(str(value))
    return f"{amount:.2f}".rstrip("0").rstrip(".")


def _fill(value: Any) -> Text:
    text = "" if value is None else str(value)
    return Text(text or "　　　　", fill=True)


def _yes_no(value: bool | None) -> list[Box]:
    return [Box("是", value is True), "　", Box("否", value is False)]  # type: ignore[list-item]


def _label(text: str, **kwargs: Any) -> Cell:
    return Cell.of(text, kind="label", align="center", **kwargs)


def _value(*parts: Any, **kwargs: Any) -> Cell:
    return Cell.of(*parts, **kwargs)


def _section(text: str) -> Row:
    return Row([Cell.of(text, colspan=8, kind="section")])


def _address(place: Place) -> Cell:
    return _value(
        _fill(_stem(place.district)), "区（县）",
        _fill(_stem(place.town)), "乡镇（街道）",
        _fill(_stem(place.village)), "村（社区）",
        *([Text(place.detail, fill=True)] if place.detail else []),
        colspan=7,
    )  # fmt: skip


def _family_rows(data: dict[str, Any]) -> list[Row]:
    rows = []
    members = [m for m in data.get("members") or []]
    # The elder heads the table (户主 row): the form records the household around them.
    head = {
        "name": data.get("name"), "gender": data.get("gender"),
        "id_number": data.get("id_number"), "relation": "本人",
        "health": dict(ABILITY).get(data.get("ability_level") or "", ""),
        "is_dibao_or_poverty": bool(data.get("is_dibao") or data.get("is_extreme_poverty")),
        "visits_often": None,
    }  # fmt: skip
    everyone = [head, *members]
    while len(everyone) < MIN_FAMILY_ROWS:
        everyone.append({})
    for index, member in enumerate(everyone):
        blank = not member
        relation = member.get("relation")
        relation_text = relation if relation == "本人" else RELATION.get(relation or "", "")
        if member.get("is_deceased"):
            relation_text += "（已故）"
        cells = [
            _label("户主" if index == 0 else str(index + 1)),
            _value(member.get("name") or ""),
            _value(GENDER.get(member.get("gender") or "", ""), align="center"),
            _value(member.get("id_number") or ""),
            _value(relation_text, align="center"),
            _value(member.get("health") or ""),
            _value(
                "" if blank else ("是" if member.get("is_dibao_or_poverty") else "否"),
                align="center",
            ),  # fmt: skip
            _value(
                ""
                if blank or member.get("visits_often") is None
                else ("是" if member.get("visits_often") else "否"),
                align="center",
            ),
        ]
        rows.append(Row(cells, height_mm=6.5))
    return rows


def annex2_table(data: dict[str, Any], household: Place, residence: Place) -> Table:
    """The table of 附件2 filled from a registration snapshot."""
    categories = set(data.get("categories") or [])
    rows: list[Row] = [
        _section("一、服务对象基本情况"),
        Row(
            [
                _label("姓名"),
                _value(data.get("name") or ""),
                _label("性别"),
                _value(GENDER.get(data.get("gender") or "", ""), align="center"),
                _label("居民身份证号码"),
                _value(data.get("id_number") or ""),
                _label("联系电话"),
                _value(data.get("phone") or ""),
            ],
            height_mm=7,
        ),  # fmt: skip
        Row(
            [
                _label("紧急联系人"),
                _value(data.get("emergency_name") or ""),
                _label("性别"),
                _value(GENDER.get(data.get("emergency_gender") or "", ""), align="center"),
                _label("联系电话"),
                _value(data.get("emergency_phone") or "", colspan=3),
            ],
            height_mm=7,
        ),  # fmt: skip
        Row([_label("户籍地址"), _address(household)], height_mm=7),
        Row([_label("居住地址"), _address(residence)], height_mm=7),
        Row(
            [
                _label("健康状况", rowspan=2),
                _value(
                    "能力程度：",
                    *_spaced(
                        Box(text, data.get("ability_level") == value) for value, text in ABILITY
                    ),
                    colspan=7,
                ),
            ]
        ),  # fmt: skip
        Row([_value("曾患病史：", _fill(data.get("medical_history")), colspan=7)]),
        Row(
            [
                _label("经济情况", rowspan=3),
                _value(
                    Box("特困人员", bool(data.get("is_extreme_poverty"))),
                    "　　",
                    Box("低保、低保边缘", bool(data.get("is_dibao") or data.get("is_dibao_edge"))),
                    colspan=7,
                ),
            ]
        ),  # fmt: skip
        Row(
            [_value("月可支配收入：", _fill(_money(data.get("monthly_income"))), "元", colspan=7)]
        ),  # fmt: skip
        Row([_value("经济来源：", _fill(data.get("income_sources")), colspan=7)]),
        Row(
            [
                _label("对象类别", rowspan=2),
                Cell(
                    [
                        list(
                            _spaced(
                                Box(text, value in categories)
                                for value, text in (
                                    ("living_alone", "独居老年人"),
                                    ("empty_nest", "空巢老年人"),
                                    ("left_behind", "留守老年人"),
                                    ("disabled_care", "失能老年人"),
                                )
                            )
                        ),
                        [
                            Box("重残老年人", "severe_disability" in categories),
                            "（残疾证号：",
                            _fill(data.get("disability_certificate_no")),
                            "）",
                        ],
                        [Box("计划生育特殊家庭老年人", "family_planning" in categories)],
                        [
                            Box("其他关爱对象", "other" in categories),
                            *(
                                ["（", Text(data["other_reason"], fill=True), "）"]
                                if data.get("other_reason")
                                else []
                            ),
                        ],
                    ],
                    colspan=7,
                ),
            ]
        ),  # fmt: skip
        Row(
            [
                _value(
                    Box("重点对象", bool(data.get("is_key"))),
                    "　　",
                    Box("一般对象", not data.get("is_key")),
                    colspan=7,
                )
            ]
        ),  # fmt: skip
        _section("二、家庭基本情况"),
        Row(
            [
                Cell.of(text, kind="header", align="center")
                for text in (
                    "序号",
                    "姓名",
                    "性别",
                    "居民身份证号码",
                    "与户主关系",
                    "健康状况",
                    "是否为低保对象/ 特困人员",
                    "是否经常探访",
                )
            ]
        ),  # fmt: skip
        *_family_rows(data),
        _section("三、家庭生活条件"),
        Row(
            [_label("饮水是否安全", colspan=3), _value(*_yes_no(data.get("water_safe")), colspan=5)]
        ),
        Row(
            [
                _label("生活用电是否安全", colspan=3),
                _value(*_yes_no(data.get("electricity_safe")), colspan=5),
            ]
        ),  # fmt: skip
        Row(
            [
                _label("住房是否安全", colspan=3),
                _value(*_yes_no(data.get("housing_safe")), colspan=5),
            ]
        ),
        Row(
            [
                _label("家庭每月收入（元）", colspan=3),
                _value(_fill(_money(data.get("household_monthly_income"))), colspan=5),
            ]
        ),  # fmt: skip
        Row(
            [
                _label(
                    "家庭每月领取养老保险、 社会救助和社会福利补贴 等情况。", colspan=3, rowspan=2
                ),
                Cell(
                    [
                        [
                            Box("有领取养老保险，每月", bool(data.get("has_pension"))),
                            _fill(
                                _money(data.get("pension_monthly"))
                                if data.get("has_pension")
                                else ""
                            ),
                            "元",
                        ],
                        [Box("无养老保险", not data.get("has_pension"))],
                    ],
                    colspan=5,
                ),
            ]
        ),  # fmt: skip
        Row(
            [
                _value(
                    "享受社会救助和社会福利补贴项目，每月补贴",
                    _fill(_money(data.get("subsidy_monthly"))),
                    "元。（注明享受的什么补贴）",
                    _fill(data.get("subsidy_items")),
                    colspan=5,
                )
            ]
        ),  # fmt: skip
        _section("四、已享受帮扶情况"),
        Row(
            [
                _label("帮扶单位（组织）：", colspan=2),
                Cell(
                    [
                        list(
                            _spaced(
                                Box(text, value in (data.get("support_units") or []))
                                for value, text in line
                            )
                        )
                        for line in SUPPORT_LINES
                    ],
                    colspan=4,
                ),
                _label("帮扶 责任人"),
                _value(data.get("support_person") or ""),
            ]
        ),  # fmt: skip
        Row(
            [
                Cell(
                    [
                        ["帮扶措施：", Text(data.get("support_measures") or "", fill=True)],
                        ["　" * 20, "工作人员签字：", "　" * 8, "年　　月　　日"],
                    ],
                    colspan=8,
                )
            ],
            height_mm=14,
        ),  # fmt: skip
    ]
    return Table(list(column_widths()), rows)


def _spaced(boxes: Any) -> list[Any]:
    out: list[Any] = []
    for box in boxes:
        if out:
            out.append("　")
        out.append(box)
    return out


def annex2_document(
    data: dict[str, Any],
    household: Place,
    residence: Place,
    numbers: list[str],
    name: str = "annex2",
    copies: tuple[str, ...] = COPIES,
    pending: bool = False,
) -> Document:
    """Three copies of 附件2 (区民政局 / 镇（街道） / 村（社区）), each with its document number
    (``copies`` and ``numbers`` name fewer: the district's own copy in a submission).

    ``pending``: printed while the registration still waits for the town (issue 19 item 1): a
    small 待审核 after the filing date, so a signed copy says it was not approved yet."""
    sheets = []
    table = annex2_table(data, household, residence)  # one table, shared by the copies
    mark = ["　", PENDING_MARK] if pending else []
    for label, number in zip(copies, numbers, strict=True):
        sheets.append(
            Sheet(
                title=TITLE,
                table=table,
                before=[Line(["建档日期：", *cn_date(data.get("filed_on")), *mark], align="left")],
                after=[Line([NOTE])],
                copy_label=label,
                document_number=number,
            )
        )
    return Document(sheets, name=name)
