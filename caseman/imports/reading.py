"""Reading an uploaded ledger: check what the file is by its content, then stream its rows.

.xlsx is read with openpyxl in read-only mode (rows stream, memory stays bounded) and without
evaluating anything: a formula cell reads as its formula text and is refused by the row checks.
CSV is decoded as UTF-8 (with or without BOM) or else GB18030, the superset of the GBK that
Chinese offices' Excel and WPS save. .xls (the old binary format) is refused with a hint.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

from caseman.errors import DomainError
from caseman.rules.enums import N_

MAX_UPLOAD_BYTES = 15 * 1024 * 1024  # under the site's MAX_CONTENT_LENGTH (16 MB)
MAX_COLUMNS = 60
# A workbook's parts unpacked: a 20,000-row 附件1 ledger is about 12 MB. A "zip bomb" of 760 KB
# unpacked to gigabytes and held the server for minutes (issue 23 item 2): refused before parsing.
MAX_UNPACKED_BYTES = 150 * 1024 * 1024
MAX_PACKING_RATIO = 150  # real sheets pack 5 to 20 times; repeated empty cells pack thousands
MAX_ROWS = 50_000  # a district's whole ledger in one file is about 20,000 rows

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and .doc, .et) binary files


def file_kind(content: bytes) -> str:
    """ "xlsx" or "csv", by content (never by the name); DomainError for anything else."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise DomainError(
            "sheet", N_("The file is larger than %(size)d MB."), size=MAX_UPLOAD_BYTES // 2**20
        )
    if not content.strip():
        raise DomainError("sheet", N_("The file is empty."))
    if content.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                entries = archive.infolist()
        except zipfile.BadZipFile:
            entries = []
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            _check_unpacked_size(entries)
            return "xlsx"
        raise DomainError("sheet", N_("This is not an Excel workbook (.xlsx)."))
    if content.startswith(OLE_MAGIC):
        raise DomainError(
            "sheet",
            N_("Old Excel files (.xls) cannot be read: open it and save it as .xlsx, then upload."),
        )
    if b"\x00" in content[:4096]:
        raise DomainError("sheet", N_("Upload an Excel workbook (.xlsx) or a CSV file."))
    return "csv"


def _check_unpacked_size(entries: list[zipfile.ZipInfo]) -> None:
    """Refuse a workbook that would unpack too large, by the sizes its zip directory declares
    (zipfile never reads a part beyond its declared size, so a lie ends in a damaged-file error)."""
    unpacked = sum(entry.file_size for entry in entries)
    ratio = max(
        (entry.file_size / max(entry.compress_size, 1) for entry in entries if entry.file_size),
        default=0,
    )
    if unpacked > MAX_UNPACKED_BYTES or (unpacked > 2**20 and ratio > MAX_PACKING_RATIO):
        raise DomainError(
            "sheet",
            N_(
                "This workbook unpacks to %(size)d MB, more than a ledger can be: save only the "
                "ledger's sheet, without empty formatted rows, and upload again."
            ),
            size=unpacked // 2**20,
        )


def decode_csv(content: bytes) -> str:
    """CSV text: UTF-8 (BOM or not), else GB18030 (GBK); DomainError if neither decodes."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError("sheet", N_("The CSV file is neither UTF-8 nor GBK text."))


def _cell(value: Any) -> Any:
    """A cell value made JSON-ready (dates as ISO text); numbers stay numbers (rounded IDs)."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float) or value is None:
        return value
    return str(value)


def iter_rows(content: bytes, kind: str) -> Iterator[list[Any]]:
    """Every row of the first sheet (or the CSV), trailing empty cells dropped."""
    if kind == "csv":
        reader = csv.reader(io.StringIO(decode_csv(content)))
        for number, row in enumerate(reader, start=1):
            _check_row_count(number)
            yield _trim([cell if cell.strip() else None for cell in row[:MAX_COLUMNS]])
        return
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for a damaged file
        raise DomainError("sheet", N_("This Excel file is damaged and cannot be read.")) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), 1):
            _check_row_count(number)
            yield _trim([_cell(value) for value in row])
    finally:
        workbook.close()


def _check_row_count(number: int) -> None:
    if number > MAX_ROWS:
        raise DomainError(
            "sheet",
            N_("The file has more than %(rows)d rows: split it by town and upload each part."),
            rows=MAX_ROWS,
        )


def _trim(row: list[Any]) -> list[Any]:
    while row and (row[-1] is None or row[-1] == ""):
        row.pop()
    return row
