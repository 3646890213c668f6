"""``/users/``: staff accounts. District staff manage every account of the district; town staff
the village staff and workers of their own town. Any other account, or another town's, is 404."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseman.access import roles_required
from caseman.areas.models import AreaLevel
from caseman.areas.queries import get_area_or_404, list_open_areas
from caseman.auth.models import Role, User
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forms import form_status, put_errors
from caseman.rules.accounts import levels_for, roles_managed_by
from caseman.users.forms import ROLE_LABELS, AccountForm, ButtonForm, NewAccountForm
from caseman.users.queries import STATUSES, UserFilters, get_user_or_404, list_users
from caseman.users.services import (
    create_account,
    disable_account,
    enable_account,
    reset_password,
    reset_second_factor,
    update_account,
)

bp = Blueprint("users", __name__, url_prefix="/users")

MANAGERS = (Role.DISTRICT.value, Role.TOWN.value)


def _roles() -> tuple[str, ...]:
    return roles_managed_by(current_user.role.value)


def _area_choices() -> list[tuple[str, str]]:
    """Open areas of the manager's subtree at a level one of their roles can be bound to."""
    levels = [AreaLevel(level) for level in levels_for(_roles())]
    return [(str(area.id), area.full_name) for area in list_open_areas(current_user, levels)]


def _fill_choices(form: AccountForm, user: User | None = None) -> None:
    form.role.choices = [("", "—")] + [(role, ROLE_LABELS[role]) for role in _roles()]
    choices = _area_choices()
    if user is not None and str(user.area_id) not in {value for value, _label in choices}:
        choices.append((str(user.area_id), user.area.full_name))  # a closed area, kept as is
    form.area_id.choices = [("", "—"), *choices]


def _filters() -> UserFilters:
    area = request.args.get("area", type=int)  # None when too large for an id (caseman.url_input)
    role = request.args.get("role", "")
    status = request.args.get("status", "")
    return UserFilters(
        area_id=area if area and area > 0 else None,
        role=role if role in _roles() else "",
        status=status if status in STATUSES else "",
        text=request.args.get("q", "").strip()[:64],
    )


@bp.get("/")
@roles_required(*MANAGERS)
def index() -> Any:
    filters = _filters()
    return render_template(
        "users/index.html", users=list_users(current_user, filters), filters=filters,
        roles=[(role, ROLE_LABELS[role]) for role in _roles()], areas=_area_choices(),
        role_labels=ROLE_LABELS,
    )  # fmt: skip


def _placement(form: AccountForm) -> tuple[Role, Any]:
    """The role and area chosen (an area outside the manager's subtree is 404)."""
    area = get_area_or_404(current_user, int(form.area_id.data))
    return Role(form.role.data), area


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new() -> Any:
    form = NewAccountForm()
    _fill_choices(form)
    if request.method == "GET":
        if request.args.get("area", "").isdigit():
            form.area_id.data = request.args["area"]
        if request.args.get("role", "") in _roles():
            form.role.data = request.args["role"]
    if form.validate_on_submit():
        try:
            role, area = _placement(form)
            user, password = create_account(
                current_user, form.username.data or "", form.full_name.data or "",
                form.phone.data or "", role, area,
            )  # fmt: skip
        except DomainError as exc:
            db.session.rollback()
            put_errors(form, exc)
        else:
            db.session.commit()
            return _one_time_password(user, password, created=True)
    status = form_status(form)
    return render_template("users/new.html", form=form), status


def _one_time_password(user: User, password: str, created: bool) -> Any:
    """The one-time password, shown on this page only (never stored, never sent again)."""
    response = render_template("users/password.html", user=user, password=password,
                               created=created, role_labels=ROLE_LABELS)  # fmt: skip
    return response, 200, {"Cache-Control": "no-store"}


def _forms(user: User, submitted: bool = False) -> dict[str, Any]:
    if submitted:
        edit = AccountForm(prefix="edit")
    else:
        edit = AccountForm(prefix="edit", formdata=None, full_name=user.full_name,
                           phone=user.phone, role=user.role.value,
                           area_id=str(user.area_id))  # fmt: skip
    _fill_choices(edit, user)
    return {"edit": edit, "button": ButtonForm()}


def _show(user: User, forms: dict[str, Any], status: int = 200) -> Any:
    return render_template("users/show.html", user=user, forms=forms, role_labels=ROLE_LABELS,
                           is_self=user.id == current_user.id), status  # fmt: skip


@bp.get("/<int:user_id>")
@roles_required(*MANAGERS)
def show(user_id: int) -> Any:
    user = get_user_or_404(current_user, user_id)
    return _show(user, _forms(user))


@bp.post("/<int:user_id>/edit")
@roles_required(*MANAGERS)
def edit(user_id: int) -> Any:
    user = get_user_or_404(current_user, user_id)
    forms = _forms(user, submitted=True)
    form = forms["edit"]
    if form.validate_on_submit():
        try:
            role, area = _placement(form)
            changed = update_account(current_user, user, form.full_name.data or "",
                                     form.phone.data or "", role, area)  # fmt: skip
        except DomainError as exc:
            db.session.rollback()
            put_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("users.show", user_id=user.id))
    return _show(user, forms, 400)


def _button(user_id: int, action: Any, message: str) -> Any:
    """A button of the account page: run ``action(actor, user)``, commit, or show why not."""
    user = get_user_or_404(current_user, user_id)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            result = action(current_user, user)
        except DomainError as exc:
            db.session.rollback()
            forms = _forms(user)
            put_errors(forms["button"], exc)
            return _show(user, forms, 400)
        db.session.commit()
        if isinstance(result, str):
            return _one_time_password(user, result, created=False)
        flash(message, "success")
    return redirect(url_for("users.show", user_id=user.id))


@bp.post("/<int:user_id>/disable")
@roles_required(*MANAGERS)
def disable(user_id: int) -> Any:
    return _button(user_id, disable_account,
                   _("The account was disabled; its sessions have ended."))  # fmt: skip


@bp.post("/<int:user_id>/enable")
@roles_required(*MANAGERS)
def enable(user_id: int) -> Any:
    return _button(user_id, enable_account, _("The account was enabled."))


@bp.post("/<int:user_id>/reset-password")
@roles_required(*MANAGERS)
def password(user_id: int) -> Any:
    return _button(user_id, reset_password, "")


@bp.post("/<int:user_id>/reset-totp")
@roles_required(*MANAGERS)
def totp(user_id: int) -> Any:
    message = _("The second factor was reset; the user sets it up again at the next login.")
    return _button(user_id, reset_second_factor, message)
