"""The PDF writer: a :class:`~caseman.documents.layout.Document` as a PDF (WeasyPrint).

The document is rendered to HTML by ``templates/documents/sheets.html`` (``flask.render_template``:
call it inside an application context, as the views, the CLI and the tests do) and laid out with
``static/css/documents.css``: A4 named pages (portrait / landscape per sheet), each sheet on a new
page, fonts named explicitly (Noto Serif CJK SC from Debian's ``fonts-noto-cjk``), boxes in
DejaVu Sans, the only installed font with both □ and ☑.

WeasyPrint is imported on first use (the import alone takes ~0.7 s), and each thread keeps one
``FontConfiguration`` for all its renders (Pango font maps are not meant to be shared between
threads). The URL fetcher serves files under the static folder and refuses everything else (no
``file://`` elsewhere, no network, no ``data:``), so a document can never pull in anything but our
own stylesheet.
"""

from __future__ import annotations

import mimetypes
import shutil
import subprocess  # noqa: S404 - runs fc-list, a fixed command without a shell # nosec B404
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from markupsafe import Markup

from caseman.documents.errors import DocumentError
from caseman.documents.layout import Box, Document, Paragraph, Row, Sheet, Text
from caseman.documents.qr import qr_svg

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

__all__ = ["DocumentError", "check_cjk_font", "render_pdf", "static_url_fetcher"]

TEMPLATE = "documents/sheets.html"
STYLESHEET = "css/documents.css"  # relative to the static folder
INSTALL_HINT = (
    "No Chinese (CJK) font is installed, so the PDF would print Chinese as empty boxes. "
    "Install Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk; `make test` and "
    "`make run` do it through scripts/ensure-debian-packages.sh)."
)
PREFERRED_FONT = "Noto Serif CJK SC"
UNBROKEN_LABEL = 12  # characters: an option label up to this long is never split across lines

_cjk_font: str | None = None  # the probe's answer, kept once a font was found
_local = threading.local()


# --- fonts ----------------------------------------------------------------------------------------


def _probe_cjk_fonts() -> list[str]:
    """Families of the installed fonts that cover Chinese (``fc-list :lang=zh family``)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell # nosec B603
        [fc_list, ":lang=zh", "family"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    families = []
    for line in result.stdout.splitlines():
        families.extend(name.strip() for name in line.split(",") if name.strip())
    return families


def check_cjk_font() -> str:
    """The CJK font family the PDF will use; :class:`DocumentError` when there is none.

    The answer is cached once a font was found; a failure is not, so installing the font fixes
    a running server.
    """
    global _cjk_font
    if _cjk_font is None:
        families = _probe_cjk_fonts()
        if not families:
            raise DocumentError(INSTALL_HINT)
        _cjk_font = PREFERRED_FONT if PREFERRED_FONT in families else sorted(families)[0]
    return _cjk_font


def _font_config() -> FontConfiguration:
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


# --- the URL fetcher ------------------------------------------------------------------------------


def static_url_fetcher(static_root: str | Path | None = None) -> URLFetcher:
    """A WeasyPrint URL fetcher that serves only files under ``static_root`` (the app's static
    folder by default) and raises for any other URL; errors stop the rendering."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = Path(static_root or current_app.static_folder or "static").resolve()

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            path = static_path(url, root)
            mime, _encoding = mimetypes.guess_type(path.name)
            return URLFetcherResponse(
                path.as_uri(),
                path.read_bytes(),
                {"Content-Type": mime or "application/octet-stream"},
            )

    return StaticOnlyFetcher(fail_on_errors=True)


def static_path(url: str, root: Path) -> Path:
    """The file a ``file://`` URL names, if it lies under ``root``; otherwise ValueError."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ValueError(f"refused URL (only static files are served): {url}")
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise ValueError(f"refused URL (not a file under {root}): {url}")
    return path


# --- rendering ------------------------------------------------------------------------------------


def render_pdf(document: Document, *, base_url: str | None = None) -> bytes:
    """The document as PDF bytes (needs an application context).

    ``base_url`` is where relative URLs in the template resolve (the static folder by default);
    whatever it is, only files under the static folder are ever fetched.
    """
    check_cjk_font()
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    static_root = Path(current_app.static_folder or "static").resolve()
    stylesheet = (static_root / STYLESHEET).as_uri()  # absolute: whatever base_url says
    html = render_template(TEMPLATE, **template_context(document), stylesheet=stylesheet)
    try:
        return HTML(
            string=html,
            base_url=base_url or static_root.as_uri() + "/",
            url_fetcher=static_url_fetcher(static_root),
        ).write_pdf(font_config=_font_config())
    except FatalURLFetchingError as error:  # a BaseException: make it an ordinary error
        raise DocumentError(f"the document refers to a file it may not read: {error}") from error


def template_context(document: Document) -> dict[str, Any]:
    """What ``sheets.html`` needs: the sheets with their inlines flattened for Jinja."""
    sheets = []
    for sheet in document.sheets:
        number = sheet.document_number
        # qr_svg builds the element with ElementTree, which escapes the text.
        qr = Markup(qr_svg(number)) if number else None  # noqa: S704 # nosec B704
        sheets.append(_sheet(sheet, qr))
    title = next((s.title for s in document.sheets if s.title), document.name)
    return {"title": title, "sheets": sheets}


def _sheet(sheet: Sheet, qr: Markup | None) -> dict[str, Any]:
    table = sheet.table
    grid = table.grid()  # raises ValueError when the spans do not tile the grid
    head = 0
    while head < len(table.rows) and table.rows[head].header:
        head += 1
    # A cell spanning from the header rows into the body would break the table apart.
    if any(r + c.rowspan > head for r in range(head) for c in table.rows[r].cells):
        head = 0
    return {
        "title": sheet.title,
        "orientation": sheet.orientation,
        "copy_label": sheet.copy_label,
        "document_number": sheet.document_number,
        "qr": qr,
        "before": [_line(line.parts, line.align, line.size_pt) for line in sheet.before],
        "after": [_line(line.parts, line.align, line.size_pt) for line in sheet.after],
        "widths": [_mm(w) for w in table.column_widths_mm],
        "width": _mm(sum(table.column_widths_mm)),
        "head": [_row(row) for row in table.rows[:head]],
        "body": _row_groups(table.rows, grid, head),
    }


def _row_groups(rows: list[Row], grid: list[list[Any]], start: int) -> list[dict[str, Any]]:
    """The body rows in groups joined by rowspans, each group one ``<tbody>`` kept on one page
    (a label spanning rows must not be cut from its values); a group ending in a heading row
    (section or column headers) stays with the group after it."""
    groups: list[dict[str, Any]] = []
    group: list[dict[str, Any]] = []
    for r in range(start, len(rows)):
        group.append(_row(rows[r]))
        if not any(top + rows[top].cells[i].rowspan - 1 > r for top, i in grid[r]):
            classes = ["keep"] if len(group) > 1 else []
            if _is_heading(rows[r]):
                classes.append("keep-next")
            groups.append({"rows": group, "classes": " ".join(classes)})
            group = []
    return groups


def _is_heading(row: Row) -> bool:
    """A row of section titles or column headers: it belongs with the row below it."""
    return all(cell.kind in ("section", "header") for cell in row.cells)


def _line(parts: Paragraph, align: str, size_pt: float | None) -> dict[str, Any]:
    return {"parts": _inlines(parts), "align": align, "size_pt": size_pt}


def _row(row: Row) -> dict[str, Any]:
    tall = row.height_mm is not None
    cells = []
    for cell in row.cells:
        classes = [
            f"kind-{cell.kind}",
            f"align-{'center' if cell.kind == 'header' else cell.align}",
        ]
        if tall and cell.kind in ("value", "signature"):
            classes.append("top")
        cells.append(
            {
                "colspan": cell.colspan,
                "rowspan": cell.rowspan,
                "classes": " ".join(classes),
                "paragraphs": [_inlines(p) for p in cell.paragraphs] or [[]],
            }
        )
    return {"height": _mm(row.height_mm) if tall else None, "cells": cells}


def _inlines(parts: Paragraph) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, Box):
            # The box and its label do not break apart; a long label may wrap after its start.
            cut = len(part.label) if len(part.label) <= UNBROKEN_LABEL else 1
            out.append(
                {
                    "kind": "box",
                    "glyph": part.glyph,
                    "head": part.label[:cut],
                    "tail": part.label[cut:],
                }
            )
        elif isinstance(part, Text):
            classes = " ".join(c for c, on in (("bold", part.bold), ("fill", part.fill)) if on)
            out.append({"kind": "text", "text": part.text, "classes": classes})
        elif part:
            out.append({"kind": "plain", "text": part})
    return out


def _mm(value: float | None) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value is not None else ""
