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

from collections.abc import Iterable
from copy import copy
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from caseman.ledger.annex1 import (
    CENTERED,
    COLUMNS,
    HEADINGS,
    TITLE,
    LedgerMeta,
    header_line,
    leaf_values,
    note_text,
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


def _merge(sheet: Worksheet, first_row: int, first_column: int, last_row: int,
           last_column: int) -> None:  # fmt: skip
    """Merge a range (a write-only sheet keeps the list and writes it when saved)."""
    sheet.merged_cells.add(
        CellRange(min_row=first_row, min_col=first_column, max_row=last_row, max_col=last_column)
    )


def _styled(sheet: Worksheet, template: Cell, text: str | None = None) -> Cell:
    cell = WriteOnlyCell(sheet)
    cell._style = copy(template._style)  # first: set_text may add a prefix
    if text is not None:
        set_text(cell, text)
    return cell


def _write_headers(sheet: Worksheet) -> None:
    """The two header rows (rows HEADER_FIRST and HEADER_LAST) with the annex's merges."""
    template = _style_template(sheet, 0, header=True)
    # Merged cells keep their own borders: style every cell so the grid prints whole.
    first = [_styled(sheet, template) for _ in range(COLUMNS)]
    second = [_styled(sheet, template) for _ in range(COLUMNS)]
    column = 1
    for heading in HEADINGS:
        set_text(first[column - 1], heading.text)
        if heading.children:
            _merge(sheet, HEADER_FIRST, column, HEADER_FIRST, column + heading.width - 1)
            for offset, child in enumerate(heading.children):
                set_text(second[column - 1 + offset], child)
        else:
            _merge(sheet, HEADER_FIRST, column, HEADER_LAST, column)
        column += heading.width
    for row, cells in ((HEADER_FIRST, first), (HEADER_LAST, second)):
        sheet.row_dimensions[row].height = 24
        sheet.append(cells)


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
    """A line of text across the sheet, appended as row ``row`` (the next row of the sheet)."""
    cell = WriteOnlyCell(sheet)
    set_text(cell, text)
    cell.font = Font(name=FONT_NAME, size=size, bold=bold)
    cell.alignment = Alignment(horizontal="center" if centre else "left", vertical="center")
    _merge(sheet, row, 1, row, COLUMNS)
    if height:
        sheet.row_dimensions[row].height = height
    sheet.append([cell])


def _print_setup(sheet: Worksheet) -> None:
    # Before the first row: a write-only sheet writes its properties (fit to page) with it.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{HEADER_FIRST}:{HEADER_LAST}"
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def ledger_xlsx(rows: Iterable[LedgerRow], meta: LedgerMeta) -> bytes:
    """The ledger as .xlsx bytes.

    The workbook is write-only (openpyxl streams each row to a temporary file as it is appended),
    so a town of 10,000 elders needs a few megabytes, not a sheet of cell objects in memory.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台帐")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{DATA_FIRST}"
    _print_setup(sheet)

    _write_line(sheet, TITLE_ROW, TITLE, size=16, bold=True, centre=True, height=30)
    _write_line(sheet, BLOCK_ROW, header_line(meta), size=10, height=20)
    _write_headers(sheet)

    templates = [_style_template(sheet, column) for column in range(COLUMNS)]
    row_number = DATA_FIRST
    for row in rows:
        cells = []
        for column, value in enumerate(leaf_values(row)):
            cell = _styled(sheet, templates[column])
            if isinstance(value, int):
                cell.value = value
            else:
                set_text(cell, value)
            cells.append(cell)
        if len(row.relatives) > 1:
            sheet.row_dimensions[row_number].height = 14 * len(row.relatives)
        sheet.append(cells)
        row_number += 1

    _write_line(sheet, row_number, note_text(meta), size=10)
    sheet.print_area = f"A1:{get_column_letter(COLUMNS)}{row_number}"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
