"""The error report: the rejected rows as uploaded, with a reason column, ready to fix.

Every cell is written as text (never a formula: openpyxl would turn a string starting with = into
one), so ID numbers keep all 18 characters and a refused =HYPERLINK(...) stays inert.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from caseman.i18n import translate_message
from caseman.imports.services import Upload
from caseman.spreadsheets import set_text

REASON_TITLE = "错误原因"
ROW_TITLE = "原行号"


def _text(sheet: Any, value: Any) -> WriteOnlyCell:
    if isinstance(value, float) and value.is_integer():
        # 5.0011219440305e+17 reads as the digits Excel kept (not the binary float's tail)
        value = int(Decimal(repr(value)))
    cell = WriteOnlyCell(sheet)
    set_text(cell, "" if value is None else str(value))  # never a formula
    return cell


def write_error_report(upload: Upload, preview: dict[str, Any], path: Path) -> None:
    """Write the rejected rows of ``preview`` (the original cells) with their reasons."""
    reasons: dict[int, list[str]] = {}
    for row, column, message, params in preview["problems"]:
        text = translate_message(message, params)
        reasons.setdefault(row, []).append(f"{column}：{text}" if column else text)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("错误行")
    width = len(upload.raw_header)
    sheet.append([_text(sheet, t) for t in [*upload.raw_header, REASON_TITLE, ROW_TITLE]])
    rejected = set(preview["rejected_rows"])
    for number, cells in upload.rows:
        if number not in rejected:
            continue
        padded = [*cells[:width], *[None] * (width - len(cells))]
        sheet.append(
            [_text(sheet, v) for v in [*padded, "；".join(reasons.get(number, [])), number]]
        )
    workbook.save(path)
