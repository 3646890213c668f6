"""附件1 ledger (渝北区特殊困难老年人关爱服务信息台帐): rows, the layout, .xlsx / .docx / .pdf."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from caseman.ledger.annex1 import LedgerMeta
    from caseman.ledger.queries import LedgerRow

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
FORMATS = tuple(MEDIA_TYPES)


def render_ledger(rows: list[LedgerRow], meta: LedgerMeta, fmt: str) -> bytes:
    """The ledger in ``fmt`` (xlsx, docx or pdf): one function for the page and the CLI."""
    if fmt == "xlsx":
        from caseman.ledger.xlsx import ledger_xlsx

        return ledger_xlsx(rows, meta)
    from caseman.ledger.annex1 import ledger_document

    document = ledger_document(rows, meta)
    if fmt == "docx":
        from caseman.documents.docx_writer import render_docx

        return render_docx(document)
    if fmt == "pdf":
        from caseman.documents.pdf_writer import render_pdf

        return render_pdf(document)
    raise ValueError(f"unknown ledger format {fmt!r}")


def file_name(meta: LedgerMeta, fmt: str) -> str:
    """台帐_木耳镇_2026-07-01_2026-11-22.xlsx"""
    return f"台帐_{meta.unit}_{meta.start.isoformat()}_{meta.end.isoformat()}.{fmt}"
