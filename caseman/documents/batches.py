"""Batch printing in the background: every 附件2 of an area, every 附件3 of a period, one PDF.

Each handler first reserves a number for every form in one short transaction (committed before the
long part, so SQLite's write lock is not held while the forms are laid out; a reserved number is
seen by nobody), then lays out the forms one by one, reporting progress, and writes one PDF. Only
then are the numbers issued and the ``print`` audit rows written, committed with the job's end: a
batch that never produced its file leaves no printing behind (issue 23 item 6). Queries are
limited to the scope of the user who started the job (the worker has no request, so scope is
applied explicitly).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select

from caseman import clock
from caseman.areas.models import Area
from caseman.auth.models import User
from caseman.db import chunks
from caseman.documents.builders import annex2_for, annex3_for, field_sheet_for
from caseman.documents.layout import Document
from caseman.documents.pdf_writer import check_cjk_font, render_pdf_many
from caseman.documents.services import issue_documents, release_documents
from caseman.elders.models import Elder
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.jobs.models import Job
from caseman.jobs.services import JobContext, handler, start_job
from caseman.ledger.queries import select_ledger
from caseman.rules.enums import N_
from caseman.scope import elder_filter
from caseman.visits.models import Visit

ANNEX2 = "annex2_batch"
ANNEX3 = "annex3_batch"
FIELD_SHEETS = "field_sheets_batch"


def batch_limit() -> int:
    """Forms in one batch (CASEMAN_BATCH_LIMIT, 2,000 by default; a village has a few hundred)."""
    return int(current_app.config["CASEMAN_BATCH_LIMIT"])


def annex2_elder_ids(user: User, area: Area, on: date) -> list[int]:
    """Elders in the caseload on ``on`` in ``area``, in scope, in the ledger's order."""
    return [row.id for row in select_ledger(user, area.id, on).elders]


def annex3_visits(user: User, area: Area, start: date, end: date) -> list[int]:
    """Visits (not void) from ``start`` to ``end`` of the elders in ``area`` and in scope."""
    in_area = select(Area.id).where(Area.path.startswith(area.path, autoescape=True))
    return list(
        db.session.scalars(
            select(Visit.id)
            .join(Elder, Elder.id == Visit.elder_id)
            .where(
                elder_filter(user),
                Elder.residence_area_id.in_(in_area),
                Visit.voided_at.is_(None),
                Visit.visited_on.between(start, end),
            )
            .order_by(Visit.visited_on, Elder.name, Visit.number)
        )
    )


def print_now_limit() -> int:
    """Field sheets printed while the user waits (CASEMAN_PRINT_NOW_LIMIT, 60 by default);
    more go to the background, so that a village of 2,000 elders never ties up a request."""
    return int(current_app.config["CASEMAN_PRINT_NOW_LIMIT"])


def due_elder_ids(user: User, area_id: int | None, today: date) -> list[int]:
    """Elders of ``area_id`` (or the visitor's own) overdue or due this period, in print order."""
    from caseman.rules.visit_periods import DueState
    from caseman.visits.queries import schedule_statuses

    due = [
        row.id
        for row, status in schedule_statuses(user, today, area_id)
        if status.state in (DueState.OVERDUE, DueState.DUE)
    ]
    rows = []
    for part in chunks(due, 500):
        rows.extend(db.session.execute(
            select(Elder.residence_area_id, Elder.name, Elder.id).where(Elder.id.in_(part))
        ))  # fmt: skip
    return [row.id for row in sorted(rows, key=lambda r: (r.residence_area_id or 0, r.name, r.id))]


def start_field_sheets_batch(user: User, area: Area | None, label: str, count: int) -> Job:
    """Queue the field sheets of ``area`` (or of the visitor's own elders) (flush only)."""
    _check_size(count)
    title = f"附件3现场记录 · {label} · {_cn(clock.today())}"
    params = {"area_id": area.id if area else None, "label": label}
    return start_job(user, FIELD_SHEETS, title, params, count)


def _check_size(count: int) -> None:
    if count == 0:
        raise DomainError(None, N_("There is nothing to print for this choice."))
    if count > batch_limit():
        raise DomainError(
            None,
            N_(
                "That is %(count)d forms, more than %(limit)d in one batch: choose a village or a "
                "shorter period."
            ),  # fmt: skip
            count=count,
            limit=batch_limit(),
        )


def _cn(day: date) -> str:
    """A date in a job's title, which names the official forms in Chinese: 2026年12月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def start_annex2_batch(user: User, area: Area, on: date) -> Job:
    """Queue every 附件2 of ``area`` (flush only). DomainError when empty or too large."""
    count = len(annex2_elder_ids(user, area, on))
    _check_size(count)
    title = f"附件2 · {area.full_name} · {_cn(on)}"
    return start_job(user, ANNEX2, title, {"area_id": area.id, "on": on.isoformat()}, count)


def start_annex3_batch(user: User, area: Area, start: date, end: date) -> Job:
    """Queue every 附件3 of ``area`` from ``start`` to ``end`` (flush only)."""
    count = len(annex3_visits(user, area, start, end))
    _check_size(count)
    title = f"附件3 · {area.full_name} · {_cn(start)}–{_cn(end)}"
    params = {"area_id": area.id, "from": start.isoformat(), "to": end.isoformat()}
    return start_job(user, ANNEX3, title, params, count)


def _area(params: dict[str, Any]) -> Area:
    area = db.session.get(Area, int(params["area_id"]))
    if area is None:
        raise DomainError(None, N_("The area no longer exists."))
    return area


RESERVE_CHUNK = 10  # forms numbered per transaction: SQLite's write lock is let go between them


def _print(ctx: JobContext, ids: list[int], build: Callable[[int], Document], name: str) -> str:
    """Reserve a number for every form, lay them out into one PDF, then issue the numbers with
    their audit rows (committed by the job's end); a failure releases them.

    Reservations are committed RESERVE_CHUNK forms at a time (they are seen by nobody), so that
    numbering 2,000 forms never holds SQLite's write lock for more than a moment at once."""
    _check_size(len(ids))
    ctx.progress(0, len(ids), N_("Numbering the forms"))
    documents: list[Document] = []
    reserved: list[int] = []
    try:
        for k, record_id in enumerate(ids, start=1):
            document = build(record_id)
            documents.append(document)
            if document.printed_id:
                reserved.append(document.printed_id)
            if k % RESERVE_CHUNK == 0:
                db.session.commit()
        db.session.commit()  # the reservations only; what follows reports progress
        ctx.progress(0, len(documents), N_("Laying out the forms"))
        data = render_pdf_many(documents, lambda k: ctx.progress(k))
        ctx.output(".pdf").write_bytes(data)
    except BaseException:
        db.session.rollback()
        release_documents(reserved)
        db.session.commit()
        raise
    issue_documents(ctx.user, reserved)
    return name


@handler(ANNEX2)
def annex2_batch(ctx: JobContext) -> str:
    check_cjk_font()  # before numbering anything
    area = _area(ctx.params)
    on = date.fromisoformat(ctx.params["on"])
    today = clock.today()

    def build(elder_id: int) -> Document:
        elder = db.session.get(Elder, elder_id)
        assert elder is not None
        return annex2_for(ctx.user, elder, today, reserve=True)

    ids = annex2_elder_ids(ctx.user, area, on)
    return _print(ctx, ids, build, f"附件2_{area.name}_{on.isoformat()}.pdf")


@handler(ANNEX3)
def annex3_batch(ctx: JobContext) -> str:
    check_cjk_font()
    area = _area(ctx.params)
    start = date.fromisoformat(ctx.params["from"])
    end = date.fromisoformat(ctx.params["to"])
    today = clock.today()

    def build(visit_id: int) -> Document:
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        return annex3_for(ctx.user, visit, today, reserve=True)

    ids = annex3_visits(ctx.user, area, start, end)
    return _print(ctx, ids, build, f"附件3_{area.name}_{start.isoformat()}_{end.isoformat()}.pdf")


@handler(FIELD_SHEETS)
def field_sheets_batch(ctx: JobContext) -> str:
    check_cjk_font()
    today = clock.today()
    area_id = ctx.params.get("area_id")
    label = str(ctx.params.get("label") or "")

    def build(elder_id: int) -> Document:
        elder = db.session.get(Elder, elder_id)
        assert elder is not None
        return field_sheet_for(ctx.user, elder, today, reserve=True)

    ids = due_elder_ids(ctx.user, int(area_id) if area_id else None, today)
    return _print(ctx, ids, build, f"附件3_现场记录_{label}_{today.isoformat()}.pdf")
