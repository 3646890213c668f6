"""Reading submissions: one in scope, and the towns × half-years overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import abort
from sqlalchemy import select

from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import User
from caseman.extensions import db
from caseman.rules.half_year import HalfYear, recent_half_years
from caseman.scope import scoped_areas
from caseman.submissions.models import Submission
from caseman.submissions.services import Changes, changes_between, previous_accepted

PERIODS_SHOWN = 4


def get_submission_or_404(user: User, submission_id: int) -> Submission:
    """A submission of a town in the user's area (district: every town; town: its own), or 404."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or not user.is_active or not user.area.contains(submission.town):
        abort(404)
    return submission


def list_towns(user: User) -> list[Area]:
    return list(
        db.session.scalars(
            scoped_areas(user).where(Area.level == AreaLevel.TOWN).order_by(Area.path)
        )
    )


@dataclass
class TownLine:
    """One town of the overview: its package per half-year and what changed since the district
    last accepted one."""

    town: Area
    cells: list[Submission | None]
    last_accepted: Submission | None
    changes: Changes | None


def overview(user: User, today: date, now: datetime) -> tuple[list[HalfYear], list[TownLine]]:
    periods = recent_half_years(today, PERIODS_SHOWN)
    towns = list_towns(user)
    found = {
        (s.town_id, s.year, s.half): s
        for s in db.session.scalars(
            select(Submission).where(Submission.town_id.in_([t.id for t in towns]))
        )
    }
    lines = []
    for town in towns:
        last = previous_accepted(town)
        changes = changes_between(town, last.submitted_at, now) if last else None
        cells = [found.get((town.id, p.year, p.half)) for p in periods]
        lines.append(TownLine(town, cells, last, changes))
    return periods, lines
