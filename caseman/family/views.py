"""Family-duty pages (issue 20 item 2): reminders due to family members, each elder's family duty,
contacts and care-entrustment agreements (委托照顾协议, 渝民发〔2018〕30号 二(一))."""

from __future__ import annotations

import re
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

from caseman import audit, clock
from caseman.access import login_required
from caseman.documents.services import MAX_SCAN_BYTES
from caseman.elders import labels as elder_labels
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.family import labels
from caseman.family.forms import ContactForm, DutyForm, EntrustmentForm
from caseman.family.queries import (
    get_entrustment,
    get_member,
    list_contacts,
    list_entrustments,
    list_member_rows,
    list_reminders,
)
from caseman.family.services import add_entrustment, get_duty, record_contact, set_duty
from caseman.forms import form_status, saving
from caseman.rules.enums import Relation
from caseman.rules.family_duty import ContactMethod, ContactRhythm, is_entrustment_current
from caseman.scope import area_in_scope, get_elder_or_404, scoped_areas

bp = Blueprint("family", __name__)


@bp.app_template_global()
def family_summary(
    elder: Elder, *, duties: bool = True, contacts: bool = True, entrustments: bool = True
) -> dict[str, Any]:
    """What the case file's family-duty section shows (templates/family/_casefile_section.html).
    A keyword False: the elder is known to have no such row (casefile.presence), not read."""
    day = clock.today()
    rows = list_member_rows(elder, day, duties=duties, contacts=contacts)
    entrustments = list_entrustments(elder) if entrustments else []
    return {
        "rows": rows,
        "due": [r for r in rows if r.reminder is not None],
        "current": [e for e in entrustments if is_entrustment_current(e.starts_on, e.ends_on, day)],
        "entrustments": entrustments,
        "relation": elder_labels.RELATION,
    }


def _member_or_404(elder: Elder, member_id: int) -> Any:
    member = get_member(elder, member_id)
    if member is None:
        abort(404)
    return member


@bp.get("/family/reminders")
@login_required
def reminders() -> Any:
    """Family members to call or message: their contact rhythm passed, or a child away who does
    not visit often (caseman.rules.family_duty)."""
    area = area_in_scope(current_user, _int_arg("area"))
    rows, total = list_reminders(current_user, clock.today(), area)

    areas = [a for a in db.session.scalars(scoped_areas(current_user)) if a.level.value != "group"]
    areas.sort(key=lambda a: a.path)
    return render_template(
        "family/reminders.html",
        rows=rows,
        total=total,
        area=area,
        areas=areas,
        labels=labels,
        elder_labels=elder_labels,
        today=clock.today(),
    )


def _int_arg(name: str) -> int | None:
    value: int | None = request.args.get(name, type=int)
    return value


@bp.get("/elders/<int:elder_id>/family")
@login_required
def show(elder_id: int) -> Any:
    """One elder's family duty: members, reminders, contacts and entrustment agreements."""
    elder = get_elder_or_404(current_user, elder_id)
    day = clock.today()
    return render_template(
        "family/show.html",
        elder=elder,
        rows=list_member_rows(elder, day),
        contacts=list_contacts(elder),
        entrustments=list_entrustments(elder),
        is_current=lambda e: is_entrustment_current(e.starts_on, e.ends_on, day),
        labels=labels,
        elder_labels=elder_labels,
        today=day,
    )


@bp.route("/elders/<int:elder_id>/family/<int:member_id>/duty", methods=["GET", "POST"])
@login_required
def duty(elder_id: int, member_id: int) -> Any:
    """Record where a member is and how often they should keep in touch."""
    elder = get_elder_or_404(current_user, elder_id)
    member = _member_or_404(elder, member_id)
    current = get_duty(elder, member.name)
    form = DutyForm()
    if not form.is_submitted():
        if current is not None:
            form.is_away.data = current.is_away
            form.away_place.data = current.away_place
            form.rhythm.data = current.rhythm.value if current.rhythm else ""
            form.note.data = current.note
        else:
            form.is_away.data = (
                member.residence is not None and member.residence.value == "elsewhere"
            )
    elif form.validate():
        with saving(form) as saved:
            set_duty(
                current_user,
                elder,
                member,
                is_away=bool(form.is_away.data),
                away_place=form.away_place.data or "",
                rhythm=ContactRhythm(form.rhythm.data) if form.rhythm.data else None,
                note=form.note.data or "",
            )
        if saved:
            flash(_("The family member's duty was saved."), "success")
            return redirect(url_for("family.show", elder_id=elder.id))
    status = form_status(form)
    return render_template(
        "family/duty.html", form=form, elder=elder, member=member, elder_labels=elder_labels
    ), status


@bp.route("/elders/<int:elder_id>/family/<int:member_id>/contact", methods=["GET", "POST"])
@login_required
def contact(elder_id: int, member_id: int) -> Any:
    """Record a reminder given to a family member (how, when, what was said)."""
    elder = get_elder_or_404(current_user, elder_id)
    member = _member_or_404(elder, member_id)
    back_to_list = request.args.get("from") == "reminders"
    form = ContactForm()
    if not form.is_submitted():
        form.contacted_on.data = clock.today()
        form.method.data = ContactMethod.PHONE.value
    elif form.validate():
        with saving(form) as saved:
            record_contact(
                current_user,
                elder,
                member,
                contacted_on=form.contacted_on.data,
                method=ContactMethod(form.method.data),
                note=form.note.data or "",
                today=clock.today(),
            )
        if saved:
            flash(_("The contact with %(name)s was recorded.", name=member.name), "success")
            if back_to_list:
                return redirect(url_for("family.reminders"))
            return redirect(url_for("family.show", elder_id=elder.id))
    status = form_status(form)
    return render_template(
        "family/contact.html",
        form=form,
        elder=elder,
        member=member,
        back_to_list=back_to_list,
        elder_labels=elder_labels,
    ), status


@bp.get("/elders/<int:elder_id>/family/<int:member_id>/call")
@login_required
def call(elder_id: int, member_id: int) -> Any:
    """Tap to call a family member: the full number goes to the dialer (``tel:``), audited."""
    elder = get_elder_or_404(current_user, elder_id)
    member = _member_or_404(elder, member_id)
    number = re.sub(r"[^\d+]", "", member.phone or "")
    if not number:
        abort(404)
    audit.record("reveal", object_type="elder", object_id=elder.id, elder_id=elder.id,
                 detail="call family")  # fmt: skip
    db.session.commit()
    response = redirect(f"tel:{number}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/elders/<int:elder_id>/family/entrustments/new", methods=["GET", "POST"])
@login_required
def new_entrustment(elder_id: int) -> Any:
    """Record a care-entrustment agreement (委托照顾协议) with the scan of the signed copy."""
    elder = get_elder_or_404(current_user, elder_id)
    form = EntrustmentForm()
    members = [m for m in elder.members if not m.is_deceased]
    form.entrusting.choices = [
        ("", "—"),
        *((str(m.id), f"{m.name}（{elder_labels.RELATION[m.relation]}）") for m in members),
    ]
    if not form.is_submitted():
        form.starts_on.data = clock.today()
    elif form.validate():
        member = get_member(elder, int(form.entrusting.data))
        upload = form.scan.data
        with saving(form) as saved:
            add_entrustment(
                current_user,
                elder,
                entrusting_name=member.name if member else "",
                entrusting_relation=Relation(member.relation) if member else None,
                entrusted_name=form.entrusted_name.data or "",
                entrusted_is_organisation=bool(form.entrusted_is_organisation.data),
                entrusted_phone=form.entrusted_phone.data or "",
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                note=form.note.data or "",
                filename=getattr(upload, "filename", "") or "",
                # One byte over the limit is enough to refuse a file without reading it all.
                content=upload.read(MAX_SCAN_BYTES + 1) if upload else b"",
                uploads=Path(current_app.config["CASEMAN_UPLOADS"]),
                today=clock.today(),
            )
        if saved:
            flash(_("The care-entrustment agreement was recorded."), "success")
            return redirect(url_for("family.show", elder_id=elder.id, _anchor="entrustments"))
    status = form_status(form)
    return render_template("family/entrustment.html", form=form, elder=elder), status


@bp.get("/elders/<int:elder_id>/family/entrustments/<int:record_id>/scan")
@login_required
def entrustment_scan(elder_id: int, record_id: int) -> Any:
    """The signed agreement's scan: always a download, audited like signed forms."""
    elder = get_elder_or_404(current_user, elder_id)
    item = get_entrustment(elder, record_id)
    if item is None or not item.has_scan:
        abort(404)
    path = Path(current_app.config["CASEMAN_UPLOADS"]) / item.scan_stored_as
    if not path.is_file():
        abort(404)
    audit.record("view_scan", object_type="entrustment", object_id=item.id, elder_id=elder.id)
    db.session.commit()
    return send_file(path, mimetype=item.scan_media_type, download_name=item.scan_filename,
                     as_attachment=True, max_age=0)  # fmt: skip
