"""The risk level on the case file (风险等级, 003 二(二)): shown with its reasons, overridden by
staff with a reason, the override cleared; and the dashboard's risk section."""

from __future__ import annotations

from typing import Any

import click
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseman import clock
from caseman.access import roles_required
from caseman.auth.models import Role
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forces import labels
from caseman.forces.forms import ClearOverrideForm, RiskOverrideForm
from caseman.forms import saving
from caseman.i18n import translate_message
from caseman.risk import services
from caseman.risk.queries import high_risk_visit_days
from caseman.rules.enums import N_
from caseman.rules.risk_level import RiskLevel, weekly_due
from caseman.scope import get_elder_or_404

bp = Blueprint("risk", __name__)


@click.command("refresh-risk-levels")
def refresh_command() -> None:
    """Work out the risk level of every elder (after an upgrade; it is kept current after)."""
    from sqlalchemy import select

    from caseman.elders.models import Elder
    from caseman.scope import system_access

    with system_access("refresh-risk-levels"):
        ids = list(db.session.scalars(select(Elder.id)))
        services.refresh_risk_levels(ids)
        db.session.commit()
    click.echo(f"{len(ids)} elders")


def _setup(state: Any) -> None:
    services.install()
    state.app.cli.add_command(refresh_command)


bp.record_once(_setup)
bp.add_app_template_global(lambda: labels, "risk_force_labels")

# Who may set the level by hand: staff (visitors see it and its reasons).
OVERRIDERS = (Role.DISTRICT.value, Role.TOWN.value, Role.VILLAGE.value)


def reason_texts(reasons: list[Any]) -> list[str]:
    """The stored reasons ([msgid, params] pairs) in the reader's language."""
    texts = []
    for item in reasons or []:
        message, params = (item[0], item[1]) if len(item) > 1 else (item[0], {})
        params = dict(params)
        if isinstance(params.get("items"), list):
            params["items"] = _(", ").join(translate_message(v, {}) for v in params["items"])
        texts.append(translate_message(message, params))
    return texts


@bp.app_template_global("risk_of")
def risk_of(elder: Any) -> dict[str, Any]:
    """The case file's risk section: the level in force, the rule's level and reasons, the
    override, and a high-risk elder's weekly home-visit rhythm."""
    from caseman.visits.queries import status_of

    record = services.current_assessment(elder)
    weekly = None
    days = high_risk_visit_days()
    if record.level == RiskLevel.HIGH and not elder.is_archived:
        today = clock.today()
        last = status_of(elder, today).last_home_visit_on
        weekly = weekly_due(today, elder.filed_on, last, days)
    return {
        "record": record,
        "reasons": reason_texts(record.reasons),
        "weekly": weekly,
        "days": days,
        "labels": labels,
        "may_override": current_user.role.value in OVERRIDERS and not elder.is_archived,
    }


@bp.route("/elders/<int:elder_id>/risk-level", methods=["GET", "POST"])
@roles_required(*OVERRIDERS)
def override(elder_id: int) -> Any:
    """Set the risk level by hand, with a reason; or go back to the level worked out."""
    elder = get_elder_or_404(current_user, elder_id)
    form = RiskOverrideForm(prefix="set")
    clear_form = ClearOverrideForm(prefix="clear")
    record = services.current_assessment(elder)
    status = 200
    if clear_form.submit.data and clear_form.validate_on_submit():
        try:
            services.clear_risk_override(current_user, elder)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(translate_message(exc.message, exc.params), "error")
        else:
            flash(_("The risk level worked out from the case file applies again."), "success")
        return redirect(url_for("elders.show", elder_id=elder.id))
    if form.submit.data and form.is_submitted():
        if form.validate():
            with saving(form) as saved:
                if (form.level.data or "").strip() not in tuple(RiskLevel):
                    raise DomainError("level", N_("Please choose one."))
                services.override_risk_level(
                    current_user, elder, RiskLevel(form.level.data.strip()), form.reason.data or ""
                )
            if saved:
                flash(_("The risk level was set; the reason is kept beside it."), "success")
                return redirect(url_for("elders.show", elder_id=elder.id))
        status = 400
    elif record.override_level is not None:
        form.level.data = record.override_level.value
    return (
        render_template(
            "risk/override.html",
            form=form,
            clear_form=clear_form,
            elder=elder,
            record=record,
            reasons=reason_texts(record.reasons),
            labels=labels,
        ),
        status,
    )
