"""The home page: the user's caseload at a glance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from caseman import clock
from caseman.access import login_required
from caseman.elders import labels
from caseman.elders.models import Elder, ElderCategory
from caseman.extensions import db
from caseman.referrals import labels as referral_labels
from caseman.referrals.queries import list_unacknowledged_reports
from caseman.scope import elder_filter
from caseman.visits.queries import HISTORY_MONTHS, campaign_progress, list_campaigns
from caseman.visits.queries import dashboard as visit_dashboard

bp = Blueprint("dashboard", __name__)

REVIEW_INTERVAL = timedelta(days=183)  # 每半年动态更新一次 (004 二(三))


@bp.get("/")
@login_required
def index() -> Any:
    active = sa.and_(elder_filter(current_user), Elder.archived_on.is_(None))
    cutoff = clock.today() - REVIEW_INTERVAL
    review_on = sa.func.coalesce(Elder.last_reviewed_on, Elder.filed_on)
    # The three counts in one pass over the elders in scope.
    total, key, review_due_total = db.session.execute(
        select(
            sa.func.count(Elder.id),
            sa.func.count(Elder.id).filter(Elder.is_key),
            sa.func.count(Elder.id).filter(review_on <= cutoff),
        ).where(active)
    ).one()
    by_category = dict(
        db.session.execute(
            select(ElderCategory.category, sa.func.count())
            .join(Elder, Elder.id == ElderCategory.elder_id)
            .where(active)
            .group_by(ElderCategory.category)
            # Scoped by the join to the elders in scope: the data-layer criteria would probe
            # each category row's elder once more.
            .execution_options(caseman_unscoped=True)
        ).all()
    )
    review_due = db.session.scalars(
        select(Elder).where(active, review_on <= cutoff).order_by(review_on, Elder.name).limit(20)
    ).all()
    today = clock.today()
    campaigns = [
        campaign_progress(c, current_user)
        for c in list_campaigns(current_user, today, open_only=True)
    ]
    return render_template(
        "dashboard/index.html",
        visits=visit_dashboard(current_user, today),
        history_months=HISTORY_MONTHS,
        reports=list_unacknowledged_reports(current_user),
        risk_labels=referral_labels,
        campaigns=campaigns,
        total=total,
        key=key,
        by_category=by_category,
        review_due=review_due,
        review_due_total=review_due_total,
        labels=labels,
    )
