"""The area tree page: district staff add, rename, move, close and import; town staff see
their own town's subtree (read-only); anyone else, or another town's area, gets 404."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseman import clock
from caseman.access import roles_required
from caseman.areas.forms import (
    KIND_CHOICES,
    AreaForm,
    CloseForm,
    ConfirmForm,
    EditForm,
    ImportForm,
    MoveForm,
)
from caseman.areas.imports import (
    TreeImport,
    discard_checked,
    import_tree,
    load_checked,
    plan_import,
    read_sheet,
    save_checked,
)
from caseman.areas.models import Area, AreaLevel
from caseman.areas.queries import (
    area_tree,
    get_area_or_404,
    list_children,
    list_open_areas,
    list_parent_choices,
)
from caseman.areas.services import (
    active_counts,
    add_area,
    child_level,
    close_area,
    move_area,
    reopen_area,
    update_area,
)
from caseman.auth.models import Role
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forms import form_status, put_errors
from caseman.i18n import translate_message
from caseman.imports.reading import MAX_UPLOAD_BYTES
from caseman.rules.enums import N_

bp = Blueprint("areas", __name__, url_prefix="/areas")

VIEWERS = (Role.DISTRICT.value, Role.TOWN.value)
EDITORS = (Role.DISTRICT.value,)
SHOWN_PROBLEMS = 300
SHOWN_NEW = 300


def _kind_choices(level: AreaLevel, *, keep_auto: bool) -> list[tuple[str, Any]]:
    kinds = {
        AreaLevel.TOWN: ("town", "street"),
        AreaLevel.VILLAGE: ("village", "community"),
    }.get(level, ())
    return [
        (value, label)
        for value, label in KIND_CHOICES
        if value in kinds or (keep_auto and not value)
    ]


def _can_edit() -> bool:
    """Only district staff bound to the district itself change the tree."""
    return current_user.role == Role.DISTRICT and current_user.area.parent_id is None


def _editor_only() -> None:
    if not _can_edit():
        abort(404)


@bp.get("/")
@roles_required(*VIEWERS)
def index() -> Any:
    show_closed = request.args.get("closed") == "1"
    roots = area_tree(current_user, include_closed=show_closed)
    return render_template(
        "areas/index.html", roots=roots, can_edit=_can_edit(), show_closed=show_closed
    )


def _parent_options() -> list[tuple[str, str]]:
    parents = list_open_areas(current_user, [AreaLevel.DISTRICT, AreaLevel.TOWN, AreaLevel.VILLAGE])
    return [(str(area.id), area.full_name) for area in parents]


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new() -> Any:
    _editor_only()
    form = AreaForm()
    form.parent_id.choices = [("", "—"), *_parent_options()]
    if request.method == "GET" and request.args.get("parent", "").isdigit():
        form.parent_id.data = request.args["parent"]
    if form.validate_on_submit():
        parent = get_area_or_404(current_user, int(form.parent_id.data))
        level = child_level(parent)
        try:
            if level is None or parent.is_closed:
                raise DomainError("parent_id", N_("An area of this level cannot be placed there."))
            area = add_area(current_user, form.name.data or "", level, parent,
                            code=form.code.data or "", kind=form.kind.data or None)  # fmt: skip
        except DomainError as exc:
            db.session.rollback()
            if exc.field == "parent":
                exc.field = "parent_id"
            put_errors(form, exc)
        else:
            db.session.commit()
            flash(_("%(name)s was added.", name=area.full_name), "success")
            return redirect(url_for("areas.show", area_id=area.id))
    status = form_status(form)
    return render_template("areas/new.html", form=form), status


def _forms(area: Area, submitted: str | None = None) -> dict[str, Any]:
    """The page's forms: ``submitted`` reads the request, the others show the current values."""

    def make(prefix: str, cls: type[Any], **data: Any) -> Any:
        if prefix == submitted:
            return cls(prefix=prefix)
        return cls(prefix=prefix, formdata=None, data=data)

    edit = make("edit", EditForm, name=area.name, kind=area.kind.value, code=area.code)
    edit.kind.choices = _kind_choices(area.level, keep_auto=False)
    move = make("move", MoveForm)
    move.parent_id.choices = [("", "—")] + [
        (str(parent.id), parent.full_name)
        for parent in list_parent_choices(current_user, area.level)
        if parent.id != area.parent_id
    ]
    close = make("close", CloseForm, closed_on=clock.today())
    return {"edit": edit, "move": move, "close": close, "confirm": make("confirm", ConfirmForm)}


def _show(area: Area, forms: dict[str, Any], status: int = 200) -> Any:
    elders, users = active_counts(area)
    return render_template(
        "areas/show.html", area=area, forms=forms, can_edit=_can_edit(), elders=elders,
        users=users, children=list_children(area),
    ), status  # fmt: skip


@bp.get("/<int:area_id>")
@roles_required(*VIEWERS)
def show(area_id: int) -> Any:
    area = get_area_or_404(current_user, area_id)
    return _show(area, _forms(area))


def _change(area_id: int, form_name: str, action: Any) -> Any:
    """Validate one of the page's forms, run ``action(area, form)``, commit, or show the errors."""
    _editor_only()
    area = get_area_or_404(current_user, area_id)
    forms = _forms(area, form_name)
    form = forms[form_name]
    if form.validate_on_submit():
        try:
            message = action(area, form)
        except DomainError as exc:
            db.session.rollback()
            if exc.field in ("parent", None) and form_name == "move":
                exc.field = "parent_id"
            put_errors(form, exc)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("areas.show", area_id=area.id))
    return _show(area, forms, 400)


@bp.post("/<int:area_id>/edit")
@roles_required(*EDITORS)
def edit(area_id: int) -> Any:
    def run(area: Area, form: EditForm) -> str:
        changed = update_area(current_user, area, form.name.data or "", form.kind.data or None,
                              form.code.data or "")  # fmt: skip
        return _("Saved.") if changed else _("Nothing changed.")

    return _change(area_id, "edit", run)


@bp.post("/<int:area_id>/move")
@roles_required(*EDITORS)
def move(area_id: int) -> Any:
    def run(area: Area, form: MoveForm) -> str:
        parent = get_area_or_404(current_user, int(form.parent_id.data))
        move_area(current_user, area, parent)
        return _("%(name)s now belongs to %(parent)s.", name=area.name, parent=parent.full_name)

    return _change(area_id, "move", run)


@bp.post("/<int:area_id>/close")
@roles_required(*EDITORS)
def close(area_id: int) -> Any:
    def run(area: Area, form: CloseForm) -> str:
        count = close_area(current_user, area, form.closed_on.data, form.reason.data or "")
        return _("%(name)s was closed (%(count)d areas with the ones below it).",
                 name=area.name, count=count)  # fmt: skip

    return _change(area_id, "close", run)


@bp.post("/<int:area_id>/reopen")
@roles_required(*EDITORS)
def reopen(area_id: int) -> Any:
    def run(area: Area, form: ConfirmForm) -> str:
        reopen_area(current_user, area)
        return _("%(name)s is open again.", name=area.name)

    return _change(area_id, "confirm", run)


# --- import -----------------------------------------------------------------------------------


def _districts() -> list[str]:
    return [current_user.area.name]


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*EDITORS)
def import_sheet() -> Any:
    _editor_only()
    form = ImportForm()
    if form.validate_on_submit():
        sheet = form.sheet.data
        try:
            check = read_sheet(sheet.read(MAX_UPLOAD_BYTES + 1), current_user.area.name)
        except DomainError as exc:
            put_errors(form, exc)
        else:
            token = save_checked(current_user, sheet.filename or "", check)
            return redirect(url_for("areas.preview", token=token))
    status = form_status(form)
    return render_template("areas/import.html", form=form), status


def _problems(report: TreeImport) -> list[dict[str, Any]]:
    titles = {"district": _("District"), "town": _("Town or street"),
              "village": _("Village or community"), "group": _("Villager group"),
              "code": _("Division code"), "": ""}  # fmt: skip
    return [
        {
            "row": p.row,
            "column": titles.get(p.column, p.column),
            "message": translate_message(p.message, dict(p.params)),
        }  # fmt: skip
        for p in report.problems
    ]


def _preview(token: str, filename: str, report: TreeImport, status: int = 200) -> Any:
    return render_template(
        "areas/preview.html", token=token, filename=filename, report=report,
        problems=_problems(report), form=ConfirmForm(), shown=SHOWN_PROBLEMS, shown_new=SHOWN_NEW,
    ), status  # fmt: skip


@bp.get("/import/<token>")
@roles_required(*EDITORS)
def preview(token: str) -> Any:
    _editor_only()
    stored = load_checked(current_user, token)
    if stored is None:
        abort(404)
    filename, check = stored
    # Compared with the tree as it is now (it may have changed since the upload).
    report = plan_import(current_user, check.rows, write=False, districts=_districts())
    report.problems = [*check.problems, *report.problems]
    db.session.rollback()
    return _preview(token, filename, report)


@bp.post("/import/<token>")
@roles_required(*EDITORS)
def confirm_import(token: str) -> Any:
    _editor_only()
    stored = load_checked(current_user, token)
    if stored is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    filename, check = stored
    report = import_tree(current_user, check, _districts())
    if report.problems:
        db.session.rollback()
        return _preview(token, filename, report, 400)
    db.session.commit()
    discard_checked(token)
    flash(
        _("Area tree imported: %(towns)d towns and streets, %(villages)d villages and "
          "communities, %(groups)d villager groups added; %(unchanged)d rows unchanged.",
          towns=report.added["town"], villages=report.added["village"],
          groups=report.added["group"], unchanged=report.unchanged),
        "success",
    )  # fmt: skip
    return redirect(url_for("areas.index"))
