"""The audit log: who did what to which record, when and from where — never field values.

Rows are added to the current session, so they commit (or roll back) with the change they record:
a request that fails leaves neither its change nor its audit row.

What is recorded (action names): ``login``, ``login_failed``, ``login_locked``, ``logout``;
``view`` / ``view_version`` / ``view_scan`` of a case file or one of its records; ``create``,
``update``, ``status``, ``void``, ``archive``, ``restore``, ``assign_visitor``, ``end_visitor`` …
(changes); ``print`` (an official form, which carries full numbers) and ``export`` (ledger, audit
log); ``reveal`` (a full ID or phone number shown on the case file); ``deny`` (a 404 on a known
route for a logged-in user — an id outside scope, or a page their role may not open; ``detail``
says whether the id exists);
``system_access`` (an unscoped read by the system, with its reason).

The table is append-only (GB/T 35273-2020 §11, security audit: records protected from tampering;
Cybersecurity Law art. 21(3): network logs kept at least six months): no route updates or deletes
it, and a database trigger refuses UPDATE, and DELETE of any row younger than
:data:`RETENTION_DAYS`. ``flask --app app audit-prune --older-than-days N`` (N >= 183) removes
older rows.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, has_request_context, request
from flask_login import current_user
from sqlalchemy import DDL, event
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


# --- append-only: triggers ------------------------------------------------------------------

RETENTION_DAYS = 183  # six months, rounded up (Cybersecurity Law art. 21(3))

SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events "
    f"WHEN OLD.at >= datetime('now', '-{RETENTION_DAYS} days') "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
)
SQLITE_DROP_TRIGGERS = (
    "DROP TRIGGER IF EXISTS audit_events_no_update",
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
)
POSTGRESQL_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$ "
    "BEGIN "
    "IF TG_OP = 'DELETE' AND OLD.at < (now() AT TIME ZONE 'UTC') "
    f"- interval '{RETENTION_DAYS} days' THEN RETURN OLD; END IF; "
    "RAISE EXCEPTION 'audit_events is append-only'; "
    "END $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
)
POSTGRESQL_DROP_TRIGGERS = (
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    "DROP FUNCTION IF EXISTS audit_events_append_only()",
)

for _statement in SQLITE_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_TRIGGERS:
    event.listen(
        AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )


def prune(older_than_days: int, now: datetime | None = None) -> int:
    """Delete audit rows older than ``older_than_days`` (at least :data:`RETENTION_DAYS`)."""
    if older_than_days < RETENTION_DAYS:
        raise ValueError(f"Audit rows are kept at least {RETENTION_DAYS} days.")
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    result = db.session.execute(sa.delete(AuditEvent).where(AuditEvent.at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@click.command("audit-prune")
@click.option(
    "--older-than-days",
    "days",
    required=True,
    type=int,
    help=f"Delete audit rows older than this many days (at least {RETENTION_DAYS}).",
)
def audit_prune_command(days: int) -> None:
    """Delete audit rows older than N days; refuses N below 183 (six months are kept by law)."""
    if days < RETENTION_DAYS:
        raise click.ClickException(
            f"Refusing: audit rows are kept at least {RETENTION_DAYS} days (six months)."
        )
    removed = prune(days)
    record("audit_prune", object_type="audit", detail=f"older_than_days={days} rows={removed}")
    db.session.commit()
    click.echo(f"Removed {removed} audit rows older than {days} days.")


# --- denials ----------------------------------------------------------------------------------

_log = logging.getLogger(__name__)

# URL arguments naming a record: model path, audit object type.
_RECORD_ARGS = {
    "elder_id": ("caseman.elders.models", "Elder", "elder"),
    "visit_id": ("caseman.visits.models", "Visit", "visit"),
    "care_id": ("caseman.visits.models", "CareRecord", "care"),
    "referral_id": ("caseman.referrals.models", "Referral", "referral"),
    "risk_id": ("caseman.referrals.models", "Risk", "risk"),
    "scan_id": ("caseman.documents.models", "SignedScan", "scan"),
    "campaign_id": ("caseman.visits.models", "Campaign", "campaign"),
    "transfer_id": ("caseman.transfers.models", "Transfer", "transfer"),
}


def _denied_record(view_args: dict[str, Any]) -> tuple[str, int | None, int | None, str]:
    """(object type, object id, elder id, "exists"/"missing") for the URL's record, if any."""
    from importlib import import_module

    from caseman.scope import system_access

    for name, (module, class_name, object_type) in _RECORD_ARGS.items():
        object_id = view_args.get(name)
        if not isinstance(object_id, int):
            continue
        model = getattr(import_module(module), class_name)
        with system_access("audit a denial", record=False):  # the deny row itself says why
            row = db.session.get(model, object_id)
        if row is None:
            return object_type, object_id, None, "missing"
        elder_id = object_id if object_type == "elder" else getattr(row, "elder_id", None)
        return object_type, object_id, elder_id, "exists"
    return "", None, None, ""


def record_denial(response: Any) -> Any:
    """After a 404 on a known route for a logged-in user: roll back, record ``deny``, commit."""
    if response.status_code != 404 or request.url_rule is None:
        return response
    if not getattr(current_user, "is_authenticated", False):
        return response
    try:
        db.session.rollback()  # the request failed: nothing it did may persist
        object_type, object_id, elder_id, found = _denied_record(request.view_args or {})
        detail = f"{request.method} {request.endpoint}"
        record("deny", object_type=object_type, object_id=object_id, elder_id=elder_id,
               detail=f"{detail} {found}".strip())  # fmt: skip
        db.session.commit()
    except Exception:  # an audit failure must not turn a 404 into a 500
        db.session.rollback()
        _log.exception("could not record a denial")
    return response


def init_app(app: Flask) -> None:
    app.after_request(record_denial)
    app.cli.add_command(audit_prune_command)
