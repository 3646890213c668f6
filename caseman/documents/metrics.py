"""How wide a text prints: column widths from the fonts' real advance widths.

Two fonts set the forms. The PDF uses the CJK font WeasyPrint is given (Noto Serif CJK SC, see
``pdf_writer``): its advance widths are read with fontTools from the very file fontconfig picks.
The .docx is set in 宋体 (SimSun, see ``docx_writer``), whose metrics are fixed: every CJK or
full-width character one em, every other character half an em. A column is as wide as the wider
of the two, plus the cell's padding and rules, so an ID number or a phone fits on one line in
both (issue 17 item 8).

Measured, not guessed: in Noto Serif CJK SC a digit is 0.47–0.56 em and X 0.70 em, so an
18-character ID at 10.5 pt is 38 mm of text; the half-em of 宋体 gives 33 mm.
"""

from __future__ import annotations

import shutil
import subprocess  # noqa: S404 - runs fc-match, a fixed command without a shell # nosec B404
import unicodedata
from functools import lru_cache

PT_PER_MM = 72 / 25.4
BODY_PT = 10.5  # 五号, the forms' text
PDF_FONT = "Noto Serif CJK SC"
# The cells' inner space, each with 0.3 mm to spare: the PDF's padding is 1.2 mm a side and its
# rule 0.75 pt (0.26 mm); the .docx's cell margins are 1 mm a side (CELL_MARGIN_TWIPS).
PDF_PADDING_MM = 2.4 + 0.3 + 0.3
DOCX_PADDING_MM = 2.0 + 0.3
ID_DIGITS = "0123456789"
FALLBACK_EM = 0.62  # an ASCII character when no font can be read (wider than any measured)


@lru_cache(maxsize=4)
def _advances(family: str, bold: bool) -> dict[int, float] | None:
    """{code point: advance in em} of the font fontconfig picks for ``family``; None if unread."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    pattern = f"{family}:bold" if bold else family
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell # nosec B603
        [fc_match, "-f", "%{file}\t%{index}", pattern],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    try:
        path, index = result.stdout.split("\t")
        from fontTools.ttLib import TTFont

        font = TTFont(path, fontNumber=int(index or 0), lazy=True)
        units = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        cmap = font.getBestCmap()
        advances = {c: metrics[glyph][0] / units for c, glyph in cmap.items() if c < 0x3000}
        font.close()
    except (ValueError, OSError, KeyError, ImportError):
        return None
    return advances


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def pdf_em(text: str, *, bold: bool = False) -> float:
    """The width of ``text`` in em in the PDF's font (fontTools on the installed file)."""
    found = _advances(PDF_FONT, bold)
    total = 0.0
    for char in text:
        if _wide(char):
            total += 1.0
        elif found is not None and ord(char) in found:
            total += found[ord(char)]
        else:
            total += FALLBACK_EM
    return total


def simsun_em(text: str) -> float:
    """The width of ``text`` in em in 宋体: CJK and full-width one em, the rest half an em."""
    return sum(1.0 if _wide(char) else 0.5 for char in text)


def text_mm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """The wider of the two fonts' widths of ``text`` at ``size_pt``, in millimetres."""
    return max(pdf_em(text, bold=bold), simsun_em(text)) * size_pt / PT_PER_MM


def column_mm(samples: list[str], size_pt: float, *, bold: bool = False) -> float:
    """The width a column needs to hold each sample on one line in the PDF and in the .docx,
    padding and rules included, rounded up to half a millimetre."""
    scale = size_pt / PT_PER_MM
    need = max(
        max(pdf_em(s, bold=bold) * scale + PDF_PADDING_MM, simsun_em(s) * scale + DOCX_PADDING_MM)
        for s in samples
    )
    return -(-need * 2 // 1) / 2


def widest(chars: str, count: int, *, last: str = "") -> str:
    """The widest text of ``count`` characters from ``chars`` (then ``last``'s widest): the worst
    case a column must hold, e.g. ``widest(ID_DIGITS, 17, last=ID_DIGITS + "X")``."""
    by_width = max(chars, key=lambda c: pdf_em(c))
    tail = max(last, key=lambda c: pdf_em(c)) if last else ""
    return by_width * count + tail


def id_number_mm(size_pt: float) -> float:
    """A column that holds any 18-character ID number (the check character may be X)."""
    return column_mm([widest(ID_DIGITS, 17, last=ID_DIGITS + "X")], size_pt)


def phone_mm(size_pt: float) -> float:
    """A column that holds an 11-digit mobile, or a landline with its area code (023-6789 1234
    written 023-67891234)."""
    digits = widest(ID_DIGITS, 11)
    return column_mm([digits, digits + "-"], size_pt)
