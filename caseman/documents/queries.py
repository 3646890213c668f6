"""Read functions for printed forms."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseman.documents.models import PrintedDocument
from caseman.elders.models import Elder
from caseman.extensions import db


def list_printed(elder: Elder, limit: int = 30) -> list[PrintedDocument]:
    """The elder's printed forms, newest first, with their filed scans."""
    return list(
        db.session.scalars(
            select(PrintedDocument)
            .where(PrintedDocument.elder_id == elder.id, PrintedDocument.printings > 0)
            .options(selectinload(PrintedDocument.scans), selectinload(PrintedDocument.created_by))
            .order_by(PrintedDocument.created_at.desc(), PrintedDocument.id.desc())
            .limit(limit)
        )
    )
