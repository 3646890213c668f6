"""The two quarterly forms of 渝北民〔2023〕23号 (000 附件1 and 附件2) as layout ``Document``s
(rendered to .docx and PDF by ``caseman.documents``) and as .xlsx, A4 landscape, the wording and
column order verbatim from the annexes (ANNEXES.md)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from caseman.documents.layout import Cell, Document, Line, Paragraph, Row, Sheet, Table
from caseman.ledger.annex1 import chinese_date
from caseman.ledger.xlsx import FONT_NAME
from caseman.mutual_aid.queries import PairingRow, ReportMeta, SummaryRow
from caseman.spreadsheets import set_text

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
FORMATS = tuple(MEDIA_TYPES)


@dataclass(frozen=True)
class Form:
    """One annex: its title, column headings (a line break where the annex breaks), widths."""

    key: str
    title: str
    headings: tuple[str, ...]
    widths_mm: tuple[float, ...]  # A4 landscape less 15 mm margins: 267 mm
    xlsx_widths: tuple[float, ...]
    centred: frozenset[int]
    note: str = ""
    # Columns whose cells are numbers (a SUM adds them up), with their Excel number format.
    numbers: tuple[tuple[int, str], ...] = ()


SUMMARY = Form(
    "annex1",
    "渝北区农村互助养老服务工作进展情况汇总表",
    (
        "序号", "行政村名称", "社工组织名称", "社工人数", "互助养老点数量", "互助养老分点数量",
        "志愿者队伍人数", "特殊老人“一对一”结对帮扶（对）", "社会老人“划片式”结对帮扶（组）",
        "互助养老积分（分)", "集体活动(场)", "镇街配套和捐赠金额筹集\n（元）",
    ),
    (9, 20, 46, 16, 20, 20, 20, 26, 26, 22, 18, 24),
    (5, 12, 22, 8, 10, 10, 10, 14, 14, 11, 9, 14),
    frozenset({0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11}),
    numbers=((0, "0"), *((column, "0") for column in range(3, 11)), (11, "#,##0.00")),
)  # fmt: skip

PAIRING = Form(
    "annex2",
    "渝北区农村互助养老结对帮扶信息台账",
    (
        "序号", "被帮扶老人姓名", "性别", "年龄", "电话", "住址", "子女情况\n（有无子女）",
        "居住情况\n（独居、双居）", "健康状况\n（自理、失能）", "老人类型", "帮扶人姓名", "性别",
        "年龄", "电话", "住址", "帮扶次数", "备注",
    ),
    (7, 14, 6, 7, 24, 28, 17, 18, 18, 15, 14, 6, 7, 24, 31, 10, 21),
    (5, 9, 5, 5, 13, 22, 9, 9, 9, 8, 9, 5, 5, 13, 18, 7, 14),
    frozenset({0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 15}),
    note="说明：老人类型分为低保、分散特困、失独、残疾、优抚、其他。",
    numbers=((0, "0"), (3, "0"), (12, "0"), (15, "0")),
)  # fmt: skip

FORMS = {SUMMARY.key: SUMMARY, PAIRING.key: PAIRING}


def header_line(meta: ReportMeta) -> str:
    """The annexes' line above the table (blanks for seal and signatures), then the quarter."""
    return (
        f"填表单位：{meta.unit}（盖章）        审核人：          填报人：          联系电话："
        f"            {meta.year}年第{meta.quarter}季度（统计期间：{chinese_date(meta.start)}至"
        f"{chinese_date(meta.end)}）"
    )


Value = str | int | Decimal | list[str]  # a list: one line per helper, as stacked sub-rows


def summary_values(row: SummaryRow) -> list[Value]:
    return [
        row.number, row.village, row.organisations, row.social_workers, row.centre_points,
        row.sub_points, row.volunteers, row.one_to_one, row.area_groups, row.points,
        row.activities, row.funds.quantize(Decimal("0.01")),
    ]  # fmt: skip


def as_number(value: object) -> int | Decimal | None:
    """The number a cell of a numeric column holds (an age is "82" in the rows), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return value
    text = str(value or "").strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return Decimal(text)
    return None


def pairing_values(row: PairingRow) -> list[Value]:
    """The 17 cells of an elder; the five 帮扶人 columns hold one entry per helper."""
    return [
        row.number, row.name, row.gender, row.age, row.phone, row.address, row.children,
        row.living, row.health, row.elder_type, row.helper_names.split("\n"),
        row.helper_genders.split("\n"), row.helper_ages.split("\n"),
        row.helper_phones.split("\n"), row.helper_addresses.split("\n"), row.help_count,
        row.note,
    ]  # fmt: skip


def sub_rows(row: Sequence[Value]) -> int:
    """How many printed rows an entry takes: one per helper of an area-based group."""
    return max((len(value) for value in row if isinstance(value, list)), default=1)


def _cell(text: str, **kwargs: Any) -> Cell:
    paragraphs: list[Paragraph] = [[line] for line in text.split("\n")] if text else [[""]]
    return Cell(paragraphs, **kwargs)


def build_document(form: Form, values: Sequence[Sequence[Value]], meta: ReportMeta) -> Document:
    """One landscape sheet: title, header block, the header row, a row per village/elder.

    An elder with several helpers takes one row per helper: the elder's cells span them, so each
    helper's name, gender, age, phone and address stay on one line of the grid."""
    header = Row([_cell(h, align="center", kind="header") for h in form.headings], header=True)
    rows = []
    for row in values:
        span = sub_rows(row)
        for line in range(span):
            cells = []
            for index, value in enumerate(row):
                align = "center" if index in form.centred else "left"
                if isinstance(value, list):
                    text = value[line] if line < len(value) else ""
                    cells.append(_cell(text, align=align))
                elif line == 0:
                    cells.append(_cell(str(value), align=align, rowspan=span))
            rows.append(Row(cells))
    sheet = Sheet(
        title=form.title,
        table=Table(list(form.widths_mm), [header, *rows]),
        before=[Line([header_line(meta)])],
        after=[Line([form.note])] if form.note else [],
        orientation="landscape",
    )
    return Document([sheet], name=file_stem(form, meta))


def file_stem(form: Form, meta: ReportMeta) -> str:
    """互助养老汇总表_木耳镇_2026Q3"""
    short = "互助养老汇总表" if form is SUMMARY else "结对帮扶台账"
    return f"{short}_{meta.unit}_{meta.year}Q{meta.quarter}"


_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def build_xlsx(form: Form, values: Sequence[Sequence[Value]], meta: ReportMeta) -> bytes:
    """The form as an Excel sheet laid out like the annex, A4 landscape, headers repeated."""
    columns = len(form.headings)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "附件1" if form is SUMMARY else "附件2"
    for index, width in enumerate(form.xlsx_widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    def write_line(
        row: int, text: str, size: int, *, bold: bool = False, centre: bool = False
    ) -> None:
        cell = sheet.cell(row, 1)
        set_text(cell, text)
        cell.font = Font(name=FONT_NAME, size=size, bold=bold)
        cell.alignment = Alignment(horizontal="center" if centre else "left", vertical="center")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)

    write_line(1, form.title, 16, bold=True, centre=True)
    sheet.row_dimensions[1].height = 30
    write_line(2, header_line(meta), 10)
    style_for: Callable[[bool, bool], Any] = lambda header, centred: (  # noqa: E731
        Font(name=FONT_NAME, size=10, bold=header),
        Alignment(horizontal="center" if centred else "left", vertical="center", wrap_text=True),
    )
    for column, heading in enumerate(form.headings, start=1):
        cell = sheet.cell(3, column)
        set_text(cell, heading)
        cell.font, cell.alignment = style_for(True, True)
        cell.border = _BORDER
    sheet.row_dimensions[3].height = 45
    numbers = dict(form.numbers)
    row_number = 4
    for row in values:
        span = sub_rows(row)
        for column, value in enumerate(row):
            for offset in range(span):
                cell = sheet.cell(row_number + offset, column + 1)
                cell.font, cell.alignment = style_for(False, column in form.centred)
                cell.border = copy(_BORDER)
                cell.number_format = "@"
            number_format = numbers.get(column)
            entries = value if isinstance(value, list) else [value]
            for offset, entry in enumerate(entries):
                cell = sheet.cell(row_number + offset, column + 1)
                number = as_number(entry) if number_format else None
                if number is not None:
                    cell.value = number  # a numeric cell: sums, sorts and filters work
                    cell.number_format = number_format
                else:
                    set_text(cell, "" if entry is None else str(entry))
            if span > 1 and not isinstance(value, list):
                sheet.merge_cells(start_row=row_number, start_column=column + 1,
                                  end_row=row_number + span - 1, end_column=column + 1)  # fmt: skip
        row_number += span
    if form.note:
        write_line(row_number, form.note, 10)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "3:3"
    sheet.print_area = f"A1:{get_column_letter(columns)}{row_number}"
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.freeze_panes = "A4"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def render_form(form: Form, values: Sequence[Sequence[Value]], meta: ReportMeta, fmt: str) -> bytes:
    """The form in ``fmt`` (xlsx, docx or pdf): one function for the page and the CLI."""
    if fmt == "xlsx":
        return build_xlsx(form, values, meta)
    document = build_document(form, values, meta)
    if fmt == "docx":
        from caseman.documents.docx_writer import render_docx

        return render_docx(document)
    if fmt == "pdf":
        from caseman.documents.pdf_writer import render_pdf

        return render_pdf(document)
    raise ValueError(f"unknown format {fmt!r}")
