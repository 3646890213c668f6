"""Photos of a visit: shown only through this scoped, audited route, never as static files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from caseman import audit
from caseman.access import login_required, roles_required
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forms import form_status, saving
from caseman.i18n import translate_message
from caseman.photos.forms import WithdrawPhotoForm
from caseman.photos.intake import allow_photo_uploads, attach_from_request, photo_errors
from caseman.photos.queries import get_photo_or_none, get_place, list_photos, list_withdrawn
from caseman.photos.services import withdraw_photo
from caseman.visits.queries import get_visit_or_none
from caseman.visits.views import RECORDERS

bp = Blueprint("photos", __name__)
bp.before_app_request(allow_photo_uploads)
bp.add_app_template_global(list_photos, "visit_photos")
bp.add_app_template_global(list_withdrawn, "withdrawn_photos")
bp.add_app_template_global(get_place, "visit_place")
bp.add_app_template_global(photo_errors)


def _send(photo_id: int, thumbnail: bool) -> Any:
    photo = get_photo_or_none(current_user, photo_id)
    if photo is None:
        abort(404)
    path = Path(current_app.config["CASEMAN_UPLOADS"]) / (
        photo.thumbnail_as if thumbnail else photo.stored_as
    )
    if not path.is_file():
        abort(404)
    audit.record("view_photo", object_type="photo", object_id=photo.id, elder_id=photo.elder_id,
                 detail="thumb" if thumbnail else "full")  # fmt: skip
    db.session.commit()
    # A JPEG the server wrote itself (caseman.photos.services.clean_photo): safe to show inline.
    return send_file(path, mimetype="image/jpeg", download_name=f"photo-{photo.id}.jpg",
                     max_age=0)  # fmt: skip


@bp.get("/visits/photos/<int:photo_id>")
@login_required
def show(photo_id: int) -> Any:
    return _send(photo_id, thumbnail=False)


@bp.get("/visits/photos/<int:photo_id>/thumb")
@login_required
def thumbnail(photo_id: int) -> Any:
    return _send(photo_id, thumbnail=True)


@bp.route("/visits/photos/<int:photo_id>/withdraw", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def withdraw(photo_id: int) -> Any:
    """Withdraw a wrong photo with a reason: nobody is shown it again; its file is kept."""
    photo = get_photo_or_none(current_user, photo_id)
    if photo is None:
        abort(404)
    form = WithdrawPhotoForm()
    if form.is_submitted() and form.validate():
        with saving(form) as saved:
            withdraw_photo(current_user, photo, form.reason.data or "")
        if saved:
            flash(_("The photo was withdrawn; nobody is shown it any more."), "success")
            return redirect(url_for("visits.show", visit_id=photo.visit_id, _anchor="visit-photos"))
    return render_template("photos/withdraw.html", form=form, photo=photo), form_status(form)


@bp.post("/visits/<int:visit_id>/photos")
@roles_required(*RECORDERS)
def add(visit_id: int) -> Any:
    """Add photos to a saved visit (from the visit page, e.g. after recording it offline)."""
    visit = get_visit_or_none(current_user, visit_id)
    if visit is None:
        abort(404)
    try:
        added = attach_from_request(current_user, visit, with_place=False)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(translate_message(exc.message, exc.params), "error")
    else:
        if added:
            flash(_("The photos were added to the visit."), "success")
        else:
            flash(_("Choose one or more photos first."), "error")
    return redirect(url_for("visits.show", visit_id=visit_id, _anchor="visit-photos"))
