"""Elder registry pages: register, correct, review, see a saved version, archive, restore, merge.

The case list and the case file (/elders/, /elders/<id>) are caseman.casefile's: they add their
pages to this blueprint, so their endpoints keep the names ``elders.index``, ``elders.show``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms import StringField, TextAreaField

from caseman import audit, clock
from caseman.access import login_required, roles_required
from caseman.auth.models import Role
from caseman.elders import hooks, labels
from caseman.elders.duplicates import confirmation_token, find_likely_duplicates
from caseman.elders.forms import (
    ArchiveForm,
    ElderForm,
    FamilyMemberForm,
    MergeForm,
    RestoreForm,
)
from caseman.elders.merging import merge_elders
from caseman.elders.models import Elder
from caseman.elders.queries import (
    get_version,
    list_residence_areas,
)
from caseman.elders.services import (
    ELDER_FIELDS,
    MEMBER_FIELDS,
    DuplicateElder,
    FormErrors,
    LikelyDuplicates,
    Registration,
    facts_of,
    record_duplicate_probe,
    register_elder,
    request_archive,
    restore_elder,
    update_elder,
)
from caseman.errors import DomainError, StaleEdit
from caseman.extensions import db
from caseman.i18n import translate_message
from caseman.rules.approvals import needs_approval
from caseman.rules.categories import suggest_categories
from caseman.rules.duplicates import REASON_TEXT as DUPLICATE_REASON_TEXT
from caseman.rules.elder_age import is_under_age
from caseman.rules.enums import ArchiveReason, Category
from caseman.rules.id_number import InvalidIdNumber, age_on, parse_id_number
from caseman.rules.key_target import suggest_key
from caseman.scope import get_elder_or_404

bp = Blueprint("elders", __name__, url_prefix="/elders")

BOOL_SELECTS = ("water_safe", "electricity_safe", "housing_safe")
INT_SELECTS = ("household_area_id", "residence_area_id", "disability_grade")


def today() -> date:
    return clock.today()


def _area_choices(form: ElderForm) -> None:
    areas = list_residence_areas(current_user)
    options = [(str(a.id), a.full_name) for a in areas]
    form.residence_area_id.choices = [("", "—"), *options]
    form.household_area_id.choices = [("", "—"), *options]


def _registration(form: ElderForm) -> Registration:
    """Plain values from a validated form."""
    values: dict[str, Any] = {}
    for name in ELDER_FIELDS:
        if name in ("is_key",):
            values[name] = form.is_key.data == "key"
        elif name in BOOL_SELECTS:
            raw = getattr(form, name).data
            values[name] = None if raw == "" else raw == "yes"
        elif name in INT_SELECTS:
            raw = getattr(form, name).data
            values[name] = int(raw) if raw else None
        elif name in ("gender", "ability_level") or name == "emergency_gender":
            values[name] = getattr(form, name).data or None
        elif isinstance(getattr(form, name), StringField | TextAreaField):
            values[name] = (getattr(form, name).data or "").strip()
        elif name == "support_units":
            values[name] = list(form.support_units.data or [])
        else:
            values[name] = getattr(form, name).data
    values["note"] = (form.note.data or "").strip()
    members = []
    for entry in _kept_entries(form):
        sub = entry.form
        member = {name: getattr(sub, name).data for name in MEMBER_FIELDS}
        member["gender"] = member["gender"] or None
        member["residence"] = member["residence"] or None
        member["disability_grade"] = int(member["disability_grade"] or 0) or None
        for key in ("name", "id_number", "health", "phone"):  # text inputs
            member[key] = (member[key] or "").strip()
        member["working_away_since"] = member["working_away_since"] or None
        members.append(member)
    return Registration(
        values=values, members=members, categories={Category(c) for c in form.categories.data}
    )


def _kept_entries(form: ElderForm) -> list[Any]:
    """The family rows that are registered: not removed, and not a blank row just added
    (validation flags half-filled rows on save)."""
    return [
        entry
        for entry in form.members
        if not entry.form.remove.data
        and (entry.form.name.data or "").strip()
        and entry.form.relation.data
    ]


def _form_data(elder: Elder) -> dict[str, Any]:
    """Initial form data from the stored case."""
    data: dict[str, Any] = {}
    for name in ELDER_FIELDS:
        value = getattr(elder, name)
        if name == "is_key":
            value = "key" if value else "general"
        elif name in BOOL_SELECTS:
            value = "" if value is None else ("yes" if value else "no")
        elif name in INT_SELECTS:
            value = "" if value is None else str(value)
        elif hasattr(value, "value"):
            value = value.value
        data[name] = value
    data["categories"] = [c.value for c in elder.categories]
    data["version"] = str(elder.version)
    data["members"] = [_member_data(m) for m in elder.members]
    return data


def _member_data(member: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in MEMBER_FIELDS:
        value = getattr(member, name)
        if name == "disability_grade":
            value = "" if value is None else str(value)
        elif hasattr(value, "value"):
            value = value.value
        elif value is None and name in ("gender", "residence"):
            value = ""
        data[name] = value
    return data


def _put_errors(form: Any, exc: DomainError) -> None:
    """Show a service error beside its field (members-N-field for family rows)."""
    errors = exc.errors if isinstance(exc, FormErrors) else {exc.field: (exc.message, exc.params)}
    for name, (message, params) in errors.items():
        text = translate_message(message, params)
        target = None
        if name and name.startswith("members-"):
            # The service numbers the registered rows only: a removed row before it is skipped.
            _, index, sub = name.split("-", 2)
            kept = _kept_entries(form)
            if int(index) < len(kept):
                target = getattr(kept[int(index)].form, sub, None)
        elif name:
            target = getattr(form, name, None)
        if target is not None:
            target.errors = [*list(target.errors), text]
        else:
            form.form_errors.append(text)


def _suggestions(form: ElderForm) -> dict[str, Any] | None:
    """Category and key suggestions for what the form says now (None if the ID is unusable)."""
    try:
        info = parse_id_number(form.id_number.data or "", today())
    except InvalidIdNumber:
        return None
    try:
        reg = _registration(form)
        if not reg.values.get("ability_level"):
            return None
        facts = facts_of(reg.values, reg.members, info.birth_on)
    except (ValueError, TypeError):
        return None  # a choice no option offers: the form says so beside the field
    suggested = suggest_categories(facts, today())
    key = suggest_key(
        {s.category for s in suggested},
        bool(reg.values.get("has_serious_illness")),
        age_on(info.birth_on, today()),
        current_app.config["CASEMAN_KEY_TARGET_AGE"],
    )
    return {"categories": suggested, "key": key}


def _handle_form(form: ElderForm, elder: Elder | None, mode: str) -> Any:
    """Shared POST handling of new / edit / review. Returns a response or None to re-render."""
    if form.add_member.data:
        form.members.append_entry()
        return None
    if form.check.data:
        result = _suggestions(form)
        if result:
            form.categories.data = [s.category.value for s in result["categories"]]
            form.is_key.data = "key" if result["key"].is_key else "general"
        return None
    if not form.is_key.raw_data:
        # 重点/一般 left unchosen: take the rule's suggestion (issue 17 item 11).
        result = _suggestions(form)
        if result:
            form.is_key.data = "key" if result["key"].is_key else "general"
            form.is_key.raw_data = [form.is_key.data]
    if not form.validate():
        return None
    reg = _registration(form)
    reg.warn_duplicates = True
    if form.confirm_not_duplicate.data:
        # The user saw the likely duplicates and says this is another person (issue 20 item 4).
        reg.not_duplicate_token = form.not_duplicate_token.data or ""
        reg.not_duplicate_reason = (form.not_duplicate_reason.data or "").strip()
        if not reg.not_duplicate_reason:
            form.not_duplicate_reason.errors = [
                *list(form.not_duplicate_reason.errors),
                _("Say why this is another person (for example: checked the ID card)."),
            ]
    try:
        if elder is None:
            elder = register_elder(current_user, reg, today())
            message = _("The case file was created.")
            if needs_approval(current_user.role.value, hooks.approvals.enabled()):
                message = _(
                    "The case file was created. It awaits the town's approval; visit the "
                    "elder as usual meanwhile."
                )
        else:
            expected = int(form.version.data) if (form.version.data or "").isdigit() else None
            update_elder(current_user, elder, reg, today(), expected, review=mode == "review")
            message = (
                _("The half-year review was saved as a new version.")
                if mode == "review"
                else _("The changes were saved.")
            )
        db.session.commit()
    except StaleEdit as exc:
        db.session.rollback()
        _put_errors(form, exc)
        return "conflict"
    except StaleDataError:
        db.session.rollback()
        _put_errors(form, StaleEdit(0))
        return "conflict"
    except DuplicateElder as exc:
        db.session.rollback()
        record_duplicate_probe(current_user, exc)
        db.session.commit()
        _put_errors(form, exc)
        form.duplicate_of = exc.elder_id
        return None
    except LikelyDuplicates as exc:
        db.session.rollback()
        _put_errors(form, exc)
        form.likely_duplicates = exc.duplicates
        form.not_duplicate_token.data = confirmation_token(exc.duplicates)
        return None
    except DomainError as exc:
        db.session.rollback()
        _put_errors(form, exc)
        return None
    flash(message, "success")
    return redirect(url_for("elders.show", elder_id=elder.id))


# The folding sections of the registration form, in page order, with the fields they hold.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("basic", ("name", "gender", "id_number", "phone", "emergency_name", "emergency_gender",
               "emergency_phone", "filed_on", "under_age_reason", "household_area_id",
               "household_address", "residence_area_id", "residence_address", "is_rural_hukou",
               "ability_level", "medical_history", "has_serious_illness", "is_extreme_poverty",
               "is_dibao", "is_dibao_edge", "monthly_income", "income_sources")),
    ("family", ("members",)),
    ("living", ("water_safe", "electricity_safe", "housing_safe", "household_monthly_income",
                "has_pension", "pension_monthly", "subsidy_monthly", "subsidy_items")),
    ("support", ("support_units", "support_person", "support_measures", "responsible_person",
                 "responsible_phone")),
    ("categories", ("categories", "disability_certificate_no", "disability_grade",
                    "other_reason", "category_override_reason", "is_key",
                    "key_override_reason")),
    ("finish", ("note",)),
)  # fmt: skip
CHOICE_TYPES = ("RadioField", "MultiCheckboxField")


def _has_errors(form: ElderForm, name: str) -> bool:
    if name == "members":
        return any(entry.form.errors for entry in form.members)
    return bool(getattr(form, name).errors)


def _anchor(field: Any) -> str:
    """The id a link to the field goes to: its input, or the first option of a choice."""
    return f"{field.id}-0" if field.type in CHOICE_TYPES else field.id


def _error_links(form: ElderForm) -> list[tuple[str, str, str]]:
    """(anchor, label, message) of every field error, in page order, for the error summary."""
    links = []
    if form.not_duplicate_reason.errors:
        field = form.not_duplicate_reason
        links += [(field.id, str(field.label.text), e) for e in field.errors]
    for _section, names in SECTIONS:
        for name in names:
            if name != "members":
                field = getattr(form, name)
                links += [(_anchor(field), str(field.label.text), e) for e in field.errors]
                continue
            for number, entry in enumerate(form.members, start=1):
                for field in entry.form:
                    label = _("Family member %(n)s", n=number) + " · " + str(field.label.text)
                    links += [(_anchor(field), label, e) for e in field.errors]
    return links


def _shows_under_age(form: ElderForm) -> bool:
    """Whether the form asks why a person under 60 is filed: they are under 60 on the filing
    date (004 concerns 老年人), or a reason is already given or missing."""
    if form.under_age_reason.data or form.under_age_reason.errors:
        return True
    try:
        info = parse_id_number(form.id_number.data or "", today())
    except InvalidIdNumber:
        return False
    filed_on = form.filed_on.data if isinstance(form.filed_on.data, date) else today()
    return filed_on >= info.birth_on and is_under_age(info.birth_on, filed_on)


def _render_form(form: ElderForm, elder: Elder | None, mode: str, status: int = 200) -> Any:
    conflict_elder = None
    if status == 409 and elder is not None:
        db.session.refresh(elder)
        conflict_elder = elder
        form.version.data = str(elder.version)
    error_sections = {
        section for section, names in SECTIONS if any(_has_errors(form, n) for n in names)
    }
    # Folded sections (issue 18 item 4): the first, the one a post-back button returns to, and
    # every section with an error are open.
    opened = {"basic"} | error_sections
    if form.add_member.data:
        opened.add("family")
    if form.check.data:
        opened.add("categories")
    return (
        render_template(
            "elders/form.html",
            form=form,
            elder=elder,
            mode=mode,
            labels=labels,
            open_sections=opened,
            error_sections=error_sections,
            error_links=_error_links(form),
            member_template=FamilyMemberForm(prefix="members-__index__-", formdata=None),
            next_member=form.members.last_index + 1,
            suggestions=_suggestions(form) if form.is_submitted() else None,
            show_under_age=_shows_under_age(form),
            conflict_elder=conflict_elder,
            duplicate_of=getattr(form, "duplicate_of", None),
            likely_duplicates=getattr(form, "likely_duplicates", None),
            reason_text=DUPLICATE_REASON_TEXT,
        ),
        status,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    form = ElderForm()
    _area_choices(form)
    if not form.is_submitted():
        form.filed_on.data = today()
        form.is_rural_hukou.data = True
        # 重点/一般 starts unchosen: saved so, it takes the suggestion (issue 17 item 11).
        if len(form.residence_area_id.choices) == 2:
            form.residence_area_id.data = form.residence_area_id.choices[1][0]
    else:
        result = _handle_form(form, None, "new")
        if result is not None and result != "conflict":
            return result
    return _render_form(form, None, "new")


@bp.post("/suggestions")
@login_required
def suggestions() -> Any:
    """The category and key suggestion for the registration form as it is now (issue 18 item
    4): the page posts the form here as facts are entered and swaps in the fragment, so the
    rules stay in caseman/rules and nothing is saved or read from the database."""
    form = ElderForm()
    result = _suggestions(form)
    html = render_template("elders/_suggestions.html", suggestions=result, labels=labels)
    if result is None:
        return jsonify(html=html, categories=None, is_key=None)
    return jsonify(
        html=html,
        categories=[s.category.value for s in result["categories"]],
        is_key="key" if result["key"].is_key else "general",
    )


def _edit(elder_id: int, mode: str) -> Any:
    elder = get_elder_or_404(current_user, elder_id)
    if elder.is_archived:
        flash(_("An archived case cannot be changed; restore it first."), "error")
        return redirect(url_for("elders.show", elder_id=elder.id))
    if request.method == "GET":
        form = ElderForm(data=_form_data(elder))
        _area_choices(form)
        return _audited_form(form, elder, mode)
    form = ElderForm()
    _area_choices(form)
    result = _handle_form(form, elder, mode)
    if result == "conflict":
        return _audited_form(form, elder, mode, status=409)
    if result is not None:
        return result
    return _render_form(form, elder, mode, status=400 if form.errors or form.form_errors else 200)


def _audited_form(form: ElderForm, elder: Elder, mode: str, status: int = 200) -> Any:
    """The correction or review form filled from the saved case, audited as ``view_form``.

    The fields hold the full ID numbers and phones of the elder and the family (a typo can only
    be corrected in the whole number, and a masked value could not be told apart from a retyped
    one on saving), so opening the form discloses them like the case file's "show full numbers"
    does, and is recorded the same way. Only users whose scope holds the elder get here (404)."""
    audit.record("view_form", object_type="elder", object_id=elder.id, elder_id=elder.id,
                 detail=mode)  # fmt: skip
    page = _render_form(form, elder, mode, status)  # before the commit expires what it reads
    db.session.commit()
    return page


@bp.route("/<int:elder_id>/edit", methods=["GET", "POST"])
@login_required
def edit(elder_id: int) -> Any:
    return _edit(elder_id, "edit")


@bp.route("/<int:elder_id>/review", methods=["GET", "POST"])
@login_required
def review(elder_id: int) -> Any:
    return _edit(elder_id, "review")


@bp.get("/<int:elder_id>/versions/<int:number>")
@login_required
def version(elder_id: int, number: int) -> Any:
    elder = get_elder_or_404(current_user, elder_id)
    saved = get_version(elder, number)
    if saved is None:
        abort(404)
    audit.record("view_version", object_type="elder", object_id=elder.id, elder_id=elder.id,
                 detail=str(number))  # fmt: skip
    db.session.commit()
    return render_template("elders/version.html", elder=elder, saved=saved, labels=labels)


@bp.route("/<int:elder_id>/archive", methods=["GET", "POST"])
@login_required
def archive(elder_id: int) -> Any:
    elder = get_elder_or_404(current_user, elder_id)
    form = ArchiveForm()
    if not form.is_submitted():
        form.version.data = str(elder.version)
        form.archived_on.data = today()
    elif form.validate():
        try:
            expected = int(form.version.data) if (form.version.data or "").isdigit() else None
            waiting = request_archive(
                current_user,
                elder,
                ArchiveReason(form.reason.data),
                form.archived_on.data,
                form.note.data,
                today(),
                expected,
            )
            db.session.commit()
            if waiting is not None:  # the village asked: the town approves (issue 19 item 1)
                flash(
                    _("The archive awaits the town's approval; the case stays active."), "success"
                )
            else:
                flash(_("The case was archived. It stays readable and searchable."), "success")
            return redirect(url_for("elders.show", elder_id=elder.id))
        except DomainError as exc:
            db.session.rollback()
            _put_errors(form, exc)
            if isinstance(exc, StaleEdit):
                form.version.data = str(elder.version)
    return render_template("elders/archive.html", elder=elder, form=form, labels=labels)


@bp.route("/<int:elder_id>/restore", methods=["GET", "POST"])
@login_required
def restore(elder_id: int) -> Any:
    elder = get_elder_or_404(current_user, elder_id)
    form = RestoreForm()
    if not form.is_submitted():
        form.version.data = str(elder.version)
    elif form.validate():
        try:
            expected = int(form.version.data) if (form.version.data or "").isdigit() else None
            restore_elder(current_user, elder, form.note.data, expected)
            db.session.commit()
            flash(_("The case is back in the active caseload."), "success")
            return redirect(url_for("elders.show", elder_id=elder.id))
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(translate_message(exc.message, exc.params))
            form.version.data = str(elder.version)
    return render_template("elders/restore.html", elder=elder, form=form)


@bp.route("/<int:elder_id>/merge", methods=["GET", "POST"])
@roles_required(Role.TOWN.value, Role.DISTRICT.value)
def merge(elder_id: int) -> Any:
    """Merge this case file into another of the same person (issue 20 item 4): this one is
    archived as merged, both histories show on the kept one. Town and district staff only."""
    elder = get_elder_or_404(current_user, elder_id)
    if elder.is_archived:
        flash(_("An archived case cannot be changed; restore it first."), "error")
        return redirect(url_for("elders.show", elder_id=elder.id))
    candidates = [
        d
        for d in find_likely_duplicates(
            current_user, elder.name, elder.birth_on, elder.id_number, elder.id
        )
        if d.visible and not d.is_archived
    ]
    form = MergeForm()
    form.kept_id.choices = [
        (str(d.elder_id), f"{d.name} {d.masked_id} {d.town}") for d in candidates
    ]
    if not form.is_submitted():
        form.version.data = str(elder.version)
    elif form.validate():
        kept = get_elder_or_404(current_user, int(form.kept_id.data))
        try:
            expected = int(form.version.data) if (form.version.data or "").isdigit() else None
            merge_elders(current_user, elder, kept, form.note.data, today(), expected)
            db.session.commit()
            flash(_("The case files were merged: both histories show here."), "success")
            return redirect(url_for("elders.show", elder_id=kept.id))
        except DomainError as exc:
            db.session.rollback()
            _put_errors(form, exc)
            if isinstance(exc, StaleEdit):
                form.version.data = str(elder.version)
    return render_template("elders/merge.html", elder=elder, form=form, candidates=candidates)
