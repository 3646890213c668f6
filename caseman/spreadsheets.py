"""Text cells that never become formulas: the one helper every spreadsheet export uses.

A value that starts with = + - @ (or a tab or carriage return, which some spreadsheets skip
before reading a formula) would run as a formula when the file is opened ("CSV/formula
injection", OWASP): ``=HYPERLINK(...)`` can send data away, ``=cmd|...`` could start programs.
In .xlsx such a value is written as a string cell with Excel's quote prefix, so the value itself
is unchanged and editing the cell keeps it text. In CSV, where a cell has no type, it gets a
leading apostrophe, which spreadsheets hide and treat as "this is text".
"""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: str) -> bool:
    """Whether a spreadsheet would read ``value`` as a formula if it were typed in."""
    return value.startswith(FORMULA_TRIGGERS)


def set_text(cell: Cell, value: str) -> None:
    """Write ``value`` into an openpyxl cell as text, never a formula (openpyxl makes "=…" one)."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    cell.data_type = "s"
    if is_formula_like(value):
        cell.quotePrefix = True


def csv_text(value: object) -> str:
    """A value for a CSV cell: text that starts like a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if is_formula_like(text) else text
