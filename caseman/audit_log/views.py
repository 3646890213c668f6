"""``/audit``: the district searches the audit log and exports it. Nothing here writes to it
except the row recording the export itself."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from flask import Blueprint, current_app, render_template, request, send_file
from flask_babel import gettext as _

from caseman import audit, clock
from caseman.access import roles_required
from caseman.audit_log import labels
from caseman.audit_log.queries import (
    ACTIONS,
    AuditFilters,
    elders_of,
    export_xlsx,
    find_elder_ids,
    list_events,
    user_names,
)
from caseman.extensions import db

bp = Blueprint("audit_log", __name__, url_prefix="/audit")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None


# A number this short is the site's own elder number (the links of the Elder column); anything
# else is an elder's name or ID number.
ELDER_NUMBER_DIGITS = 9


def _filters() -> AuditFilters:
    elder = request.args.get("elder", "").strip()[:64]
    action = request.args.get("action", "").strip()
    by_number = elder.isdigit() and len(elder) <= ELDER_NUMBER_DIGITS
    return AuditFilters(
        username=request.args.get("user", "").strip()[:64],
        elder_id=int(elder) if by_number else None,
        elder_ids=find_elder_ids(elder) if elder and not by_number else None,
        action=action if action in ACTIONS else "",
        start=_date("from"),
        end=_date("to"),
    )


@bp.get("")
@roles_required("district")
def index() -> Any:
    filters = _filters()
    if request.args.get("format") == "xlsx":
        headers = [_("Time"), _("User"), _("Role"), _("IP address"), _("Action"),
                   _("Record type"), _("Record"), _("Elder"), _("Detail")]  # fmt: skip
        content, count = export_xlsx(filters, headers)
        audit.record("export", object_type="audit", detail=f"format=xlsx rows={count}")
        db.session.commit()
        stamp = clock.now().strftime("%Y%m%d-%H%M%S")  # Beijing time, as the page shows
        return send_file(BytesIO(content), mimetype=XLSX, as_attachment=True,
                         download_name=f"audit-{stamp}.xlsx", max_age=0)  # fmt: skip
    page_number = max(1, request.args.get("page", 1, type=int) or 1)
    page = list_events(filters, page_number, current_app.config.get("PAGE_SIZE", 50))
    elder = request.args.get("elder", "").strip()[:64]
    args = {"user": filters.username, "elder": elder, "action": filters.action,
            "from": filters.start or "", "to": filters.end or ""}  # fmt: skip
    return render_template(
        "audit/index.html",
        page=page,
        filters=filters,
        elder_search=elder,
        actions=[(action, labels.action_label(action)) for action in ACTIONS],
        elders=elders_of(page.items, "district"),
        names=user_names(page.items),
        labels=labels,
        args=args,
    )
