"""Printing official forms (附件2, 附件3, field sheets) and filing the signed scans."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
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
from sqlalchemy import select

from caseman import audit, clock
from caseman.access import login_required, roles_required
from caseman.documents.batches import (
    due_elder_ids,
    print_now_limit,
    start_annex2_batch,
    start_annex3_batch,
    start_field_sheets_batch,
)
from caseman.documents.builders import annex2_for, annex3_for, field_sheets_for
from caseman.documents.forms import BatchForm, ScanForm
from caseman.documents.layout import Document
from caseman.documents.models import SignedScan
from caseman.documents.services import MAX_SCAN_BYTES, file_scan, find_document
from caseman.elders.models import Elder
from caseman.elders.queries import get_version, list_filter_areas
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forms import form_status, put_errors, saving
from caseman.i18n import translate_message
from caseman.jobs.services import enqueue
from caseman.scope import area_in_scope, can_see_elder, get_elder_or_404
from caseman.visits.queries import get_visit_or_none
from caseman.visits.views import RECORDERS

bp = Blueprint("documents", __name__)

MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def send_document(document: Document, fmt: str) -> Any:
    """Render with the writer for ``fmt`` and send (PDF shown inline, .docx downloaded)."""
    if fmt == "pdf":
        from caseman.documents.pdf_writer import render_pdf

        content = render_pdf(document)
    else:
        from caseman.documents.docx_writer import render_docx

        content = render_docx(document)
    return send_file(
        BytesIO(content),
        mimetype=MEDIA[fmt],
        as_attachment=fmt == "docx",
        download_name=f"{document.name}.{fmt}",
        max_age=0,
    )


@bp.get("/elders/<int:elder_id>/annex2.<any(pdf, docx):fmt>")
@login_required
def annex2(elder_id: int, fmt: str) -> Any:
    """附件2 of the registration as it stands, or of version ``?version=N``."""
    elder = get_elder_or_404(current_user, elder_id)
    number = request.args.get("version", type=int)
    data = None
    if number is not None:
        saved = get_version(elder, number)
        if saved is None:
            abort(404)
        data = saved.snapshot
    document = annex2_for(current_user, elder, clock.today(), data, number)
    response = send_document(document, fmt)
    db.session.commit()
    return response


@bp.get("/visits/<int:visit_id>/annex3.<any(pdf, docx):fmt>")
@login_required
def annex3(visit_id: int, fmt: str) -> Any:
    visit = get_visit_or_none(current_user, visit_id)
    if visit is None:
        abort(404)
    if visit.is_void:
        flash(_("A voided record is not printed."), "error")
        return redirect(url_for("visits.show", visit_id=visit.id))
    document = annex3_for(current_user, visit, clock.today())
    response = send_document(document, fmt)
    db.session.commit()
    return response


@bp.get("/visits/field-sheets.<any(pdf, docx):fmt>")
@roles_required(*RECORDERS)
def field_sheets(fmt: str) -> Any:
    """Blank 附件3 with the header filled in, for the elders due in a village this period."""
    area = area_in_scope(current_user, request.args.get("village", type=int))
    area_id = area.id if area else None
    if area_id is None and current_user.role.value != "worker":
        flash(_("Choose a village to print its field sheets."), "error")
        return redirect(url_for("visits.due"))
    due = due_elder_ids(current_user, area_id, clock.today())
    if not due:
        flash(_("Nobody is due: there is nothing to print."), "info")
        return redirect(url_for("visits.due"))
    label = area.name if area else current_user.display_name
    if len(due) > print_now_limit():
        # A whole village: in the background with progress, never a request that runs for minutes.
        if fmt != "pdf":
            flash(_("More than %(count)s field sheets are printed as one PDF in the background: "
                    "choose PDF.", count=print_now_limit()), "error")  # fmt: skip
            return redirect(url_for("visits.due"))
        try:
            job = start_field_sheets_batch(current_user, area, label, len(due))
        except DomainError as error:
            flash(translate_message(error.message, error.params), "error")
            return redirect(url_for("visits.due"))
        db.session.commit()
        enqueue(job)
        return redirect(url_for("jobs.show", job_id=job.id))
    by_id = {e.id: e for e in db.session.scalars(select(Elder).where(Elder.id.in_(due)))}
    document = field_sheets_for(current_user, [by_id[i] for i in due], clock.today(), label)
    db.session.commit()  # the numbers and audit rows: the layout that follows holds no lock
    return send_document(document, fmt)


@bp.route("/documents/batches/new", methods=["GET", "POST"])
@login_required
def new_batch() -> Any:
    """Every 附件2 of a town or village, or every 附件3 of a period, as one PDF made in the
    background; the job page shows progress and offers the file when it is done."""
    towns, villages = list_filter_areas(current_user)
    form = BatchForm()
    form.area.choices = [(a.id, a.full_name) for a in towns + villages] or [
        (current_user.area.id, current_user.area.full_name)
    ]
    if request.method == "GET":
        start = clock.today().replace(day=1)
        form.start.data, form.end.data = start, clock.today()
        form.kind.data = request.args.get("kind", "annex2")
        chosen = area_in_scope(current_user, request.args.get("area", type=int))
        if chosen is not None:
            form.area.data = chosen.id
    if form.validate_on_submit():
        area = area_in_scope(current_user, form.area.data)
        if area is None:
            abort(404)
        try:
            if form.kind.data == "annex2":
                job = start_annex2_batch(current_user, area, clock.today())
            else:
                job = start_annex3_batch(current_user, area, form.start.data, form.end.data)
        except DomainError as exc:
            put_errors(form, exc)
        else:
            db.session.commit()
            enqueue(job)
            return redirect(url_for("jobs.show", job_id=job.id))
    status = 400 if request.method == "POST" else 200
    return render_template("documents/batch.html", form=form), status


@bp.route("/documents/scans/new", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def upload_scan() -> Any:
    """File the signed copy back against the number printed on it."""
    form = ScanForm()
    if not form.is_submitted():
        form.number.data = request.args.get("number", "")
    elif form.validate():
        document, copy = find_document(form.number.data or "")
        if document is None or copy is None or not can_see_elder(current_user, document.elder_id):
            form.number.errors = [
                *form.number.errors,
                _("No printed form of your area has this number."),
            ]
        else:
            upload = form.scan.data
            with saving(form) as saved:
                file_scan(
                    current_user,
                    document,
                    copy,
                    upload.filename or "",
                    # One byte over the limit is enough to refuse a file without reading it all.
                    upload.read(MAX_SCAN_BYTES + 1),
                    Path(current_app.config["CASEMAN_UPLOADS"]),
                )
            if saved:
                flash(_("The signed copy was filed with the case."), "success")
                return redirect(url_for("elders.show", elder_id=document.elder_id,
                                        _anchor="forms"))  # fmt: skip
    status = form_status(form)
    return render_template("documents/upload.html", form=form), status


@bp.get("/documents/scans/<int:scan_id>")
@login_required
def scan(scan_id: int) -> Any:
    item = db.session.get(SignedScan, scan_id)
    if item is None or not can_see_elder(current_user, item.elder_id):
        abort(404)
    path = Path(current_app.config["CASEMAN_UPLOADS"]) / item.stored_as
    if not path.is_file():
        abort(404)
    audit.record("view_scan", object_type="scan", object_id=item.id, elder_id=item.elder_id)
    db.session.commit()
    # Always a download, never shown inline: an uploaded file runs nothing in our origin.
    return send_file(
        path, mimetype=item.media_type, download_name=item.filename, as_attachment=True, max_age=0
    )
