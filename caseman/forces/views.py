"""The register of service forces (/forces/) and each elder's visit contact (探访联系人)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseman import clock
from caseman.access import login_required, roles_required
from caseman.areas.models import Area
from caseman.auth.models import Role
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forces import labels
from caseman.forces.forms import ArchiveForceForm, ContactForm, ForceForm
from caseman.forces.models import ServiceForce
from caseman.forces.queries import (
    count_by_kind,
    forces_near,
    get_force_or_none,
    get_visit_contact,
    list_forces,
)
from caseman.forces.services import (
    archive_force,
    is_contact_required,
    register_force,
    set_visit_contact,
    update_force,
)
from caseman.forms import saving
from caseman.rules.enums import N_
from caseman.rules.service_forces import ForceKind
from caseman.scope import get_elder_or_404, scoped_areas

bp = Blueprint("forces", __name__)

# Who keeps the register and names contacts: staff; visitors (workers) read it.
MANAGERS = (Role.DISTRICT.value, Role.TOWN.value, Role.VILLAGE.value)


def _area_choices() -> list[tuple[str, str]]:
    areas = db.session.scalars(
        scoped_areas(current_user).where(Area.closed_on.is_(None)).order_by(Area.path)
    ).all()
    return [("", "—"), *((str(a.id), a.full_name) for a in areas)]


def _values(form: ForceForm) -> dict[str, Any]:
    return {
        "name": (form.name.data or "").strip(),
        "kind": ForceKind(form.kind.data) if form.kind.data in tuple(ForceKind) else None,
        "phone": (form.phone.data or "").strip(),
        "area_id": int(form.area_id.data) if (form.area_id.data or "").isdigit() else None,
        "organisation": (form.organisation.data or "").strip(),
        "note": (form.note.data or "").strip(),
    }


@bp.get("/forces/")
@login_required
def index() -> Any:
    kind = request.args.get("kind", "")
    archived = request.args.get("archived") == "1"
    forces = list_forces(current_user, kind=kind, archived=archived)
    return render_template(
        "forces/index.html",
        forces=forces,
        kind=kind,
        archived=archived,
        counts=count_by_kind(current_user),
        labels=labels,
        may_manage=current_user.role.value in MANAGERS,
    )


def _status(form: Any) -> int:
    return 400 if form.is_submitted() and (form.errors or form.form_errors) else 200


@bp.route("/forces/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new() -> Any:
    form = ForceForm()
    form.area_id.choices = _area_choices()
    if not form.is_submitted():
        form.area_id.data = str(current_user.area_id)
    elif form.validate():
        with saving(form) as saved:
            force = register_force(current_user, _values(form))
        if saved:
            flash(_("%(name)s was added to the register.", name=force.name), "success")
            return redirect(url_for("forces.index"))
    return render_template("forces/form.html", form=form, force=None), _status(form)


def _force_or_404(force_id: int) -> ServiceForce:
    force = get_force_or_none(current_user, force_id)
    if force is None:
        abort(404)
    return force


@bp.route("/forces/<int:force_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(force_id: int) -> Any:
    force = _force_or_404(force_id)
    form = ForceForm(obj=None if request.method == "POST" else force)
    form.area_id.choices = _area_choices()
    if not form.is_submitted():
        form.kind.data = force.kind.value
        form.area_id.data = str(force.area_id)
    elif form.validate():
        with saving(form) as saved:
            update_force(current_user, force, _values(form))
        if saved:
            flash(_("The changes were saved."), "success")
            return redirect(url_for("forces.index"))
    return render_template("forces/form.html", form=form, force=force), _status(form)


@bp.route("/forces/<int:force_id>/archive", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def archive(force_id: int) -> Any:
    force = _force_or_404(force_id)
    form = ArchiveForceForm()
    if form.is_submitted() and form.validate():
        with saving(form) as saved:
            archive_force(current_user, force, form.reason.data or "", clock.today())
        if saved:
            flash(_("%(name)s was archived; the record is kept.", name=force.name), "success")
            return redirect(url_for("forces.index"))
    return render_template("forces/archive.html", form=form, force=force), _status(form)


@bp.route("/elders/<int:elder_id>/visit-contact", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def contact(elder_id: int) -> Any:
    """Name the elder's 探访联系人 (004 一(二)10): required for a childless elder living alone."""
    elder = get_elder_or_404(current_user, elder_id)
    current = get_visit_contact(elder)
    candidates = forces_near(elder)
    form = ContactForm()
    form.force.choices = [
        ("", "—"),
        *(
            (str(f.id), f"{f.name} · {labels.FORCE_KIND[f.kind]} · {f.area.full_name}")
            for f in candidates
        ),
    ]
    required = is_contact_required(elder)
    if not form.is_submitted():
        if current is not None and current.force_id:
            form.force.data = str(current.force_id)
            form.note.data = current.note
    elif form.validate():
        chosen = int(form.force.data) if (form.force.data or "").isdigit() else 0
        force = next((f for f in candidates if f.id == chosen), None)
        with saving(form) as saved:
            if chosen and force is None:
                raise DomainError("force", N_("Choose a person registered in the elder's town."))
            set_visit_contact(current_user, elder, force, form.note.data or "")
        if saved:
            flash(_("The visit contact was saved."), "success")
            return redirect(url_for("elders.show", elder_id=elder.id))
    return (
        render_template(
            "forces/contact.html",
            form=form,
            elder=elder,
            required=required,
            has_candidates=bool(candidates),
        ),
        _status(form),
    )


@bp.app_template_global("visit_contact_of")
def visit_contact_of(elder: Any, *, has_contact: bool = True) -> dict[str, Any]:
    """The case file's 探访联系人 section: the contact, and whether one is needed or required
    (``has_contact`` False: the elder is known to have none, so it is not read)."""
    from caseman.forces.services import member_facts
    from caseman.rules.service_forces import needs_visit_contact

    contact_row = get_visit_contact(elder) if has_contact else None
    force = contact_row.force if contact_row is not None else None
    return {
        "contact": contact_row if force is not None else None,
        "kind_label": labels.FORCE_KIND[force.kind] if force is not None else "",
        "needed": needs_visit_contact(member_facts(elder)),
        "required": is_contact_required(elder),
        "may_manage": current_user.role.value in MANAGERS,
    }
