"""Offline pages: the service worker, 离线探访 (the visitor's list for the field), the list of
pages the browser keeps, a short case summary, and the state the offline sender asks first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from caseman import audit, clock
from caseman.access import public, roles_required
from caseman.auth.models import User
from caseman.elders import labels as elder_labels
from caseman.extensions import db
from caseman.offline.queries import MAX_ELDERS, list_own_elders
from caseman.scope import get_elder_or_404
from caseman.visits import labels
from caseman.visits.queries import list_elder_visits, status_of

bp = Blueprint("offline", __name__)

RECORDERS = ("worker", "village", "town")  # as caseman.visits.views.RECORDERS
# Empties the browser's storage for the site (IndexedDB, the caches, the service worker):
# sent with the logout and to an account found disabled.
CLEAR_SITE_DATA = '"storage"'
PACK_HEADER = "X-Offline-Pack"  # sent by static/js/offline.js when it keeps the pages
STATIC_FILES = ("css/app.css", "css/offline.css", "js/drafts.js", "js/offline-store.js",
                "js/offline.js", "manifest.webmanifest", "icons/icon-192.png")  # fmt: skip


@bp.get("/sw.js")
@public
def service_worker() -> Any:
    """The service worker, from the site's root so that it may serve every page."""
    path = Path(current_app.static_folder or "static") / "js" / "sw.js"
    response = Response(path.read_bytes(), mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline/")
@roles_required(*RECORDERS)
def index() -> Any:
    """离线探访: the visitor's own elders with their forms, and the records waiting to be sent
    (listed by static/js/offline.js from the browser's store)."""
    return render_template(
        "offline/index.html",
        elders=list_own_elders(current_user, clock.today()),
        is_worker=current_user.role.value == "worker",
        max_elders=MAX_ELDERS,
    )


@bp.get("/offline/pack.json")
@roles_required(*RECORDERS)
def pack() -> Any:
    """The pages the browser keeps for the field: only the user's own elders' (audited)."""
    from flask import url_for

    elders = list_own_elders(current_user, clock.today())
    pages = [url_for("offline.index")]
    for row in elders:
        pages += [
            url_for("visits.new", elder_id=row.elder_id),
            url_for("visits.new_care", elder_id=row.elder_id),
            url_for("offline.elder", elder_id=row.elder_id),
        ]
    audit.record("offline_pack", detail=f"elders={len(elders)}")
    db.session.commit()
    return jsonify(
        user=str(current_user.id),
        pages=pages,
        files=[url_for("static", filename=name) for name in STATIC_FILES],
        elders={str(row.elder_id): row.name for row in elders},
    )


@bp.get("/offline/elders/<int:elder_id>")
@roles_required(*RECORDERS)
def elder(elder_id: int) -> Any:
    """A short case summary for the visit (numbers masked as in lists)."""
    found = get_elder_or_404(current_user, elder_id)
    if PACK_HEADER not in request.headers:  # a page kept by the pack: the pack was audited
        audit.record("view_summary", object_type="elder", object_id=found.id, elder_id=found.id)
        db.session.commit()
    return render_template(
        "offline/elder.html",
        elder=found,
        schedule=status_of(found, clock.today()),
        visits=[v for v in list_elder_visits(found, limit=5) if not v.is_void][:3],
        labels=labels,
        elder_labels=elder_labels,
        today=clock.today(),
    )


def _disabled_session_user() -> User | None:
    """The user this browser's session belongs to when that account has been disabled."""
    token = str(session.get("_user_id", ""))
    user_id, _sep, _version = token.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and not user.is_active else None


@bp.get("/offline/state")
@public
def state() -> Any:
    """Asked by the offline sender before it sends: who is logged in, with a fresh CSRF token.

    ``login`` when nobody is (the records wait for the next login); 403 when the account was
    disabled: the browser then empties its offline store (and the header makes sure it does).
    """
    if current_user.is_authenticated:
        return jsonify(status="ok", user=str(current_user.id), csrf_token=generate_csrf())
    if _disabled_session_user() is not None:
        response = jsonify(status="disabled", message=_("This account has been disabled."))
        response.status_code = 403
        response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
    # Nobody logged in is no error of this page (200): the records wait for the next login.
    return jsonify(status="login", message=_("Log in again to send the records."))


@bp.after_app_request
def clear_on_logout(response: Any) -> Any:
    """Logout empties the browser's offline store and kept pages (static/js/offline.js does the
    same on the next page, for browsers that ignore the header)."""
    if request.endpoint == "auth.logout" and request.method == "POST":
        response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
