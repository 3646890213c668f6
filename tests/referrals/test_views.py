"""Referral and risk pages through Flask's test client: raising from a visit, the status steps,
follow-ups, the town's reports, scope, roles and the audit trail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from caseman import clock
from caseman.audit import AuditEvent
from caseman.extensions import db
from caseman.referrals.models import FollowUp, Referral, Risk, StatusChange
from caseman.referrals.queries import solved_count
from caseman.rules.enums import NeedType
from caseman.rules.referrals import ReferralStatus, RiskStatus
from caseman.visits.services import new_submission_key
from tests import conftest
from tests.conftest import TODAY, row_counts
from tests.referrals.conftest import FILED

EN = {"Accept-Language": "en"}


@pytest.fixture
def login(app):
    """A fresh client logged in as ``user`` (one test can act as several people)."""

    def log_in(user, lang="en"):
        client = app.test_client()
        if lang:
            client.post("/lang", data={"lang": lang})
        conftest.log_in(client, user)
        return client

    return log_in


def referral_form(elder_owner, **overrides):
    data = {
        "submission_key": new_submission_key(),
        "need": "rehabilitation",
        "description": "右腿术后需要康复训练",
        "visit_id": "",
        "owner_id": str(elder_owner.id),
        "follow_up_on": "",
        "benefit": "",
    }
    data.update(overrides)
    return data


def status_form(referral, status, **overrides):
    data = {
        "version": str(referral.version),
        "status": status,
        "referred_to": "",
        "referred_contact": "",
        "note": "",
        "follow_up_on": "",
        "benefit": "",
        "benefit_applied_on": "",
        "benefit_outcome": "",
        # asked before referring (caseman.rules.consent)
        "consent_answer": "agreed",
        "consent_by": "本人",
        "consent_way": "in_person",
        "consent_on": TODAY.isoformat(),
    }
    data.update(overrides)
    return data


def follow_up_form(**overrides):
    data = {
        "followed_on": TODAY.isoformat(),
        "method": "phone",
        "findings": "电话询问，情况稳定",
        "next_follow_up_on": "",
    }
    data.update(overrides)
    return data


def risk_form(owner, **overrides):
    when = (clock.now() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "submission_key": new_submission_key(),
        "risk_type": "abuse",
        "severity": "critical",
        "occurred_at": when,
        "description": "邻居反映儿子酒后打骂老人",
        "emergency_number": "",
        "contact_reached": "",
        "contact_reached_at": "",
        "actions": "已报告村委会",
        "visit_id": "",
        "owner_id": str(owner.id),
        "follow_up_on": "",
    }
    data.update(overrides)
    return data


def created_id(response, kind):
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(rf"/{kind}/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def audits(action, object_type, object_id):
    return db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == action,
            AuditEvent.object_type == object_type,
            AuditEvent.object_id == object_id,
        )
    ).all()


def changes(record_type, record_id):
    return [
        (c.from_status, c.to_status)
        for c in db.session.scalars(
            select(StatusChange)
            .where(StatusChange.record_type == record_type, StatusChange.record_id == record_id)
            .order_by(StatusChange.id)
        )
    ]


def get_referral(referral_id):
    db.session.expire_all()
    return db.session.get(Referral, referral_id)


def get_risk(risk_id):
    db.session.expire_all()
    return db.session.get(Risk, risk_id)


def checked(html, name):
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in re.findall(r"<input[^>]*>", html)
        if f'name="{name}"' in tag and re.search(r"\schecked(\s|=|>|/)", tag)
    ]


# --- the whole path, from a visit to the ledger ---------------------------------------------


def test_acceptance_referral_from_a_visit_followed_twice_and_solved(
    elder, needs_visit, cadre, login
):
    """Done when: a user can raise a referral from a visit, follow it up twice, and solve it;
    the ledger count moves by one."""
    client = login(cadre)
    form = client.get(f"/elders/{elder.id}/referrals/new?visit={needs_visit.id}&need=medical")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert checked(html, "need") == ["medical"]
    assert "血压控制不好，需要家庭医生上门；联系镇卫生院签约家庭医生" in html
    assert re.search(
        rf'<option selected value="{needs_visit.id}"|<option value="{needs_visit.id}" '
        r"selected",
        html,
    )
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', html).group(1)

    case_file = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert "problems solved" not in case_file  # nothing settled yet

    response = client.post(
        f"/elders/{elder.id}/referrals/new",
        data=referral_form(
            cadre,
            submission_key=key,
            need="medical",
            visit_id=str(needs_visit.id),
            description="血压控制不好，需要家庭医生上门",
        ),
    )
    referral_id = created_id(response, "referrals")
    referral = get_referral(referral_id)
    assert (referral.visit_id, referral.need, referral.owner_id) == (
        needs_visit.id,
        NeedType.MEDICAL,
        cadre.id,
    )
    case_file = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    top = case_file.index("Open risks and referrals")
    assert case_file.index(f'href="/referrals/{referral_id}"') > top  # open ones at the top

    steps = [
        ("referred", {"referred_to": "木耳镇卫生院", "referred_contact": "家庭医生 张医生"}),
        (
            "follow",
            {
                "findings": "卫生院已排上门时间",
                "next_follow_up_on": (TODAY + timedelta(days=7)).isoformat(),
            },
        ),
        ("in_progress", {}),
        ("follow", {"method": "home", "findings": "医生已上门两次，血压下降"}),
        ("solved", {"note": "签约家庭医生，每月上门，血压平稳"}),
    ]
    for step, values in steps:
        referral = get_referral(referral_id)
        if step == "follow":
            url, data = f"/referrals/{referral_id}/follow-ups", follow_up_form(**values)
        else:
            url, data = f"/referrals/{referral_id}/status", status_form(referral, step, **values)
        response = client.post(url, data=data)
        assert response.status_code == 302, (step, response.get_data(as_text=True))
        assert response.headers["Location"].endswith(f"/referrals/{referral_id}")

    referral = get_referral(referral_id)
    assert referral.status is ReferralStatus.SOLVED
    assert referral.referred_to == "木耳镇卫生院"
    assert len(referral.follow_ups) == 2
    assert solved_count(elder) == 1
    page = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "签约家庭医生，每月上门，血压平稳" in page
    assert "卫生院已排上门时间" in page
    assert "医生已上门两次，血压下降" in page

    case_file = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert "Open risks and referrals" not in case_file
    settled = case_file[case_file.index("Settled problems") :]
    assert "problems solved: 1" in settled
    assert f'href="/referrals/{referral_id}"' in settled
    assert "签约家庭医生，每月上门，血压平稳" in settled


def test_a_visit_of_another_elder_prefills_nothing(elder, make_elder, add_visit, cadre, login):
    other = make_elder(filed_on=FILED)
    theirs = add_visit(other, needs=["medical"], needs_note="别人的需求")
    page = login(cadre).get(f"/elders/{elder.id}/referrals/new?visit={theirs.id}&need=medical")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert checked(html, "need") == []
    assert "别人的需求" not in html
    visit_select = re.search(r'<select[^>]*name="visit_id".*?</select>', html, re.S).group(0)
    assert re.findall(r'value="([^"]*)"', visit_select) == [""]  # the elder has no visit


def test_the_chinese_case_file_shows_the_count_too(elder, cadre, login, add_referral):
    referral = add_referral(elder, need=NeedType.SAFETY_HAZARD.value)
    client = login(cadre, lang=None)  # Chinese, the default
    response = client.post(
        f"/referrals/{referral.id}/status",
        data=status_form(referral, "solved", note="更换了燃气软管"),
    )
    assert response.status_code == 302
    case_file = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert f'href="/referrals/{referral.id}"' in case_file
    assert re.search(r"\(\D*1\D*\)</small>", case_file)  # the solved count next to the heading


# --- bad steps -------------------------------------------------------------------------------


def test_skipping_a_step_answers_400_with_a_message_and_changes_nothing(
    elder, cadre, login, add_referral
):
    referral = add_referral(elder, need=NeedType.MEDICAL.value)
    client = login(cadre)
    before = row_counts()
    response = client.post(
        f"/referrals/{referral.id}/status", data=status_form(referral, "solved", note="直接解决")
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "refer it first" in html
    assert row_counts() == before
    assert get_referral(referral.id).status is ReferralStatus.OPEN


def test_a_forbidden_risk_move_answers_400_with_a_message(elder, cadre, login, add_risk):
    risk = add_risk(elder)
    client = login(cadre)
    before = row_counts()
    response = client.post(
        f"/risks/{risk.id}/status",
        data={"version": str(risk.version), "status": "open", "note": "x"},
    )
    assert response.status_code == 400
    assert "This status cannot follow the current one." in response.get_data(as_text=True)
    assert row_counts() == before


def test_missing_referred_to_and_unknown_status_are_refused(elder, cadre, login, add_referral):
    referral = add_referral(elder)
    client = login(cadre)
    before = row_counts()
    response = client.post(
        f"/referrals/{referral.id}/status", data=status_form(referral, "referred")
    )
    assert response.status_code == 400
    assert "Say where the need was referred." in response.get_data(as_text=True)
    response = client.post(f"/referrals/{referral.id}/status", data=status_form(referral, "done"))
    assert response.status_code == 400
    assert row_counts() == before


def test_stale_version_answers_409_and_keeps_the_other_change(
    elder, cadre, town_user, login, add_referral
):
    referral = add_referral(elder)
    opened_version = referral.version
    opened = status_form(referral, "unsolvable", note="老人拒绝")  # the cadre's page, opened now
    town = login(town_user)
    response = town.post(
        f"/referrals/{referral.id}/status",
        data=status_form(referral, "referred", referred_to="区康复中心"),
    )
    assert response.status_code == 302
    client = login(cadre)
    before = row_counts()
    response = client.post(f"/referrals/{referral.id}/status", data=opened)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this record" in html
    # the page now carries the current version, so saving again is possible
    assert re.search(rf'name="version"[^>]*value="{opened_version + 1}"', html)
    assert row_counts() == before
    assert get_referral(referral.id).status is ReferralStatus.REFERRED


def test_follow_up_before_the_referral_answers_400(elder, cadre, login, add_referral):
    referral = add_referral(elder, today=TODAY - timedelta(days=3))
    client = login(cadre)
    before = row_counts()
    response = client.post(
        f"/referrals/{referral.id}/follow-ups",
        data=follow_up_form(followed_on=(TODAY - timedelta(days=4)).isoformat()),
    )
    assert response.status_code == 400
    assert "cannot be before the problem was raised" in response.get_data(as_text=True)
    assert row_counts() == before


def test_follow_up_on_a_referral_closed_meanwhile_says_why(elder, cadre, login, add_referral):
    referral = add_referral(elder, need=NeedType.EMOTIONAL.value)
    client = login(cadre)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert f'action="/referrals/{referral.id}/follow-ups"' in page  # the form opened while open
    response = client.post(
        f"/referrals/{referral.id}/status",
        data=status_form(referral, "solved", note="聊过了，心情好多了"),
    )
    assert response.status_code == 302
    before = row_counts()
    response = client.post(f"/referrals/{referral.id}/follow-ups", data=follow_up_form())
    assert response.status_code == 400
    assert "This record is closed; reopen it first." in response.get_data(as_text=True)
    assert row_counts() == before


def test_owner_must_be_someone_who_sees_the_elder(elder, cadre, other_town_user, login):
    client = login(cadre)
    page = client.get(f"/elders/{elder.id}/referrals/new").get_data(as_text=True)
    owners = re.search(r'<select[^>]*name="owner_id".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option selected value="(\d+)"', owners) == [str(cadre.id)]
    assert str(other_town_user.id) not in re.findall(r'value="(\d+)"', owners)
    before = row_counts()
    response = client.post(f"/elders/{elder.id}/referrals/new", data=referral_form(other_town_user))
    assert response.status_code == 400
    assert row_counts() == before


def test_double_tap_on_a_new_referral_keeps_one(elder, cadre, login):
    client = login(cadre)
    data = referral_form(cadre)
    first = created_id(client.post(f"/elders/{elder.id}/referrals/new", data=data), "referrals")
    second = created_id(client.post(f"/elders/{elder.id}/referrals/new", data=data), "referrals")
    assert first == second
    assert db.session.scalar(select(db.func.count(Referral.id))) == 1


def test_empty_description_keeps_the_form(elder, cadre, login):
    client = login(cadre)
    before = row_counts()
    response = client.post(
        f"/elders/{elder.id}/referrals/new",
        data=referral_form(cadre, description="   ", need="adaptation"),
    )
    assert response.status_code == 400
    assert checked(response.get_data(as_text=True), "need") == ["adaptation"]
    assert row_counts() == before


# --- the town's reports ----------------------------------------------------------------------


def test_acceptance_abuse_risk_on_the_town_dashboard_until_acknowledged(
    elder, cadre, town_user, other_town_user, login
):
    """Done when: an abuse risk raised by a village worker shows on the town dashboard until a
    town user acknowledges it; a user of another town never sees it."""
    village = login(cadre)
    response = village.post(f"/elders/{elder.id}/risks/new", data=risk_form(cadre))
    risk_id = created_id(response, "risks")
    assert get_risk(risk_id).awaits_town
    link = f'href="/risks/{risk_id}"'

    town, other = login(town_user), login(other_town_user)
    dashboard = town.get("/").get_data(as_text=True)
    assert link in dashboard
    assert f'action="/risks/{risk_id}/acknowledge"' in dashboard
    assert "Reported to the town at once" in dashboard
    assert link not in village.get("/").get_data(as_text=True)  # the village does not acknowledge

    def other_town_sees_nothing():
        assert link not in other.get("/").get_data(as_text=True)
        assert other.get(f"/risks/{risk_id}").status_code == 404
        for query in ("", "?scope=all", "?scope=all&kind=risks"):
            assert link not in other.get(f"/follow-ups{query}").get_data(as_text=True)
        assert other.post(f"/risks/{risk_id}/acknowledge").status_code == 404

    other_town_sees_nothing()
    assert get_risk(risk_id).awaits_town  # the other town could not acknowledge it

    assert link in town.get("/follow-ups?scope=all").get_data(as_text=True)
    assert link in town.get("/").get_data(as_text=True)  # still there: looking is not acknowledging
    response = town.post(f"/risks/{risk_id}/acknowledge", data={"next": "/"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
    risk = get_risk(risk_id)
    assert (risk.acknowledged_by_id, risk.awaits_town) == (town_user.id, False)
    assert link not in town.get("/").get_data(as_text=True)
    assert len(audits("acknowledge", "risk", risk_id)) == 1
    assert changes("risk", risk_id)[-1] == ("open", "acknowledged")

    again = town.post(f"/risks/{risk_id}/acknowledge", follow_redirects=True)
    assert "already acknowledged" in again.get_data(as_text=True)
    assert len(audits("acknowledge", "risk", risk_id)) == 1
    other_town_sees_nothing()


def test_a_village_user_cannot_acknowledge(elder, cadre, login, add_risk):
    risk = add_risk(elder)
    client = login(cadre)
    before = row_counts(except_audit=True)
    assert client.post(f"/risks/{risk.id}/acknowledge").status_code == 404
    assert row_counts(except_audit=True) == before  # a 404 adds only its deny row


# --- scope and roles -------------------------------------------------------------------------


def test_another_town_gets_404_everywhere_and_writes_nothing(
    elder, cadre, other_town_user, login, add_referral, add_risk
):
    referral = add_referral(elder)
    risk = add_risk(elder)
    client = login(other_town_user)
    before = row_counts(except_audit=True)
    for url in (
        f"/referrals/{referral.id}",
        f"/risks/{risk.id}",
        f"/elders/{elder.id}/referrals/new",
        f"/elders/{elder.id}/risks/new",
    ):
        assert client.get(url).status_code == 404, url
    posts = {
        f"/referrals/{referral.id}/status": status_form(referral, "referred", referred_to="x"),
        f"/referrals/{referral.id}/follow-ups": follow_up_form(),
        f"/risks/{risk.id}/status": {"version": str(risk.version), "status": "closed", "note": "x"},
        f"/risks/{risk.id}/follow-ups": follow_up_form(),
        f"/risks/{risk.id}/acknowledge": {},
        f"/elders/{elder.id}/referrals/new": referral_form(other_town_user),
        f"/elders/{elder.id}/risks/new": risk_form(other_town_user),
    }
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 404, url
    assert row_counts(except_audit=True) == before  # a 404 adds only its deny row
    assert get_referral(referral.id).status is ReferralStatus.OPEN
    assert get_risk(risk.id).status is RiskStatus.OPEN


def test_district_users_see_but_cannot_post(elder, make_user, login, add_referral, add_risk):
    district = make_user("district", "district")
    referral = add_referral(elder)
    risk = add_risk(elder)
    client = login(district)
    assert client.get(f"/referrals/{referral.id}").status_code == 200
    assert client.get(f"/risks/{risk.id}").status_code == 200
    before = row_counts(except_audit=True)
    assert client.get(f"/elders/{elder.id}/referrals/new").status_code == 404
    for url, data in {
        f"/elders/{elder.id}/referrals/new": referral_form(district),
        f"/elders/{elder.id}/risks/new": risk_form(district),
        f"/referrals/{referral.id}/status": status_form(referral, "referred", referred_to="x"),
        f"/referrals/{referral.id}/follow-ups": follow_up_form(),
    }.items():
        assert client.post(url, data=data).status_code == 404, url
    assert row_counts(except_audit=True) == before  # a 404 adds only its deny row


# --- my follow-ups ---------------------------------------------------------------------------


def test_follow_ups_lists_my_due_referral(elder, cadre, town_user, login, add_referral, add_risk):
    due = add_referral(elder, follow_up_on=TODAY + timedelta(days=1))
    later = add_referral(elder, follow_up_on=TODAY + timedelta(days=40))
    not_mine = add_referral(elder, owner_id=town_user.id)
    risk = add_risk(elder)
    page = login(cadre).get("/follow-ups").get_data(as_text=True)
    assert f'href="/referrals/{due.id}"' in page
    assert f'href="/risks/{risk.id}"' in page
    assert f'href="/referrals/{later.id}"' not in page
    assert f'href="/referrals/{not_mine.id}"' not in page
    referrals_only = login(cadre).get("/follow-ups?kind=referrals").get_data(as_text=True)
    assert f'href="/risks/{risk.id}"' not in referrals_only
    # town staff see every open one in the town by default
    town_page = login(town_user).get("/follow-ups").get_data(as_text=True)
    for record in (due, later, not_mine):
        assert f'href="/referrals/{record.id}"' in town_page


def test_town_follow_ups_filter_by_village(
    make_elder, cadre, make_user, town_user, login, add_referral, areas
):
    jingang = add_referral(make_elder("jingang", filed_on=FILED))
    baiyan = add_referral(make_elder("baiyan", filed_on=FILED), make_user("village", "baiyan"))
    client = login(town_user)
    page = client.get(f"/follow-ups?scope=all&village={areas['baiyan'].id}").get_data(as_text=True)
    assert f'href="/referrals/{baiyan.id}"' in page
    assert f'href="/referrals/{jingang.id}"' not in page


# --- audit -----------------------------------------------------------------------------------


def test_every_view_of_a_referral_or_risk_is_audited(
    elder, cadre, town_user, login, add_referral, add_risk
):
    referral = add_referral(elder)
    risk = add_risk(elder)
    login(cadre).get(f"/referrals/{referral.id}")
    login(town_user).get(f"/referrals/{referral.id}")
    login(town_user).get(f"/risks/{risk.id}")
    viewers = [(e.user_id, e.elder_id) for e in audits("view", "referral", referral.id)]
    assert viewers == [(cadre.id, elder.id), (town_user.id, elder.id)]
    assert [(e.user_id, e.elder_id) for e in audits("view", "risk", risk.id)] == [
        (town_user.id, elder.id)
    ]


def test_every_status_change_writes_history_and_an_audit_row(
    elder, cadre, login, add_referral, add_risk
):
    referral = add_referral(elder)
    risk = add_risk(elder)
    client = login(cadre)
    for step, values in (
        ("referred", {"referred_to": "区康复中心"}),
        ("in_progress", {}),
        ("unsolvable", {"note": "老人搬去养老院"}),
        ("open", {"note": "回来了"}),
    ):
        response = client.post(
            f"/referrals/{referral.id}/status",
            data=status_form(get_referral(referral.id), step, **values),
        )
        assert response.status_code == 302, step
    for step, note in (("handling", ""), ("closed", "已安装扶手"), ("handling", "又摔了")):
        response = client.post(
            f"/risks/{risk.id}/status",
            data={"version": str(get_risk(risk.id).version), "status": step, "note": note},
        )
        assert response.status_code == 302, step
    assert changes("referral", referral.id) == [
        ("", "open"),
        ("open", "referred"),
        ("referred", "in_progress"),
        ("in_progress", "unsolvable"),
        ("unsolvable", "open"),
    ]
    assert changes("risk", risk.id) == [
        ("", "open"),
        ("open", "handling"),
        ("handling", "closed"),
        ("closed", "handling"),
    ]
    status_audits = audits("status", "referral", referral.id)
    assert [e.detail for e in status_audits] == [
        "open>referred",
        "referred>in_progress",
        "in_progress>unsolvable",
        "unsolvable>open",
    ]
    assert {(e.user_id, e.elder_id) for e in status_audits} == {(cadre.id, elder.id)}
    assert [e.detail for e in audits("status", "risk", risk.id)] == [
        "open>handling",
        "handling>closed",
        "closed>handling",
    ]
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "老人搬去养老院" in page  # the history is shown, nothing lost
    assert "回来了" in page
    # a refused move writes neither
    before = row_counts()
    response = client.post(
        f"/risks/{risk.id}/status",
        data={"version": str(get_risk(risk.id).version), "status": "closed", "note": ""},
    )
    assert response.status_code == 400
    assert row_counts() == before
    assert db.session.scalar(select(db.func.count(FollowUp.id))) == 0


# --- consent before referring (issue 19 item 4) --------------------------------------------------


def test_referring_asks_for_the_elders_consent_and_keeps_the_input(
    elder, cadre, login, add_referral
):
    referral = add_referral(elder)
    client = login(cadre)
    client.post("/lang", data={"lang": "zh_Hans_CN"})  # the user's language is Chinese
    before = row_counts()
    data = status_form(referral, "referred", referred_to="区康复中心", consent_answer="",
                       consent_way="")  # fmt: skip
    response = client.post(f"/referrals/{referral.id}/status", data=data)  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请选择老年人（或监护人）是否同意向该机构提供其个人信息。" in html
    assert "请选择告知和答复的方式。" in html
    assert 'value="区康复中心"' in html  # what was typed is kept
    assert row_counts() == before


def test_an_agreement_is_recorded_with_the_referral(elder, cadre, login, add_referral):
    referral = add_referral(elder)
    client = login(cadre)
    client.post("/lang", data={"lang": "zh_Hans_CN"})  # the user's language is Chinese
    data = status_form(referral, "referred", referred_to="区康复中心", consent_by="李强（儿子）",
                       consent_way="phone")  # fmt: skip
    assert client.post(f"/referrals/{referral.id}/status", data=data).status_code == 302
    saved = db.session.get(Referral, referral.id)
    db.session.refresh(saved)
    assert saved.status is ReferralStatus.REFERRED
    assert (saved.consent_answer, saved.consent_by, saved.consent_way, saved.consent_on) == (
        "agreed", "李强（儿子）", "phone", TODAY,
    )  # fmt: skip
    page = client.get(f"/referrals/{referral.id}")
    text = " ".join(re.sub(r"<[^>]+>", "", page.get_data(as_text=True)).split())
    assert "同意向该机构提供个人信息 · 李强（儿子） · 电话告知并答复" in text


def test_a_refusal_is_recorded_and_nothing_is_handed_over(elder, cadre, login, add_referral):
    referral = add_referral(elder)
    client = login(cadre)
    client.post("/lang", data={"lang": "zh_Hans_CN"})  # the user's language is Chinese
    data = status_form(referral, "referred", referred_to="区康复中心", consent_answer="refused")
    response = client.post(f"/referrals/{referral.id}/status", data=data)
    assert response.status_code == 302
    saved = db.session.get(Referral, referral.id)
    db.session.refresh(saved)
    assert saved.status is ReferralStatus.OPEN  # not referred
    assert (saved.referred_to, saved.referred_on) == ("", None)  # nothing handed over
    assert (saved.consent_answer, saved.consent_way) == ("refused", "in_person")
    change = db.session.scalars(
        select(StatusChange).where(StatusChange.record_id == referral.id)
        .order_by(StatusChange.id.desc())
    ).first()  # fmt: skip
    assert (change.from_status, change.to_status) == ("open", "consent_refused")
    audit_row = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "consent_refused")
    ).one()
    assert audit_row.elder_id == elder.id
    page = client.get(f"/referrals/{referral.id}")
    text = " ".join(re.sub(r"<[^>]+>", "", page.get_data(as_text=True)).split())
    assert "未转介：老年人（或监护人）不同意向该机构提供其个人信息" in text
    assert "不同意 · 本人 · 当面告知，当面答复" in text
