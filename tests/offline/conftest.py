"""Helpers of the offline tests: a visitor with assigned elders, and the fields of a visit form
as the browser's offline store sends them again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.visitors.services import assign_visitor
from tests.conftest import TODAY

VISIT_FIELDS = {
    "visited_on": TODAY.isoformat(), "method": "home", "family_change": "unchanged",
    "expression": "unchanged", "mobility": "unchanged", "illness": "unchanged",
    "mood": "better", "gas_safety": "safe", "water_heating_safety": "safe",
    "electricity_safety": "safe", "personal_hygiene": "unchanged", "home_hygiene": "unchanged",
    "indoor_environment": "unchanged", "visitor_name": "王探访", "visited_person_name": "张秀英",
    "recorder_name": "王探访", "suggested_care": "离线时记录",
}  # fmt: skip
CARE_FIELDS = {"cared_on": TODAY.isoformat(), "what_was_done": "送米送油", "provider": "王探访"}


def visit_fields(**overrides: Any) -> dict[str, Any]:
    return {**VISIT_FIELDS, **overrides}


@pytest.fixture
def assign(make_user: Callable[..., User]) -> Callable[[User, list[Elder]], None]:
    """Make ``worker`` the visitor of ``elders`` (as a village cadre would)."""
    cadres: list[User] = []

    def run(worker: User, elders: list[Elder]) -> None:
        if not cadres:
            cadres.append(make_user("village", "jingang", username="assigner"))
        assign_visitor(cadres[0], elders, worker, TODAY, TODAY)
        db.session.commit()

    return run
