"""Referral and risk pages: raise, move along the allowed path, follow up, acknowledge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseman import clock
from caseman.access import login_required, roles_required
from caseman.auth.models import Role
from caseman.auth.views import _safe_next
from caseman.elders.models import Elder
from caseman.elders.queries import list_filter_areas
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forms import saving
from caseman.i18n import cn_date, translate_message
from caseman.records import RecordPages, saving_new
from caseman.referrals import labels
from caseman.referrals.forms import (
    FollowUpForm,
    ReferralForm,
    ReferralStatusForm,
    RiskForm,
    RiskStatusForm,
)
from caseman.referrals.models import Referral, Risk
from caseman.referrals.queries import (
    get_referral_or_none,
    get_risk_or_none,
    list_follow_ups,
    list_possible_owners,
    list_status_changes,
)
from caseman.referrals.services import (
    acknowledge_risk,
    add_follow_up,
    move_referral,
    move_risk,
    raise_referral,
    raise_risk,
)
from caseman.rules.enums import NeedType, VisitMethod
from caseman.rules.referrals import (
    ReferralStatus,
    RiskStatus,
    RiskType,
    Severity,
    referral_transitions,
    risk_transitions,
)
from caseman.scope import area_in_scope, get_elder_or_404
from caseman.visits import labels as visit_labels
from caseman.visits.queries import get_visit_or_none, list_elder_visits
from caseman.visits.services import new_submission_key
from caseman.visits.views import RECORDERS

bp = Blueprint("referrals", __name__)
REFERRAL = RecordPages(
    kind="referral",
    endpoint="referrals.show_referral",
    id_arg="referral_id",
    find=get_referral_or_none,
)
RISK = RecordPages(
    kind="risk", endpoint="referrals.show_risk", id_arg="risk_id", find=get_risk_or_none
)


def now() -> datetime:
    return clock.now().replace(second=0, microsecond=0)


def _choices(form: Any, elder: Elder) -> None:
    visits = [v for v in list_elder_visits(elder) if not v.is_void]
    form.visit_id.choices = [("", "—")] + [
        (str(v.id), f"{_('Visit no. %(number)s', number=v.number)} · {cn_date(v.visited_on)}")
        for v in visits
    ]
    form.owner_id.choices = [
        (str(u.id), f"{u.display_name} · {u.area.name}") for u in list_possible_owners(elder)
    ]


def _new_follow_up_form() -> FollowUpForm:
    return FollowUpForm(data={"followed_on": clock.today(), "method": VisitMethod.HOME.value})


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# --- referrals ------------------------------------------------------------------------------


@bp.route("/elders/<int:elder_id>/referrals/new", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def new_referral(elder_id: int) -> Any:
    elder = get_elder_or_404(current_user, elder_id)
    if elder.is_archived:
        flash(_("This case is archived: restore it first."), "error")
        return redirect(url_for("elders.show", elder_id=elder.id))
    if request.method == "GET":
        data: dict[str, Any] = {
            "submission_key": new_submission_key(),
            "owner_id": str(current_user.id),
        }
        visit = get_visit_or_none(current_user, request.args.get("visit", 0, type=int))
        if visit is not None and visit.elder_id == elder.id:
            data["visit_id"] = str(visit.id)
            wanted = request.args.get("need", "")
            needs = [n for n in visit.need_types if not wanted or n.value == wanted]
            if needs:
                data["need"] = needs[0].value
            data["description"] = "；".join(
                part for part in (visit.needs_note, visit.suggested_care) if part
            )
        form = ReferralForm(data=data)
    else:
        form = ReferralForm()
    _choices(form, elder)
    if request.method == "POST":
        if not form.submission_key.data:
            form.submission_key.data = new_submission_key()
        if form.validate():
            values = {
                "need": form.need.data,
                "description": form.description.data or "",
                "visit_id": _int(form.visit_id.data),
                "owner_id": _int(form.owner_id.data),
                "follow_up_on": form.follow_up_on.data,
                "benefit": form.benefit.data or None,
            }
            with saving_new(form) as saved:
                referral = raise_referral(
                    current_user, elder, values, form.submission_key.data, clock.today()
                )
            if saved.duplicate:
                return redirect(REFERRAL.url_of(saved.duplicate.record_id))
            if saved:
                flash(_("The referral was recorded."), "success")
                return redirect(url_for("referrals.show_referral", referral_id=referral.id))
        status = 400
    else:
        status = 200
    return render_template("referrals/referral_form.html", form=form, elder=elder,
                           visit_labels=visit_labels, labels=labels), status  # fmt: skip


def _render_referral(referral: Referral, status_form: Any = None, follow_form: Any = None,
                     status: int = 200) -> Any:  # fmt: skip
    if status_form is None:
        status_form = ReferralStatusForm(
            data={
                "version": str(referral.version),
                "consent_on": clock.today(),
                "consent_by": _("The elder themself"),
            }
        )
    if follow_form is None:
        follow_form = _new_follow_up_form()
    return (
        render_template(
            "referrals/referral.html",
            referral=referral,
            elder=referral.elder,
            labels=labels,
            visit_labels=visit_labels,
            targets=sorted(
                referral_transitions(referral.status, referral.need), key=list(ReferralStatus).index
            ),  # fmt: skip
            status_form=status_form,
            follow_form=follow_form,
            history=list_status_changes("referral", referral.id),
            can_act=current_user.role.value in RECORDERS,
            is_benefit=referral.need is NeedType.BENEFITS,
            today_date=clock.today(),
        ),
        status,
    )


@bp.get("/referrals/<int:referral_id>")
@login_required
def show_referral(referral_id: int) -> Any:
    referral = REFERRAL.get_or_404(referral_id)
    REFERRAL.viewed(referral)
    return _render_referral(referral)


@bp.post("/referrals/<int:referral_id>/status")
@roles_required(*RECORDERS)
def referral_status(referral_id: int) -> Any:
    referral = REFERRAL.get_or_404(referral_id)
    form = ReferralStatusForm()

    def move(target: ReferralStatus, version: int | None) -> bool:
        values = _status_values(form)
        return move_referral(current_user, referral, target, values, clock.today(), version)

    return REFERRAL.move(referral, form, ReferralStatus, move, _render_referral, _referral_moved)


def _status_values(form: ReferralStatusForm) -> dict[str, Any]:
    return {
        "referred_to": form.referred_to.data or "",
        "referred_contact": form.referred_contact.data or "",
        "note": form.note.data or "",
        "follow_up_on": form.follow_up_on.data,
        "benefit": form.benefit.data or None,
        "benefit_applied_on": form.benefit_applied_on.data,
        "benefit_outcome": form.benefit_outcome.data or None,
        "consent_answer": form.consent_answer.data or None,
        "consent_by": form.consent_by.data or "",
        "consent_way": form.consent_way.data or None,
        "consent_on": form.consent_on.data,
    }


def _referral_moved(target: ReferralStatus, moved: object) -> tuple[str, str]:
    if moved:
        return _("Status: %(status)s.", status=labels.REFERRAL_STATUS[target]), "success"
    return _("Recorded: the elder did not agree; nothing was handed to the service."), "info"


def _follow_up(record: Referral | Risk, endpoint: str, render: Any, key: str) -> Any:
    form = FollowUpForm()
    if record.is_closed:
        # Closed meanwhile: the page shows no follow-up form (nor its errors), so say why above it.
        flash(_("This record is closed; reopen it first."), "error")
        return render(record, follow_form=form, status=400)
    if form.validate():
        values = {
            "followed_on": form.followed_on.data,
            "method": VisitMethod(form.method.data),
            "findings": form.findings.data or "",
            "next_follow_up_on": form.next_follow_up_on.data,
        }
        with saving(form) as saved:
            add_follow_up(current_user, record, values, clock.today())
        if saved:
            flash(_("The follow-up was recorded."), "success")
            return redirect(url_for(endpoint, **{key: record.id}))
    return render(record, follow_form=form, status=400)


@bp.post("/referrals/<int:referral_id>/follow-ups")
@roles_required(*RECORDERS)
def referral_follow_up(referral_id: int) -> Any:
    referral = REFERRAL.get_or_404(referral_id)
    return _follow_up(referral, "referrals.show_referral", _render_referral, "referral_id")


# --- risks ----------------------------------------------------------------------------------


@bp.route("/elders/<int:elder_id>/risks/new", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def new_risk(elder_id: int) -> Any:
    elder = get_elder_or_404(current_user, elder_id)
    if elder.is_archived:
        flash(_("This case is archived: restore it first."), "error")
        return redirect(url_for("elders.show", elder_id=elder.id))
    if request.method == "GET":
        data: dict[str, Any] = {
            "submission_key": new_submission_key(),
            "owner_id": str(current_user.id),
            "occurred_at": now(),
            "severity": Severity.HIGH.value,
        }
        visit = get_visit_or_none(current_user, request.args.get("visit", 0, type=int))
        if visit is not None and visit.elder_id == elder.id:
            data["visit_id"] = str(visit.id)
            if visit.unsafe_items:
                data["risk_type"] = RiskType.HOME_HAZARD.value
        form = RiskForm(data=data)
    else:
        form = RiskForm()
    _choices(form, elder)
    status = 200
    if request.method == "POST":
        status = 400
        if not form.submission_key.data:
            form.submission_key.data = new_submission_key()
        if form.validate():
            values = {
                name: getattr(form, name).data
                for name in ("risk_type", "severity", "occurred_at", "description",
                             "emergency_called", "emergency_number", "contact_reached",
                             "contact_reached_at", "actions", "follow_up_on")
            }  # fmt: skip
            values["severity"] = Severity(values["severity"])
            values["visit_id"] = _int(form.visit_id.data)
            values["owner_id"] = _int(form.owner_id.data)
            with saving_new(form) as saved:
                risk = raise_risk(
                    current_user, elder, values, form.submission_key.data, clock.today(), now()
                )
            if saved.duplicate:
                return redirect(RISK.url_of(saved.duplicate.record_id))
            if saved:
                if risk.must_report:
                    flash(_("The risk was recorded and reported to the town."), "success")
                else:
                    flash(_("The risk was recorded."), "success")
                return redirect(url_for("referrals.show_risk", risk_id=risk.id))
    return render_template("referrals/risk_form.html", form=form, elder=elder,
                           labels=labels), status  # fmt: skip


def _render_risk(risk: Risk, status_form: Any = None, follow_form: Any = None,
                 status: int = 200) -> Any:  # fmt: skip
    if status_form is None:
        status_form = RiskStatusForm(data={"version": str(risk.version)})
    if follow_form is None:
        follow_form = _new_follow_up_form()
    return (
        render_template(
            "referrals/risk.html",
            risk=risk,
            elder=risk.elder,
            labels=labels,
            visit_labels=visit_labels,
            targets=sorted(risk_transitions(risk.status), key=list(RiskStatus).index),
            status_form=status_form,
            follow_form=follow_form,
            history=list_status_changes("risk", risk.id),
            can_act=current_user.role.value in RECORDERS,
            can_acknowledge=current_user.role in (Role.TOWN, Role.DISTRICT),
        ),
        status,
    )


@bp.get("/risks/<int:risk_id>")
@login_required
def show_risk(risk_id: int) -> Any:
    risk = RISK.get_or_404(risk_id)
    RISK.viewed(risk)
    return _render_risk(risk)


@bp.post("/risks/<int:risk_id>/status")
@roles_required(*RECORDERS)
def risk_status(risk_id: int) -> Any:
    risk = RISK.get_or_404(risk_id)
    form = RiskStatusForm()

    def move(target: RiskStatus, version: int | None) -> None:
        move_risk(current_user, risk, target, form.note.data or "", clock.today(), version)

    return RISK.move(risk, form, RiskStatus, move, _render_risk, _risk_moved)


def _risk_moved(target: RiskStatus, result: object) -> tuple[str, str]:
    return _("Status: %(status)s.", status=labels.RISK_STATUS[target]), "success"


@bp.post("/risks/<int:risk_id>/follow-ups")
@roles_required(*RECORDERS)
def risk_follow_up(risk_id: int) -> Any:
    risk = RISK.get_or_404(risk_id)
    return _follow_up(risk, "referrals.show_risk", _render_risk, "risk_id")


@bp.post("/risks/<int:risk_id>/acknowledge")
@roles_required(Role.TOWN.value, Role.DISTRICT.value)
def acknowledge(risk_id: int) -> Any:
    risk = RISK.get_or_404(risk_id)
    try:
        acknowledge_risk(current_user, risk, clock.today())
        db.session.commit()
        flash(_("The report was acknowledged."), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(translate_message(exc.message, exc.params), "error")
    if request.form.get("next"):
        return redirect(_safe_next(request.form["next"]))
    return redirect(url_for("referrals.show_risk", risk_id=risk.id))


# --- my follow-ups --------------------------------------------------------------------------


@bp.get("/follow-ups")
@login_required
def follow_ups() -> Any:
    """ "My follow-ups"; town and district staff can see every open one in scope, oldest first."""
    staff = current_user.role in (Role.TOWN, Role.DISTRICT)
    scope = request.args.get("scope", "all" if staff else "mine")
    kind = request.args.get("kind", "")
    if kind not in ("", "referrals", "risks"):
        kind = ""
    area = area_in_scope(
        current_user, request.args.get("village", type=int) or request.args.get("town", type=int)
    )
    items = list_follow_ups(current_user, clock.today(), mine_only=scope != "all", kind=kind,
                            area_id=area.id if area else None)  # fmt: skip
    towns, villages = list_filter_areas(current_user)
    return render_template(
        "referrals/follow_ups.html",
        items=items,
        scope=scope,
        kind=kind,
        towns=towns,
        villages=villages,
        labels=labels,
        visit_labels=visit_labels,
        today=clock.today(),
    )
