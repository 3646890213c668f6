"""Read the audit log: filters, a page of rows, and the .xlsx export (never writes to it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO

import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy import select

from caseman import clock
from caseman.audit import AuditEvent
from caseman.audit_log.labels import ACTION
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.rules.masking import mask_id_for_role
from caseman.spreadsheets import set_text

EXPORT_LIMIT = 100_000  # rows in one .xlsx (about 10 s to write; narrow the filters beyond)

ACTIONS = tuple(ACTION)  # every action recorded (caseman/audit.py), with its label

COLUMNS = ("at", "username", "role", "ip", "action", "object_type", "object_id", "elder_id",
           "detail")  # fmt: skip


@dataclass
class AuditFilters:
    """What the district searches by: user name, elder (id, or the ids found by name or ID
    number), action, UTC dates (inclusive)."""

    username: str = ""
    elder_id: int | None = None
    elder_ids: list[int] | None = None  # found by an elder search; [] matches nothing
    action: str = ""
    start: date | None = None
    end: date | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        conditions: list[sa.ColumnElement[bool]] = []
        if self.username:
            conditions.append(AuditEvent.username == self.username)
        if self.elder_id is not None:
            conditions.append(AuditEvent.elder_id == self.elder_id)
        if self.elder_ids is not None:
            conditions.append(AuditEvent.elder_id.in_(self.elder_ids or [-1]))
        if self.action:
            conditions.append(AuditEvent.action == self.action)
        if self.start:
            # The days are Beijing days (the page's); the times are stored in UTC.
            start = clock.to_utc(datetime.combine(self.start, time.min))
            conditions.append(AuditEvent.at >= start)
        if self.end:
            day_after = clock.to_utc(datetime.combine(self.end + timedelta(days=1), time.min))
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


# Most elders one search by name picks (a common surname matches many; narrow the name beyond).
ELDER_MATCHES = 200
_ID_NUMBER = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")


def find_elder_ids(text: str) -> list[int]:
    """Elders (in the reader's scope) whose ID number is ``text`` or whose name contains it.

    Looked up first among the elders (small, indexed), so the audit table (large) is then
    filtered by ``elder_id IN (…)`` on its index, never joined with a text match."""
    text = text.strip()
    if not text:
        return []
    if _ID_NUMBER.match(text):
        condition = Elder.id_number == text.upper()
    else:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        condition = Elder.name.like(f"%{escaped}%", escape="\\")
    return list(
        db.session.scalars(
            select(Elder.id).where(condition).order_by(Elder.id).limit(ELDER_MATCHES)
        )
    )


@dataclass(frozen=True)
class ElderShown:
    """How a row names its elder: name and ID number masked for the reader."""

    name: str
    id_number: str


def elders_of(events: list[AuditEvent], role: str) -> dict[int, ElderShown]:
    """The elders the rows of a page concern, by id (one query for the page)."""
    ids = sorted({e.elder_id for e in events if e.elder_id is not None})
    if not ids:
        return {}
    rows = db.session.execute(
        select(Elder.id, Elder.name, Elder.id_number).where(Elder.id.in_(ids))
    )
    return {row.id: ElderShown(row.name, mask_id_for_role(row.id_number, role)) for row in rows}


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
                set_text(cell, clock.to_local(value).strftime("%Y-%m-%d %H:%M:%S"))
            elif isinstance(value, int):
                cell.value = value
            else:
                set_text(cell, value or "")
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count
