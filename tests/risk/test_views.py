"""The risk level on the case file, its override, the due list's weekly flag of high-risk elders
and the dashboard's alert "失能老人独居" (issue 20 item 1; 003 二(二), 二(一))."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from caseman.audit import AuditEvent
from caseman.extensions import db
from caseman.risk.models import ElderRiskLevel
from caseman.rules.enums import Category
from caseman.rules.risk_level import RiskLevel
from caseman.visits.services import new_submission_key, record_visit
from tests.visits.conftest import visit_values

DISABLED_ALONE = {"ability_level": "moderate",
                  "categories": {Category.LIVING_ALONE, Category.DISABLED_CARE}}  # fmt: skip


def level_of(elder) -> ElderRiskLevel:
    db.session.expire_all()
    return db.session.scalar(sa.select(ElderRiskLevel).where(ElderRiskLevel.elder_id == elder.id))


def test_the_case_file_shows_the_level_and_its_reasons(client, make_user, make_elder, login_as):
    elder = make_elder(**DISABLED_ALONE)
    login_as(make_user("village", "jingang"))
    page = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert 'data-risk="high"' in page
    assert "高风险" in page
    assert "失能且独居" in page  # the reason, in Chinese
    assert "每7天至少上门探访一次" in page  # the high-risk rhythm


def test_override_needs_a_reason_beside_the_field_then_is_shown_and_audited(
    client, make_user, make_elder, login_as
):
    elder = make_elder()  # 独居: medium
    login_as(make_user("village", "jingang"))
    assert client.get(f"/elders/{elder.id}/risk-level").status_code == 200
    refused = client.post(
        f"/elders/{elder.id}/risk-level",
        data={"set-level": "high", "set-reason": "", "set-submit": "1"},
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "请填写" in page
    assert 'selected value="high"' in page
    done = client.post(
        f"/elders/{elder.id}/risk-level",
        data={"set-level": "high", "set-reason": "曾独自外出走失", "set-submit": "1"},
    )
    assert done.status_code == 302
    row = level_of(elder)
    assert (row.level, row.computed_level) == (RiskLevel.HIGH, RiskLevel.MEDIUM)
    page = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert 'data-risk="high"' in page
    assert "曾独自外出走失" in page
    assert "中风险" in page
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "risk_override"))
        == 1
    )
    cleared = client.post(f"/elders/{elder.id}/risk-level", data={"clear-submit": "1"})
    assert cleared.status_code == 302
    assert level_of(elder).level == RiskLevel.MEDIUM


def test_another_towns_staff_and_workers_get_404(client, make_user, make_elder, login_as):
    elder = make_elder()
    login_as(make_user("village", "caoping"))
    assert client.get(f"/elders/{elder.id}/risk-level").status_code == 404
    assert client.post(f"/elders/{elder.id}/risk-level",
                       data={"set-level": "low", "set-reason": "x"}).status_code == 404  # fmt: skip
    client.post("/logout")
    login_as(make_user("worker", "jingang"))
    assert client.get(f"/elders/{elder.id}/risk-level").status_code == 404
    assert level_of(elder).override_level is None


def test_dashboard_raises_the_disabled_living_alone_alert_in_its_town_only(
    client, make_user, make_elder, login_as
):
    make_elder(name="刘失能", **DISABLED_ALONE)
    make_elder(name="陈独居")
    login_as(make_user("town", "muer"))
    page = client.get("/").get_data(as_text=True)
    assert "失能老人独居" in page
    assert "刘失能" in page
    assert "陈独居" not in page.split("失能老人独居")[1].split("</section>")[0]
    client.post("/logout")
    login_as(make_user("town", "gulu"))
    page = client.get("/").get_data(as_text=True)
    assert "刘失能" not in page


def test_due_list_flags_a_high_risk_elder_visited_this_month_but_not_this_week(
    client, make_user, make_elder, login_as, frozen_clock
):
    frozen_clock(datetime(2026, 11, 25, 10, 0))
    today = date(2026, 11, 25)
    staff = make_user("village", "jingang")
    high = make_elder(name="高风险甲", filed_on=date(2026, 10, 1), is_key=False,
                      key_override_reason="核实", **DISABLED_ALONE)  # fmt: skip
    calm = make_elder(name="平稳乙", filed_on=date(2026, 10, 1), is_key=False,
                      key_override_reason="核实")  # fmt: skip
    for elder in (high, calm):
        record_visit(staff, elder, visit_values(visited_on=date(2026, 11, 10)),
                     new_submission_key(), today)  # fmt: skip
    db.session.commit()
    login_as(staff)
    page = client.get("/visits/due").get_data(as_text=True)
    assert "高风险甲" in page
    assert "平稳乙" not in page
    assert "每周探访到期" in page
    # The official counting of 004 is untouched: both count as visited this period.
    done = client.get("/visits/due?state=done").get_data(as_text=True)
    assert "高风险甲" in done
    assert "平稳乙" in done


def test_a_blank_level_is_refused_beside_the_field_not_a_500(
    client, make_user, make_elder, login_as
):
    elder = make_elder()
    login_as(make_user("village", "jingang"))
    response = client.post(
        f"/elders/{elder.id}/risk-level",
        data={"set-level": "  ", "set-reason": "核实", "set-submit": "1"},
    )
    assert response.status_code == 400
    assert "请选择一项" in response.get_data(as_text=True)


def test_high_risk_ids_of_a_list_are_asked_by_id_or_all_read(make_elder, monkeypatch):
    """A due list asks for its own elders' high risk by id (a village's list no longer reads the
    district's every high-risk id: 230 ms at 1,000,000 elders), and reads them all past
    HIGH_RISK_AMONG; both answer the same for the elders asked about."""
    from caseman.risk import queries

    high = [make_elder(name=f"高风险{k}", **DISABLED_ALONE) for k in range(3)]
    calm = make_elder(name="平稳丙")
    db.session.commit()
    levels = {e.id: level_of(e).level for e in (*high, calm)}
    assert [levels[e.id] for e in high] == [RiskLevel.HIGH] * 3
    assert levels[calm.id] != RiskLevel.HIGH
    asked = [high[0].id, high[2].id, calm.id]
    assert queries.high_risk_ids(asked) == {high[0].id, high[2].id}
    assert queries.high_risk_ids([]) == set()
    assert queries.high_risk_ids() == {e.id for e in high}
    monkeypatch.setattr(queries, "HIGH_RISK_AMONG", 2)  # past it: every id, the caller filters
    assert queries.high_risk_ids(asked) == {e.id for e in high}
