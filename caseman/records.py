"""One way to show, edit, void and read the old versions of a versioned, voidable record.

Visits and care records (附件3, caseman/visits/), referrals and risks (caseman/referrals/) are
records of this kind: each has a ``version`` column (SQLAlchemy's ``version_id_col``, the
optimistic lock), an ``elder`` and, for visits and care, ``is_void`` and a saved copy of every
earlier version (``RecordVersion``). A feature describes its record once with ``RecordPages``
and its views call the methods; the feature keeps its own URLs, templates and forms::

    VISIT = RecordPages(kind="visit", endpoint="visits.show", id_arg="visit_id",
                        find=get_visit_or_none, show_template="visits/show.html", ...)

    @bp.get("/visits/<int:visit_id>")
    def show(visit_id):
        return VISIT.show(VISIT.get_or_404(visit_id))

What each method keeps the same for every record:

- ``show``: an audit row "view" for the record, then the page.
- ``edit``: a voided record cannot be changed; the form comes back with the saved values; a save
  that finds the record changed since the form was opened (``StaleEdit`` from the service's
  version check, or ``StaleDataError`` when two saves race) overwrites nothing: 409, the
  user's input kept, what the other person saved listed beside it (``changed_fields``).
- ``get_or_404``: the record through the feature's scoped query; out of scope answers 404.
- ``move``: a change of status chosen by a button (referrals, risks), with the version check.
- ``saving_version``: the version check for any other change of a record (``with`` block).
- ``saving_new``: a new record's form posted twice keeps the first (``DuplicateSubmission``).
- ``void``: a reason, then back to the record; the record stays in the history.
- ``version``: an audit row "view_version" and the saved copy, or 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from caseman import audit
from caseman.errors import StaleEdit
from caseman.extensions import db
from caseman.forms import changed_fields, expected_version, put_errors, saving
from caseman.visits.services import DuplicateSubmission


class saving_version(saving):  # noqa: N801 - ``with saving_version(form, record) as saved:``
    """``saving`` a change of a versioned record, with its version check.

    Someone else saved the record after the form was opened (``StaleEdit`` from the service,
    or ``StaleDataError`` when two saves race): nothing is overwritten, ``saved.status`` is 409
    and the form's hidden version becomes the record's current one, so saving again is
    deliberate. Any other refusal: 400, as ``saving``.
    """

    def __init__(self, form: FlaskForm, record: Any) -> None:
        super().__init__(form)
        self.record = record

    def refused(self, exc: BaseException) -> bool:
        if isinstance(exc, StaleDataError):
            exc = StaleEdit(0)
        if not isinstance(exc, StaleEdit):
            return super().refused(exc)
        db.session.rollback()
        put_errors(self.form, exc)
        db.session.refresh(self.record)
        self.form.version.data = str(self.record.version)
        self.status = 409
        return True


class saving_new(saving):  # noqa: N801 - ``with saving_new(form) as saved:``
    """``saving`` a new record sent with a submission key (visits, care, referrals, risks).

    The same form posted twice (a double tap, an offline copy sent again) keeps the first
    record: the session is rolled back and ``saved.duplicate`` is the service's
    ``DuplicateSubmission`` (``record_id``: the record kept). Any other refusal: as ``saving``.
    """

    duplicate: DuplicateSubmission | None = None

    def refused(self, exc: BaseException) -> bool:
        if not isinstance(exc, DuplicateSubmission):
            return super().refused(exc)
        db.session.rollback()
        self.duplicate = exc
        return True


@dataclass(frozen=True)
class RecordPages:
    """The pages of one kind of versioned record.

    ``kind`` is the audit log's ``object_type`` and ``RecordVersion.record_type`` ("visit",
    "care", "referral", "risk"); ``endpoint`` and ``id_arg`` give the record's own page
    (``url_for(endpoint, **{id_arg: record.id})``). ``find(user, id)`` is the feature's scoped
    query: the record, or None when it is missing or out of the user's scope. ``show`` renders
    ``show_template`` with the record under its kind's name ("visit", "care" …), its elder and
    ``context(record)``.
    """

    kind: str
    endpoint: str
    id_arg: str
    find: Callable[[Any, int], Any]
    show_template: str = ""
    context: Callable[[Any], dict[str, Any]] = lambda record: {}

    def get_or_404(self, record_id: int) -> Any:
        """The record, if the current user may see it; else 404 (out of scope looks missing)."""
        return get_or_404(self.find(current_user, record_id))

    def url(self, record: Any) -> str:
        return self.url_of(record.id)

    def url_of(self, record_id: int) -> str:
        return url_for(self.endpoint, **{self.id_arg: record_id})

    def viewed(self, record: Any) -> None:
        """Write the viewing of the record to the audit log."""
        audit.record("view", object_type=self.kind, object_id=record.id, elder_id=record.elder_id)
        db.session.commit()

    def show(self, record: Any) -> str:
        """The record's page, its viewing written to the audit log."""
        self.viewed(record)
        context = {self.kind: record, "elder": record.elder, **self.context(record)}
        return render_template(self.show_template, **context)

    def move(
        self,
        record: Any,
        form: FlaskForm,
        statuses: Callable[[str], Any],
        move: Callable[[Any, int | None], object],
        render: Callable[..., Any],
        moved: Callable[[Any, object], tuple[str, str]],
    ) -> Any:
        """Move the record to the status a button chose (``form.status``), with the version check.

        ``move(target, expected_version)`` calls the service; ``moved(target, result)`` gives the
        flash (text, category); ``render(record, status_form=, status=)`` shows the page again.
        """
        try:
            target = statuses(form.status.data)
        except ValueError:
            abort(400)
        if form.validate():
            with saving_version(form, record) as saved:
                result = move(target, expected_version(form))
            if saved.status == 409:
                return render(record, status_form=form, status=409)
            if saved:
                flash(*moved(target, result))
                return redirect(self.url(record))
        form.chosen = target.value
        return render(record, status_form=form, status=400)

    def edit(
        self,
        record: Any,
        form_class: type[FlaskForm],
        *,
        data_of: Callable[[Any], dict[str, Any]],
        update: Callable[[FlaskForm, int | None], object],
        render: Callable[..., Any],
        prepare: Callable[[FlaskForm], None] = lambda form: None,
    ) -> Any:
        """Correct a record: the form with its saved values, then a new version on save.

        ``data_of(record)`` gives the form's data (with "version"); ``prepare(form)`` fills the
        choices; ``update(form, expected_version)`` calls the service; ``render(form, record,
        status, changes)`` shows the form again.
        """
        if record.is_void:
            flash(_("A voided record cannot be changed."), "error")
            return redirect(self.url(record))
        if request.method == "GET":
            form = form_class(data=data_of(record))
            prepare(form)
            return render(form, record)
        form = form_class()
        prepare(form)
        status: int | None = 400
        if form.validate():
            with saving_version(form, record) as saved:
                update(form, expected_version(form))
            status = saved.status
        if status is None:
            flash(_("The changes were saved; the earlier version is kept."), "success")
            return redirect(self.url(record))
        changes = changed_fields(form, data_of(record)) if status == 409 else []
        return render(form, record, status, changes)

    def void(
        self,
        record: Any,
        form: FlaskForm,
        template: str,
        void_record: Callable[[Any, str, int | None], object],
    ) -> Any:
        """Void a record with a reason (``void_record(record, reason, expected_version)``)."""
        if not form.is_submitted():
            form.version.data = str(record.version)
        elif form.validate():
            with saving(form) as saved:
                void_record(record, form.reason.data, expected_version(form))
            if saved:
                flash(_("The record was voided. It stays in the history."), "success")
                return redirect(self.url(record))
            form.version.data = str(record.version)
        return render_template(template, form=form, record=record, kind=self.kind,
                               elder=record.elder)  # fmt: skip

    def version(self, record: Any, saved: Any, number: int, template: str, **context: Any) -> str:
        """An earlier version of the record (``saved``, None: 404), its viewing audited."""
        if saved is None:
            abort(404)
        audit.record("view_version", object_type=self.kind, object_id=record.id,
                     elder_id=record.elder_id, detail=str(number))  # fmt: skip
        db.session.commit()
        return render_template(template, record=record, saved=saved, kind=self.kind,
                               elder=record.elder, **context)  # fmt: skip


def get_or_404(record: Any | None) -> Any:
    """The record a scoped query found, or 404 (out of scope looks the same as missing)."""
    if record is None:
        abort(404)
    return record
