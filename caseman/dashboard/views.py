"""The home page: the user's caseload at a glance."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user

from caseman import clock
from caseman.access import login_required
from caseman.area_figures import (
    dashboard_summary_command,
    home_figures,
    longest_without_review,
)
from caseman.elders import labels
from caseman.referrals import labels as referral_labels
from caseman.referrals.queries import list_unacknowledged_reports
from caseman.risk.queries import risk_dashboard
from caseman.visits.queries import HISTORY_MONTHS, campaign_progress, list_campaigns

bp = Blueprint("dashboard", __name__, cli_group=None)
bp.cli.add_command(dashboard_summary_command)  # flask dashboard-summary


@bp.get("/")
@login_required
def index() -> Any:
    today = clock.today()
    # The counts and the visit figures: added up from the per-area rows kept current by every
    # change (caseman.area_figures), for a district in a few hundred rows.
    figures = home_figures(current_user, today)
    review_due = longest_without_review(current_user, today)
    campaigns = [
        campaign_progress(c, current_user)
        for c in list_campaigns(current_user, today, open_only=True)
    ]
    return render_template(
        "dashboard/index.html",
        visits=figures.visits,
        history_months=HISTORY_MONTHS,
        reports=list_unacknowledged_reports(current_user),
        risk_labels=referral_labels,
        campaigns=campaigns,
        total=figures.total,
        key=figures.key,
        by_category=figures.by_category,
        review_due=review_due,
        review_due_total=figures.review_due,
        labels=labels,
    )


@bp.app_template_global("risk_dashboard")
def risk_section() -> Any:
    """The home page's risk and service-force section (risk/_dashboard's include), from the
    kept per-area figures (read once for the page)."""
    today = clock.today()
    return risk_dashboard(current_user, today, home_figures(current_user, today).risk)
