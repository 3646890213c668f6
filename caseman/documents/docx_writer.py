"""The Word writer: a :class:`~caseman.documents.layout.Document` as a .docx file (python-docx).

Page: A4, portrait or landscape per sheet, margins 12 mm top and bottom and 15 mm left and right;
each sheet is its own section, so each copy starts on a new page with its own orientation. The
section's header holds the band: the copy label and the document number (right-aligned) with the
QR code beside them, so that every page of a copy carries them, a form running to a second page
included (issue 17 item 9). The centred title follows in the body. Lines are set at an exact
spacing (固定值 12 pt for the 10.5 pt text), so a form takes the same height whatever line
metrics the reader's 宋体 (or its substitute) has: 附件2 with up to five family members is one
page per copy.

Fonts. Word and WPS on the offices' Windows machines have 宋体 (SimSun), which is what Chinese
forms are set in; Noto Serif CJK SC, which the PDF uses, is usually absent there, and a Word file
naming a missing font falls back to whatever the reader picks (often a Japanese Mincho, as
ECOSYSTEM.md measured). So the whole text is set in ``宋体`` (the name Chinese Word itself writes;
Word also resolves it on English Windows), Latin letters and digits included: 宋体's digits are
half an em, so an 18-character ID number is 9 em wide and the columns, sized from these metrics
(``caseman.documents.metrics``), hold it on one line. (Times New Roman was the Latin font; a
reader without it, LibreOffice on Linux for one, substituted a font whose digits are 0.64 em and
the IDs wrapped.) The font is set on the document defaults *and* the Normal style with the
theme-font attributes removed, and ``w:lang w:eastAsia="zh-CN"`` so that the fallback, if any, is
a Chinese one. Body 10.5 pt (五号), titles 16 pt (三号) bold.

Boxes: □ and ☑ are printed as Unicode characters (the Wingdings trick shows a missing-glyph box
after Chinese text). 宋体 has □ but not ☑, so both glyphs go in one run set in Segoe UI Symbol
(on every Windows since 7; LibreOffice substitutes DejaVu Sans), which has both: every box then
looks the same, checked or not.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterable
from html import escape as xml_escape  # & < > " ' as entities: valid XML 1.0 text
from typing import Any

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Mm, Pt
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from caseman import clock
from caseman.documents.layout import Box, Cell, Document, Line, Paragraph, Row, Sheet, Table, Text
from caseman.documents.qr import qr_png

EAST_ASIAN_FONT = "宋体"
LATIN_FONT = "宋体"  # digits and Latin letters too: half-em metrics (see above)
SYMBOL_FONT = "Segoe UI Symbol"
LANGUAGE = "zh-CN"

BODY_PT = 10.5  # 五号
LINE_PT = 12  # exact line spacing of the body text (固定值12磅, as Chinese forms set 五号)
TITLE_LINE_PT = 21
TITLE_PT = 16  # 三号
SMALL_PT = 9  # the document number
MARGIN_MM = 15  # left and right: tables are 180 mm (portrait) or 267 mm (landscape) wide
MARGIN_TOP_MM = 12  # top and bottom
QR_MM = 18  # the PDF's
HEADER_QR_MM = 15  # in the .docx header, where it sets how far down the body starts
BORDER_EIGHTHS = 6  # table rules, in eighths of a point (0.75 pt)
CELL_MARGIN_TWIPS = 57  # 1 mm left and right inside cells (metrics.DOCX_PADDING_MM)

_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}
_BOLD_KINDS = {"label", "section", "header"}


def render_docx(document: Document) -> bytes:
    """The document as the bytes of a .docx file."""
    docx = _blank()
    title = next((s.title for s in document.sheets if s.title), document.name)
    properties = docx.core_properties
    properties.title = title
    properties.subject = document.name
    properties.author = "caseman"
    properties.last_modified_by = "caseman"
    properties.comments = ""
    properties.keywords = ""
    properties.language = LANGUAGE
    now = clock.utcnow().replace(microsecond=0)
    properties.created = now
    properties.modified = now
    properties.revision = 1

    tables: dict[Any, Any] = {}  # id(layout table) -> its w:tbl; band keys -> a band, for copies
    for index, sheet in enumerate(document.sheets):
        if index == 0:
            section = docx.sections[0]
        else:
            section = docx.add_section(WD_SECTION.NEW_PAGE)
            # The paragraph that closes the previous sheet: keep it from spilling onto a page.
            _shrink(docx.paragraphs[-1])
        _page(section, sheet.orientation)
        _write_sheet(docx, sheet, tables)

    out = io.BytesIO()
    docx.save(out)
    return out.getvalue()


_template: DocxDocument | None = None


def _blank() -> DocxDocument:
    """A new document with our fonts set: a copy of one prepared per process (copying the
    object graph is faster than reading python-docx's template package again)."""
    global _template
    if _template is None:
        template = new_docx()
        _set_fonts(template)
        _template = template
    return copy.deepcopy(_template)


# --- fonts and page -------------------------------------------------------------------------------


def _set_fonts(docx: DocxDocument) -> None:
    """Name the East Asian font on the document defaults and the Normal style (see module doc)."""
    styles = docx.styles.element
    r_pr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_run_fonts(r_pr, EAST_ASIAN_FONT, LATIN_FONT)
    _set_language(r_pr)
    for size_tag in ("w:sz", "w:szCs"):
        size = r_pr.find(qn(size_tag))
        if size is not None:
            size.set(qn("w:val"), str(round(BODY_PT * 2)))

    normal = docx.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY_PT)
    _set_run_fonts(normal.element.get_or_add_rPr(), EAST_ASIAN_FONT, LATIN_FONT)
    _set_language(normal.element.get_or_add_rPr())
    paragraph_format = normal.paragraph_format
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)
    paragraph_format.line_spacing = Pt(LINE_PT)
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY


def _set_language(r_pr: BaseOxmlElement) -> None:
    """w:lang zh-CN (w:lang comes after the font, size and underline elements we set)."""
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)


def _set_run_fonts(r_pr: BaseOxmlElement, east_asian: str, latin: str) -> None:
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def _page(section: Section, orientation: str) -> None:
    if orientation == "landscape":
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(MARGIN_TOP_MM)
    section.left_margin = section.right_margin = Mm(MARGIN_MM)
    section.header_distance = Mm(7)  # the band: 7 mm down; the body starts below it
    section.footer_distance = Mm(8)


def _usable_width_mm(orientation: str) -> float:
    return (297 if orientation == "landscape" else 210) - 2 * MARGIN_MM


def _shrink(paragraph: DocxParagraph) -> None:
    """A 1 pt paragraph mark with no spacing (a section break's own paragraph)."""
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(1)
    p_pr = paragraph._p.get_or_add_pPr()
    r_pr = p_pr.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        # w:rPr comes after everything in w:pPr but w:sectPr and w:pPrChange.
        anchor = p_pr.find(qn("w:sectPr"))
        if anchor is not None:
            anchor.addprevious(r_pr)
        else:
            p_pr.append(r_pr)
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    r_pr.append(size)


# --- a sheet --------------------------------------------------------------------------------------


def _write_sheet(docx: DocxDocument, sheet: Sheet, tables: dict[Any, Any]) -> None:
    section = docx.sections[-1]
    if sheet.document_number or sheet.copy_label:
        _write_band(section, sheet)
    else:
        section.header.is_linked_to_previous = False  # not the band of the sheet before
    if sheet.title:
        _write_title(docx.add_paragraph(), sheet.title)
    for line in sheet.before:
        _write_line(docx.add_paragraph(), line)
    written = tables.get(id(sheet.table))
    if written is not None:
        # The copies of a form share one table: copy its XML instead of building it again
        # (python-docx's element API is most of the writer's time).
        docx.element.body._insert_tbl(copy.deepcopy(written))
    else:
        tables[id(sheet.table)] = _write_table(docx, sheet.table)
    if sheet.after:
        for line in sheet.after:
            _write_line(docx.add_paragraph(), line)
    else:
        # Word wants a paragraph between a table and the section's end.
        _shrink(docx.add_paragraph())


def _write_title(paragraph: DocxParagraph, title: str) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(4)
    paragraph.paragraph_format.line_spacing = Pt(TITLE_LINE_PT)
    run = paragraph.add_run(title)
    run.bold = True
    run.font.size = Pt(TITLE_PT)


def _write_band(section: Section, sheet: Sheet) -> None:
    """The section's own header: a borderless 1 x 2 table, the copy label over the document
    number (right-aligned) beside the QR code; Word repeats it on every page of the copy."""
    header = section.header
    header.is_linked_to_previous = False
    width = _usable_width_mm(sheet.orientation)
    qr_column = HEADER_QR_MM + 1
    band = header.add_table(rows=1, cols=2, width=Mm(width))  # no style: no borders
    band.autofit = False
    _fixed_layout(band, [width - qr_column, qr_column])
    _cell_margins(band, left=0, right=0)
    ids, qr_cell = band.rows[0].cells
    ids.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    label = ids.paragraphs[0]
    label.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    label.paragraph_format.right_indent = Mm(1)
    if sheet.copy_label:
        label.add_run(sheet.copy_label).bold = True
    if sheet.document_number:
        number = ids.add_paragraph() if sheet.copy_label else label
        number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        number.paragraph_format.right_indent = Mm(1)
        number.add_run(f"编号：{sheet.document_number}").font.size = Pt(SMALL_PT)
        picture = qr_cell.paragraphs[0]
        picture.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # room for the image
        picture.add_run().add_picture(
            io.BytesIO(qr_png(sheet.document_number)), width=Mm(HEADER_QR_MM)
        )
    # The header's own empty paragraph goes after the table (a header ends with a paragraph),
    # as small as can be.
    paragraph = header.paragraphs[0]
    band._tbl.addnext(paragraph._p)
    _shrink(paragraph)


def _write_line(paragraph: DocxParagraph, line: Line) -> None:
    paragraph.alignment = _ALIGN[line.align]
    paragraph.paragraph_format.space_before = Pt(2)
    paragraph.paragraph_format.space_after = Pt(2)
    _write_inlines(paragraph, line.parts, size_pt=line.size_pt)


def _write_inlines(
    paragraph: DocxParagraph,
    parts: Paragraph,
    *,
    bold: bool = False,
    size_pt: float | None = None,
) -> None:
    def run(text: str, *, bold: bool = bold, underline: bool = False, symbol: bool = False) -> None:
        r = paragraph.add_run(text)
        if bold:
            r.bold = True
        if underline:
            r.underline = True
        if size_pt is not None:
            r.font.size = Pt(size_pt)
        if symbol:
            _set_run_fonts(r._r.get_or_add_rPr(), SYMBOL_FONT, SYMBOL_FONT)

    for part in parts:
        if isinstance(part, Box):
            run(part.glyph, bold=False, symbol=True)
            if part.label:
                run(part.label)
        elif isinstance(part, Text):
            run(part.text, bold=bold or part.bold, underline=part.fill)
        elif part:
            run(part)


# --- the table ------------------------------------------------------------------------------------


def _write_table(docx: DocxDocument, table: Table) -> BaseOxmlElement:
    """The table built row by row from the resolved grid: a spanned cell is one ``w:tc`` with
    ``w:gridSpan``, continued in the rows below by ``w:vMerge`` cells (what Word writes itself).

    python-docx's ``cell()`` and ``merge()`` walk the whole table on every call; building the
    merged structure directly keeps a long ledger linear.
    """
    grid = table.grid()  # raises ValueError when the spans do not tile the grid
    out = docx.add_table(rows=0, cols=table.columns)
    out.style = docx.styles["Table Grid"]
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    out.autofit = False
    _fixed_layout(out, table.column_widths_mm)
    _borders(out)
    _cell_margins(out, left=CELL_MARGIN_TWIPS, right=CELL_MARGIN_TWIPS, top=20, bottom=20)

    rows = "".join(_row_xml(table, grid, r) for r in range(len(table.rows)))
    parsed = parse_xml(f"<w:tbl {nsdecls('w')}>{rows}</w:tbl>")
    for tr in list(parsed):
        out._tbl.append(tr)
    return out._tbl


# The rows are written as XML text and parsed once: python-docx's element API (which keeps every
# child in schema order by searching its siblings) took most of the writer's time. The elements
# are exactly what that API wrote, in schema order: w:trPr (cantSplit, trHeight, tblHeader),
# w:tcPr (tcW, gridSpan, vMerge, vAlign), w:pPr (keepNext, jc), w:rPr (rFonts, b, sz, u).

_JC = {"left": "left", "center": "center", "right": "right"}


def _row_xml(table: Table, grid: list[list[Any]], r: int) -> str:
    row = table.rows[r]
    widths = table.column_widths_mm
    leading_header = all(table.rows[k].header for k in range(r + 1))
    tr_pr = "<w:cantSplit/>"
    if row.height_mm is not None:
        tr_pr += f'<w:trHeight w:val="{_twips(row.height_mm)}" w:hRule="atLeast"/>'
    if leading_header:  # Word repeats only the rows at the very top of a table
        tr_pr += "<w:tblHeader/>"
    # Rows joined by a rowspan stay on one page, and a section title stays with the row below
    # it: Word keeps a row with the next one when its paragraphs keep with next.
    spanning = any(top + table.rows[top].cells[i].rowspan - 1 > r for top, i in grid[r])
    keep_next = spanning or (r + 1 < len(table.rows) and _is_heading(row))
    cells = []
    col = 0
    while col < table.columns:
        top, index = grid[r][col]
        cell = table.rows[top].cells[index]
        tc_pr = f'<w:tcW w:w="{_twips(sum(widths[col : col + cell.colspan]))}" w:type="dxa"/>'
        if cell.colspan > 1:
            tc_pr += f'<w:gridSpan w:val="{cell.colspan}"/>'
        if cell.rowspan > 1:
            tc_pr += '<w:vMerge w:val="restart"/>' if top == r else "<w:vMerge/>"
        if top == r:
            tall = row.height_mm is not None and cell.kind in ("value", "signature")
            tc_pr += f'<w:vAlign w:val="{"top" if tall else "center"}"/>'
            body = _cell_paragraphs_xml(cell, keep_next, table.font_pt)
        else:
            tc_pr += '<w:vAlign w:val="center"/>'
            body = _paragraph_xml([], "left", keep_next=keep_next, size_pt=table.font_pt)
        cells.append(f"<w:tc><w:tcPr>{tc_pr}</w:tcPr>{body}</w:tc>")
        col += cell.colspan
    return f"<w:tr><w:trPr>{tr_pr}</w:trPr>{''.join(cells)}</w:tr>"


def _cell_paragraphs_xml(cell: Cell, keep_next: bool, size_pt: float | None = None) -> str:
    align = "center" if cell.kind == "header" else cell.align
    bold = cell.kind in _BOLD_KINDS
    paragraphs: Iterable[Paragraph] = cell.paragraphs or [[]]
    return "".join(
        _paragraph_xml(_runs(parts, bold, size_pt), align, keep_next=keep_next, size_pt=size_pt)
        for parts in paragraphs
    )


def _runs(parts: Paragraph, bold: bool, size_pt: float | None = None) -> list[str]:
    runs = []
    for part in parts:
        if isinstance(part, Box):
            runs.append(_run_xml(part.glyph, symbol=True, size_pt=size_pt))
            if part.label:
                runs.append(_run_xml(part.label, bold=bold, size_pt=size_pt))
        elif isinstance(part, Text):
            runs.append(
                _run_xml(part.text, bold=bold or part.bold, underline=part.fill, size_pt=size_pt)
            )
        elif part:
            runs.append(_run_xml(part, bold=bold, size_pt=size_pt))
    return runs


def _size_xml(size_pt: float | None) -> str:
    if size_pt is None:
        return ""
    half_points = round(size_pt * 2)
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def _paragraph_xml(
    runs: list[str], align: str, *, keep_next: bool, size_pt: float | None = None
) -> str:
    p_pr = ("<w:keepNext/>" if keep_next else "") + f'<w:jc w:val="{_JC[align]}"/>'
    if size_pt is not None:  # the paragraph mark: an empty cell's line is as tall as the text
        p_pr += f"<w:rPr>{_size_xml(size_pt)}</w:rPr>"
    return f"<w:p><w:pPr>{p_pr}</w:pPr>{''.join(runs)}</w:p>"


def _run_xml(
    text: str,
    *,
    bold: bool = False,
    underline: bool = False,
    symbol: bool = False,
    size_pt: float | None = None,
) -> str:
    r_pr = ""
    if symbol:
        font = xml_escape(SYMBOL_FONT)
        r_pr += (f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:cs="{font}" '
                 f'w:eastAsia="{font}"/>')  # fmt: skip
    if bold:
        r_pr += "<w:b/>"
    r_pr += _size_xml(size_pt)
    if underline:
        r_pr += '<w:u w:val="single"/>'
    content = []
    for i, line in enumerate(text.split("\n")):
        if i:
            content.append("<w:br/>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                content.append("<w:tab/>")
            if piece:
                text_xml = xml_escape(_xml_safe(piece), quote=False)
                content.append(f'<w:t xml:space="preserve">{text_xml}</w:t>')
    props = f"<w:rPr>{r_pr}</w:rPr>" if r_pr else ""
    return f"<w:r>{props}{''.join(content)}</w:r>"


_XML_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])


def _xml_safe(text: str) -> str:
    """Drop control characters XML 1.0 cannot carry (a pasted form feed would break the file)."""
    return text.translate(_XML_ILLEGAL)


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def _is_heading(row: Row) -> bool:
    """A row of section titles or column headers: it belongs with the row below it."""
    return all(cell.kind in ("section", "header") for cell in row.cells)


def _fixed_layout(table: DocxTable, widths_mm: list[float]) -> None:
    """Fixed column widths: w:tblW, w:tblLayout fixed, w:gridCol and the w:tcW of cells."""
    tbl = table._tbl
    total = OxmlElement("w:tblW")
    total.set(qn("w:w"), str(round(sum(widths_mm) * 1440 / 25.4)))
    total.set(qn("w:type"), "dxa")
    _insert_tbl_pr(tbl.tblPr, total)
    for grid_col, width in zip(tbl.tblGrid.gridCol_lst, widths_mm, strict=True):
        grid_col.w = Mm(width)
    for tr in tbl.tr_lst:
        col = 0
        for tc in tr.tc_lst:
            tc.width = Mm(sum(widths_mm[col : col + tc.grid_span]))
            col += tc.grid_span


def _borders(table: DocxTable) -> None:
    """Rules on every cell, set on the table itself (not only through the Table Grid style)."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), str(BORDER_EIGHTHS))
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    _insert_tbl_pr(table._tbl.tblPr, borders)


def _cell_margins(
    table: DocxTable, *, left: int, right: int, top: int = 0, bottom: int = 0
) -> None:
    margins = OxmlElement("w:tblCellMar")
    for edge, value in (("top", top), ("left", left), ("bottom", bottom), ("right", right)):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(value))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    _insert_tbl_pr(table._tbl.tblPr, margins)


# Children of w:tblPr in schema order (Word rejects files whose elements are out of order).
_TBL_PR_ORDER = [
    "w:tblStyle",
    "w:tblpPr",
    "w:tblOverlap",
    "w:bidiVisual",
    "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize",
    "w:tblW",
    "w:jc",
    "w:tblCellSpacing",
    "w:tblInd",
    "w:tblBorders",
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
    "w:tblCaption",
    "w:tblDescription",
]


def _insert_tbl_pr(tbl_pr: BaseOxmlElement, element: BaseOxmlElement) -> None:
    """Put ``element`` into w:tblPr at its schema position, replacing one of the same tag."""
    tag = element.tag
    for old in tbl_pr.findall(tag):
        tbl_pr.remove(old)
    rank = _TBL_PR_ORDER.index(next(t for t in _TBL_PR_ORDER if qn(t) == tag))
    for index, child in enumerate(tbl_pr):
        names = [qn(t) for t in _TBL_PR_ORDER[rank + 1 :]]
        if child.tag in names:
            tbl_pr.insert(index, element)
            return
    tbl_pr.append(element)
