"""The audit log: who did what to which record, when and from where — never field values.

Rows are added to the current session, so they commit (or roll back) with the change they record.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from caseman.db import Base, utcnow
from caseman.extensions import db


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # UTC
    user_id: Mapped[int | None] = mapped_column(index=True)  # no FK: survives any user change
    username: Mapped[str] = mapped_column(sa.String(64), default="")
    role: Mapped[str] = mapped_column(sa.String(16), default="")
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    action: Mapped[str] = mapped_column(sa.String(32), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(32), default="")
    object_id: Mapped[int | None]
    elder_id: Mapped[int | None] = mapped_column(index=True)
    detail: Mapped[str] = mapped_column(sa.String(300), default="")  # field names, never values


def record(
    action: str,
    *,
    object_type: str = "",
    object_id: int | None = None,
    elder_id: int | None = None,
    detail: str = "",
    user: object | None = None,
) -> AuditEvent:
    """Add an audit row to the current transaction."""
    actor = user if user is not None else (current_user if has_request_context() else None)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        user_id=actor.id if authenticated else None,  # type: ignore[union-attr]
        username=actor.username if authenticated else "",  # type: ignore[union-attr]
        role=actor.role.value if authenticated else "",  # type: ignore[union-attr]
        ip=(request.remote_addr or "") if has_request_context() else "cli",
        action=action,
        object_type=object_type,
        object_id=object_id,
        elder_id=elder_id,
        detail=detail[:300],
    )
    db.session.add(event)
    return event
