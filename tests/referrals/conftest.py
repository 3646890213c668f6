"""Helpers shared by the referral tests: people of 木耳镇 and 古路镇, a visit that found needs,
and referrals and risks raised through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.referrals.models import Referral, Risk
from caseman.referrals.services import raise_referral, raise_risk
from caseman.rules.enums import NeedType, Safety
from caseman.rules.referrals import RiskType, Severity
from caseman.visits.models import Visit
from caseman.visits.services import new_submission_key, record_visit
from tests.conftest import TODAY
from tests.visits.conftest import visit_values

FILED = TODAY - timedelta(days=120)
NOW = datetime.combine(TODAY, datetime.min.time()).replace(hour=12)  # noon today


def referral_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "need": NeedType.REHABILITATION.value, "description": "右腿术后需要康复训练",
        "visit_id": None, "owner_id": None, "follow_up_on": None, "benefit": None,
    }  # fmt: skip
    values.update(overrides)
    return values


def risk_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "risk_type": RiskType.FALL.value, "severity": Severity.HIGH,
        "occurred_at": NOW - timedelta(hours=3), "description": "在厨房跌倒，右手擦伤",
        "emergency_called": False, "emergency_number": "", "contact_reached": "",
        "contact_reached_at": None, "actions": "", "owner_id": None, "follow_up_on": None,
        "visit_id": None,
    }  # fmt: skip
    values.update(overrides)
    return values


@pytest.fixture
def cadre(make_user: Callable[..., User]) -> User:
    """A village cadre of 金刚村 (木耳镇) who visits and raises referrals."""
    return make_user("village", "jingang", username="cadre", full_name="王芳")


@pytest.fixture
def town_user(make_user: Callable[..., User]) -> User:
    """Civil-affairs staff of 木耳镇."""
    return make_user("town", "muer", username="muer_staff", full_name="刘镇")


@pytest.fixture
def other_town_user(make_user: Callable[..., User]) -> User:
    """Civil-affairs staff of 古路镇: must never see 木耳镇's elders."""
    return make_user("town", "gulu", username="gulu_staff", full_name="陈古")


@pytest.fixture
def elder(make_elder: Callable[..., Elder]) -> Elder:
    return make_elder(filed_on=FILED)


@pytest.fixture
def add_visit(cadre: User) -> Callable[..., Visit]:
    """Record a visit that found needs (and an unsafe gas stove, by default none)."""

    def add(elder: Elder, visited_on: date = TODAY - timedelta(days=7), **overrides: Any) -> Visit:
        values = visit_values(visited_on=visited_on, **overrides)
        visit = record_visit(cadre, elder, values, new_submission_key(), TODAY)
        db.session.commit()
        return visit

    return add


@pytest.fixture
def needs_visit(elder: Elder, add_visit: Callable[..., Visit]) -> Visit:
    """A visit that found a medical and an adaptation need."""
    return add_visit(
        elder,
        needs=[NeedType.MEDICAL.value, NeedType.ADAPTATION.value],
        needs_note="血压控制不好，需要家庭医生上门",
        suggested_care="联系镇卫生院签约家庭医生",
        gas_safety=Safety.SAFE,
    )


@pytest.fixture
def add_referral(cadre: User) -> Callable[..., Referral]:
    """Raise a referral through the service and commit."""

    def add(elder: Elder, actor: User | None = None, today: date = TODAY,
            **overrides: Any) -> Referral:  # fmt: skip
        referral = raise_referral(
            actor or cadre, elder, referral_values(**overrides), new_submission_key(), today
        )
        db.session.commit()
        return referral

    return add


@pytest.fixture
def add_risk(cadre: User) -> Callable[..., Risk]:
    """Raise a risk through the service and commit."""

    def add(elder: Elder, actor: User | None = None, today: date = TODAY, now: datetime = NOW,
            **overrides: Any) -> Risk:  # fmt: skip
        risk = raise_risk(
            actor or cadre, elder, risk_values(**overrides), new_submission_key(), today, now
        )
        db.session.commit()
        return risk

    return add
