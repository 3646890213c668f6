"""Mutual-aid pages: a village's programme, its forms, the town indicators, the quarterly forms."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from caseman import audit, clock
from caseman.access import roles_required
from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import Role
from caseman.elders.models import Elder
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forms import BaseForm, put_errors
from caseman.mutual_aid import labels, queries, services
from caseman.mutual_aid.documents import (
    FORMATS,
    FORMS,
    MEDIA_TYPES,
    SUMMARY,
    file_stem,
    header_line,
    pairing_values,
    summary_values,
)
from caseman.mutual_aid.documents import render_form as render_annex
from caseman.mutual_aid.forms import (
    ActivityForm,
    AidPointForm,
    AwardForm,
    EndForm,
    FundForm,
    HelpForm,
    MemberForm,
    PairedElderFields,
    PairingForm,
    RateForm,
    ReasonForm,
    RedeemForm,
)
from caseman.mutual_aid.models import (
    Activity,
    Fund,
    PairedElder,
    Pairing,
    PointEntry,
    TeamMember,
)
from caseman.rules.mutual_aid import PairingKind, quarter_bounds, quarter_of, town_in_scope
from caseman.scope import system_access

bp = Blueprint("mutual_aid", __name__, url_prefix="/mutual-aid", cli_group="mutual-aid")

# Village, town and district staff run and read the programme; workers do not see it.
STAFF = (Role.DISTRICT.value, Role.TOWN.value, Role.VILLAGE.value)


def today() -> date:
    return clock.today()


def _village(village_id: int) -> Area:
    return queries.get_area_or_404(current_user, village_id, AreaLevel.VILLAGE)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _form_page(
    form: BaseForm,
    title: Any,
    back: str,
    save: Callable[[], Any],
    done: Callable[[Any], str],
    message: Any,
    *,
    sections: list[tuple[Any, list[str]]] | None = None,
) -> Any:
    """GET shows the form; a valid POST calls ``save`` (one service), commits and redirects;
    anything refused is shown beside its field, with everything typed kept."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                result = save()
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                put_errors(form, exc)
            else:
                flash(message, "success")
                return redirect(done(result))
    fields = [f for f in form if f.type not in ("CSRFTokenField", "HiddenField")]
    return render_template(
        "mutual_aid/form.html", form=form, title=title, back=back, fields=fields,
        sections=sections,
    ), status  # fmt: skip


# --- overview -------------------------------------------------------------------------------


def _post_action(form: Any, action: Callable[[], Any], done: str, invalid: str) -> None:
    """A one-button POST (end, correct, void): validate, call one service, commit, flash."""
    if not form.validate():
        flash(invalid, "error")
        return
    try:
        action()
        db.session.commit()
        flash(done, "success")
    except DomainError as exc:
        db.session.rollback()
        flash(_(exc.message, **exc.params), "error")


def _quarter() -> tuple[int, int]:
    year = request.args.get("year", type=int) or today().year
    quarter = request.args.get("quarter", type=int) or quarter_of(today())
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2100:
        abort(404)
    return year, quarter


@bp.get("/")
@roles_required(*STAFF)
def index() -> Any:
    """Towns' indicators for a quarter, the villages in scope and the quarterly forms."""
    year, quarter = _quarter()
    _start, end = quarter_bounds(year, quarter)
    towns = queries.list_towns(current_user)
    indicators = [(town, queries.indicators_for(town, year, quarter, end)) for town in towns]
    return render_template(
        "mutual_aid/index.html", year=year, quarter=quarter, indicators=indicators,
        town_in_scope=town_in_scope,
        villages=queries.list_villages(current_user), towns=towns, formats=FORMATS,
        report_areas=towns or [current_user.area],
    )  # fmt: skip


@bp.get("/villages/<int:village_id>")
@roles_required(*STAFF)
def village(village_id: int) -> Any:
    area = _village(village_id)
    members = queries.list_members(area, include_ended=True)
    pairings = queries.list_pairings(area)
    records = queries.help_records([pe.id for p in pairings for pe in p.elders])
    return render_template(
        "mutual_aid/village.html", village=area, labels=labels, members=members,
        balances=queries.balances(area), sites=queries.list_points(area), pairings=pairings,
        help_counts={
            p.id: sum(len(records.get(pe.id, [])) for pe in p.elders) for p in pairings
        },
        missed=queries.missed_rhythms(area, today()),
        uncovered=queries.uncovered_elders(area), rates=queries.list_rates(area),
        activities=queries.list_activities(area), funds=queries.list_funds(area),
        markers=queries.map_markers(area), today_date=today(),
        PairingKind=PairingKind,
    )  # fmt: skip


@bp.get("/villages/<int:village_id>/map")
@roles_required(*STAFF)
def village_map(village_id: int) -> Any:
    """互助养老地图 (000 三(六)2): points and paired special-difficulty elders of the village."""
    area = _village(village_id)
    markers = queries.map_markers(area)
    tiles = current_app.config.get("CASEMAN_MAP_TILES", "")
    response = make_response(
        render_template(
            "mutual_aid/map.html", village=area, markers=markers, labels=labels,
            sites=queries.list_points(area), uncovered=queries.uncovered_elders(area),
            tiles=tiles, attribution=current_app.config.get("CASEMAN_MAP_ATTRIBUTION", ""),
            markers_json=json.dumps([
                {"kind": m.kind, "label": m.label, "latitude": m.latitude,
                 "longitude": m.longitude} for m in markers
            ], ensure_ascii=False),
        )
    )  # fmt: skip
    origin = tile_origin(tiles)
    if origin:
        # The page loads its tiles from the configured server: allow its images, nothing more.
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; img-src 'self' data: {origin}; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        )
    return response


def tile_origin(template: str) -> str:
    """scheme://host[:port] of a tile URL template, or "" when it is not an http(s) URL."""
    parts = urlsplit(template.replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host = parts.netloc
    if template.split("//", 1)[-1].startswith("{s}."):
        host = "*." + host.split(".", 1)[1]
    return f"{parts.scheme}://{host}"


# --- team and points of service --------------------------------------------------------------


@bp.route("/villages/<int:village_id>/members/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_member(village_id: int) -> Any:
    area = _village(village_id)
    form = MemberForm() if request.method == "POST" else MemberForm(data={"started_on": today()})
    groups = db.session.scalars(
        select(Area).where(Area.parent_id == area.id, Area.level == AreaLevel.GROUP)
    ).all()
    form.group_id.choices = [("", "—")] + [(str(g.id), g.name) for g in groups]
    form.elder_id.choices = [("", "—")] + _elder_choices(area)

    def save() -> TeamMember:
        values = {
            k: v for k, v in form.data.items() if k not in ("csrf_token", "group_id", "elder_id")
        }
        values["phone"] = values["phone"] or ""
        values["group_id"] = _int(form.group_id.data)
        values["elder_id"] = _int(form.elder_id.data)
        return services.add_team_member(current_user, area, values)

    return _form_page(form, _l("Add a team member"), url_for(".village", village_id=area.id),
                      save, lambda _m: url_for(".village", village_id=area.id),
                      _("The team member was added."))  # fmt: skip


def _elder_choices(area: Area) -> list[tuple[str, str]]:
    elders = db.session.scalars(
        select(Elder)
        .join(Area, Area.id == Elder.residence_area_id)
        .where(Area.path.startswith(area.path, autoescape=True), Elder.archived_on.is_(None))
        .order_by(Elder.name)
    ).all()
    return [(str(e.id), f"{e.name} · {e.residence_address}") for e in elders]


@bp.post("/members/<int:member_id>/end")
@roles_required(*STAFF)
def end_member(member_id: int) -> Any:
    member = queries.get_record_or_404(current_user, TeamMember, member_id)
    form = EndForm()
    _post_action(
        form,
        lambda: services.end_team_member(current_user, member, form.ended_on.data),
        _("The member has left the team."),
        _("Enter a date such as 2026-11-22."),
    )
    return redirect(url_for(".member", member_id=member.id))


@bp.route("/villages/<int:village_id>/sites/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_site(village_id: int) -> Any:
    area = _village(village_id)
    form = AidPointForm() if request.method == "POST" else AidPointForm(data={"opened_on": today()})

    def save() -> Any:
        values = {k: v for k, v in form.data.items() if k != "csrf_token"}
        return services.add_aid_point(current_user, area, values)

    return _form_page(form, _l("Add a mutual-aid point"), url_for(".village", village_id=area.id),
                      save, lambda _p: url_for(".village", village_id=area.id),
                      _("The mutual-aid point was added."))  # fmt: skip


# --- pairing and help -------------------------------------------------------------------------

ELDER_FIELDS = (
    "elder_id", "elder_name", "elder_gender", "elder_birth_year", "elder_phone", "elder_address",
    "has_children", "living", "is_disabled", "elder_type", "latitude", "longitude", "note",
)  # fmt: skip


def _paired_values(form: PairedElderFields) -> dict[str, Any]:
    return {
        "elder_id": _int(form.elder_id.data),
        "name": (form.elder_name.data or "").strip(),
        "gender": form.elder_gender.data or None,
        "birth_year": form.elder_birth_year.data,
        "phone": form.elder_phone.data or "",
        "address": form.elder_address.data or "",
        "has_children": bool(form.has_children.data),
        "living": form.living.data,
        "is_disabled": bool(form.is_disabled.data),
        "elder_type": form.elder_type.data,
        "latitude": form.latitude.data,
        "longitude": form.longitude.data,
        "note": form.note.data or "",
    }


@bp.route("/villages/<int:village_id>/pairings/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_pairing(village_id: int) -> Any:
    area = _village(village_id)
    form = PairingForm() if request.method == "POST" else PairingForm(
        data={"started_on": today(), "kind": PairingKind.ONE_TO_ONE.value, "living": "alone"}
    )  # fmt: skip
    form.helper_ids.choices = [
        (str(m.id), f"{m.name} · {labels.ROLE[m.role]}") for m in queries.list_members(area)
    ]
    form.elder_id.choices = [("", "—")] + _elder_choices(area)

    def save() -> Pairing:
        return services.create_pairing(
            current_user, area, PairingKind(form.kind.data), form.started_on.data,
            [int(i) for i in form.helper_ids.data or [] if i.isdigit()],
            [_paired_values(form)], name=(form.name.data or "").strip(),
        )  # fmt: skip

    sections = [
        (_l("The pairing"), ["kind", "name", "helper_ids", "started_on"]),
        (_l("The elder helped"), list(ELDER_FIELDS)),
    ]
    return _form_page(form, _l("Pair helpers with an elder"),
                      url_for(".village", village_id=area.id), save,
                      lambda p: url_for(".pairing", pairing_id=p.id),
                      _("The pairing was recorded."), sections=sections)  # fmt: skip


@bp.get("/pairings/<int:pairing_id>")
@roles_required(*STAFF)
def pairing(pairing_id: int) -> Any:
    record = queries.get_record_or_404(current_user, Pairing, pairing_id)
    records = queries.help_records([pe.id for pe in record.elders])
    for paired in record.elders:
        if paired.elder_id:
            audit.record("view", object_type="aid_pairing", object_id=record.id,
                         elder_id=paired.elder_id)  # fmt: skip
    db.session.commit()
    return render_template(
        "mutual_aid/pairing.html", pairing=record, records=records, labels=labels,
        end_form=EndForm(data={"ended_on": today()}), PairingKind=PairingKind,
    )  # fmt: skip


@bp.route("/pairings/<int:pairing_id>/elders/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_paired_elder(pairing_id: int) -> Any:
    record = queries.get_record_or_404(current_user, Pairing, pairing_id)
    form = PairedElderFields() if request.method == "POST" else PairedElderFields(
        data={"living": "alone"}
    )  # fmt: skip
    form.elder_id.choices = [("", "—")] + _elder_choices(record.village)

    def save() -> PairedElder:
        return services.add_paired_elder(current_user, record, _paired_values(form))

    back = url_for(".pairing", pairing_id=record.id)
    return _form_page(form, _l("Add an elder to the group"), back, save, lambda _p: back,
                      _("The elder was added to the group."))  # fmt: skip


@bp.post("/pairings/<int:pairing_id>/end")
@roles_required(*STAFF)
def end_pairing(pairing_id: int) -> Any:
    record = queries.get_record_or_404(current_user, Pairing, pairing_id)
    form = EndForm()
    _post_action(
        form,
        lambda: services.end_pairing(current_user, record, form.ended_on.data),
        _("The pairing has ended."),
        _("Enter a date such as 2026-11-22."),
    )
    return redirect(url_for(".pairing", pairing_id=record.id))


@bp.route("/paired/<int:paired_id>/help", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_help(paired_id: int) -> Any:
    paired = queries.get_record_or_404(current_user, PairedElder, paired_id)
    record = paired.pairing
    form = HelpForm() if request.method == "POST" else HelpForm(
        data={"helped_on": today(), "kind": "knock"}
    )  # fmt: skip
    form.helper_id.choices = [(str(h.member.id), h.member.name) for h in record.helpers]
    rates = queries.list_rates(record.village)
    form.rate_id.choices = [("", "—")] + [(str(r.id), f"{r.service} · {r.points}") for r in rates]

    def save() -> Any:
        rate = next((r for r in rates if str(r.id) == form.rate_id.data), None)
        values = {
            "helped_on": form.helped_on.data, "kind": form.kind.data,
            "helper_id": _int(form.helper_id.data), "what": form.what.data or "",
        }  # fmt: skip
        return services.record_help(current_user, paired, values, rate)

    back = url_for(".pairing", pairing_id=record.id)
    title = _("Record help for %(name)s", name=paired.display_name)
    return _form_page(form, title, back, save, lambda _r: back, _("The help was recorded."))


# --- points (积分) -----------------------------------------------------------------------------


@bp.route("/villages/<int:village_id>/rates/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_rate(village_id: int) -> Any:
    area = _village(village_id)
    form = RateForm()

    def save() -> Any:
        return services.set_rate(current_user, area, form.service.data.strip(), form.points.data)

    back = url_for(".village", village_id=area.id)
    return _form_page(form, _l("Set the points for a service"), back, save, lambda _r: back,
                      _("The rate was saved."))  # fmt: skip


def _member_choices(area: Area) -> list[tuple[str, str]]:
    return [(str(m.id), f"{m.name} · {labels.ROLE[m.role]}") for m in queries.list_members(area)]


@bp.route("/villages/<int:village_id>/points/award", methods=["GET", "POST"])
@roles_required(*STAFF)
def award(village_id: int) -> Any:
    area = _village(village_id)
    form = AwardForm() if request.method == "POST" else AwardForm(
        data={"entry_on": today(), "member_id": request.args.get("member", "")}
    )  # fmt: skip
    form.member_id.choices = _member_choices(area)
    rates = queries.list_rates(area)
    form.rate_id.choices = [(str(r.id), f"{r.service} · {r.points}") for r in rates]

    def save() -> PointEntry:
        member = queries.get_record_or_404(current_user, TeamMember, int(form.member_id.data))
        rate = next(r for r in rates if str(r.id) == form.rate_id.data)
        return services.award_points(current_user, member, rate, form.entry_on.data,
                                     form.note.data or "")  # fmt: skip

    return _form_page(form, _l("Award points"), url_for(".village", village_id=area.id), save,
                      lambda e: url_for(".member", member_id=e.member_id),
                      _("The points were awarded."))  # fmt: skip


@bp.route("/villages/<int:village_id>/points/redeem", methods=["GET", "POST"])
@roles_required(*STAFF)
def redeem(village_id: int) -> Any:
    area = _village(village_id)
    form = RedeemForm() if request.method == "POST" else RedeemForm(
        data={"entry_on": today(), "member_id": request.args.get("member", "")}
    )  # fmt: skip
    form.member_id.choices = _member_choices(area)

    def save() -> PointEntry:
        member = queries.get_record_or_404(current_user, TeamMember, int(form.member_id.data))
        return services.redeem_points(current_user, member, form.points.data, form.goods.data,
                                      form.entry_on.data)  # fmt: skip

    return _form_page(form, _l("Redeem points for goods"), url_for(".village", village_id=area.id),
                      save, lambda e: url_for(".member", member_id=e.member_id),
                      _("The points were redeemed."))  # fmt: skip


@bp.get("/members/<int:member_id>")
@roles_required(*STAFF)
def member(member_id: int) -> Any:
    record = queries.get_record_or_404(current_user, TeamMember, member_id)
    entries = queries.list_entries(record)
    corrected = {e.corrects_id for e in entries if e.corrects_id}
    return render_template(
        "mutual_aid/member.html", member=record, entries=entries, corrected=corrected,
        balance=sum(e.points for e in entries), labels=labels,
        correct_form=ReasonForm(), end_form=EndForm(data={"ended_on": today()}),
    )  # fmt: skip


@bp.post("/entries/<int:entry_id>/correct")
@roles_required(*STAFF)
def correct(entry_id: int) -> Any:
    entry = queries.get_record_or_404(current_user, PointEntry, entry_id)
    form = ReasonForm()
    _post_action(
        form,
        lambda: services.correct_entry(current_user, entry, form.reason.data, today()),
        _("The entry was corrected by a new entry."),
        _("Give the reason for the correction."),
    )
    return redirect(url_for(".member", member_id=entry.member_id))


# --- activities and funds ---------------------------------------------------------------------


@bp.route("/villages/<int:village_id>/activities/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_activity(village_id: int) -> Any:
    area = _village(village_id)
    form = ActivityForm() if request.method == "POST" else ActivityForm(data={"held_on": today()})

    def save() -> Activity:
        values = {k: v for k, v in form.data.items() if k != "csrf_token"}
        values["notes"] = values["notes"] or ""
        return services.log_activity(current_user, area, values)

    back = url_for(".village", village_id=area.id)
    return _form_page(form, _l("Log a collective activity"), back, save, lambda _a: back,
                      _("The activity was logged."))  # fmt: skip


@bp.route("/villages/<int:village_id>/funds/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_fund(village_id: int) -> Any:
    area = _village(village_id)
    form = FundForm() if request.method == "POST" else FundForm(data={"received_on": today()})

    def save() -> Fund:
        values = {k: v for k, v in form.data.items() if k != "csrf_token"}
        return services.record_fund(current_user, area, values)

    back = url_for(".village", village_id=area.id)
    return _form_page(form, _l("Record funds raised"), back, save, lambda _f: back,
                      _("The funds were recorded."))  # fmt: skip


@bp.post("/<any(activities, funds):kind>/<int:record_id>/void")
@roles_required(*STAFF)
def void(kind: str, record_id: int) -> Any:
    model = Activity if kind == "activities" else Fund
    record = queries.get_record_or_404(current_user, model, record_id)
    form = ReasonForm()
    _post_action(
        form,
        lambda: services.void_record(current_user, record, form.reason.data, today()),
        _("The record is void; it no longer counts."),
        _("Give the reason."),
    )
    return redirect(url_for(".village", village_id=record.village_id))


# --- the quarterly forms ----------------------------------------------------------------------


@bp.get("/report")
@roles_required(*STAFF)
def report() -> Any:
    """附件1 or 附件2 of a town or village for a quarter: preview, or download (audited)."""
    year, quarter = _quarter()
    form = FORMS.get(request.args.get("form", SUMMARY.key))
    fmt = request.args.get("format", "")
    if form is None or (fmt and fmt not in FORMATS):
        abort(404)
    area_id = request.args.get("area", type=int) or current_user.area_id
    area = db.session.get(Area, area_id)
    if (
        area is None
        or area.level not in (AreaLevel.TOWN, AreaLevel.VILLAGE)
        or not (area.path.startswith(current_user.area.path))
    ):
        abort(404)
    _start, end = quarter_bounds(year, quarter)
    start = date(year, 1, 1)
    meta = queries.report_meta(area, year, quarter, end, today())
    if form is SUMMARY:
        values = [summary_values(r) for r in queries.summary_rows(area, start, end)]
    else:
        values = [pairing_values(r) for r in queries.pairing_rows(area, start, end, current_user)]
    if fmt:
        content = render_annex(form, values, meta, fmt)
        audit.record("export", object_type=f"aid_{form.key}", object_id=area.id,
                     detail=f"format={fmt} rows={len(values)} year={year} q={quarter}")  # fmt: skip
        db.session.commit()
        return send_file(BytesIO(content), mimetype=MEDIA_TYPES[fmt], as_attachment=True,
                         download_name=f"{file_stem(form, meta)}.{fmt}", max_age=0)  # fmt: skip
    if form is not SUMMARY:
        audit.record("view", object_type=f"aid_{form.key}", object_id=area.id,
                     detail=f"rows={len(values)} year={year} q={quarter}")  # fmt: skip
        db.session.commit()
    return render_template(
        "mutual_aid/report.html", form=form, values=values, meta=meta, area=area,
        header_line=header_line(meta), formats=FORMATS, year=year, quarter=quarter,
    )  # fmt: skip


# --- command line -----------------------------------------------------------------------------


@bp.cli.command("report")
@click.option(
    "--area", "area_name", required=True, help="A town or village (木耳镇, 木耳镇金刚村)."
)
@click.option("--year", type=int, required=True)
@click.option("--quarter", type=click.IntRange(1, 4), required=True)
@click.option("--form", "form_key", type=click.Choice(sorted(FORMS)), required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--out", required=True, help="Output file.")
def report_command(
    area_name: str, year: int, quarter: int, form_key: str, fmt: str, out: str
) -> None:
    """附件1 (汇总表) or 附件2 (结对帮扶台账) of 渝北民〔2023〕23号 for a quarter, to a file.

    Numbers are printed in full (the district's copy)."""
    from caseman.areas.services import find_area

    try:
        area = find_area(area_name)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    if area is None or area.level not in (AreaLevel.TOWN, AreaLevel.VILLAGE):
        raise click.ClickException(f"No town or village called {area_name}.")
    form = FORMS[form_key]
    _start, end = quarter_bounds(year, quarter)
    start = date(year, 1, 1)
    # A shell has no user: the command reads the area's records as the system, on record.
    with system_access(f"cli mutual-aid report area={area.id} form={form.key} {year}Q{quarter}"):
        meta = queries.report_meta(area, year, quarter, end, today())
        if form is SUMMARY:
            values = [summary_values(r) for r in queries.summary_rows(area, start, end)]
        else:
            rows = queries.pairing_rows(area, start, end, full=True)
            values = [pairing_values(r) for r in rows]
        content = render_annex(form, values, meta, fmt)
        Path(out).write_bytes(content)
        detail = f"cli format={fmt} rows={len(values)} year={year} q={quarter}"
        audit.record("export", object_type=f"aid_{form.key}", object_id=area.id, detail=detail)
        db.session.commit()
    click.echo(f"Wrote {out} ({len(values)} rows, {len(content)} bytes).")
