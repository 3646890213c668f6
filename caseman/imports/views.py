"""Uploading a 附件1 ledger, its preview, the error report and the import (in the background)."""

from __future__ import annotations

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
from sqlalchemy import select

from caseman import audit, clock
from caseman.access import roles_required
from caseman.auth.models import Role
from caseman.elders.services import probe_budget
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forms import form_status, put_errors
from caseman.imports import jobs as import_jobs
from caseman.imports.forms import ConfirmForm, PairingUploadForm, UploadForm
from caseman.imports.pairings import check_pairings, import_pairings
from caseman.imports.reading import MAX_UPLOAD_BYTES
from caseman.imports.report import write_error_report
from caseman.imports.services import (
    Upload,
    check_upload,
    discard_upload,
    load_preview,
    load_upload,
    save_upload,
)
from caseman.jobs.models import Job
from caseman.jobs.services import enqueue

bp = Blueprint("imports", __name__, url_prefix="/imports")

IMPORTERS = (Role.DISTRICT.value, Role.TOWN.value, Role.VILLAGE.value)
SYNC_ROWS = 500  # larger files are checked in the background (CASEMAN_IMPORT_SYNC_ROWS)
SHOWN_PROBLEMS = 300
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sync_rows() -> int:
    return int(current_app.config.get("CASEMAN_IMPORT_SYNC_ROWS", SYNC_ROWS))


def _upload_or_404(token: str) -> Upload:
    upload = load_upload(current_user, token)
    if upload is None:
        abort(404)
    return upload


def _check(upload: Upload, matches: dict[str, int]) -> Any:
    """Check now (small files) and show the preview, or in the background (large files)."""
    if len(upload.rows) <= _sync_rows():
        budget = probe_budget(current_user)
        check_upload(current_user, upload, matches, clock.today(), budget=budget)
        db.session.rollback()  # the check rolled its rows back; end the transaction too
        budget.record(current_user)  # its answers about other areas' ID numbers are kept
        db.session.commit()
        return redirect(url_for("imports.preview", token=upload.token))
    job = import_jobs.start_check(current_user, upload, matches)
    db.session.commit()
    enqueue(job)
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/", methods=["GET", "POST"])
@roles_required(*IMPORTERS)
def index() -> Any:
    form = UploadForm()
    if form.validate_on_submit():
        sheet = form.sheet.data
        try:
            # One byte over the limit is enough to refuse a file without reading it all.
            upload = save_upload(
                current_user, sheet.filename or "", sheet.read(MAX_UPLOAD_BYTES + 1)
            )
        except DomainError as exc:
            put_errors(form, exc)
        else:
            return _check(upload, {})
    jobs = db.session.scalars(
        select(Job)
        .where(
            Job.user_id == current_user.id, Job.kind.in_([import_jobs.CHECK, import_jobs.IMPORT])
        )
        .order_by(Job.id.desc())
        .limit(20)
    ).all()
    status = form_status(form)
    return render_template("imports/index.html", form=form, jobs=jobs), status


def _confirmed_matches(upload: Upload) -> dict[str, int]:
    """The village matches kept so far plus the proposed ones the user ticked (a valid POST)."""
    result = load_preview(upload)
    form = ConfirmForm()
    if result is None or not form.validate():
        abort(400)
    proposed = {p["name"]: p["area_id"] for p in result["proposals"]}
    matches = dict(result.get("matches") or {})
    for key in request.form.getlist("match"):
        if key in proposed:
            matches[key] = proposed[key]
    return matches


def _error_report(upload: Upload) -> Any:
    """The rejected rows of a checked upload as .xlsx with a reason column (audited)."""
    result = load_preview(upload)
    if result is None:
        abort(404)
    buffer = BytesIO()
    write_error_report(upload, result, buffer)  # type: ignore[arg-type]
    audit.record("download", object_type="import_errors", detail=upload.filename)
    db.session.commit()
    buffer.seek(0)
    name = f"错误报告_{upload.filename.rsplit('.', 1)[0]}.xlsx"
    return send_file(buffer, as_attachment=True, download_name=name, mimetype=XLSX)


@bp.get("/<token>")
@roles_required(*IMPORTERS)
def preview(token: str) -> Any:
    upload = _upload_or_404(token)
    result = load_preview(upload)
    if result is None:
        abort(404)
    return render_template(
        "imports/preview.html", upload=upload, preview=result, form=ConfirmForm(),
        shown=SHOWN_PROBLEMS,
    )  # fmt: skip


@bp.post("/<token>/check")
@roles_required(*IMPORTERS)
def check(token: str) -> Any:
    upload = _upload_or_404(token)
    return _check(upload, _confirmed_matches(upload))


@bp.post("/<token>/import")
@roles_required(*IMPORTERS)
def start_import(token: str) -> Any:
    upload = _upload_or_404(token)
    form = ConfirmForm()
    if load_preview(upload) is None or not form.validate():
        abort(400)
    job = import_jobs.start_import(current_user, upload)
    db.session.commit()
    enqueue(job)
    flash(_("The import runs in the background; its result appears below."), "info")
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.get("/<token>/errors.xlsx")
@roles_required(*IMPORTERS)
def errors(token: str) -> Any:
    return _error_report(_upload_or_404(token))


# --- The pairing ledger (000 附件2) -----------------------------------------------------------


def _pairing_upload_or_404(token: str) -> Upload:
    upload = load_upload(current_user, token, kind="pairings")
    if upload is None:
        abort(404)
    return upload


def _check_pairings(upload: Upload, matches: dict[str, int]) -> Any:
    check_pairings(current_user, upload, matches, clock.today())
    db.session.rollback()  # the check rolled its rows back; end the transaction too
    return redirect(url_for("imports.pairings_preview", token=upload.token))


@bp.route("/pairings/", methods=["GET", "POST"])
@roles_required(*IMPORTERS)
def pairings() -> Any:
    form = PairingUploadForm()
    if form.validate_on_submit():
        sheet = form.sheet.data
        try:
            upload = save_upload(
                current_user, sheet.filename or "", sheet.read(MAX_UPLOAD_BYTES + 1), "pairings"
            )
        except DomainError as exc:
            put_errors(form, exc)
        else:
            return _check_pairings(upload, {})
    status = form_status(form)
    return render_template("imports/pairings.html", form=form), status


@bp.get("/pairings/<token>")
@roles_required(*IMPORTERS)
def pairings_preview(token: str) -> Any:
    upload = _pairing_upload_or_404(token)
    result = load_preview(upload)
    if result is None:
        abort(404)
    return render_template(
        "imports/pairings_preview.html", upload=upload, preview=result, form=ConfirmForm(),
        shown=SHOWN_PROBLEMS,
    )  # fmt: skip


@bp.post("/pairings/<token>/check")
@roles_required(*IMPORTERS)
def pairings_check(token: str) -> Any:
    upload = _pairing_upload_or_404(token)
    return _check_pairings(upload, _confirmed_matches(upload))


@bp.post("/pairings/<token>/import")
@roles_required(*IMPORTERS)
def pairings_import(token: str) -> Any:
    upload = _pairing_upload_or_404(token)
    form = ConfirmForm()
    if load_preview(upload) is None or not form.validate():
        abort(400)
    outcome = import_pairings(current_user, upload, clock.today())
    db.session.commit()
    discard_upload(upload)  # imported: the stored rows are not kept
    flash(
        _(
            "Pairing ledger imported: %(new)d elders paired, %(unchanged)d unchanged, "
            "%(rejected)d rows left out, %(helpers)d helpers added to the team.",
            new=outcome.new,
            unchanged=outcome.unchanged,
            rejected=outcome.rejected,
            helpers=outcome.helpers,
        ),  # fmt: skip
        "success",
    )
    return redirect(url_for("mutual_aid.index"))


@bp.get("/pairings/<token>/errors.xlsx")
@roles_required(*IMPORTERS)
def pairings_errors(token: str) -> Any:
    return _error_report(_pairing_upload_or_404(token))
