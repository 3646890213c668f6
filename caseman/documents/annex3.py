"""附件3 渝北区特殊困难老年人探访关爱服务记录表: a visit (part 一) and its care (part 二).

Four copies (区民政局, 镇（街道）, 村（社区）, 服务人员所在单位). A *field sheet* is the
same form with only the header filled in (elder, address, the next visit number), for a
visit done on paper and typed in later. The layout follows ``shared/ANNEXES.md`` (seeds/004
附件3). One line is added above the table: the elder's name and address, so that a filed
sheet says whose it is.
"""

from __future__ import annotations

from typing import Any

from caseman.documents.annex2 import cn_date
from caseman.documents.layout import Box, Cell, Document, Line, Row, Sheet, Table, Text

TITLE = "渝北区特殊困难老年人探访关爱服务记录表"
COPIES = (
    "第1联 区民政局存档",
    "第2联 镇（街道）存档",
    "第3联 村（社区）存档",
    "第4联 服务人员所在单位存档",
)
NOTE = "备注：此表一式四份 ，区民政局、镇（街道）、村（社区）、服务人员所在单位各存档一份。"
WIDTHS = [27.0, 25.0, 28.0, 100.0]

METHODS = (("phone", "电话问候"), ("home", "上门探访"), ("video", "互联网音（视）频探访"),
           ("other", "其他"))  # fmt: skip
TRENDS = (("unchanged", "无变化"), ("better", "较好"), ("worse", "较差"))
SAFETY = (("safe", "安全"), ("fairly_safe", "较安全"), ("unsafe", "不安全"))
NEEDS = {
    "life_care": "生活照料", "rehabilitation": "康复护理", "emotional": "精神慰藉",
    "emergency": "紧急救援", "adaptation": "居家适老化改造", "medical": "医疗健康服务",
    "safety_hazard": "消除安全隐患", "benefits": "申请社会保障待遇", "other": "其他",
}  # fmt: skip
SATISFACTION = {
    "very_satisfied": "非常满意", "satisfied": "满意", "fair": "基本满意", "unsatisfied": "不满意",
}  # fmt: skip
GAP = "　　"


def _boxes(options: tuple[tuple[str, str], ...], chosen: str | None) -> list[Any]:
    out: list[Any] = []
    for value, text in options:
        if out:
            out.append(GAP)
        out.append(Box(text, chosen == value))
    return out


def _label(text: str, **kwargs: Any) -> Cell:
    return Cell.of(text, kind="label", align="center", **kwargs)


def _fill(value: Any, blank: str = "　　") -> Text:
    return Text(str(value) if value not in (None, "") else blank, fill=True)


def annex3_table(visit: dict[str, Any] | None, cares: list[dict[str, Any]], number: int) -> Table:
    """The table of 附件3; ``visit`` None gives a blank field sheet numbered ``number``.

    Part 二 has one 第 次开展关爱 block (two rows) per care record, in their order, continuing
    on the next page when they do not fit: every care record of the visit is printed. No care
    record: one blank block, for the care given later to be written in.
    """
    v = visit or {}
    method = v.get("method")
    family = v.get("family_change")
    count = v.get("family_change_count")
    illness = v.get("illness")
    method_cell: list[Any] = _boxes(METHODS, method)
    if method == "other" and v.get("method_other"):
        method_cell += ["（", Text(v["method_other"], fill=True), "）"]
    needs = "、".join(NEEDS.get(n, n) for n in v.get("needs") or [])
    needs_text = "；".join(part for part in (needs, v.get("needs_note") or "") if part)

    def trend(name: str) -> Cell:
        return Cell.of(*_boxes(TRENDS, v.get(name)))

    def safety(name: str) -> Cell:
        return Cell.of(*_boxes(SAFETY, v.get(name)))

    def signature(title: str, name: str | None) -> Cell:
        return Cell([[title], [Text(name, fill=True)] if name else [""]], kind="signature",
                    align="center")  # fmt: skip

    rows = [
        Row([Cell.of("一、探访情况", colspan=4, kind="section")]),
        Row(
            [
                Cell(
                    [["第", _fill(number), "次开展探访"], cn_date(v.get("visited_on"))],
                    rowspan=15,
                    kind="label",
                    align="center",
                ),
                _label("探访方式", colspan=2),
                Cell.of(*method_cell),
            ],
            height_mm=8,
        ),  # fmt: skip
        Row(
            [
                _label("家庭状况"),
                _label("家庭人口"),
                Cell.of(
                    Box("无变化", family == "unchanged"),
                    GAP,
                    Box("增加", family == "increased"),
                    _fill(count if family == "increased" else ""),
                    "人",
                    GAP,
                    Box("减少", family == "decreased"),
                    _fill(count if family == "decreased" else ""),
                    "人",
                ),
            ]
        ),  # fmt: skip
        Row([_label("健康状况", rowspan=3), _label("表达能力"), trend("expression")]),
        Row([_label("行动能力"), trend("mobility")]),
        Row(
            [
                _label("疾病状况"),
                Cell.of(
                    Box("无变化", illness == "unchanged"),
                    GAP,
                    Box("严重", illness == "serious"),
                    # The form's space, as a no-break space: the same glyph and width (Noto
                    # CJK), and a text without a collapsible space can be stamped (stamp.py
                    # matched it by its exact text: a blank for each illness name).
                    "\u00a0疾病名称：",
                    _fill(v.get("illness_name") if illness == "serious" else ""),
                    GAP,
                    Box("转好", illness == "improved"),
                ),
            ]
        ),  # fmt: skip
        Row([_label("精神状态"), _label("情绪状态"), trend("mood")]),
        Row([_label("安全情况", rowspan=3), _label("燃气安全"), safety("gas_safety")]),
        Row([_label("水暖安全"), safety("water_heating_safety")]),
        Row([_label("用电安全"), safety("electricity_safety")]),
        Row([_label("卫生状况", rowspan=2), _label("个人卫生"), trend("personal_hygiene")]),
        Row([_label("家庭卫生"), trend("home_hygiene")]),
        Row([_label("居住环境"), _label("室内环境"), trend("indoor_environment")]),
        Row(
            [
                Cell(
                    [["老年人服务需求："], [Text(needs_text, fill=True)] if needs_text else [""]],
                    colspan=3,
                )
            ],
            height_mm=20,
        ),  # fmt: skip
        Row(
            [
                Cell(
                    [
                        ["实施关爱服务建议："],
                        [Text(v["suggested_care"], fill=True)] if v.get("suggested_care") else [""],
                    ],
                    colspan=3,
                )
            ],
            height_mm=20,
        ),  # fmt: skip
        Row(
            [
                signature("探访人员（签字）", v.get("visitor_name")),
                signature("被探访人（签字）", v.get("visited_person_name")),
                Cell(
                    [
                        [
                            "信息录入人（签字）",
                            GAP,
                            *(
                                [Text(v["recorder_name"], fill=True)]
                                if v.get("recorder_name")
                                else []
                            ),
                        ],
                        ["", *cn_date(v.get("visited_on"))],
                    ],
                    kind="signature",
                    align="center",
                ),
            ],
            height_mm=18,
        ),  # fmt: skip
        *care_rows(cares),
    ]
    return Table(WIDTHS, rows)


def care_rows(cares: list[dict[str, Any]]) -> list[Row]:
    """Part 二: the section row, then two rows per care record (a blank block when none)."""
    rows = [Row([Cell.of("二、关爱服务情况", colspan=4, kind="section")])]
    for c in cares or [{}]:
        rows.extend(_care_block(c))
    return rows


def care_table(cares: list[dict[str, Any]]) -> Table:
    """附件3 part 二 alone: care given without a visit it answers (or to a visit outside the
    period printed), so that every care record is on a form."""
    return Table(WIDTHS, care_rows(cares))


def _care_block(c: dict[str, Any]) -> list[Row]:
    return [
        Row(
            [
                Cell(
                    [
                        ["第", _fill(c.get("number") or ""), "次　开展关爱"],
                        cn_date(c.get("cared_on")),
                    ],
                    rowspan=2,
                    kind="label",
                    align="center",
                ),
                Cell(
                    [
                        [
                            "关爱服务情况：",
                            *(
                                [Text(c["what_was_done"], fill=True)]
                                if c.get("what_was_done")
                                else []
                            ),
                        ],
                        [""],
                        [
                            "　" * 10,
                            "服务人员签字（盖章）：",
                            *(
                                [Text(c["provider"], fill=True)]
                                if c.get("provider")
                                else ["　" * 6]
                            ),
                            "　　",
                            *cn_date(c.get("cared_on")),
                        ],
                    ],
                    colspan=3,
                ),
            ],
            height_mm=32,
        ),  # fmt: skip
        Row(
            [
                Cell.of(
                    "老年人服务满意度评价：",
                    *(
                        [Text(SATISFACTION.get(c["satisfaction"], ""), fill=True)]
                        if c.get("satisfaction")
                        else []
                    ),
                    *(
                        [" ", Text(c["satisfaction_note"], fill=True)]
                        if c.get("satisfaction_note")
                        else []
                    ),
                    colspan=3,
                )
            ],
            height_mm=12,
        ),  # fmt: skip
    ]


def annex3_document(
    elder_name: str,
    address: str,
    visit: dict[str, Any] | None,
    cares: list[dict[str, Any]],
    number: int,
    numbers: list[str],
    name: str = "annex3",
    copies: tuple[str, ...] = COPIES,
    *,
    care_only: bool = False,
) -> Document:
    """Four copies of 附件3 for one visit (or a blank field sheet when ``visit`` is None), with
    every care record in ``cares``; ``care_only``: part 二 alone (care without a visit)."""
    sheets = []
    # One table, shared by the copies.
    table = care_table(cares) if care_only else annex3_table(visit, cares, number)
    for label, document_number in zip(copies, numbers, strict=True):
        sheets.append(
            Sheet(
                title=TITLE,
                table=table,
                before=[
                    Line(
                        [
                            "老年人：",
                            Text(elder_name, fill=True),
                            "　　住址：",
                            Text(address, fill=True),
                        ]
                    )
                ],  # fmt: skip
                after=[Line([NOTE])],
                copy_label=label,
                document_number=document_number,
            )
        )
    return Document(sheets, name=name)
