"""Benefit applications (issue 20 item 5): recording an application and its outcome, a grant
updating the case file with a new version, the list with filters and counts per area, scope."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.benefits.models import BenefitApplication
from caseman.benefits.services import apply_for_benefit, decide_application
from caseman.elders.models import Elder, ElderVersion
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.rules.benefits import BenefitKind, Outcome
from tests.conftest import TODAY, log_in, row_counts

EARLIER = TODAY - timedelta(days=30)


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


@pytest.fixture
def elder(make_elder):
    return make_elder(is_dibao=False, subsidy_items="", filed_on=TODAY - timedelta(days=100))


def versions(elder_id):
    db.session.expire_all()
    return db.session.scalars(
        select(ElderVersion).where(ElderVersion.elder_id == elder_id).order_by(ElderVersion.number)
    ).all()


def test_granting_dibao_updates_the_case_file_with_a_version(elder, make_user):
    cadre = make_user("village", "jingang")
    application = apply_for_benefit(cadre, elder, kind=BenefitKind.DIBAO, other_name="",
                                    applied_on=EARLIER, note="", today=TODAY)  # fmt: skip
    db.session.commit()
    assert len(versions(elder.id)) == 1
    decide_application(cadre, application, outcome=Outcome.GRANTED, decided_on=TODAY,
                       monthly_amount=None, reason="", today=TODAY)  # fmt: skip
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Elder, elder.id).is_dibao
    history = versions(elder.id)
    assert [v.kind for v in history] == ["created", "benefit"]
    assert history[-1].changed_fields == ["is_dibao"]
    assert history[-1].note.startswith("获批低保（")
    assert application.elder_version == 2
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.elder_id == elder.id)
    ).all()
    assert {"benefit_apply", "benefit_grant", "update"} <= set(actions)
    with pytest.raises(DomainError):  # decided once
        decide_application(cadre, application, outcome=Outcome.REFUSED, decided_on=TODAY,
                           monthly_amount=None, reason="重复", today=TODAY)  # fmt: skip


def test_allowance_grant_adds_the_item_and_amount(elder, make_user):
    cadre = make_user("village", "jingang")
    kind = BenefitKind.OLD_AGE_ALLOWANCE
    application = apply_for_benefit(cadre, elder, kind=kind, other_name="", applied_on=EARLIER,
                                    note="", today=TODAY)  # fmt: skip
    decide_application(cadre, application, outcome=Outcome.GRANTED, decided_on=TODAY,
                       monthly_amount=Decimal("100.00"), reason="", today=TODAY)  # fmt: skip
    db.session.commit()
    db.session.expire_all()
    saved = db.session.get(Elder, elder.id)
    assert saved.subsidy_items == "高龄津贴"
    assert saved.subsidy_monthly == Decimal("100.00")
    assert versions(elder.id)[-1].changed_fields == ["subsidy_items", "subsidy_monthly"]


def test_refusal_changes_no_case_file_and_needs_a_reason(elder, make_user):
    cadre = make_user("village", "jingang")
    application = apply_for_benefit(cadre, elder, kind=BenefitKind.CARE_SUBSIDY, other_name="",
                                    applied_on=EARLIER, note="", today=TODAY)  # fmt: skip
    with pytest.raises(DomainError) as error:
        decide_application(cadre, application, outcome=Outcome.REFUSED, decided_on=TODAY,
                           monthly_amount=None, reason=" ", today=TODAY)  # fmt: skip
    assert error.value.field == "reason"
    decide_application(cadre, application, outcome=Outcome.REFUSED, decided_on=TODAY,
                       monthly_amount=None, reason="未达到失能等级", today=TODAY)  # fmt: skip
    db.session.commit()
    assert len(versions(elder.id)) == 1
    assert application.reason == "未达到失能等级"


def test_application_checks(elder, make_user):
    cadre = make_user("village", "jingang")
    with pytest.raises(DomainError) as future:
        apply_for_benefit(cadre, elder, kind=BenefitKind.DIBAO, other_name="",
                          applied_on=TODAY + timedelta(days=1), note="", today=TODAY)  # fmt: skip
    assert future.value.field == "applied_on"
    with pytest.raises(DomainError) as unnamed:
        apply_for_benefit(cadre, elder, kind=BenefitKind.OTHER, other_name="",
                          applied_on=TODAY, note="", today=TODAY)  # fmt: skip
    assert unnamed.value.field == "other_name"


def test_pages_record_an_application_and_its_outcome(app, elder, make_user):
    client = client_of(app, make_user("village", "jingang"))
    assert client.get(f"/elders/{elder.id}/benefits/new").status_code == 200
    bad = client.post(f"/elders/{elder.id}/benefits/new",
                      data={"kind": "other", "other_name": "", "applied_on": TODAY.isoformat(),
                            "note": "村里代办"})  # fmt: skip
    assert bad.status_code == 400
    assert "请填写待遇名称" in bad.get_data(as_text=True)
    assert "村里代办" in bad.get_data(as_text=True)
    response = client.post(f"/elders/{elder.id}/benefits/new",
                           data={"kind": "dibao", "applied_on": EARLIER.isoformat(),
                                 "note": "村里代办"})  # fmt: skip
    assert response.status_code == 302
    application = db.session.scalar(select(BenefitApplication))
    case_file = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert 'id="benefits"' in case_file
    assert "待审批" in case_file
    url = f"/elders/{elder.id}/benefits/{application.id}/decide"
    refused = client.post(url, data={"outcome": "refused", "decided_on": TODAY.isoformat(),
                                     "reason": ""})  # fmt: skip
    assert refused.status_code == 400
    assert "请填写未批准的原因" in refused.get_data(as_text=True)
    granted = client.post(url, data={"outcome": "granted", "decided_on": TODAY.isoformat(),
                                     "monthly_amount": "", "reason": ""})  # fmt: skip
    assert granted.status_code == 302
    case_file = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert "待遇获批" in case_file  # the version history names the grant
    assert f"/elders/{elder.id}/versions/2" in case_file or "获批低保" in case_file


def test_list_filters_and_counts_per_area(app, make_elder, make_user):
    cadre = make_user("village", "jingang")
    jingang = make_elder(area="jingang", name="甲", is_dibao=False)
    baiyan = make_elder(area="baiyan", name="乙", is_dibao=False)
    caoping = make_elder(area="caoping", name="丙", is_dibao=False)
    district = make_user("district", "district")
    for person, kind in ((jingang, BenefitKind.DIBAO), (baiyan, BenefitKind.CARE_SUBSIDY),
                         (caoping, BenefitKind.DIBAO)):  # fmt: skip
        apply_for_benefit(district, person, kind=kind, other_name="", applied_on=EARLIER,
                          note="", today=TODAY)  # fmt: skip
    granted = db.session.scalars(select(BenefitApplication)).all()[0]
    decide_application(district, granted, outcome=Outcome.GRANTED, decided_on=TODAY,
                       monthly_amount=None, reason="", today=TODAY)  # fmt: skip
    db.session.commit()

    whole = client_of(app, district).get("/benefits/").get_data(as_text=True)
    assert all(name in whole for name in ("甲", "乙", "丙", "木耳镇", "古路镇"))
    town = client_of(app, make_user("town", "muer")).get("/benefits/").get_data(as_text=True)
    assert "甲" in town
    assert "乙" in town
    assert "丙" not in town
    assert "金刚村" in town
    assert "白岩村" in town
    village = client_of(app, cadre)
    page = village.get("/benefits/").get_data(as_text=True)
    assert "甲" in page
    assert "乙" not in page
    dibao = client_of(app, district).get("/benefits/?kind=dibao&outcome=pending")
    html = dibao.get_data(as_text=True)
    assert "丙" in html
    assert "甲" not in html
    assert "乙" not in html
    later = client_of(app, district).get(f"/benefits/?start={TODAY.isoformat()}")
    assert "甲" not in later.get_data(as_text=True)
    assert f'name="start" value="{TODAY.isoformat()}"' in later.get_data(as_text=True)
    bad = client_of(app, district).get("/benefits/?start=nonsense&kind=%00&area=99999999999")
    assert bad.status_code == 200


def test_another_area_gets_404(app, elder, make_user):
    cadre = make_user("village", "jingang")
    application = apply_for_benefit(cadre, elder, kind=BenefitKind.DIBAO, other_name="",
                                    applied_on=EARLIER, note="", today=TODAY)  # fmt: skip
    db.session.commit()
    other = client_of(app, make_user("town", "gulu"))
    url = f"/elders/{elder.id}/benefits/{application.id}/decide"
    before = row_counts(except_audit=True)
    assert other.get(f"/elders/{elder.id}/benefits/new").status_code == 404
    assert other.get(url).status_code == 404
    assert other.post(url, data={"outcome": "granted", "decided_on": TODAY.isoformat()}
                      ).status_code == 404  # fmt: skip
    assert row_counts(except_audit=True) == before
    assert "张秀英" not in other.get("/benefits/").get_data(as_text=True)


def test_a_blank_choice_is_refused_beside_the_field(app, elder, make_user):
    """Spaces in a select pass InputRequired and read as the blank choice: refused, not a 500."""
    client = client_of(app, make_user("village", "jingang"))
    data = {"kind": "  ", "applied_on": TODAY.isoformat(), "note": "代办"}
    response = client.post(f"/elders/{elder.id}/benefits/new", data=data)
    assert response.status_code == 400
    assert "代办" in response.get_data(as_text=True)
