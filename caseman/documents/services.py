"""Numbering printed forms and filing their signed scans. Services flush; the view commits."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date
from pathlib import Path

from sqlalchemy import delete as sa_delete
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseman import audit
from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.clock import utcnow
from caseman.db import begin_write
from caseman.documents.layout import Document, plain
from caseman.documents.models import PrintedDocument, SignedScan
from caseman.elders.models import Elder
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.rules.enums import N_

ANNEX_CODES = {"annex2": "F2", "annex3": "F3", "field_sheet": "F3"}
MAX_SCAN_BYTES = 10 * 1024 * 1024
NUMBER_RE = re.compile(r"^(\d{6}-F[23]-\d{4}-\d{6})-(\d)$")
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
EXTENSIONS = {"pdf": "pdf", "jpg": "jpg", "jpeg": "jpg", "png": "png"}  # name's suffix → kind


def _district_code(elder: Elder) -> str:
    district = elder.residence_area.district if elder.residence_area else None
    code = (district.code if district else "") or "000000"
    return code[:6].rjust(6, "0")


def content_hash(document: Document) -> str:
    """SHA-256 of what a form says: title, lines and every cell (text, boxes ticked, spans) of its
    first sheet; not its number or copy labels, which the copies do not share."""
    sheet = document.sheets[0]
    digest = hashlib.sha256()

    def add(text: str) -> None:
        digest.update(text.encode("utf-8"))
        digest.update(b"\x1f")

    add(sheet.title)
    add(sheet.orientation)
    for line in sheet.before:
        add(plain(line.parts))
    for row in sheet.table.rows:
        add("\x1e")
        for cell in row.cells:
            add(f"{cell.colspan}x{cell.rowspan}:{cell.plain_text()}")
    for line in sheet.after:
        add(plain(line.parts))
    return digest.hexdigest()


def reusable_document(
    elder: Elder, annex: str, visit_id: int | None, digest: str
) -> PrintedDocument | None:
    """The number already given to this very content: a signed one first, else the latest."""
    found = list(
        db.session.scalars(
            select(PrintedDocument)
            .where(
                PrintedDocument.elder_id == elder.id,
                PrintedDocument.annex == annex,
                PrintedDocument.visit_id.is_(None)
                if visit_id is None
                else PrintedDocument.visit_id == visit_id,
                PrintedDocument.content_hash == digest,
                PrintedDocument.printings > 0,  # not a batch's reservation
            )
            .options(selectinload(PrintedDocument.scans))
            .order_by(PrintedDocument.id.desc())
        )
    )
    return next((d for d in found if d.is_signed), found[0] if found else None)


def number_document(
    actor: User,
    elder: Elder,
    annex: str,
    copies: int,
    today: date,
    *,
    elder_version: int | None = None,
    visit_id: int | None = None,
    digest: str | None = None,
    reserve: bool = False,
) -> PrintedDocument:
    """Give a printing its document number (the serial is the row id, so numbers never clash).

    With the form's ``digest`` (:func:`content_hash`), a form printed again unchanged gets the
    number it had (a signed one if any): previews and reprints do not multiply numbers, and a
    change of content gets a new one.

    ``reserve`` (batch printing): the number is only reserved, for a file not made yet. A new
    number is a row with ``printings == 0``, which no list, search or reuse sees; nothing is
    counted nor audited. :func:`issue_documents` issues them once the file exists, and
    :func:`release_documents` drops them if it never will.
    """
    begin_write()  # a GET that prints: count this printing on the row as it stands
    if digest is not None:
        existing = reusable_document(elder, annex, visit_id, digest)
        if existing is not None and reserve:
            return existing
        if existing is not None:
            existing.printings += 1
            existing.last_printed_at = utcnow()
            db.session.flush()
            audit.record("print", object_type=annex, object_id=visit_id or elder.id,
                         elder_id=elder.id, detail=existing.number, user=actor)  # fmt: skip
            return existing
    document = PrintedDocument(
        number=f"pending-{elder.id}-{annex}-{id(elder)}",
        annex=annex,
        elder_id=elder.id,
        elder_version=elder_version,
        visit_id=visit_id,
        copies=copies,
        content_hash=digest,
        created_by_id=actor.id,
        printings=0 if reserve else 1,
    )
    db.session.add(document)
    db.session.flush()
    document.number = f"{_district_code(elder)}-{ANNEX_CODES[annex]}-{today.year}-{document.id:06d}"
    db.session.flush()
    if reserve:
        return document
    audit.record("print", object_type=annex, object_id=visit_id or elder.id, elder_id=elder.id,
                 detail=document.number, user=actor)  # fmt: skip
    return document


def issue_documents(actor: User, document_ids: list[int]) -> None:
    """The file of a batch exists: issue its reserved numbers and count the reprints, each with
    its ``print`` audit row (flush only: committed with the job's end)."""
    now = utcnow()
    for document in db.session.scalars(
        select(PrintedDocument).where(PrintedDocument.id.in_(document_ids))
    ):
        if document.printings == 0:
            document.printings = 1
        else:
            document.printings += 1
            document.last_printed_at = now
        audit.record("print", object_type=document.annex,
                     object_id=document.visit_id or document.elder_id, elder_id=document.elder_id,
                     detail=document.number, user=actor)  # fmt: skip
    db.session.flush()


def release_documents(document_ids: list[int]) -> None:
    """A batch failed before its file existed: drop the numbers it reserved (never printed,
    never seen; numbers it reused are left as they were)."""
    db.session.execute(
        sa_delete(PrintedDocument).where(
            PrintedDocument.id.in_(document_ids), PrintedDocument.printings == 0
        )
    )


def sniff(content: bytes) -> tuple[str, str] | None:
    """(media type, extension) from the file's first bytes, or None if not PDF/JPEG/PNG."""
    for magic, media_type, extension in SIGNATURES:
        if content.startswith(magic):
            return media_type, extension
    return None


def find_document(number: str) -> tuple[PrintedDocument | None, int | None]:
    """The printing and copy a printed number (``…-000123-2``) refers to."""
    match = NUMBER_RE.match(number.strip().upper())
    if not match:
        return None, None
    document = db.session.scalar(
        select(PrintedDocument).where(
            PrintedDocument.number == match.group(1), PrintedDocument.printings > 0
        )
    )
    return document, int(match.group(2))


def file_scan(
    actor: User,
    document: PrintedDocument,
    copy: int,
    filename: str,
    content: bytes,
    uploads: Path,
) -> SignedScan:
    """Attach the signed scan of one copy; checked by content, size-limited, never overwritten."""
    if not 1 <= copy <= document.copies:
        raise DomainError("number", N_("This form has no copy %(copy)s."), copy=copy)
    if not content:
        raise DomainError("scan", N_("The file is empty."))
    if len(content) > MAX_SCAN_BYTES:
        raise DomainError("scan", N_("The file is larger than %(size)s MB."), size=10)
    kind = sniff(content)
    if kind is None:
        raise DomainError("scan", N_("Upload a PDF, JPEG or PNG scan."))
    if copy in document.filed_copies:
        raise DomainError(
            "number", N_("A signed scan of copy %(copy)s is already filed."), copy=copy
        )
    media_type, extension = kind
    declared = Path(filename or "").suffix.lower().lstrip(".")
    if EXTENSIONS.get(declared) != extension:
        # A PNG called .pdf (or a file without a type in its name) is refused, not "corrected":
        # the name and the content must tell the same story.
        raise DomainError(
            "scan",
            N_("The file's content does not match its name (.%(extension)s). Upload the PDF, "
               "JPEG or PNG scan as it was saved."),
            extension=declared or "?",
        )  # fmt: skip
    digest = hashlib.sha256(content).hexdigest()
    # A random name: nothing about the elder or the form can be read or guessed from it.
    relative = Path(str(document.created_at.year)) / f"{secrets.token_hex(16)}.{extension}"
    target = uploads / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    scan = SignedScan(
        document_id=document.id,
        copy=copy,
        elder_id=document.elder_id,
        filename=Path(filename or "scan").name[:200],
        stored_as=str(relative),
        media_type=media_type,
        size=len(content),
        sha256=digest,
        uploaded_by_id=actor.id,
    )
    db.session.add(scan)
    db.session.flush()
    audit.record(
        "file_scan",
        object_type=document.annex,
        object_id=document.id,
        elder_id=document.elder_id,
        detail=document.copy_number(copy),
        user=actor,
    )
    return scan


def area_parts(area: Area | None) -> tuple[str, str, str]:
    """(district, town, village) names of an area, for the address cells of the forms."""
    if area is None:
        return "", "", ""
    district, town, village = area.district, area.town, area.village
    return (
        district.name if district else "",
        town.name if town else "",
        village.name if village else "",
    )
