"""Helpers shared by the visit tests: a valid 附件3 visit, care record and campaign."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.rules.enums import FamilyChange, IllnessChange, Safety, Trend, VisitMethod
from caseman.visits.models import Visit
from caseman.visits.services import new_submission_key, record_visit
from tests.conftest import TODAY


def visit_values(**overrides: Any) -> dict[str, Any]:
    """What the service gets for a plain home visit that found nothing new."""
    values: dict[str, Any] = {
        "visited_on": TODAY, "method": VisitMethod.HOME, "method_other": "",
        "family_change": FamilyChange.UNCHANGED, "family_change_count": None,
        "expression": Trend.UNCHANGED, "mobility": Trend.UNCHANGED,
        "illness": IllnessChange.UNCHANGED, "illness_name": "", "mood": Trend.UNCHANGED,
        "gas_safety": Safety.SAFE, "water_heating_safety": Safety.SAFE,
        "electricity_safety": Safety.SAFE, "personal_hygiene": Trend.UNCHANGED,
        "home_hygiene": Trend.UNCHANGED, "indoor_environment": Trend.UNCHANGED,
        "needs": [], "needs_note": "", "suggested_care": "", "visitor_name": "王芳",
        "visited_person_name": "张秀英", "recorder_name": "王芳", "note": "",
    }  # fmt: skip
    values.update(overrides)
    return values


def care_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "cared_on": TODAY, "visit_id": None, "need": None, "what_was_done": "上门送餐",
        "provider": "金刚村互助养老点", "satisfaction": None, "satisfaction_note": "",
    }  # fmt: skip
    values.update(overrides)
    return values


@pytest.fixture
def recorder(make_user: Callable[..., User]) -> User:
    """A village cadre of 金刚村 who records visits."""
    return make_user("village", "jingang", username="cadre")


@pytest.fixture
def add_visit(recorder: User) -> Callable[..., Visit]:
    """Record a visit through the service and commit (``today`` defaults to the real date)."""

    def add(elder: Elder, visited_on: date, today: date = TODAY, **overrides: Any) -> Visit:
        values = visit_values(visited_on=visited_on, **overrides)
        visit = record_visit(recorder, elder, values, new_submission_key(), today)
        db.session.commit()
        return visit

    return add
