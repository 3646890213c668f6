"""Read the audit log: filters, a page of rows, and the .xlsx export (never writes to it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.extensions import db
from caseman.spreadsheets import set_text

EXPORT_LIMIT = 100_000  # rows in one .xlsx (about 10 s to write; narrow the filters beyond)

# Every action recorded (caseman.audit), with the label the audit page shows.
ACTION_LABELS = {
    "login": _l("Logged in"),
    "login_failed": _l("Failed login"),
    "login_locked": _l("Login locked"),
    "totp_failed": _l("Wrong second-factor code"),
    "logout": _l("Logged out"),
    "password_changed": _l("Changed own password"),
    "password_change_failed": _l("Wrong current password"),
    "totp_enrolled": _l("Set up the second factor"),
    "view": _l("Viewed"),
    "view_version": _l("Viewed an earlier version"),
    "view_scan": _l("Viewed a signed scan"),
    "view_history": _l("Viewed the history"),
    "create": _l("Created"),
    "update": _l("Changed"),
    "status": _l("Changed the status"),
    "follow_up": _l("Followed up"),
    "acknowledge": _l("Acknowledged"),
    "void": _l("Voided"),
    "archive": _l("Archived"),
    "restore": _l("Restored"),
    "close": _l("Closed"),
    "reopen": _l("Reopened"),
    "move": _l("Moved"),
    "import": _l("Imported"),
    "file_scan": _l("Filed a signed scan"),
    "review": _l("Reviewed"),
    "submit": _l("Submitted"),
    "print": _l("Printed"),
    "export": _l("Exported"),
    "download": _l("Downloaded"),
    "backup": _l("Backed up"),
    "reveal": _l("Showed a full number"),
    "deny": _l("Refused (not found or not allowed)"),
    "system_access": _l("System access"),
    "audit_prune": _l("Pruned the audit log"),
    "assign_visitor": _l("Assigned a visitor"),
    "end_visitor": _l("Ended a visitor's assignment"),
    "user_create": _l("Created an account"),
    "user_update": _l("Changed an account"),
    "user_disabled": _l("Disabled an account"),
    "user_enabled": _l("Enabled an account"),
    "password_reset": _l("Reset a password"),
    "totp_reset": _l("Reset a second factor"),
}
ACTIONS = tuple(ACTION_LABELS)


def action_label(action: str) -> str:
    """The readable label of an audit action (the action name itself when unknown)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


COLUMNS = ("at", "username", "role", "ip", "action", "object_type", "object_id", "elder_id",
           "detail")  # fmt: skip


@dataclass
class AuditFilters:
    """What the district searches by: user name, elder id, action, UTC dates (inclusive)."""

    username: str = ""
    elder_id: int | None = None
    action: str = ""
    start: date | None = None
    end: date | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        conditions: list[sa.ColumnElement[bool]] = []
        if self.username:
            conditions.append(AuditEvent.username == self.username)
        if self.elder_id is not None:
            conditions.append(AuditEvent.elder_id == self.elder_id)
        if self.action:
            conditions.append(AuditEvent.action == self.action)
        if self.start:
            conditions.append(AuditEvent.at >= datetime.combine(self.start, time.min))
        if self.end:
            day_after = datetime.combine(self.end + timedelta(days=1), time.min)
            conditions.append(AuditEvent.at < day_after)
        return conditions


@dataclass
class AuditPage:
    items: list[AuditEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_events(filters: AuditFilters, page: int, per_page: int) -> AuditPage:
    """Matching audit rows, newest first, one page of them."""
    conditions = filters.conditions()
    total = db.session.scalar(select(sa.func.count(AuditEvent.id)).where(*conditions)) or 0
    items = db.session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return AuditPage(list(items), total, page, per_page)


def user_names(events: list[AuditEvent]) -> dict[int, str]:
    """The real names (姓名) of the users of ``events``, by user id."""
    from caseman.auth.models import User

    ids = {event.user_id for event in events if event.user_id}
    if not ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(ids)))
    return {user.id: user.display_name for user in users}


def export_xlsx(filters: AuditFilters, headers: list[str]) -> tuple[bytes, int]:
    """The matching rows as an .xlsx (text cells: nothing can become a formula); and their count."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "audit"
    for column, header in enumerate(headers, start=1):
        set_text(sheet.cell(row=1, column=column), header)
    rows = db.session.execute(
        select(*(getattr(AuditEvent, name) for name in COLUMNS))
        .where(*filters.conditions())
        .order_by(AuditEvent.at, AuditEvent.id)
        .limit(EXPORT_LIMIT)
    )
    count = 0
    for count, values in enumerate(rows, start=1):  # noqa: B007
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=count + 1, column=column)
            if isinstance(value, datetime):
                set_text(cell, value.strftime("%Y-%m-%d %H:%M:%S"))
            elif isinstance(value, int):
                cell.value = value
            else:
                set_text(cell, value or "")
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count
