"""The case history page: everything that happened in one elder's case, in date order."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_login import current_user

from caseman import audit
from caseman.access import login_required
from caseman.elders import labels
from caseman.extensions import db
from caseman.referrals import labels as referral_labels
from caseman.scope import get_elder_or_404
from caseman.search import indexing  # noqa: F401  (registers the index's flush listener)
from caseman.search.history import KINDS, list_history
from caseman.visits import labels as visit_labels

bp = Blueprint("search", __name__)


@bp.get("/elders/<int:elder_id>/history")
@login_required
def history(elder_id: int) -> Any:
    elder = get_elder_or_404(current_user, elder_id)
    kinds = {k for k in request.args.getlist("kind") if k in KINDS}
    events = list_history(elder, kinds)
    audit.record("view_history", object_type="elder", object_id=elder.id, elder_id=elder.id,
                 detail=",".join(sorted(kinds)))  # fmt: skip
    db.session.commit()
    return render_template(
        "search/history.html",
        elder=elder,
        events=events,
        kinds=KINDS,
        selected=kinds,
        labels=labels,
        visit_labels=visit_labels,
        referral_labels=referral_labels,
    )
