"""The 附件1 ledger page: preview in the browser, download as .xlsx, .docx or .pdf (audited)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from io import BytesIO
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from caseman import audit, clock
from caseman.access import roles_required
from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import Role
from caseman.elders.queries import Page, list_filter_areas
from caseman.extensions import db
from caseman.ledger import FORMATS, MEDIA_TYPES, file_name, render_ledger
from caseman.ledger.annex1 import HEADINGS, TITLE, LedgerMeta, header_line, note_text
from caseman.ledger.queries import (
    approval_meta,
    build_rows,
    current_half_year,
    select_ledger,
    shows_full_numbers,
    unit_name,
)
from caseman.scope import area_in_scope

bp = Blueprint("ledger", __name__)

# Staff who keep and send the ledger; workers (visitors) do not see it.
LEDGER_ROLES = (Role.DISTRICT.value, Role.TOWN.value, Role.VILLAGE.value)
PER_PAGE = 50
# Most rows a .docx or .pdf is made of in a request (setting CASEMAN_LEDGER_DOCUMENT_ROWS).
DOCUMENT_ROWS = 500


def _chosen_area() -> Area | None:
    """The village, else the town asked for; one outside the user's scope answers 404."""
    for name, level in (("village", AreaLevel.VILLAGE), ("town", AreaLevel.TOWN)):
        area_id = request.args.get(name, type=int)
        if area_id:
            area = area_in_scope(current_user, area_id)
            if area is None or area.level != level:
                abort(404)
            return area
    return None


def _period(errors: list[str]) -> tuple[date, date]:
    """from/to of the query string (ISO dates), else the current half-year up to today."""
    start, end = current_half_year(clock.today())
    try:
        if request.args.get("from"):
            start = date.fromisoformat(request.args["from"])
        if request.args.get("to"):
            end = date.fromisoformat(request.args["to"])
    except ValueError:
        errors.append(_("Give dates as YYYY-MM-DD."))
        return current_half_year(clock.today())
    if start > end:
        errors.append(_("The start date is after the end date."))
        return current_half_year(clock.today())
    return start, end


@bp.get("/ledger")
@roles_required(*LEDGER_ROLES)
def index() -> Any:
    """附件1 of a village, a town or the user's whole area for a period."""
    fmt = request.args.get("format", "")
    if fmt and fmt not in FORMATS:
        abort(404)
    area = _chosen_area()
    errors: list[str] = []
    start, end = _period(errors)
    if fmt and errors:
        abort(400)
    meta = LedgerMeta(unit_name(area or current_user.area), start, end, clock.today())
    area_id = area.id if area else None
    if fmt:
        return _download(fmt, area_id, meta)

    # The page is a list: masked as every list (rules.masking); full numbers only in the
    # audited downloads.
    selection = select_ledger(current_user, area_id, end, full=False)
    meta = replace(meta, **approval_meta(selection))
    page_number = max(1, request.args.get("page", 1, type=int))
    rows = build_rows(selection, start, end, (page_number - 1) * PER_PAGE, PER_PAGE)
    page = Page(items=rows, total=selection.total, page=page_number, per_page=PER_PAGE)
    args: dict[str, Any] = {"from": start.isoformat(), "to": end.isoformat()}
    for name in ("town", "village"):
        if request.args.get(name, type=int):
            args[name] = request.args.get(name, type=int)
    towns, villages = list_filter_areas(current_user)
    return render_template(
        "ledger/index.html",
        page=page,
        meta=meta,
        args=args,
        towns=towns,
        villages=villages,
        errors=errors,
        formats=FORMATS,
        title=TITLE,
        note=note_text(meta),
        headings=HEADINGS,
        header_line=header_line(meta),
        full_exports=shows_full_numbers(current_user),
    )


def _download(fmt: str, area_id: int | None, meta: LedgerMeta) -> Any:
    selection = select_ledger(current_user, area_id, meta.end)
    meta = replace(meta, **approval_meta(selection))
    limit = current_app.config.get("CASEMAN_LEDGER_DOCUMENT_ROWS", DOCUMENT_ROWS)
    if fmt != "xlsx" and selection.total > limit:
        # A Word or PDF file of a whole town takes a minute or more to lay out (about 45 ms a
        # row): too long for a request. Excel is instant; the CLI makes the long ones.
        flash(
            _(
                "%(rows)s rows are too many for a Word or PDF file made on the spot (at most "
                "%(limit)s): download the Excel file or choose a village.",
                rows=selection.total,
                limit=limit,
            ),
            "error",
        )
        args = {k: v for k, v in request.args.items() if k != "format"}
        return redirect(url_for("ledger.index", **args))
    rows = build_rows(selection, meta.start, meta.end)
    content = render_ledger(rows, meta, fmt)
    audit.record(
        "export",
        object_type="ledger",
        object_id=area_id,
        detail=f"format={fmt} rows={len(rows)} area={area_id or current_user.area_id} "
        f"from={meta.start} to={meta.end}",
    )
    db.session.commit()
    return send_file(
        BytesIO(content),
        mimetype=MEDIA_TYPES[fmt],
        as_attachment=True,
        download_name=file_name(meta, fmt),
        max_age=0,
    )
