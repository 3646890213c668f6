"""One description of an official form, rendered by two writers (.docx and PDF).

An annex builder (``annex2.py``, ``annex3.py``, ``annex1.py``) turns data into a :class:`Document`:
sheets, each with a title, lines above and below a table, and the table as rows of cells with
column and row spans, exactly like an HTML table (a cell spanning rows is given once, in its first
row; the rows below simply have fewer cells). ``docx_writer`` and ``pdf_writer`` render the same
description, so the Word file and the PDF can never drift apart.

Text inside a cell or line is a list of paragraphs; a paragraph is a list of inlines: plain
strings, :class:`Text` (bold / underlined filled-in values) and :class:`Box` (an option printed
□ or ☑ before its label).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BOX_EMPTY = "□"
BOX_CHECKED = "☑"

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Text:
    """A run of text: ``fill`` marks a value filled in from the data (underlined, like a blank)."""

    text: str
    bold: bool = False
    fill: bool = False


@dataclass(frozen=True)
class Box:
    """A printed option: □ label, or ☑ label when chosen."""

    label: str
    checked: bool = False

    @property
    def glyph(self) -> str:
        return BOX_CHECKED if self.checked else BOX_EMPTY


Inline = str | Text | Box
Paragraph = list[Inline]


@dataclass
class Line:
    """A paragraph outside the table (建档日期 line, 备注, the header block of a ledger)."""

    parts: Paragraph
    align: Align = "left"
    size_pt: float | None = None  # None: body size


@dataclass
class Cell:
    paragraphs: list[Paragraph]
    colspan: int = 1
    rowspan: int = 1
    align: Align = "left"
    kind: Literal["label", "value", "section", "signature", "header"] = "value"

    @classmethod
    def of(cls, *parts: Inline, **kwargs: object) -> Cell:
        """A cell of one paragraph."""
        return cls([list(parts)], **kwargs)  # type: ignore[arg-type]

    def plain_text(self) -> str:
        return "\n".join(plain(p) for p in self.paragraphs)


@dataclass
class Row:
    cells: list[Cell]
    height_mm: float | None = None  # minimum height (signature rows, writing space)
    header: bool = False  # repeated at the top of each page (ledger header rows)


@dataclass
class Table:
    column_widths_mm: list[float]
    rows: list[Row]
    font_pt: float | None = None  # None: the body size (10.5 pt); a dense ledger sets less

    @property
    def columns(self) -> int:
        return len(self.column_widths_mm)

    def grid(self) -> list[list[tuple[int, int] | None]]:
        """For each row, which (row, cell index) covers each grid column (spans resolved).

        Raises ValueError when the spans do not tile the grid exactly.
        """
        grid: list[list[tuple[int, int] | None]] = [[None] * self.columns for _ in self.rows]
        for r, row in enumerate(self.rows):
            col = 0
            for c, cell in enumerate(row.cells):
                while col < self.columns and grid[r][col] is not None:
                    col += 1
                if col + cell.colspan > self.columns or r + cell.rowspan > len(self.rows):
                    raise ValueError(f"cell {c} of row {r} does not fit the grid")
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        if grid[r + dr][col + dc] is not None:
                            raise ValueError(f"cell {c} of row {r} overlaps another")
                        grid[r + dr][col + dc] = (r, c)
                col += cell.colspan
        for r, cells in enumerate(grid):
            if any(slot is None for slot in cells):
                raise ValueError(f"row {r} leaves grid columns empty")
        return grid


@dataclass
class Sheet:
    """One copy of a form on its own page(s)."""

    title: str
    table: Table
    before: list[Line] = field(default_factory=list)
    after: list[Line] = field(default_factory=list)
    orientation: Literal["portrait", "landscape"] = "portrait"
    copy_label: str = ""  # e.g. "第1联 区民政局存档"
    document_number: str = ""  # printed as text and as a QR code


@dataclass
class Document:
    sheets: list[Sheet]
    name: str = ""  # file name without extension
    printed_id: int | None = None  # the PrintedDocument whose number it carries, once numbered

    @property
    def orientation(self) -> str:
        return self.sheets[0].orientation if self.sheets else "portrait"


def plain(paragraph: Paragraph) -> str:
    """A paragraph as plain text, boxes included (□ label / ☑ label)."""
    out = []
    for part in paragraph:
        if isinstance(part, Box):
            out.append(f"{part.glyph}{part.label}")
        elif isinstance(part, Text):
            out.append(part.text)
        else:
            out.append(part)
    return "".join(out)
