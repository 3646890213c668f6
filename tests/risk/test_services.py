"""The stored risk level follows its inputs (visits, risks, categories) and the staff override
(issue 20 item 1; 003 二(二))."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.elders.models import ElderCategory
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.referrals.services import move_risk, raise_risk
from caseman.risk.models import ElderRiskLevel
from caseman.risk.services import clear_risk_override, override_risk_level, refresh_risk_levels
from caseman.rules.enums import Category, Safety, Trend
from caseman.rules.referrals import RiskStatus
from caseman.rules.risk_level import RiskLevel
from caseman.visits.services import new_submission_key, void_record
from tests.conftest import TODAY
from tests.referrals.conftest import NOW, risk_values


def other_elder(make_elder, categories, **overrides):
    """An elder with ``categories`` confirmed by staff (with the reasons the check asks for)."""
    values = {"category_override_reason": "村委会核实", "is_key": False,
              "key_override_reason": "村委会核实",
              "filed_on": TODAY - timedelta(days=60)}  # fmt: skip
    values.update(overrides)
    return make_elder(categories=categories, **values)


def stored(elder) -> ElderRiskLevel:
    db.session.expire_all()
    row = db.session.scalar(select(ElderRiskLevel).where(ElderRiskLevel.elder_id == elder.id))
    assert row is not None
    return row


def test_a_new_case_gets_its_level_when_registered(make_elder):
    alone = make_elder()  # 独居, ability intact
    row = stored(alone)
    assert row.level == row.computed_level == RiskLevel.MEDIUM
    assert row.reasons[0][0].startswith("Living alone")
    disabled = make_elder(ability_level="moderate",
                          categories={Category.LIVING_ALONE, Category.DISABLED_CARE})  # fmt: skip
    assert stored(disabled).level == RiskLevel.HIGH


def test_the_latest_visit_decides_the_findings(make_elder, add_visit):
    elder = other_elder(make_elder, {Category.EMPTY_NEST})
    assert stored(elder).level == RiskLevel.LOW
    unsafe = add_visit(elder, TODAY - timedelta(days=3), gas_safety=Safety.UNSAFE)
    row = stored(elder)
    assert row.level == RiskLevel.HIGH
    assert row.reasons[0][1] == {"items": ["gas"]}
    add_visit(elder, TODAY - timedelta(days=1), mobility=Trend.WORSE)
    assert stored(elder).level == RiskLevel.MEDIUM  # the gas was put right, mobility is worse
    # An older visit entered later does not replace the latest findings.
    add_visit(elder, TODAY - timedelta(days=20), electricity_safety=Safety.UNSAFE)
    assert stored(elder).level == RiskLevel.MEDIUM
    assert unsafe.number == 1


def test_voiding_the_latest_visit_goes_back_to_the_one_before(make_elder, add_visit, recorder):
    elder = other_elder(make_elder, {Category.EMPTY_NEST})
    add_visit(elder, TODAY - timedelta(days=5))
    latest = add_visit(elder, TODAY, gas_safety=Safety.UNSAFE)
    assert stored(elder).level == RiskLevel.HIGH
    void_record(recorder, latest, "录错了老人", latest.version)
    db.session.commit()
    assert stored(elder).level == RiskLevel.LOW


def test_an_open_risk_makes_it_high_until_closed(make_elder, recorder):
    elder = other_elder(make_elder, {Category.EMPTY_NEST})
    risk = raise_risk(recorder, elder, risk_values(), new_submission_key(), TODAY, NOW)
    db.session.commit()
    assert stored(elder).level == RiskLevel.HIGH
    move_risk(recorder, risk, RiskStatus.CLOSED, "已送医处理", TODAY, risk.version)
    db.session.commit()
    assert stored(elder).level == RiskLevel.LOW


def test_a_category_change_is_followed(make_elder):
    elder = other_elder(make_elder, {Category.EMPTY_NEST})
    db.session.add(ElderCategory(elder_id=elder.id, category=Category.SEVERE_DISABILITY))
    db.session.commit()
    assert stored(elder).level == RiskLevel.MEDIUM


def test_override_with_reason_keeps_the_computed_level_and_clearing_returns_it(
    make_elder, make_user
):
    elder = make_elder()
    staff = make_user("village", "jingang", username="vstaff")
    with pytest.raises(DomainError) as error:
        override_risk_level(staff, elder, RiskLevel.HIGH, "  ")
    assert error.value.field == "reason"
    override_risk_level(staff, elder, RiskLevel.HIGH, "近期独自外出走失过一次")
    db.session.commit()
    row = stored(elder)
    assert (row.level, row.computed_level, row.override_level) == (
        RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.HIGH)  # fmt: skip
    assert row.override_by_id == staff.id
    assert row.override_at is not None
    # A new input refreshes the computed level; the override stays in force.
    db.session.add(ElderCategory(elder_id=elder.id, category=Category.SEVERE_DISABILITY))
    db.session.commit()
    assert stored(elder).level == RiskLevel.HIGH
    clear_risk_override(staff, elder)
    db.session.commit()
    row = stored(elder)
    assert row.level == row.computed_level == RiskLevel.MEDIUM
    assert row.override_level is None
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.elder_id == elder.id, AuditEvent.object_type == "risk_level"
        )  # fmt: skip
    ).all()
    assert actions == ["risk_override", "risk_override_cleared"]
    with pytest.raises(DomainError):
        clear_risk_override(staff, elder)


def test_refresh_fills_elders_without_a_level(make_elder):
    elder = make_elder()
    db.session.delete(stored(elder))
    db.session.commit()
    refresh_risk_levels([elder.id, 999999])  # an unknown id is skipped
    db.session.commit()
    assert stored(elder).level == RiskLevel.MEDIUM


def test_a_rolled_back_change_leaves_nothing_behind(make_elder, add_visit):
    elder = other_elder(make_elder, {Category.EMPTY_NEST})
    db.session.add(ElderCategory(elder_id=elder.id, category=Category.DISABLED_CARE))
    db.session.flush()
    db.session.rollback()
    add_visit(elder, TODAY)
    assert stored(elder).level == RiskLevel.LOW
