"""``/audit``: the district searches the audit log and exports it. Nothing here writes to it
except the row recording the export itself."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

from flask import Blueprint, current_app, render_template, request, send_file
from flask_babel import gettext as _

from caseman import audit
from caseman.access import roles_required
from caseman.audit_log.queries import (
    ACTIONS,
    AuditFilters,
    action_label,
    export_xlsx,
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


def _filters() -> AuditFilters:
    elder = request.args.get("elder", "").strip()
    action = request.args.get("action", "").strip()
    return AuditFilters(
        username=request.args.get("user", "").strip()[:64],
        elder_id=int(elder) if elder.isdigit() else None,
        action=action if action in ACTIONS else "",
        start=_date("from"),
        end=_date("to"),
    )


@bp.get("")
@roles_required("district")
def index() -> Any:
    filters = _filters()
    if request.args.get("format") == "xlsx":
        headers = [_("Time (UTC)"), _("User"), _("Role"), _("IP address"), _("Action"),
                   _("Record type"), _("Record"), _("Elder"), _("Detail")]  # fmt: skip
        content, count = export_xlsx(filters, headers)
        audit.record("export", object_type="audit", detail=f"format=xlsx rows={count}")
        db.session.commit()
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        return send_file(BytesIO(content), mimetype=XLSX, as_attachment=True,
                         download_name=f"audit-{stamp}.xlsx", max_age=0)  # fmt: skip
    page_number = max(1, request.args.get("page", 1, type=int) or 1)
    page = list_events(filters, page_number, current_app.config.get("PAGE_SIZE", 50))
    args = {"user": filters.username, "elder": filters.elder_id or "", "action": filters.action,
            "from": filters.start or "", "to": filters.end or ""}  # fmt: skip
    return render_template("audit/index.html", page=page, filters=filters, actions=ACTIONS,
                           args=args, action_label=action_label,
                           names=user_names(page.items))  # fmt: skip
