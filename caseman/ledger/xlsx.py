"""附件1 as an Excel workbook (openpyxl), laid out like the printed annex.

Title and header block across the sheet, the two header rows with the annex's merges, one elder
per row (relatives one per line in the three 亲属情况 columns), the 说明 line below; A4 landscape,
fitted to the page width, the header rows repeated on every printed page and frozen on screen.

Every text is written as a text cell: ID and phone numbers keep all their digits, and a value
that starts with = + - @ stays text (a string cell, with Excel's quote prefix so that editing the
cell does not turn it into a formula either), without changing the value itself: see
caseman.spreadsheets, the helper every spreadsheet export uses.
"""

from __future__ import annotations

from copy import copy
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from caseman.ledger.annex1 import (
    CENTERED,
    COLUMNS,
    HEADINGS,
    NOTE,
    TITLE,
    LedgerMeta,
    header_line,
    leaf_values,
)
from caseman.ledger.queries import LedgerRow
from caseman.spreadsheets import set_text

# Column widths in Excel's character units, one per leaf column of the annex.
WIDTHS = [5, 8, 5, 28, 20.5, 13, 8, 9, 13, 12, 9, 11, 8, 13, 7.5, 7.5]
TEXT_COLUMNS = {4, 5, 8, 13}  # 身份证号码, 电话, relatives' 电话, 责任人电话: "@" (text) format
FONT_NAME = "宋体"  # what Excel and WPS on the offices' PCs show for Chinese; any CJK font works

TITLE_ROW = 1
BLOCK_ROW = 2
HEADER_FIRST = 3
HEADER_LAST = 4
DATA_FIRST = 5

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _style_template(sheet: Worksheet, column: int, *, header: bool = False) -> Cell:
    """A scratch cell carrying one column's style, copied onto every data cell (fast)."""
    cell = Cell(sheet)
    cell.border = _BORDER
    cell.font = Font(name=FONT_NAME, size=10, bold=header)
    centred = header or column in CENTERED
    cell.alignment = Alignment(
        horizontal="center" if centred else "left", vertical="center", wrap_text=True
    )
    if column in TEXT_COLUMNS and not header:
        cell.number_format = "@"
    return cell


def _write_headers(sheet: Worksheet) -> None:
    template = _style_template(sheet, 0, header=True)
    for row in (HEADER_FIRST, HEADER_LAST):
        for column in range(1, COLUMNS + 1):
            # Merged cells keep their own borders: style every cell so the grid prints whole.
            sheet.cell(row, column)._style = copy(template._style)
        sheet.row_dimensions[row].height = 24
    column = 1
    for heading in HEADINGS:
        cell = sheet.cell(HEADER_FIRST, column)
        set_text(cell, heading.text)
        if heading.children:
            sheet.merge_cells(
                start_row=HEADER_FIRST,
                start_column=column,
                end_row=HEADER_FIRST,
                end_column=column + heading.width - 1,
            )
            for offset, child in enumerate(heading.children):
                set_text(sheet.cell(HEADER_LAST, column + offset), child)
        else:
            sheet.merge_cells(
                start_row=HEADER_FIRST, start_column=column, end_row=HEADER_LAST, end_column=column
            )
        column += heading.width


def _write_line(
    sheet: Worksheet,
    row: int,
    text: str,
    *,
    size: int,
    bold: bool = False,
    centre: bool = False,
    height: float | None = None,
) -> None:
    cell = sheet.cell(row, 1)
    set_text(cell, text)
    cell.font = Font(name=FONT_NAME, size=size, bold=bold)
    cell.alignment = Alignment(horizontal="center" if centre else "left", vertical="center")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=COLUMNS)
    if height:
        sheet.row_dimensions[row].height = height


def _print_setup(sheet: Worksheet, last_row: int) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{HEADER_FIRST}:{HEADER_LAST}"
    sheet.print_area = f"A1:{get_column_letter(COLUMNS)}{last_row}"
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.freeze_panes = sheet.cell(DATA_FIRST, 1).coordinate


def ledger_xlsx(rows: list[LedgerRow], meta: LedgerMeta) -> bytes:
    """The ledger as .xlsx bytes."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "台帐"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    _write_line(sheet, TITLE_ROW, TITLE, size=16, bold=True, centre=True, height=30)
    _write_line(sheet, BLOCK_ROW, header_line(meta), size=10, height=20)
    _write_headers(sheet)

    templates = [_style_template(sheet, column) for column in range(COLUMNS)]
    row_number = DATA_FIRST
    for row in rows:
        for column, value in enumerate(leaf_values(row)):
            cell = sheet.cell(row_number, column + 1)
            cell._style = copy(templates[column]._style)  # first: set_text may add a prefix
            if isinstance(value, int):
                cell.value = value
            else:
                set_text(cell, value)
        if len(row.relatives) > 1:
            sheet.row_dimensions[row_number].height = 14 * len(row.relatives)
        row_number += 1

    _write_line(sheet, row_number, NOTE, size=10)
    _print_setup(sheet, row_number)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
