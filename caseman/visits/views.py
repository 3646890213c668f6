"""Visit pages: record and correct visits and care (附件3), my visits, due lists, campaigns."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import StringField

from caseman import clock
from caseman.access import login_required, roles_required
from caseman.area_figures import due_counts
from caseman.areas.models import AreaLevel
from caseman.auth.models import Role
from caseman.elders import labels as elder_labels
from caseman.elders.models import Elder
from caseman.elders.queries import is_row_id, list_filter_areas
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forms import form_status, saving
from caseman.i18n import cn_date, translate_message
from caseman.offline import replies as offline
from caseman.photos.intake import attach_from_request
from caseman.records import RecordPages, saving_new
from caseman.rules.enums import (
    FamilyChange,
    IllnessChange,
    NeedType,
    Safety,
    Satisfaction,
    Trend,
    VisitMethod,
)
from caseman.rules.service_forces import ForceKind
from caseman.rules.visit_periods import DueState
from caseman.scope import area_in_scope, get_elder_or_404, scoped_areas
from caseman.visitors.queries import active_visitors, list_workers
from caseman.visitors.views import worker_label
from caseman.visits import labels
from caseman.visits.forms import CampaignForm, CareForm, CloseForm, VisitForm, VoidForm
from caseman.visits.models import CareRecord, Visit
from caseman.visits.queries import (
    HISTORY_MONTHS,
    DueList,
    campaign_progress,
    get_campaign_or_none,
    get_care_or_none,
    get_record_version,
    get_visit_or_none,
    list_campaign_pending,
    list_campaigns,
    list_due,
    list_elder_visits,
    list_recent_visits,
    list_record_versions,
    status_of,
)
from caseman.visits.services import (
    CARE_FIELDS,
    VISIT_FIELDS,
    DuplicateSubmission,
    close_campaign,
    create_campaign,
    new_submission_key,
    record_care,
    record_visit,
    update_care,
    update_visit,
    void_record,
)

bp = Blueprint("visits", __name__)
bp.add_app_template_global(labels.period_label, "period_label")

# Who records visits and care: the people who go to the elder's home, and village/town staff.
RECORDERS = (Role.WORKER.value, Role.VILLAGE.value, Role.TOWN.value)
CAMPAIGN_OWNERS = (Role.DISTRICT.value, Role.TOWN.value)
ENUMS = {
    "method": VisitMethod,
    "family_change": FamilyChange,
    "expression": Trend,
    "mobility": Trend,
    "illness": IllnessChange,
    "mood": Trend,
    "gas_safety": Safety,
    "water_heating_safety": Safety,
    "electricity_safety": Safety,
    "personal_hygiene": Trend,
    "home_hygiene": Trend,
    "indoor_environment": Trend,
    "force_kind": ForceKind,
}


def _record_context(kind: str) -> Any:
    """What a visit's or care record's page shows beside the record."""
    return lambda record: {
        "labels": labels,
        "versions": list_record_versions(kind, record.id),
        "can_record": current_user.role.value in RECORDERS,
    }


VISIT = RecordPages(
    kind="visit",
    endpoint="visits.show",
    id_arg="visit_id",
    find=get_visit_or_none,
    show_template="visits/show.html",
    context=_record_context("visit"),
)
CARE = RecordPages(
    kind="care",
    endpoint="visits.show_care",
    id_arg="care_id",
    find=get_care_or_none,
    show_template="visits/care_show.html",
    context=_record_context("care"),
)


def _visit_values(form: VisitForm) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in VISIT_FIELDS:
        field = getattr(form, name)
        data = field.data
        if name in ENUMS:
            values[name] = ENUMS[name](data) if data else None
        elif name == "needs":
            values[name] = [NeedType(v).value for v in data or []]
        elif isinstance(field, StringField):  # a text box left out of the post: empty, not None
            values[name] = (data or "").strip()
        else:
            values[name] = data
    return values


def _visit_data(visit: Visit) -> dict[str, Any]:
    data = {}
    for name in VISIT_FIELDS:
        value = getattr(visit, name)
        data[name] = value.value if hasattr(value, "value") else value
    data["version"] = str(visit.version)
    return data


def _render_visit_form(
    form: VisitForm,
    elder: Elder,
    visit: Visit | None,
    status: int = 200,
    changes: list[tuple[str, str]] | None = None,
):
    return (
        render_template(
            "visits/form.html",
            form=form,
            elder=elder,
            visit=visit,
            labels=labels,
            schedule=status_of(elder, clock.today()),
            changes=changes or [],
        ),
        status,
    )


@bp.route("/elders/<int:elder_id>/visits/new", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def new(elder_id: int) -> Any:
    elder = get_elder_or_404(current_user, elder_id)
    sent_offline = offline.wants_json()  # a record kept offline: the service refuses archived
    if elder.is_archived and not sent_offline:
        flash(_("This case is archived: restore it before recording a visit."), "error")
        return redirect(url_for("elders.show", elder_id=elder.id))
    if request.method == "GET":
        form = VisitForm(
            # The method and the eleven findings start blank (issue 17 item 11): a visitor must
            # choose each one, so "gas safe" is never recorded without being checked.
            data={
                "visited_on": clock.today(),
                "submission_key": new_submission_key(),
                "visitor_name": current_user.display_name,
                "recorder_name": current_user.display_name,
                "visited_person_name": elder.name,
            }
        )
        return _render_visit_form(form, elder, None)
    form = VisitForm()
    if sent_offline:
        form.submission_key.data = offline.idempotency_key()
        if not form.submission_key.data:
            return offline.bad_key()
    if not form.submission_key.data:
        form.submission_key.data = new_submission_key()
    if form.validate():
        with saving_new(form) as saved:
            visit = record_visit(
                current_user, elder, _visit_values(form), form.submission_key.data, clock.today()
            )
            attach_from_request(current_user, visit)  # photos and place (issue 18 item 3)
        if saved.duplicate:
            return _duplicate(saved.duplicate, VISIT, sent_offline)
        if saved:
            if sent_offline:
                return offline.saved(visit.number, "visits.show", visit_id=visit.id)
            flash(_("Visit no. %(number)s was saved.", number=visit.number), "success")
            return redirect(url_for("visits.show", visit_id=visit.id))
    if sent_offline:
        return offline.refused(form)
    return _render_visit_form(form, elder, None, 400)


def _duplicate(exc: DuplicateSubmission, pages: RecordPages, sent_offline: bool) -> Any:
    """A form sent twice: the record the first one saved."""
    if sent_offline:
        return offline.duplicate(pages.endpoint, **{pages.id_arg: exc.record_id})
    flash(translate_message(exc.message, exc.params), "info")
    return redirect(pages.url_of(exc.record_id))


@bp.get("/visits/<int:visit_id>")
@login_required
def show(visit_id: int) -> Any:
    return VISIT.show(VISIT.get_or_404(visit_id))


def _update_visit(visit: Visit) -> Any:
    def update(form: VisitForm, version: int | None) -> None:
        update_visit(current_user, visit, _visit_values(form), clock.today(), version)
        attach_from_request(current_user, visit, with_place=False)

    return update


@bp.route("/visits/<int:visit_id>/edit", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def edit(visit_id: int) -> Any:
    visit = VISIT.get_or_404(visit_id)
    return VISIT.edit(visit, VisitForm, data_of=_visit_data, update=_update_visit(visit),
                      render=lambda form, visit, *rest: _render_visit_form(
                          form, visit.elder, visit, *rest))  # fmt: skip


def _void(record: Visit | CareRecord, reason: str, version: int | None) -> None:
    void_record(current_user, record, reason, version)


@bp.route("/visits/<int:visit_id>/void", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def void(visit_id: int) -> Any:
    return VISIT.void(VISIT.get_or_404(visit_id), VoidForm(), "visits/void.html", _void)


@bp.get("/visits/<int:visit_id>/versions/<int:number>")
@login_required
def version(visit_id: int, number: int) -> Any:
    visit = VISIT.get_or_404(visit_id)
    saved = get_record_version("visit", visit.id, number)
    return VISIT.version(visit, saved, number, "visits/version.html", labels=labels)


# --- care records ---------------------------------------------------------------------------


def _care_choices(form: CareForm, elder: Elder) -> None:
    visits = [v for v in list_elder_visits(elder) if not v.is_void]
    form.visit_id.choices = [("", "—")] + [
        (
            str(v.id),
            _(
                "No. %(number)s, %(date)s, %(method)s",
                number=v.number,
                date=cn_date(v.visited_on),
                method=labels.METHOD[v.method],
            ),
        )  # fmt: skip
        for v in visits
    ]


def _care_values(form: CareForm) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in CARE_FIELDS:
        field = getattr(form, name)
        data = field.data
        if name == "visit_id":
            values[name] = int(data) if data else None
        elif name == "need":
            values[name] = NeedType(data) if data else None
        elif name == "satisfaction":
            values[name] = Satisfaction(data) if data else None
        elif isinstance(field, StringField):  # a text box left out of the post: empty, not None
            values[name] = (data or "").strip()
        else:
            values[name] = data
    return values


def _care_data(care: CareRecord) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in CARE_FIELDS:
        value = getattr(care, name)
        if name == "visit_id":
            value = "" if value is None else str(value)
        elif value is None:
            value = ""
        data[name] = value.value if hasattr(value, "value") else value
    data["version"] = str(care.version)
    return data


def _render_care_form(
    form: CareForm,
    elder: Elder,
    care: CareRecord | None,
    status: int = 200,
    changes: list[tuple[str, str]] | None = None,
):
    return render_template("visits/care_form.html", form=form, elder=elder, care=care,
                           labels=labels, changes=changes or []), status  # fmt: skip


@bp.route("/elders/<int:elder_id>/care/new", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def new_care(elder_id: int) -> Any:
    elder = get_elder_or_404(current_user, elder_id)
    sent_offline = offline.wants_json()  # a record kept offline: the service refuses archived
    if elder.is_archived and not sent_offline:
        flash(_("This case is archived: restore it before recording care."), "error")
        return redirect(url_for("elders.show", elder_id=elder.id))
    if request.method == "GET":
        data: dict[str, Any] = {"cared_on": clock.today(), "submission_key": new_submission_key()}
        visit = get_visit_or_none(current_user, request.args.get("visit", 0, type=int))
        if visit is not None and visit.elder_id == elder.id:
            data["visit_id"] = str(visit.id)
            needs = visit.need_types
            if needs:
                data["need"] = needs[0].value
        form = CareForm(data=data)
        _care_choices(form, elder)
        return _render_care_form(form, elder, None)
    form = CareForm()
    _care_choices(form, elder)
    if sent_offline:
        form.submission_key.data = offline.idempotency_key()
        if not form.submission_key.data:
            return offline.bad_key()
    if not form.submission_key.data:
        form.submission_key.data = new_submission_key()
    if form.validate():
        with saving_new(form) as saved:
            care = record_care(
                current_user, elder, _care_values(form), form.submission_key.data, clock.today()
            )
        if saved.duplicate:
            return _duplicate(saved.duplicate, CARE, sent_offline)
        if saved:
            if sent_offline:
                return offline.saved(care.number, "visits.show_care", care_id=care.id)
            flash(_("Care record no. %(number)s was saved.", number=care.number), "success")
            return redirect(url_for("elders.show", elder_id=elder.id, _anchor="timeline"))
    if sent_offline:
        return offline.refused(form)
    return _render_care_form(form, elder, None, 400)


@bp.get("/care/<int:care_id>")
@login_required
def show_care(care_id: int) -> Any:
    return CARE.show(CARE.get_or_404(care_id))


def _update_care(care: CareRecord) -> Any:
    def update(form: CareForm, version: int | None) -> None:
        update_care(current_user, care, _care_values(form), clock.today(), version)

    return update


@bp.route("/care/<int:care_id>/edit", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def edit_care(care_id: int) -> Any:
    care = CARE.get_or_404(care_id)
    return CARE.edit(care, CareForm, data_of=_care_data, update=_update_care(care),
                     prepare=lambda form: _care_choices(form, care.elder),
                     render=lambda form, care, *rest: _render_care_form(
                         form, care.elder, care, *rest))  # fmt: skip


@bp.route("/care/<int:care_id>/void", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def void_care_view(care_id: int) -> Any:
    return CARE.void(CARE.get_or_404(care_id), VoidForm(), "visits/void.html", _void)


@bp.get("/care/<int:care_id>/versions/<int:number>")
@login_required
def care_version(care_id: int, number: int) -> Any:
    care = CARE.get_or_404(care_id)
    saved = get_record_version("care", care.id, number)
    return CARE.version(care, saved, number, "visits/version.html", labels=labels)


# --- due lists ------------------------------------------------------------------------------


STATE_FILTERS = {
    "": (DueState.OVERDUE, DueState.DUE),
    "overdue": (DueState.OVERDUE,),
    "due": (DueState.DUE,),
    "done": (DueState.DONE,),
}
DUE_ROWS_AT_ONCE = 300  # a town's due list longer than this first shows its villages' counts


def _counts_by(groups: list[Any], place: Any) -> dict[Any, dict[str, int]]:
    """Rows listed and overdue per ``place(group)`` (a town or a village), in list order."""
    counts: dict[Any, dict[str, int]] = {}
    for group in groups:
        tally = counts.setdefault(place(group), {"overdue": 0, "rows": 0})
        tally["overdue"] += group.overdue
        tally["rows"] += len(group.rows)
    return counts


def _town_of(group: Any) -> Any:
    return group.village.town if group.village else None


def _towns_of(villages: dict[Any, dict[str, int]]) -> dict[Any, dict[str, int]]:
    """Each village's counts added up by town, in the same order."""
    towns: dict[Any, dict[str, int]] = {}
    for village, counts in villages.items():
        tally = towns.setdefault(village.town if village else None, {"overdue": 0, "rows": 0})
        tally["overdue"] += counts["overdue"]
        tally["rows"] += counts["rows"]
    return towns


@bp.get("/visits/due")
@login_required
def due() -> Any:
    """Who needs a home visit: "my visits" for a worker, the due list for staff."""
    state = request.args.get("state", "")
    if state not in STATE_FILTERS:
        state = ""
    key = request.args.get("key", "")
    area = area_in_scope(
        current_user, request.args.get("village", type=int) or request.args.get("town", type=int)
    )
    area_id = area.id if area else None
    is_worker = current_user.role == Role.WORKER
    # Staff filter by visitor (a worker of their area, or "none"); a worker's own come first.
    visitors = [] if is_worker else list_workers(current_user)
    visitor_arg = request.args.get("visitor", "")[:12]
    visitor: int | None = None
    if visitor_arg == "none":
        visitor = 0
    elif is_row_id(visitor_arg) and int(visitor_arg) in {w.id for w in visitors}:
        visitor = int(visitor_arg)
    else:
        visitor_arg = ""
    towns, villages = list_filter_areas(current_user)
    # Across a whole district the list runs to thousands: show each town's counts to pick from.
    # A town's list too (1.4 MB of page at 8,000 elders): above DUE_ROWS_AT_ONCE rows, each
    # village's counts (issue 21). Those counts come from the kept per-area figures
    # (caseman.area_figures, never stale) when no filter they do not keep is given: the
    # town's elders are listed only once a village is chosen.
    choose: tuple[str, dict[Any, dict[str, int]]] | None = None
    result: DueList | None = None
    town_wide = (not is_worker and current_user.area.level in (AreaLevel.DISTRICT, AreaLevel.TOWN)
                 and (area is None or area.level == AreaLevel.TOWN))  # fmt: skip
    kept = None
    if ((area_id is None and len(towns) > 1) or town_wide) and not key and visitor is None:
        kept = due_counts(current_user, clock.today(), area, STATE_FILTERS[state])
    if kept is not None:
        listed = kept.listed
        if area_id is None and len(towns) > 1:
            choose = ("town", _towns_of(kept.villages))
        elif town_wide and listed > DUE_ROWS_AT_ONCE:
            choose = ("village", kept.villages)
        if choose is not None:
            result = DueList([], kept.counts, kept.weekly_due)
    if result is None:
        result = list_due(current_user, clock.today(), area_id=area_id,
                          states=STATE_FILTERS[state], key=key, visitor=visitor,
                          mine_first=current_user.id if is_worker else None)  # fmt: skip
        listed = sum(len(group.rows) for group in result.groups)
        if area_id is None and len(towns) > 1:
            choose = ("town", _counts_by(result.groups, _town_of))
        elif town_wide and listed > DUE_ROWS_AT_ONCE:
            choose = ("village", _counts_by(result.groups, lambda g: g.village))
    if choose is None:
        # Each row names its visitors: the label is translated once, not once a row.
        rows = [row for group in result.groups for row in group.rows]
        found = active_visitors(current_user, [row.elder_id for row in rows])
        label, nobody = _("Visitor: %(names)s"), _("none")
        for row in rows:
            names = "、".join(v.display_name for v in found.get(row.elder_id, []))
            row.visitors = label % {"names": names or nobody}
    return render_template(
        "visits/due.html",
        result=result,
        visitors=visitors,
        visitor=visitor_arg,
        worker_label=worker_label,
        choose=choose,
        listed=listed,
        state=state,
        key=key,
        area_id=area_id,
        towns=towns,
        villages=villages,
        labels=labels,
        recent=list_recent_visits(current_user, 10) if current_user.role == Role.WORKER else [],
        can_record=current_user.role.value in RECORDERS,
        today=clock.today(),
        DueState=DueState,
        history_months=HISTORY_MONTHS,
    )


# --- campaigns ------------------------------------------------------------------------------


@bp.get("/campaigns/")
@login_required
def campaigns() -> Any:
    items = [
        campaign_progress(c, current_user) for c in list_campaigns(current_user, clock.today())
    ]
    return render_template(
        "visits/campaigns.html",
        items=items,
        today=clock.today(),
        can_create=current_user.role.value in CAMPAIGN_OWNERS,
        labels=labels,
        elder_labels=elder_labels,
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
@roles_required(*CAMPAIGN_OWNERS)
def new_campaign() -> Any:
    form = CampaignForm()
    areas = db.session.scalars(scoped_areas(current_user)).all()
    areas = [a for a in areas if a.level.value in ("district", "town", "village")]
    areas.sort(key=lambda a: a.path)
    form.area_id.choices = [(str(a.id), a.full_name) for a in areas]
    if not form.is_submitted():
        form.area_id.data = str(current_user.area_id)
        form.starts_on.data = clock.today()
        form.home_visit_only.data = True
    elif form.validate():
        values = {
            "name": form.name.data.strip(),
            "starts_on": form.starts_on.data,
            "ends_on": form.ends_on.data,
            "area_id": int(form.area_id.data),
            "categories": list(form.categories.data or []),
            "key_only": bool(form.key_only.data),
            "home_visit_only": bool(form.home_visit_only.data),
            "note": (form.note.data or "").strip(),
        }
        with saving(form) as saved:
            campaign = create_campaign(current_user, values, clock.today())
        if saved:
            flash(_("The campaign was started."), "success")
            return redirect(url_for("visits.campaign", campaign_id=campaign.id))
    return render_template("visits/campaign_form.html", form=form), form_status(form)


@bp.get("/campaigns/<int:campaign_id>")
@login_required
def campaign(campaign_id: int) -> Any:
    item = get_campaign_or_none(current_user, campaign_id)
    if item is None:
        abort(404)
    return render_template(
        "visits/campaign.html",
        progress=campaign_progress(item, current_user),
        pending=list_campaign_pending(item, current_user),
        campaign=item,
        today=clock.today(),
        elder_labels=elder_labels,
        can_record=current_user.role.value in RECORDERS,
        can_close=current_user.role.value in CAMPAIGN_OWNERS,
        close_form=CloseForm(),
    )


@bp.post("/campaigns/<int:campaign_id>/close")
@roles_required(*CAMPAIGN_OWNERS)
def close(campaign_id: int) -> Any:
    item = get_campaign_or_none(current_user, campaign_id)
    if item is None or not current_user.area.contains(item.area):
        abort(404)
    form = CloseForm()
    if form.validate():
        try:
            close_campaign(current_user, item, form.reason.data)
            db.session.commit()
            flash(_("The campaign was closed."), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(translate_message(exc.message, exc.params), "error")
    else:
        flash(_("Give the reason for closing the campaign."), "error")
    return redirect(url_for("visits.campaign", campaign_id=item.id))
