"""The search box and the case history through Flask's test client: results in scope with masked
ID numbers, matched records highlighted (escaped first), filters, pages, and the audited history."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.documents.models import PrintedDocument
from caseman.extensions import db
from caseman.referrals.services import move_referral
from caseman.rules.referrals import ReferralStatus
from tests.conftest import TODAY, denials, row_counts
from tests.conftest import log_in as log_in_as
from tests.search.conftest import id_number


@pytest.fixture
def login(app):
    def log_in(user):
        client = app.test_client()
        client.post("/lang", data={"lang": "en"})
        log_in_as(client, user)  # the password, then the second factor for town staff
        return client

    return log_in


def result_names(html):
    return [re.sub(r"</?mark>", "", n) for n in re.findall(r'href="/elders/\d+">(.*?)</a>', html)]


def test_search_page_finds_in_scope_with_masked_ids(cast, town_user, other_town_user, login):
    html = login(town_user).get("/elders/?q=zsf").get_data(as_text=True)
    assert result_names(html) == ["张三丰"]
    assert cast["zhang"].id_number not in html
    assert cast["zhang"].id_number[-4:] in html or "*" in html
    html = login(other_town_user).get("/elders/?q=zs").get_data(as_text=True)
    assert result_names(html) == ["张三"]


def test_name_match_is_highlighted(cast, town_user, login):
    html = login(town_user).get("/elders/?q=三丰").get_data(as_text=True)
    assert "张<mark>三丰</mark>" in html


def test_matched_record_is_shown_highlighted_and_escaped(cast, town_user, login, add_visit):
    visit = add_visit(cast["wang"], needs_note="<script>alert(1)</script>需要助浴服务")
    html = login(town_user).get("/elders/?q=助浴服务").get_data(as_text=True)
    assert result_names(html) == ["王五"]
    assert "<script>alert(1)</script>" not in html
    assert "&lt;/script&gt;需要<mark>助浴服务</mark>" in html
    assert f'href="/visits/{visit.id}"' in html
    html = login(town_user).get("/elders/", query_string={"q": "<script>"}).get_data(as_text=True)
    assert "<mark>&lt;script&gt;</mark>" in html
    assert 'value="&lt;script&gt;"' in html


def test_filters_and_paging_keep_the_query(cast, town_user, login, make_elder, app, areas):
    app.config["PAGE_SIZE"] = 2
    for serial in range(3):
        make_elder(name=f"张{'一二三'[serial]}", id_number=id_number(130 + serial), gender="male",
                   phone=f"1370000000{serial}", emergency_phone="")  # fmt: skip
    client = login(town_user)
    first = client.get("/elders/?q=张").get_data(as_text=True)
    assert result_names(first) == ["张一", "张三"]
    assert "q=%E5%BC%A0" in first
    assert "page=2" in first
    second = client.get("/elders/?q=张&page=2").get_data(as_text=True)
    assert result_names(second) == ["张三丰", "张二"]  # code point order: 三 U+4E09 < 二 U+4E8C
    village = client.get(f"/elders/?q=张&village={areas['baiyan'].id}").get_data(as_text=True)
    assert result_names(village) == []
    risky = client.get("/elders/?open=any&ability=intact").get_data(as_text=True)
    assert result_names(risky) == []


def test_history_in_date_order_filterable_and_audited(cast, town_user, login, add_visit,
                                                      add_referral, cadre):  # fmt: skip
    wang = cast["wang"]
    add_visit(wang, visited_on=TODAY - timedelta(days=30), needs_note="第一次探访")
    add_visit(wang, visited_on=TODAY - timedelta(days=5), needs_note="第二次探访")
    referral = add_referral(wang, description="申请轮椅", today=TODAY - timedelta(days=10))
    move_referral(cadre, referral, ReferralStatus.REFERRED,
                  {"note": "", "referred_to": "区残联", "follow_up_on": None,
                   "consent_answer": "agreed", "consent_by": "本人", "consent_way": "phone",
                   "consent_on": TODAY - timedelta(days=9)},
                  TODAY - timedelta(days=9), referral.version)  # fmt: skip
    db.session.add(PrintedDocument(number="YB-TEST-0001", annex="annex2", elder_id=wang.id,
                                   elder_version=1, copies=3))  # fmt: skip
    db.session.commit()
    client = login(town_user)
    html = client.get(f"/elders/{wang.id}/history").get_data(as_text=True)
    order = [html.index(text) for text in ("Registered", "第一次探访", "申请轮椅", ": Referred",
                                           "第二次探访")]  # fmt: skip
    assert order == sorted(order)
    assert "YB-TEST-0001" in html
    assert wang.id_number not in html
    only_visits = client.get(f"/elders/{wang.id}/history?kind=visit").get_data(as_text=True)
    assert "第一次探访" in only_visits
    assert "第二次探访" in only_visits
    assert "申请轮椅" not in only_visits
    assert "YB-TEST-0001" not in only_visits
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "view_history", AuditEvent.elder_id == wang.id
        )
    ).all()
    assert [e.detail for e in events] == ["", "visit"]
    assert all(e.username == town_user.username for e in events)


def test_history_of_an_elder_out_of_scope_is_404_and_changes_nothing(cast, other_town_user, login):
    client = login(other_town_user)
    before, denied = row_counts(except_audit=True), denials()
    assert client.get(f"/elders/{cast['wang'].id}/history").status_code == 404
    assert client.get("/elders/999999/history").status_code == 404
    assert row_counts(except_audit=True) == before
    assert denials() == denied + 2  # each refusal is in the audit log


def test_history_needs_login(cast, client):
    response = client.get(f"/elders/{cast['wang'].id}/history")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_results_link_to_the_history(cast, town_user, login):
    html = login(town_user).get("/elders/?q=wangwu").get_data(as_text=True)
    assert f'href="/elders/{cast["wang"].id}/history"' in html
