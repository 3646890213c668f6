"""附件1 of 渝北民〔2024〕24号 (渝北区特殊困难老年人关爱服务信息台帐) as a layout ``Document``.

The wording, the two header rows and their merges are the annex's (ANNEXES.md, 004 附件1) and are
shared with the Excel writer (``caseman.ledger.xlsx``), so the three formats say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from caseman.documents import metrics
from caseman.documents.layout import Cell, Document, Line, Paragraph, Row, Sheet, Table
from caseman.ledger.queries import LedgerRow

TITLE = "渝北区特殊困难老年人关爱服务信息台帐"
NOTE = "说明：对象类型分为独居、空巢、农村留守、计生对象、失能、重度残疾老年人、其他关爱对象。"
# A row whose registration, review or archive still waits for the town (issue 19 item 1): its
# 序号 carries the mark, explained after the note; the annex's sixteen columns stay as they are.
PENDING_MARK = "※"
PENDING_NOTE = "标注※的对象，其登记、更新或归档尚待镇街审核。"


@dataclass(frozen=True)
class Heading:
    """A heading of the first header row; ``children`` are the leaf headings under a group."""

    text: str
    children: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        return len(self.children) or 1


HEADINGS = (
    Heading("序号"),
    Heading("姓名"),
    Heading("性别"),
    Heading("常住地址"),
    Heading("身份证号码"),
    Heading("电话"),
    Heading("亲属情况", ("姓名", "亲属关系", "电话")),
    Heading("对象类型"),
    Heading("责任主体", ("责任镇街", "责任村（社区）", "责任人", "责任人电话")),
    Heading("上门探访次数"),
    Heading("解决问题数量"),
)
COLUMNS = sum(h.width for h in HEADINGS)  # 16 leaf columns

# Column widths on A4 landscape (297 mm less the writers' 15 mm margins: 267 mm), one per leaf.
# Sixteen columns, four of them numbers, do not fit at the forms' 10.5 pt: the table is set in
# 9 pt (小五). The ID column and the three phone columns are measured from the fonts' metrics
# (caseman.documents.metrics: an ID is 36.5 mm with its padding, a phone 24.5 mm), so numbers
# never overflow into the next cell nor wrap; the address takes what is left.
TABLE_PT = 9.0
WIDTH_MM = 267.0
ID_COLUMN, PHONE_COLUMNS, ADDRESS_COLUMN = 4, (5, 8, 13), 3
FIXED_MM = {0: 7, 1: 14, 2: 6, 6: 14, 7: 10, 9: 18, 10: 14, 11: 16, 12: 14, 14: 10, 15: 10}


def column_widths() -> list[float]:
    """The 16 leaf widths in mm (numbers measured, the address the rest)."""
    widths: dict[int, float] = {k: float(v) for k, v in FIXED_MM.items()}
    widths[ID_COLUMN] = metrics.id_number_mm(TABLE_PT)
    for column in PHONE_COLUMNS:
        widths[column] = metrics.phone_mm(TABLE_PT)
    widths[ADDRESS_COLUMN] = WIDTH_MM - sum(widths.values())
    return [widths[k] for k in range(COLUMNS)]


CENTERED = {0, 1, 2, 6, 7, 10, 11, 12, 14, 15}  # leaf columns whose values are centred


@dataclass(frozen=True)
class LedgerMeta:
    """What the header block says: 填表单位, the period counted and 填表日期."""

    unit: str  # 填表单位, e.g. 木耳镇 or 木耳镇金刚村
    start: date
    end: date
    prepared_on: date  # 填表日期
    approver: str = ""  # 主要领导审核: who last approved a change of these elders (issue 19)
    pending: int = 0  # rows still awaiting the town's approval


def chinese_date(value: date) -> str:
    """2026年7月1日."""
    return f"{value.year}年{value.month}月{value.day}日"


def header_line(meta: LedgerMeta) -> str:
    """The line above the table, its blanks for the seal and signatures left blank.

    The period counted (统计期间) is added at the end: 上门探访次数 depends on it.
    """
    return (
        f"填表单位：{meta.unit}（盖章）  主要领导审核：{meta.approver or '    '}  填报人：        "
        f"填表日期：{chinese_date(meta.prepared_on)}        "
        f"统计期间：{chinese_date(meta.start)}至{chinese_date(meta.end)}"
    )


def note_text(meta: LedgerMeta) -> str:
    """The 说明 line below the table, with what the pending mark means when a row has it."""
    return f"{NOTE}　{PENDING_NOTE}" if meta.pending else NOTE


def leaf_values(row: LedgerRow) -> list[str | int]:
    """The 16 cells of a row, the three relative columns one relative per line."""
    return [
        f"{row.number}{PENDING_MARK}" if row.pending else row.number,
        row.name,
        row.gender,
        row.address,
        row.id_number,
        row.phone,
        "\n".join(r.name for r in row.relatives),
        "\n".join(r.relation for r in row.relatives),
        "\n".join(r.phone for r in row.relatives),
        row.categories,
        row.town,
        row.village,
        row.responsible_person,
        row.responsible_phone,
        row.home_visits,
        row.solved,
    ]


def header_rows() -> list[Row]:
    """The annex's two header rows: single headings span both, groups span their leaves."""
    first: list[Cell] = []
    second: list[Cell] = []
    for heading in HEADINGS:
        if heading.children:
            first.append(
                Cell.of(heading.text, colspan=heading.width, align="center", kind="header")
            )
            second.extend(Cell.of(text, align="center", kind="header") for text in heading.children)
        else:
            first.append(Cell.of(heading.text, rowspan=2, align="center", kind="header"))
    return [Row(first, header=True), Row(second, header=True)]


def _data_row(row: LedgerRow) -> Row:
    cells = []
    for index, value in enumerate(leaf_values(row)):
        text = str(value)
        paragraphs: list[Paragraph] = [[line] for line in text.split("\n")] if text else [[""]]
        cells.append(Cell(paragraphs, align="center" if index in CENTERED else "left"))
    return Row(cells)


def ledger_document(rows: list[LedgerRow], meta: LedgerMeta) -> Document:
    """The ledger as one landscape sheet: title, header block, header rows, a row per elder."""
    table = Table(
        column_widths(), header_rows() + [_data_row(row) for row in rows], font_pt=TABLE_PT
    )
    sheet = Sheet(
        title=TITLE,
        table=table,
        before=[Line([header_line(meta)])],
        after=[Line([note_text(meta)])],
        orientation="landscape",
    )
    return Document([sheet], name=f"台帐_{meta.unit}_{meta.start}_{meta.end}")
