"""Printing a form by stamping its values into a blank laid out once (issue 21 goal 1).

Laying a form out with WeasyPrint takes ~300 ms and drawing it ~100 ms; two forms of the same
shape differ only in the text of their values. So:

1. ``mark`` (pure, on the template context of ``pdf_writer``) numbers each paragraph that holds a
   value (``data-stamp``) and each value inside it (``data-slot``): a filled-in run, a box □/☑,
   the text of a value cell, the document number. Everything else is the form's *skeleton*,
   a hashable key.
2. The first form of a skeleton is laid out in full (WeasyPrint's own path, whose pages are what
   it prints) and *recorded*: for each marked paragraph its text boxes with their positions and
   styles.
3. A later form of that skeleton is measured, not laid out: each paragraph's texts are shaped by
   WeasyPrint's own line breaker (``split_first_line``) with the recorded style and width. Its
   *key* says what would change the layout around the values: for a paragraph of one value, its
   number of lines and the fonts it needs; for a paragraph of a single line, the fonts of each
   run (the widths are free: the line is placed again); any other paragraph, its exact text.
   A form whose key has a recorded *blank* is printed from it: the blank's drawing with the
   marked paragraphs left out (drawn once per PDF, as WeasyPrint's copies already are), the
   paragraphs drawn by WeasyPrint's ``draw_text`` at the places the layout would give them
   (``text_align`` redone; a line already drawn once is drawn again from its noted stream
   calls, ``draw_value``), and the QR codes drawn by ``draw_replacedbox``. Any other form is
   laid out in full, and becomes the blank of its key.

A blank is only kept when placing its own form's texts again gives back the layout's own
positions, to the micro-pixel; a glyph missing from the fonts, or anything unexpected, prints
the form the full way. tests/documents/test_fast_forms.py prints 50 varied forms both ways and
compares the pages pixel for pixel. The caches are per thread (Pango fonts are per thread).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from pydyf import _to_bytes  # WeasyPrint's PDF writer: how it formats a number

SLOT = "data-slot"
STAMP = "data-stamp"
BLANKS_KEPT = 24  # blanks kept per thread, ~1 MB each (a layout worker keeps more: pdf_writer)
SKELETONS_KEPT = 24
EPSILON = 1e-6  # CSS px: a placed text must land where the layout put it
EMPTY = "\u00a0"  # an empty value cell's text (a line of the cell's height, nothing printed)

_local = threading.local()
_stats = {
    "hits": 0,
    "misses": 0,
    "refused": 0,
    "values_drawn": 0,
    "values_replayed": 0,
    "values_unreplayable": 0,
}


class NotStampable(Exception):
    """The form cannot be stamped (a missing glyph, an unexpected layout): lay it out."""


# --- 1. marking the template context ----------------------------------------------------------


def _slot_part(part: dict[str, Any], value_cell: bool) -> bool:
    kind = part["kind"]
    if kind == "box":
        return True
    if kind == "text" and "fill" in part.get("classes", "").split():
        return True
    return value_cell and kind in ("plain", "text")


def _mark_paragraph(parts: list[dict[str, Any]], value_cell: bool, texts: list[list[str]]) -> Any:
    if value_cell and not parts:  # an empty value: a no-break space holds its line, as before
        parts.append({"kind": "plain", "text": EMPTY})
    slots = []
    for part in parts:
        if _slot_part(part, value_cell):
            part["slot"] = len(slots)
            slots.append(part["glyph"] if part["kind"] == "box" else part["text"])
    if not slots:
        return None
    texts.append(slots)
    return len(texts) - 1


def mark(sheets: list[dict[str, Any]]) -> tuple[Any, list[list[str]]]:
    """Number the paragraphs holding values and the values in them (the template writes
    ``data-stamp`` / ``data-slot``); return the skeleton key and each paragraph's value texts."""
    texts: list[list[str]] = []
    for sheet in sheets:
        if sheet.get("document_number"):
            sheet["docno_stamp"] = len(texts)
            texts.append([sheet["document_number"]])
        for line in (*sheet.get("before", ()), *sheet.get("after", ())):
            line["stamp"] = _mark_paragraph(line["parts"], False, texts)
        rows = [*sheet.get("head", ()), *(r for g in sheet.get("body", ()) for r in g["rows"])]
        for row in rows:
            for cell in row["cells"]:
                value_cell = any(f"kind-{k}" in cell["classes"] for k in ("value", "signature"))
                cell["stamps"] = [
                    _mark_paragraph(parts, value_cell, texts) for parts in cell["paragraphs"]
                ]
    return _freeze(sheets), texts


_PRESENCE = frozenset(("document_number", "qr"))  # the skeleton keeps only whether they are
_CONTAINERS = (dict, list, tuple)


def _freeze(value: Any) -> Any:
    """The skeleton: the context without the values' texts (their presence is kept)."""
    kind = type(value)
    if kind is dict:
        if "slot" in value:
            text = value.get("glyph") if value["kind"] == "box" else value.get("text")
            kept = tuple([(k, v) for k, v in sorted(value.items()) if k not in ("text", "glyph")])
            return ("slot", kept, bool(text))
        return tuple([
            (k, bool(v) if k in _PRESENCE else _freeze(v) if type(v) in _CONTAINERS else v)
            for k, v in sorted(value.items())
        ])  # fmt: skip
    if kind is list or kind is tuple:
        return tuple([_freeze(v) if type(v) in _CONTAINERS else v for v in value])
    return value


# --- 2. recording a laid-out form --------------------------------------------------------------


@dataclass
class Piece:
    """One text box of a marked paragraph, as the layout made it."""

    box: Any  # the TextBox (its style, position, baseline)
    slot: int | None  # which value of the paragraph, None for the form's own text
    lead: float  # inline edges (margins, borders, paddings) before it on its line


@dataclass
class Para:
    """A marked paragraph as laid out: its lines of pieces and where its lines start."""

    stamp: int
    lines: list[list[Piece]]
    content_x: float
    available: float
    line_widths: list[float]
    nowrap: bool

    @property
    def alone(self) -> bool:
        """One value and nothing else, on one line or more."""
        return all(p.slot == 0 for line in self.lines for p in line) and bool(self.lines)


@dataclass
class PageRecord:
    base: Any  # the page box of the form's table (dropped once drawn)
    base_key: int  # which base page (copies share it)
    band: Any  # the copy's band page box, or None (dropped once drawn)
    band_key: int | None
    page: Any  # the page (size, anchors…; a PageInfo once drawn)
    paras: list[tuple[str, Para]]  # ("base" | "band", paragraph)
    qr: Any = None  # the band's QR code box


class PageInfo:
    """What writing a PDF reads of a WeasyPrint page (size, bleed, links…), without its boxes."""

    def __init__(self, page: Any) -> None:
        page = getattr(page, "_base", page)  # pdf_writer._Overlay: the form's page
        self.__dict__.update({k: v for k, v in vars(page).items() if k != "_page_box"})


@dataclass
class Blank:
    pages: list[PageRecord]
    rendered: Any  # the WeasyPrint document the pages come from (metadata, font config)
    stamped: set[int]  # the paragraphs drawn by stamping (the others are in the blank)
    drawn: dict[int, Any] = field(default_factory=dict)  # base_key / band id: recorded drawing
    shown: dict[Any, Any] = field(default_factory=dict)  # its XObjects in the PDF being written


def _element(box: Any) -> Any:
    return getattr(box, "element", None)


def _walk(box: Any, found: list[Any], qr: list[Any]) -> None:
    element = _element(box)
    if element is not None and element.get(STAMP) is not None and _is_block(box):
        found.append(box)
        return
    if element is not None and element.tag == "img" and "qr" in (element.get("class") or ""):
        qr.append(box)
        return
    for child in getattr(box, "children", ()) or ():
        _walk(child, found, qr)


def _is_block(box: Any) -> bool:
    from weasyprint.formatting_structure import boxes

    return isinstance(box, boxes.BlockContainerBox)


def _text_boxes(box: Any, out: list[Any]) -> None:
    from weasyprint.formatting_structure import boxes

    for child in box.children:
        if isinstance(child, boxes.TextBox):
            out.append(child)
        elif isinstance(child, boxes.InlineBox):
            _text_boxes(child, out)
        elif not isinstance(child, boxes.LineBox):
            raise NotStampable(f"unexpected box in a marked paragraph: {type(child).__name__}")


def _detach(style: Any) -> None:
    """Compute every property of a text's style, then let go of what computing needed: its
    parents' styles, the cascade and the document's cache. A kept paragraph would otherwise keep
    its whole form's styles alive (a worker of 24 blanks grew by ~200 MB)."""
    from weasyprint.css.properties import INITIAL_VALUES

    if getattr(style, "_caseman_detached", False):
        return
    for name in INITIAL_VALUES:
        try:
            style[name]
        except KeyError:  # a logical property (border-block-…): resolved into physical ones
            continue
    style.parent_style = None
    style.cascaded = {}
    style.specified = {}
    style.cache = {}
    style._caseman_detached = True


def _para(block: Any) -> Para:
    from weasyprint.formatting_structure import boxes

    lines: list[list[Piece]] = []
    widths: list[float] = []
    content_x = block.content_box_x()
    for line in block.children:
        if not isinstance(line, boxes.LineBox):
            raise NotStampable("a marked paragraph holds a block")
        found: list[Any] = []
        _text_boxes(line, found)
        pieces, used = [], 0.0
        for tb in found:
            _detach(tb.style)
            slot = _element(tb).get(SLOT) if _element(tb) is not None else None
            lead = tb.position_x - line.position_x - used
            used += tb.width + lead
            pieces.append(Piece(tb, int(slot) if slot is not None else None, lead))
        lines.append(pieces)
        widths.append(line.width)
    return Para(
        stamp=int(_element(block).get(STAMP)),
        lines=lines,
        content_x=content_x,
        available=block.width,
        line_widths=widths,
        nowrap=block.style["white_space"] in ("nowrap", "pre"),
    )


def _record_pages(pages: list[Any]) -> list[PageRecord]:
    records = []
    for page in pages:
        base = getattr(page, "_base", None)
        band = getattr(page, "_top", None)
        parts = (
            [("base", base._page_box), ("band", band._page_box)]
            if base
            else [("base", page._page_box)]
        )
        paras: list[tuple[str, Para]] = []
        qr: list[Any] = []
        for where, page_box in parts:
            blocks: list[Any] = []
            found_qr: list[Any] = []
            _walk(page_box, blocks, found_qr)
            paras.extend((where, _para(b)) for b in blocks)
            qr.extend(q for q in found_qr if q.style["visibility"] == "visible")
        base_box = parts[0][1]
        band_box = parts[1][1] if len(parts) > 1 else None
        records.append(
            PageRecord(
                base=base_box,
                base_key=id(base_box),
                band=band_box,
                band_key=id(band_box) if band_box is not None else None,
                page=page,
                paras=paras,
                qr=qr[0] if qr else None,
            )
        )
    return records


# --- 3. measuring a form against its skeleton --------------------------------------------------


class _Context:
    """What WeasyPrint's line breaker reads from a layout context (hyphenation dictionaries)."""

    def __init__(self) -> None:
        self.dictionaries: dict[Any, Any] = {}


def _ctx() -> _Context:
    ctx = getattr(_local, "ctx", None)
    if ctx is None:
        ctx = _local.ctx = _Context()
    return ctx


@dataclass
class Line:
    layout: Any
    text: str
    width: float


def _fonts_of(layout: Any, style: Any) -> tuple[Any, ...]:
    """The fonts a shaped line uses (their WeasyPrint keys); NotStampable on a missing glyph.
    (WeasyPrint leaves a measured layout deactivated: it is shaped again here, as for drawing.)"""
    from weasyprint.text.ffi import ffi, pango
    from weasyprint.text.fonts import get_pango_font_key

    if not hasattr(layout, "layout"):
        layout.reactivate(style)
    first_line, _index = layout.get_first_line()
    keys = []
    run = first_line.runs
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyphs = glyph_item.glyphs
        for i in range(glyphs.num_glyphs):
            if glyphs.glyphs[i].glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG:
                raise NotStampable("a character no font has")
        keys.append(get_pango_font_key(glyph_item.item.analysis.font)[0])
    layout.deactivate()
    return tuple(keys)


def _shape(
    text: str, style: Any, max_width: float | None, first: float | None = None
) -> list[Line]:
    """The text broken into lines as WeasyPrint's inline layout breaks a text box: its first
    line in ``first`` (what a line's start left, the box not at the line's start) or
    ``max_width``, the next ones in ``max_width``."""
    from weasyprint.text.line_break import split_first_line

    lines: list[Line] = []
    encoded = text.encode()
    skip = 0
    while True:
        rest = encoded[skip:].decode()
        room = first if first is not None and not lines else max_width
        layout, _length, resume, width, _height, _baseline = split_first_line(
            rest, style, _ctx(), room, 0, is_line_start=not (first is not None and not lines)
        )
        lines.append(Line(layout, layout.text, width))
        if resume is None:
            return lines
        if rest.encode()[_length:resume].decode().strip(" "):
            raise NotStampable("a preserved line break")
        skip += resume


SHAPES_KEPT = 2048  # shaped texts kept per thread (labels, boxes and common values repeat)


def _shaped(
    text: str, style: Any, max_width: float | None, first: float | None = None
) -> tuple[list[Line], tuple[Any, ...]]:
    """``_shape`` and the fonts of each line, kept: a form's own texts (labels beside values,
    the boxes) and its common values are shaped once, not for every form."""
    shapes = getattr(_local, "shapes", None)
    if shapes is None:
        shapes = _local.shapes = OrderedDict()
    key = (id(style), text, max_width, first)
    found = shapes.get(key)
    if found is not None and found[0] is style:
        shapes.move_to_end(key)
        return found[1], found[2]
    lines = _shape(text, style, max_width, first)
    fonts = tuple(_fonts_of(line.layout, style) for line in lines)
    shapes[key] = (style, lines, fonts)
    while len(shapes) > SHAPES_KEPT:
        shapes.popitem(last=False)
    return lines, fonts


@dataclass
class Measured:
    """A form measured against a skeleton: per marked paragraph, its lines of (piece, line)."""

    key: Any
    lines: dict[int, list[list[tuple[Piece, Line]]]]
    stamped: set[int]


def _align_offset(style: Any, line_width: float, available: float, last: bool) -> float:
    """``weasyprint.layout.inline.text_align`` for a line of one text (no justification)."""
    if line_width >= available:
        return 0
    align = style["text_align_all"]
    if last and style["text_align_last"] != "auto":
        align = style["text_align_last"]
    if align in ("left", "right"):
        align = "start" if (align == "left") ^ (style["direction"] == "rtl") else "end"
    if align == "start" or align == "justify":
        return 0
    offset = available - line_width
    return offset / 2 if align == "center" else offset


def _spaced(text: str) -> bool:
    """Spaces that collapse, hang or break lines: such a value is matched by its exact text."""
    return any(c in " \t\n\r\f" for c in text)


Rows = list[list[tuple[Piece, Line]]]
Found = tuple[tuple[Any, ...], Rows] | None  # a paragraph's part of the key and its lines

# A marked paragraph's layouts, kept per skeleton: the first form's, and each other one met
# later (a date or a visit number that wraps where the first form's did not), up to this many.
VARIANTS_KEPT = 4


def measure(geometry: dict[int, list[Para]], skeleton: Any, texts: list[list[str]]) -> Measured:
    """The form's key and its shaped lines, from the skeleton's recorded paragraphs.

    Each paragraph is tried against its kept layouts in turn; the first that places its values
    gives its part of the key (with the layout's index: a blank is drawn from a form laid out
    that way). A paragraph none places is matched by its exact text."""
    parts: list[Any] = [skeleton]
    lines: dict[int, Rows] = {}
    for stamp, values in enumerate(texts):
        variants = geometry.get(stamp)
        if not variants:
            raise NotStampable("a marked paragraph was not laid out")
        refusal: NotStampable | None = None
        for index, para in enumerate(variants):
            found = _measured(para, values)
            if isinstance(found, NotStampable):
                refusal = refusal or found
                continue
            if found is not None:
                part, rows = found
                parts.append((part[0], index, *part[1:]))
                lines[stamp] = rows
                break
        else:
            if refusal is not None:
                raise refusal
            parts.append(("X", tuple(values)))
    return Measured(tuple(parts), lines, set(lines))


# Values measured in a paragraph's layout and lines placed in it, kept per thread for the last
# this many (the same values recur: the boxes of a question, a village, a date). A worker's
# memory bounds it: ~15 forms' paragraphs (4096 took a worker's peak RSS to 394 MB, 2048 376 MB).
MEASURED_KEPT = 2048


def _memo(name: str) -> OrderedDict[Any, Any]:
    memo = getattr(_local, name, None)
    if memo is None:
        memo = OrderedDict()
        setattr(_local, name, memo)
    return memo


def _kept(memo: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    memo[key] = value
    while len(memo) > MEASURED_KEPT:
        memo.popitem(last=False)


def _measured(para: Para, values: list[str]) -> Found | NotStampable:
    """``_measure_para``, kept for the last values measured (a refusal too)."""
    memo = _memo("measured")
    key = (id(para), *values)
    found = memo.get(key)
    if found is not None and found[0] is para:  # the paragraph itself: its id is not reused
        memo.move_to_end(key)
        return found[1]
    try:
        result: Found | NotStampable = _measure_para(para, values)
    except NotStampable as error:
        result = error
    _kept(memo, key, (para, result))
    return result


def _measure_para(para: Para, values: list[str]) -> Found:
    """One paragraph's values placed in one of its layouts, or None (not in this layout)."""
    if para.alone and len(values) == 1 and not _spaced(values[0]):
        piece = para.lines[0][0]
        shaped, fonts = _shaped(values[0], piece.box.style, para.available)
        return ("A", len(shaped), fonts), [[(piece, line)] for line in shaped]
    if len(para.lines) == 1 and not any(_spaced(v) for v in values):
        row, line_fonts, total = [], [], 0.0
        seen: set[int] = set()
        for piece in para.lines[0]:
            if piece.slot is not None:
                if piece.slot in seen:
                    raise NotStampable("a value split in two boxes on one line")
                seen.add(piece.slot)
            text = values[piece.slot] if piece.slot is not None else piece.box.text
            (line,), (fonts,) = _shaped(text, piece.box.style, None)
            line_fonts.append(fonts)
            row.append((piece, line))
            total += piece.lead + line.width
        if seen != {j for j, value in enumerate(values) if value}:
            raise NotStampable("a value without its box")
        if para.nowrap or total <= para.available:
            return ("S", tuple(line_fonts)), [row]
        return _flow(para, values)
    kept = _lines_kept(para, values)
    if kept is not None and kept[0][0] == "W":
        # A text running on over a line end, kept only at the recorded widths (one key for
        # each width of a value: 第1次 and 第2次 开展关爱 are two keys). Where it is a label,
        # a value and the form's text running on, it is flowed again instead, at any width.
        return _flow(para, values) or kept
    return kept or _flow(para, values)


def _char_class(c: str) -> str:
    """A character's part in line breaking, as far as the key needs it."""
    if c.isdigit():
        return "D"
    if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf":
        return "C"  # an ideograph: a break is allowed on either side, all are as wide
    return c


def _split(para: Para) -> bool:
    """Does a text run on from one line to the next (one slot, or one text of the form's)?"""
    for above, below in zip(para.lines, para.lines[1:], strict=False):
        if not above or not below:
            return True
        a, b = above[-1], below[0]
        if a.slot == b.slot and (a.slot is not None or _element(a.box) is _element(b.box)):
            return True
    return False


def _head(row: list[tuple[Piece, Line]]) -> float:
    """The least a line's start would take on the line above: its texts that may not break
    (white-space: nowrap, a box and its label) and the first unit after them that no line
    may break: a run of digits (UAX #14 LB25: no break between numerals, so 25日 moves down
    as 25), else one character."""
    width = 0.0
    for piece, line in row:
        if piece.box.style["white_space"] in ("nowrap", "pre"):
            width += piece.lead + line.width
            continue
        (head,), _fonts = _shaped(_first_unit(line.text), piece.box.style, None)
        return width + piece.lead + head.width
    return width


_DIGITS = re.compile(r"[0-9]+")


def _first_unit(text: str) -> str:
    """A text's start that cannot be broken: its leading ASCII digits, or its first character.
    (Less than the true unit where the digits run on into the next box: still a lower bound.)"""
    digits = _DIGITS.match(text)
    return digits.group() if digits else text[:1]


def _lines_kept(para: Para, values: list[str]) -> Found:
    """A paragraph of several lines whose texts each stay on their line (boxes and values
    of another width): each line placed again. Kept when every line still fits and no line
    could take the next line's first character (WeasyPrint fills lines greedily, so its breaks
    stay where they were). When a text runs on over a line end, the values' widths and the
    kinds of their characters must be the recorded ones (then the layout is the same)."""
    if len(para.lines) < 2 or any(_spaced(v) for v in values):
        return None
    slots = [p.slot for line in para.lines for p in line if p.slot is not None]
    if sorted(slots) != [j for j, v in enumerate(values) if v] or len(set(slots)) != len(slots):
        return None
    rows, fonts, totals = [], [], []
    for line in para.lines:
        row, total = [], 0.0
        for piece in line:
            text = values[piece.slot] if piece.slot is not None else piece.box.text
            (shaped_line,), (line_fonts,) = _shaped(text, piece.box.style, None)
            fonts.append(line_fonts)
            row.append((piece, shaped_line))
            total += piece.lead + shaped_line.width
        rows.append(row)
        totals.append(total)
    if _split(para):  # the same layout, or no stamping: widths and kinds in the key
        widths = tuple(
            (round(line.width, 6), "".join(map(_char_class, line.text)))
            for row in rows
            for piece, line in row
            if piece.slot is not None
        )
        return ("W", tuple(fonts), widths), rows
    for k in range(len(rows)):
        if totals[k] > para.available:
            return None
        edge = [p for p, _line in rows[k]]
        if any(_spaced(p.box.text) for p in (edge[0], edge[-1]) if p.slot is None):
            return None
        if k + 1 < len(rows):
            crowded = totals[k] + _head(rows[k + 1])
            # The next line's start stays down if it cannot fit (greedy filling), or if
            # this line is at least as full as in the recorded layout, where it stayed down
            # (WeasyPrint keeps a whole box with a label and the space after it together).
            recorded = [
                (p, _shaped(p.box.text, p.box.style, None)[0][0]) for p in para.lines[k + 1]
            ]
            if crowded <= para.available and crowded < para.line_widths[k] + _head(recorded):
                return None
    return ("L", tuple(len(row) for row in rows), tuple(fonts)), rows


def _running(para: Para, values: list[str]) -> tuple[Piece, str] | None:
    """The text that ends the first line and runs on alone over the next ones: a value, or a
    text of the form's own (第__次开展探访 where the number pushes 访 down), with its first
    piece; None when the paragraph is not so made."""
    tail = para.lines[0][-1]
    rest = [line[0] for line in para.lines[1:] if len(line) == 1]
    if len(rest) != len(para.lines) - 1:
        return None
    if tail.slot is not None:
        text = values[tail.slot]
        same = all(p.slot == tail.slot for p in rest)
    else:
        text = "".join(p.box.text for p in [tail, *rest])
        same = all(p.slot is None and _element(p.box) is _element(tail.box) for p in rest)
    return (tail, text) if same and text and not _spaced(text) else None


def _flow(para: Para, values: list[str]) -> Found:
    """A label and then one text running on over lines (帮扶措施：……): the first line's other
    pieces, the running text's first line in what they leave, its next lines in the whole
    width, as WeasyPrint breaks them. None for any other paragraph."""
    running = _running(para, values)
    if running is None or any(_spaced(v) for v in values):
        return None
    tail, text = running
    first = para.lines[0]
    before = [p.slot for p in first[:-1] if p.slot is not None]
    own = [tail.slot] if tail.slot is not None else []
    if sorted([*before, *own]) != [j for j, v in enumerate(values) if v]:
        return None
    row, fonts, used = [], [], 0.0
    for piece in first[:-1]:
        piece_text = values[piece.slot] if piece.slot is not None else piece.box.text
        (line,), (line_fonts,) = _shaped(piece_text, piece.box.style, None)
        fonts.append(line_fonts)
        row.append((piece, line))
        used += piece.lead + line.width
    room = para.available - used - tail.lead
    lines, tail_fonts = _shaped(text, tail.box.style, para.available, room)
    if used > para.available or lines[0].width > room or not lines[0].text:
        return None  # the text would start on the next line
    row.append((tail, lines[0]))
    rest = para.lines[1][0] if len(para.lines) > 1 else Piece(tail.box, tail.slot, 0.0)
    rows = [row] + [[(rest, line)] for line in lines[1:]]
    return ("F", len(lines), tuple(fonts), tail_fonts), rows


# --- 4. placing and drawing ---------------------------------------------------------------------


def placed(para: Para, lines: list[list[tuple[Piece, Line]]]) -> list[Any]:
    """New text boxes for a paragraph: each line placed as ``text_align`` would place it, each
    box at the recorded line's vertical place. Kept for the last lines placed (the lines of the
    same values are the same object: ``_measured``); drawing only reads the boxes."""
    memo = _memo("placed")
    key = (id(para), id(lines))
    found = memo.get(key)
    if found is not None and found[0] is para and found[1] is lines:
        memo.move_to_end(key)
        return found[2]
    out = _place(para, lines)
    _kept(memo, key, (para, lines, out))
    return out


def _place(para: Para, lines: list[list[tuple[Piece, Line]]]) -> list[Any]:
    out = []
    for k, (row, recorded) in enumerate(zip(lines, para.lines, strict=True)):
        width = sum(piece.lead + line.width for piece, line in row)
        style = recorded[0].box.style
        offset = _align_offset(style, width, para.available, k == len(lines) - 1)
        x = para.content_x + offset
        for (piece, line), at in zip(row, recorded, strict=True):
            x += piece.lead
            box = at.box.copy_with_text(line.text)
            box.pango_layout = line.layout
            box.width = line.width
            box.position_x = x
            box.position_y = at.box.position_y
            box.baseline = at.box.baseline
            out.append(box)
            x += line.width
    return out


class _Recorder:
    """A drawing stream that notes the calls WeasyPrint's ``draw_text`` makes on it (and makes
    them): what a stamped value's drawing is, to be made again at another place."""

    NOTED = ("set_color", "begin_text", "end_text", "set_text_matrix", "set_font_size",
             "show_text", "set_text_rise", "add_font", "set_alpha", "draw_x_object")  # fmt: skip

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.calls: list[tuple[str, tuple[Any, ...], Any]] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._stream, name)
        if name not in self.NOTED:
            return found

        def noted(*args: Any) -> Any:
            result = found(*args)
            self.calls.append((name, args, result))
            return result

        return noted


@dataclass
class _Drawn:
    """A value's drawing, made ready to be made again: the stream calls WeasyPrint's draw_text
    made, each with the bytes it wrote (pydyf's own formatting, done once), and per font the
    glyphs it shows with their widths and text (what a PDF's font must know of them).

    Each op is a tuple: ("BT",), ("ET",), ("C", colour key, alpha, alpha key, rg bytes) for a
    fill colour in sRGB, ("F", pango font, font key, widths, texts) for add_font, ("Tf", font
    and size, bytes), ("Tm", the matrix's first four numbers as bytes), ("TJ", bytes), or
    ("call", name, args) for a call made as it was."""

    ops: list[tuple[Any, ...]]


_GLYPH_RUN = re.compile(r"<([0-9a-f]*)>")  # the glyph ids of a TJ string, 4 hex digits each
_RGB_SPACES = ("srgb", "hsl", "hwb")  # WeasyPrint's Stream.set_color writes these with "rg"


def _record_drawing(calls: list[tuple[str, tuple[Any, ...], Any]]) -> _Drawn | None:
    """The replayable form of a value's drawing, or None when it did anything else than place
    glyphs of vector fonts (a rise, a bitmap or colour font, a missing glyph, an image).

    A line of two fonts shows the first font's glyphs after adding the second (draw_first_line
    flushes its string then), so glyphs are counted to the font last selected (Tf), by its
    hash, as the PDF reads them."""
    from weasyprint.text.fonts import get_pango_font_key

    ops: list[tuple[Any, ...]] = []
    fonts: dict[str, tuple[Any, dict[int, int], dict[int, str]]] = {}  # hash: Font, its glyphs
    current = None
    matrices = 0
    for name, args, result in calls:
        if name in ("set_text_rise", "set_alpha", "draw_x_object"):
            return None
        if name == "add_font":
            font = result[0]
            if font.bitmap or font.svg or font.png or font.colr or font.missing:
                return None
            widths: dict[int, int] = {}
            texts: dict[int, str] = {}
            fonts[font.hash] = (font, widths, texts)
            ops.append(("F", args[0], get_pango_font_key(args[0])[0], widths, texts))
            continue
        if name == "set_font_size":
            current = fonts.get(args[0])
            if current is None:
                return None
            ops.append(("Tf", tuple(args), b"/" + _to_bytes(args[0]) + b" " + _to_bytes(args[1])
                        + b" Tf"))  # fmt: skip
        elif name == "show_text":
            if current is None:
                return None
            font, widths, texts = current
            for run in _GLYPH_RUN.findall(args[0]):
                if len(run) % 4:
                    return None
                for k in range(0, len(run), 4):
                    gid = int(run[k : k + 4], 16)
                    if gid not in font.widths or gid not in font.to_unicode:
                        return None
                    widths[gid] = font.widths[gid]
                    texts[gid] = font.to_unicode[gid]
            ops.append(("TJ", b"[" + _to_bytes(args[0]) + b"] TJ"))
        elif name == "set_text_matrix":
            matrices += 1
            ops.append(("Tm", b" ".join(_to_bytes(n) for n in args[:4]) + b" "))
        elif name in ("begin_text", "end_text") and not args:
            ops.append(("BT" if name == "begin_text" else "ET",))
        elif name == "set_color" and len(args) == 1 and args[0].space in _RGB_SPACES:
            color = args[0]
            *channels, alpha = color
            rgb = b" ".join(_to_bytes(c) for c in color.to("srgb").coordinates) + b" rg"
            ops.append(("C", (color.space, *channels), alpha, f"a{alpha}", rgb))
        else:
            ops.append(("call", name, args))
    if matrices > 1:
        return None
    return _Drawn(ops)  # no matrix: a blank value (draw_first_line draws no glyph)


def draw_value(stream: Any, box: Any) -> None:
    """Draw a stamped text box as WeasyPrint's ``draw_text(stream, box, 0, "clip", "none")``
    does. The first drawing of a shaped line in a style is noted; later ones (the same value on
    another form, another copy) make the same stream calls again, with the box's own place in
    the text matrix, and give the PDF's fonts the widths and text of the glyphs shown: the
    glyph runs of the line are not walked again. The bytes are WeasyPrint's own
    (tests/documents/test_fast_forms.py prints a form twice and compares them)."""
    layout, style = box.pango_layout, box.style
    if style["visibility"] != "visible":
        return  # draw_text draws nothing
    decorations = style["text_decoration_line"]
    decorated = bool(decorations) and decorations != "none"
    drawn = getattr(layout, "_caseman_drawn", None)
    if drawn is None:
        drawn = layout._caseman_drawn = {}
    found = drawn.get(id(style))
    if found is None or found[0] is not style or found[1] is None:
        from weasyprint.draw import draw_text

        if found is not None and found[0] is style:  # seen, and not replayable
            _stats["values_unreplayable"] += 1
            draw_text(stream, box, 0, "clip", "none")
            return
        recorder = _Recorder(stream)
        if decorated:  # the lines drawn, the glyphs' calls noted (not the lines')
            _decorations(stream, box, before=True)
            _glyphs(recorder, box)
            _decorations(stream, box, before=False)
            layout.deactivate()
        else:
            draw_text(recorder, box, 0, "clip", "none")
        drawn[id(style)] = (style, _record_drawing(recorder.calls))
        _stats["values_drawn"] += 1
        return
    _stats["values_replayed"] += 1
    if decorated:
        _decorations(stream, box, before=True)
    _replay(stream, box, found[1])
    if decorated:
        _decorations(stream, box, before=False)


def _glyphs(stream: Any, box: Any) -> None:
    """The glyphs of WeasyPrint's ``draw_text`` (70.0, weasyprint/draw/text.py: "Draw text."),
    without its decorations."""
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix

    x, y = box.position_x, box.position_y + box.baseline
    stream.set_color(box.style["color"])
    box.pango_layout.reactivate(box.style)
    stream.begin_text()
    emojis = draw_first_line(stream, box, "clip", "none", Matrix(d=-1, e=x, f=y))
    stream.end_text()
    draw_emojis(stream, box.style, x, y, emojis)


def _decorations(stream: Any, box: Any, before: bool) -> None:
    """The lines WeasyPrint's ``draw_text`` (70.0, weasyprint/draw/text.py) draws with a text
    box's glyphs: its overline and underline before them, its line-through after. A stamped
    value is drawn at offset_x 0. The layout's metrics are those of its style (its last
    setup), as draw_text reads them."""
    from weasyprint.draw.color import get_color
    from weasyprint.draw.text import draw_text_decoration
    from weasyprint.layout.percent import percentage

    style, layout = box.style, box.pango_layout
    values = style["text_decoration_line"]
    color = get_color(style, "text_decoration_color")
    if not before:
        if "line-through" in values:
            offset_y = box.baseline - layout.strikethrough_position
            draw_text_decoration(stream, box, 0, offset_y, layout.strikethrough_thickness, color)
        return
    if "underline" not in values and "overline" not in values:
        return
    if style["text_decoration_thickness"] in ("auto", "from-font"):
        thickness = layout.underline_thickness
    else:
        thickness = percentage(style["text_decoration_thickness"], style, style["font_size"])
    if "overline" in values:
        offset_y = box.baseline - layout.ascent + thickness / 2
        draw_text_decoration(stream, box, 0, offset_y, thickness, color)
    if "underline" in values:
        if style["text_underline_offset"] == "auto":
            underline_offset = -layout.underline_position
        else:
            underline_offset = percentage(style["text_underline_offset"], style, style["font_size"])
        offset_y = box.baseline + underline_offset + thickness / 2
        draw_text_decoration(stream, box, 0, offset_y, thickness, color)


def _replay(stream: Any, box: Any, found: _Drawn) -> None:
    """A value's noted glyph calls made again at the box's place (see ``draw_value``): each
    op writes its bytes and keeps the stream's state as WeasyPrint's Stream method would
    (70.0, weasyprint/pdf/stream.py: the fill colour and alpha, the font, a text object
    joined to the one before it), and the matrix gets the box's place."""
    x, y = box.position_x, box.position_y + box.baseline
    out = stream.stream
    for op in found.ops:
        kind = op[0]
        if kind == "Tm":
            out.append(op[1] + _to_bytes(x) + b" " + _to_bytes(y) + b" Tm")
        elif kind == "TJ":
            out.append(op[1])
        elif kind == "Tf":
            if op[1] != stream._current_font:
                stream._current_font = op[1]
                out.append(op[2])
        elif kind == "BT":
            if out and out[-1] == b"ET":
                stream._current_font = stream._old_font
                out.pop()
            else:
                out.append(b"BT")
        elif kind == "ET":
            stream._old_font, stream._current_font = stream._current_font, None
            out.append(b"ET")
        elif kind == "C":
            if op[3] != stream._current_alpha:
                stream.set_alpha(op[2])
            if op[1] != stream._current_color:
                stream._current_color = op[1]
                out.append(op[4])
        elif kind == "F":
            _add_font(stream, *op[1:])
        else:
            getattr(stream, op[1])(*op[2])


def _add_font(stream: Any, pango_font: Any, key: Any, widths: dict[int, int],
              texts: dict[int, str]) -> None:  # fmt: skip
    """Stream.add_font, and the glyphs' widths and text given to the PDF's font (once a PDF for
    each noted drawing: its fonts are new for every PDF written)."""
    font = stream._fonts.get(key)
    if font is None:
        font = stream.add_font(pango_font)[0]
    merged = font.__dict__.setdefault("_caseman_merged", {})  # id: the dict (kept: no reuse)
    if merged.get(id(widths)) is widths:
        return
    merged[id(widths)] = widths
    for gid, width in widths.items():
        font.widths.setdefault(gid, width)
    for gid, text in texts.items():
        font.to_unicode.setdefault(gid, text)


def _verify(blank: Blank, measured: Measured) -> bool:
    """Placing the blank's own form again lands every box where the layout put it."""
    for record in blank.pages:
        for _where, para in record.paras:
            if para.stamp not in measured.stamped:
                continue
            lines = measured.lines[para.stamp]
            if len(lines) != len(para.lines) or any(
                len(a) != len(b) for a, b in zip(lines, para.lines, strict=True)
            ):
                return False
            boxes = placed(para, lines)
            recorded = [p.box for line in para.lines for p in line]
            for new, old in zip(boxes, recorded, strict=True):
                if new.text != old.text or abs(new.position_x - old.position_x) > EPSILON:
                    return False
                if abs(new.width - old.width) > EPSILON:
                    return False
    return True


def install_suppression() -> None:
    """Wrap WeasyPrint 70's ``draw_text`` and ``draw_replacedbox`` (once a process) so that a
    blank's drawing leaves out the boxes in ``_local.suppress``."""
    from weasyprint import draw

    if getattr(draw, "_caseman_suppression", False):
        return
    original_text, original_replaced = draw.draw_text, draw.draw_replacedbox

    def draw_text(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
        suppress = getattr(_local, "suppress", None)
        if suppress is not None and id(textbox) in suppress:
            return None
        return original_text(stream, textbox, *args, **kwargs)

    def draw_replacedbox(stream: Any, box: Any) -> Any:
        suppress = getattr(_local, "suppress", None)
        if suppress is not None and id(box) in suppress:
            return None
        return original_replaced(stream, box)

    draw.draw_text = draw_text
    draw.draw_replacedbox = draw_replacedbox
    draw._caseman_suppression = True


@dataclass
class Drawing:
    """A page box drawn without its stamped paragraphs: the operators and the glyphs used."""

    ops: list[bytes]
    fonts: list[tuple[Any, Any, dict[int, int], dict[int, str]]]  # key, Font, widths, text
    states: dict[str, Any]
    rectangle: tuple[float, ...]
    packed: bytes = b""  # the operators, compressed once

    def __post_init__(self) -> None:
        import zlib

        self.packed = zlib.compress(b"\n".join(self.ops), 9)
        self.ops = []  # only the compressed operators are shown again


def _draw_blank(page_box: Any, suppress: set[int], rectangle: tuple[float, ...]) -> Drawing:
    """Draw a page box into a scratch stream, leaving out the suppressed boxes."""
    import pydyf
    from weasyprint.draw import draw_page
    from weasyprint.pdf.stream import Stream

    install_suppression()
    fonts: dict[Any, Any] = {}
    resources = pydyf.Dictionary(
        {
            "ExtGState": pydyf.Dictionary(),
            "XObject": pydyf.Dictionary(),
            "Pattern": pydyf.Dictionary(),
            "Shading": pydyf.Dictionary(),
            "ColorSpace": pydyf.Dictionary(),
        }
    )
    stream = Stream(fonts, rectangle, resources, {}, None, {}, None)
    _local.suppress = suppress
    try:
        draw_page(page_box, stream)
    finally:
        _local.suppress = None
    if resources["XObject"] or resources["Pattern"] or resources["Shading"]:
        raise NotStampable("a blank with images or patterns")
    used = []
    for key, font in fonts.items():
        if font.missing:
            raise NotStampable("a blank with a missing glyph")
        used.append((key, font, dict(font.widths), dict(font.to_unicode)))
    return Drawing(list(stream.stream), used, dict(resources["ExtGState"]), rectangle)


def _merge_fonts(stream: Any, drawing: Drawing) -> None:
    """The glyphs a replayed drawing shows, added to the PDF's fonts."""
    import copy

    fonts = stream._fonts
    for key, recorded, widths, to_unicode in drawing.fonts:
        font = fonts.get(key)
        if font is None:  # a Font of the recorded file and metrics, with no glyphs yet
            font = fonts[key] = copy.copy(recorded)
            font.widths, font.to_unicode, font.missing = {}, {}, {}
        for gid, width in widths.items():
            font.widths.setdefault(gid, width)
        for gid, text in to_unicode.items():
            font.to_unicode.setdefault(gid, text)


def _show(stream: Any, drawing: Drawing, cache: dict[Any, Any], key: Any) -> None:
    """Show a blank's drawing: a form XObject (no transparency group: painted as if its
    operators were inline), written once per PDF and compressed once per blank."""
    import pydyf

    found = cache.get(key)
    if found is None or found[0] is not stream._resources:
        resources = pydyf.Dictionary(
            {
                "ExtGState": pydyf.Dictionary({k: type(v)(v) for k, v in drawing.states.items()}),
                "XObject": pydyf.Dictionary(),
                "Pattern": pydyf.Dictionary(),
                "Shading": pydyf.Dictionary(),
                "ColorSpace": stream._resources["ColorSpace"],
                "Font": None,  # the PDF's fonts, set when it is written
            }
        )
        x, y, width, height = drawing.rectangle
        xobject = pydyf.Stream(
            [drawing.packed],
            pydyf.Dictionary(
                {
                    "Type": "/XObject",
                    "Subtype": "/Form",
                    "BBox": pydyf.Array((x, y, x + width, y + height)),
                    "Resources": resources,
                    "Filter": "/FlateDecode",
                }
            ),
            compress=False,
        )
        name = f"caseman-blank-{len(stream._resources['XObject'])}"
        stream._resources["XObject"][name] = xobject
        found = cache[key] = (stream._resources, name)
        _merge_fonts(stream, drawing)
    stream.draw_x_object(found[1])


class StampPage:
    """A page printed from a blank: the blank's drawing, then the stamped texts and QR code."""

    def __init__(
        self,
        blank: Blank,
        record: PageRecord,
        boxes: dict[str, list[Any]],
        qr: Any,
        form: dict[int, Any],
    ) -> None:
        self._blank = blank
        self._form = form  # the XObjects of this form's tables, shared by its copies
        self._record = record
        self._boxes = boxes  # "base" and "band": the stamped text boxes, placed
        self._qr = qr

    def __getattr__(self, name: str) -> Any:  # size, bleed, links, anchors… of the blank page
        return getattr(self._record.page, name)

    def paint(self, stream: Any, scale: float = 1) -> None:
        from weasyprint.draw import draw_replacedbox, rounded_box

        record, blank = self._record, self._blank
        base_boxes = self._boxes["base"]
        with stream.stacked():
            stream.transform(a=scale, d=scale)
            if record.band_key is None:  # a page of its own, as Page.paint draws it
                _show(stream, blank.drawn[record.base_key], blank.shown, record.base_key)
                for box in base_boxes:
                    draw_value(stream, box)
            else:
                # The form's table with its values, one transparency group per PDF for all its
                # copies, as pdf_writer._Overlay draws it (the values inside it: a group is
                # rasterised on its own, so text drawn outside it would not be the same).
                cached = self._form.get(record.base_key)
                if cached is None or cached[0] is not stream._resources:
                    group = stream.add_group(*stream.page_rectangle)
                    with group.stacked():
                        _show(group, blank.drawn[record.base_key], blank.shown, record.base_key)
                    for box in base_boxes:
                        draw_value(group, box)
                    cached = (stream._resources, group.id)
                    self._form[record.base_key] = cached
                stream.draw_x_object(cached[1])
        if record.band_key is not None:
            with stream.stacked():
                stream.transform(a=scale, d=scale)
                with stream.stacked():
                    _show(stream, blank.drawn[record.band_key], blank.shown, record.band_key)
                for box in self._boxes["band"]:
                    draw_value(stream, box)
                if self._qr is not None:  # as draw_stacking_context draws an image
                    with stream.stacked(), stream.stacked():
                        if self._qr.style["overflow"] != "visible":
                            rounded_box(stream, self._qr.rounded_padding_box())
                            stream.clip()
                            stream.end()
                        draw_replacedbox(stream, self._qr)


# --- 5. the caches and the entry points ---------------------------------------------------------


def _caches() -> tuple[OrderedDict[Any, Any], OrderedDict[Any, Any]]:
    if not hasattr(_local, "blanks"):
        _local.blanks = OrderedDict()
        _local.geometry = OrderedDict()
    return _local.blanks, _local.geometry


def clear() -> None:
    """Forget every blank, skeleton and shaped text of this thread (tests)."""
    blanks, geometry = _caches()
    blanks.clear()
    geometry.clear()
    for name in ("shapes", "measured", "placed"):
        getattr(_local, name, {}).clear()


def stats() -> dict[str, int]:
    return dict(_stats)


def _geometry_of(records: list[PageRecord]) -> dict[int, Para]:
    out: dict[int, Para] = {}
    for record in records:
        for _where, para in record.paras:
            out.setdefault(para.stamp, para)
    return out


def _shape_of(para: Para) -> tuple[Any, ...]:
    """Where a paragraph's lines break: each line's values and texts of the form's own."""
    return tuple(tuple((p.slot, p.box.text if p.slot is None else "") for p in line)
                 for line in para.lines)  # fmt: skip


def _learn(geometry: dict[int, list[Para]], own: dict[int, Para]) -> None:
    """Keep the layouts of a skeleton's paragraphs not yet seen (a paragraph of one value
    alone is measured from any of its layouts and needs none)."""
    for stamp, para in own.items():
        variants = geometry[stamp]
        if para.alone or len(variants) >= VARIANTS_KEPT:
            continue
        shape = _shape_of(para)
        if all(_shape_of(known) != shape for known in variants):
            variants.append(para)


def try_stamp(skeleton: Any, texts: list[list[str]], qr_image: Any) -> tuple[Any, list] | None:
    """The pages of a form printed from its blank, or None when it has none (lay it out and
    call :func:`record`). ``qr_image(number)`` gives the QR code image of a document number."""
    blanks, geometries = _caches()
    geometry = geometries.get(skeleton)
    if geometry is None:
        return None
    geometries.move_to_end(skeleton)
    try:
        measured = measure(geometry, skeleton, texts)
    except NotStampable:
        _stats["refused"] += 1
        return None
    blank = blanks.get(measured.key)
    if blank is None:
        return None
    blanks.move_to_end(measured.key)
    try:
        pages = _stamp(blank, measured, texts, qr_image)
    except NotStampable:
        _stats["refused"] += 1
        return None
    _stats["hits"] += 1
    return blank.rendered, pages


def _stamp(blank: Blank, measured: Measured, texts: list[list[str]], qr_image: Any) -> list[Any]:
    pages = []
    form: dict[int, Any] = {}
    for record in blank.pages:
        boxes: dict[str, list[Any]] = {"base": [], "band": []}
        for where, para in record.paras:
            if para.stamp in blank.stamped:
                boxes[where].extend(placed(para, measured.lines[para.stamp]))
        qr = None
        if record.qr is not None:
            number = next((texts[p.stamp][0] for w, p in record.paras if w == "band"), None)
            if number is None:
                raise NotStampable("a QR code without its number")
            qr = record.qr.copy()
            qr.replacement = qr_image(number)
        pages.append(StampPage(blank, record, boxes, qr, form))
    return pages


def _draw(blank: Blank) -> None:
    """Draw the blank's pages without their stamped paragraphs and QR codes, then let go of
    the laid-out boxes (a blank keeps its drawing, its paragraphs and its page sizes)."""
    suppress: set[int] = set()
    for record in blank.pages:
        for _where, para in record.paras:
            if para.stamp in blank.stamped:
                suppress.update(id(p.box) for line in para.lines for p in line)
        if record.qr is not None:
            suppress.add(id(record.qr))
    for record in blank.pages:
        rectangle = (0, 0, record.page.width, record.page.height)
        if record.base_key not in blank.drawn:
            blank.drawn[record.base_key] = _draw_blank(record.base, suppress, rectangle)
        if record.band_key is not None and record.band_key not in blank.drawn:
            blank.drawn[record.band_key] = _draw_blank(record.band, suppress, rectangle)
    for record in blank.pages:
        record.base = record.band = None
        record.page = PageInfo(record.page)
    blank.rendered = blank.rendered.copy([])


def record(skeleton: Any, texts: list[list[str]], rendered: Any, pages: list[Any]) -> None:
    """Learn from a fully laid-out form: its skeleton's paragraphs (the first time) and the
    blank of its key, drawn the first time the key is laid out. Drawing it adds ~27 ms to a
    layout of ~490 ms; waiting for a key's second layout (as before) laid out every key twice:
    a layout worker's share of the demo district, 1,200 forms after its first 600, had 31
    forms laid out in full that way and 15 this way."""
    _stats["misses"] += 1
    blanks, geometries = _caches()
    try:
        records = _record_pages(pages)
        own = _geometry_of(records)
        if set(own) != set(range(len(texts))):
            return
        geometry = geometries.get(skeleton)
        if geometry is None:
            geometry = geometries[skeleton] = {stamp: [para] for stamp, para in own.items()}
            while len(geometries) > SKELETONS_KEPT:
                geometries.popitem(last=False)
        else:
            _learn(geometry, own)
        measured = measure(geometry, skeleton, texts)
        if measured.key in blanks:
            return
        blank = Blank(records, rendered, set(measured.stamped))
        if not _verify(blank, measured):
            return
        _draw(blank)
    except NotStampable:
        return
    blanks[measured.key] = blank
    while len(blanks) > BLANKS_KEPT:
        blanks.popitem(last=False)


_qr_image_class: Any = None


def qr_image(number: str, side: int, scanlines: bytes) -> Any:
    """A document number's QR code for a stamped page, as WeasyPrint's RasterImage of the URL
    fetcher's PNG (RGB, a pixel a module; pdf_writer.pdf_qr_png) embeds it: the same image
    XObject, its data deflated here from the scanlines, where RasterImage has Pillow decode the
    PNG and encode it again (the same pixels; the deflated bytes may differ)."""
    global _qr_image_class
    if _qr_image_class is None:
        _qr_image_class = _make_qr_image_class()
    return _qr_image_class(number, side, scanlines)


def _make_qr_image_class() -> Any:
    import zlib

    import pydyf
    from weasyprint.images import RasterImage

    from caseman.documents.qr import rgb_png

    class QrImage(RasterImage):  # type: ignore[misc]
        def __init__(self, number: str, side: int, scanlines: bytes) -> None:
            # RasterImage.__init__'s attributes for an RGB PNG, without opening it
            self.id = f"caseman-qr-{number}"
            self._cache: dict[str, Any] = {}
            self._jpeg_quality = self._dpi = None
            self.mode, self.format = "RGB", "PNG"
            self.width = self.height = side
            self.ratio = 1.0
            self.optimize = self.invert_colors = False
            self._scanlines = scanlines
            self.image_data = None

        def get_x_object(self, interpolate: bool, dpi_ratio: float) -> Any:
            if dpi_ratio != 1:  # a thumbnail: RasterImage's own way, from the PNG
                self.image_data = self.cache_image_data(rgb_png(self.width, self._scanlines))
                return super().get_x_object(interpolate, dpi_ratio)
            extra = pydyf.Dictionary(
                {
                    "Type": "/XObject",
                    "Subtype": "/Image",
                    "Width": self.width,
                    "Height": self.height,
                    "ColorSpace": "/DeviceRGB",
                    "BitsPerComponent": 8,
                    "Interpolate": "true" if interpolate else "false",
                    "Filter": "/FlateDecode",
                    "DecodeParms": pydyf.Dictionary(
                        {"Predictor": 15, "Columns": self.width, "Colors": 3}
                    ),
                }
            )
            data = zlib.compress(self._scanlines, 6)
            return pydyf.Stream([self.cache_image_data(data, slot="stream")], extra)

    return QrImage
