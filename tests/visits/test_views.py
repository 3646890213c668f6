"""Visit pages through Flask's test client: the form, scope, roles, locking, lists, campaigns."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.extensions import db
from caseman.rules.enums import NeedType, Safety, VisitMethod
from caseman.visits.models import Campaign, CareRecord, Visit
from caseman.visits.services import new_submission_key, record_care
from tests import conftest
from tests.conftest import TODAY, denials, row_counts
from tests.visits.conftest import care_values

EN = {"Accept-Language": "en"}
LONG_AGO = TODAY - timedelta(days=75)  # several missed periods when never visited


def form_data(**overrides):
    """What the browser posts for a home visit that found nothing new."""
    data = {
        "submission_key": new_submission_key(), "visited_on": TODAY.isoformat(),
        "method": "home", "method_other": "", "family_change": "unchanged",
        "family_change_count": "", "expression": "unchanged", "mobility": "unchanged",
        "illness": "unchanged", "illness_name": "", "mood": "unchanged", "gas_safety": "safe",
        "water_heating_safety": "safe", "electricity_safety": "safe",
        "personal_hygiene": "unchanged", "home_hygiene": "unchanged",
        "indoor_environment": "unchanged", "needs_note": "", "suggested_care": "",
        "visitor_name": "王芳", "visited_person_name": "张秀英", "recorder_name": "王芳",
        "note": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def inputs(html: str, name: str) -> list[str]:
    return [tag for tag in re.findall(r"<input[^>]*>", html) if f'name="{name}"' in tag]


def checked(html: str, name: str) -> list[str]:
    """Values of the ticked radio buttons or checkboxes called ``name``."""
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in inputs(html, name)
        if re.search(r"\schecked(\s|=|>|/)", tag)
    ]


def value_of(html: str, name: str) -> str:
    (tag,) = inputs(html, name)
    return re.search(r'value="([^"]*)"', tag).group(1)


def visit_count() -> int:
    return db.session.scalar(select(db.func.count(Visit.id))) or 0


@pytest.fixture
def login(app):
    """A fresh client logged in as ``user`` (so one test can act as several users).

    The ``app`` fixture keeps one application context open, which every test request reuses, so
    Flask-Login's cached user in ``g`` would leak from one client to the next: forget it before
    each request, as a fresh application context does in production.
    """

    def forget_cached_user() -> None:
        g.pop("_login_user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget_cached_user)

    def log_in(user):
        client = app.test_client()
        conftest.log_in(client, user)
        return client

    return log_in


# --- recording a visit -----------------------------------------------------------------------


ASSESSMENT_ITEMS = (
    "method", "family_change", "expression", "mobility", "illness", "mood", "gas_safety",
    "water_heating_safety", "electricity_safety", "personal_hygiene", "home_hygiene",
    "indoor_environment",
)  # fmt: skip


def test_new_visit_form_starts_with_nothing_answered(make_elder, recorder, login):
    """Issue 17 item 11: the 12 items arrived pre-answered (上门探访, 无变化, 安全), so "gas
    safe" could be saved without anyone checking the gas."""
    elder = make_elder(filed_on=LONG_AGO)
    page = login(recorder).get(f"/elders/{elder.id}/visits/new", headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert len(ASSESSMENT_ITEMS) == 12
    for name in ASSESSMENT_ITEMS:
        assert inputs(html, name), name
        assert checked(html, name) == [], name
    assert checked(html, "needs") == []
    assert value_of(html, "visited_on") == TODAY.isoformat()
    assert value_of(html, "visited_person_name") == elder.name
    assert re.fullmatch(r"[0-9a-f-]{36}", value_of(html, "submission_key"))


def test_an_unanswered_item_is_refused_beside_it_in_chinese(make_elder, recorder, login):
    elder = make_elder(filed_on=LONG_AGO)
    data = form_data(note="燃气没看", needs=["medical"], needs_note="想要助听器")
    del data["gas_safety"], data["mood"]
    client = login(recorder)
    before = row_counts()
    response = client.post(f"/elders/{elder.id}/visits/new", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for name in ("gas_safety", "mood"):
        error = re.search(rf'id="{name}-error">([^<]*)</p>', html)
        assert error is not None, name
        assert error.group(1) == "请选择一项。"
    assert 'id="water_heating_safety-error"' not in html
    assert checked(html, "gas_safety") == []
    assert checked(html, "water_heating_safety") == ["safe"]
    assert checked(html, "needs") == ["medical"]
    assert "燃气没看" in html
    assert "想要助听器" in html
    assert row_counts() == before


@pytest.mark.parametrize(
    "bad",
    [
        {"needs": ["medical", "bogus"]},
        {"needs": ["bogus", "nonsense"]},
        {"gas_safety": "bogus"},
        {"method": "teleport"},
        {"visitor_name": "王" * 65},
    ],
)
def test_a_wrong_value_is_a_form_error_not_500(make_elder, recorder, login, bad):
    elder = make_elder(filed_on=LONG_AGO)
    client = login(recorder)
    before = row_counts()
    response = client.post(f"/elders/{elder.id}/visits/new", data=form_data(**bad))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'class="field-error"[^>]*>[^<]*[\u4e00-\u9fff]', html)
    assert row_counts() == before


def test_invalid_visit_keeps_everything_typed_and_says_why(make_elder, recorder, login):
    elder = make_elder(filed_on=LONG_AGO)
    client = login(recorder)
    data = form_data(
        illness="serious",
        illness_name="",
        mood="worse",
        gas_safety="unsafe",
        needs=["medical", "other"],
        needs_note="想要一台助听器",
        suggested_care="联系家庭医生",
        note="第二次上门",
    )
    before = row_counts()
    response = client.post(f"/elders/{elder.id}/visits/new", data=data, headers=EN)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(r'<p class="field-error" id="illness_name-error">([^<]*)</p>', html)
    assert error is not None
    assert error.group(1) == "Give the name of the illness."
    assert 'aria-describedby="illness_name-error"' in html
    assert checked(html, "illness") == ["serious"]
    assert checked(html, "mood") == ["worse"]
    assert checked(html, "gas_safety") == ["unsafe"]
    assert checked(html, "needs") == ["medical", "other"]
    assert "想要一台助听器" in html
    assert "联系家庭医生" in html
    assert "第二次上门" in html
    assert value_of(html, "submission_key") == data["submission_key"]
    assert row_counts() == before


def test_error_messages_are_in_chinese_by_default(make_elder, recorder, login):
    elder = make_elder(filed_on=LONG_AGO)
    data = form_data(visited_on=(TODAY + timedelta(days=1)).isoformat())
    response = login(recorder).post(f"/elders/{elder.id}/visits/new", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="visited_on-error">[^<]*[\u4e00-\u9fff]', html)
    assert value_of(html, "visited_on") == (TODAY + timedelta(days=1)).isoformat()
    assert visit_count() == 0


def test_saved_visit_opens_and_a_double_tap_saves_nothing_more(make_elder, recorder, login):
    elder = make_elder(filed_on=LONG_AGO)
    client = login(recorder)
    data = form_data(visited_on=(TODAY - timedelta(days=1)).isoformat(), note="一切正常")
    response = client.post(f"/elders/{elder.id}/visits/new", data=data)
    assert response.status_code == 302
    visit = db.session.scalar(select(Visit))
    assert response.headers["Location"].endswith(f"/visits/{visit.id}")
    assert (visit.number, visit.method, visit.note) == (1, VisitMethod.HOME, "一切正常")
    assert visit.created_by_id == recorder.id

    again = client.post(f"/elders/{elder.id}/visits/new", data=data)
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/visits/{visit.id}")
    assert visit_count() == 1

    page = client.get(f"/visits/{visit.id}", headers=EN).get_data(as_text=True)
    assert "Visit no. 1" in page
    assert "一切正常" in page


def test_archived_elder_has_no_visit_form(make_elder, recorder, login):
    from caseman.elders.services import archive_elder
    from caseman.rules.enums import ArchiveReason

    elder = make_elder(filed_on=LONG_AGO)
    archive_elder(recorder, elder, ArchiveReason.MOVED_AWAY, TODAY, "迁居", TODAY, elder.version)
    db.session.commit()
    client = login(recorder)
    assert client.get(f"/elders/{elder.id}/visits/new").status_code == 302
    response = client.post(f"/elders/{elder.id}/visits/new", data=form_data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/elders/{elder.id}")
    assert visit_count() == 0


# --- scope and roles -------------------------------------------------------------------------


def _data_rows() -> dict[str, int]:
    """Rows per table but the audit log and the kept home-page figures (a town's due list
    counts and stores its areas' figures, caseman.area_figures)."""
    counts = row_counts(except_audit=True)
    counts.pop("dashboard_area_summaries")
    return counts


def test_another_town_gets_404_everywhere(make_elder, make_user, add_visit, recorder, login):
    elder = make_elder(filed_on=LONG_AGO)
    visit = add_visit(elder, TODAY - timedelta(days=2))
    care = record_care(recorder, elder, care_values(visit_id=visit.id), new_submission_key(), TODAY)
    db.session.commit()
    outsiders = [make_user("town", "gulu"), make_user("village", "baiyan")]
    clients = [(user, login(user)) for user in outsiders]
    before = _data_rows()
    refused = denials()
    for outsider, client in clients:
        for url in (
            f"/visits/{visit.id}",
            f"/visits/{visit.id}/edit",
            f"/visits/{visit.id}/versions/1",
            f"/visits/{visit.id}/void",
            f"/elders/{elder.id}/visits/new",
            f"/elders/{elder.id}/care/new",
            f"/care/{care.id}",
            f"/care/{care.id}/edit",
        ):
            assert client.get(url).status_code == 404, (outsider.username, url)
        posted = client.post(f"/elders/{elder.id}/visits/new", data=form_data())
        assert posted.status_code == 404
        edited = client.post(f"/visits/{visit.id}/edit", data=form_data(version="1"))
        assert edited.status_code == 404
        voided = client.post(f"/visits/{visit.id}/void", data={"reason": "x", "version": "1"})
        assert voided.status_code == 404
        due = client.get("/visits/due").get_data(as_text=True)
        assert elder.name not in due
    db.session.expire_all()
    assert _data_rows() == before  # nothing but …
    assert denials() == refused + 2 * 11  # … one deny row per refused request
    assert db.session.get(Visit, visit.id).version == 1


def test_district_staff_read_but_do_not_record(make_elder, make_user, add_visit, login):
    elder = make_elder(filed_on=LONG_AGO)
    visit = add_visit(elder, TODAY - timedelta(days=2))
    client = login(make_user("district", "district"))
    assert client.post(f"/elders/{elder.id}/visits/new", data=form_data()).status_code == 404
    assert client.get(f"/elders/{elder.id}/visits/new").status_code == 404
    assert client.post(f"/visits/{visit.id}/edit", data=form_data(version="1")).status_code == 404
    assert visit_count() == 1
    page = client.get(f"/visits/{visit.id}")
    assert page.status_code == 200
    assert f"/visits/{visit.id}/edit" not in page.get_data(as_text=True)


# --- correcting a visit ------------------------------------------------------------------------


def test_edit_keeps_the_number_and_a_stale_form_is_refused(make_elder, add_visit, recorder, login):
    elder = make_elder(filed_on=LONG_AGO)
    visit = add_visit(elder, TODAY - timedelta(days=2))
    client = login(recorder)
    form = client.get(f"/visits/{visit.id}/edit").get_data(as_text=True)
    assert value_of(form, "version") == "1"
    assert value_of(form, "visited_on") == (TODAY - timedelta(days=2)).isoformat()
    day = (TODAY - timedelta(days=2)).isoformat()

    first = client.post(
        f"/visits/{visit.id}/edit", data=form_data(visited_on=day, version="1", note="第一次更正")
    )
    assert first.status_code == 302
    assert first.headers["Location"].endswith(f"/visits/{visit.id}")

    stale = client.post(
        f"/visits/{visit.id}/edit",
        headers=EN,
        data=form_data(visited_on=day, version="1", note="我的更正", mood="worse"),
    )
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Someone else saved this record" in html
    assert "我的更正" in html  # the user's input is kept to compare and save again
    assert checked(html, "mood") == ["worse"]
    assert value_of(html, "version") == "2"  # saving again now applies on top of the new version
    db.session.expire_all()
    saved = db.session.get(Visit, visit.id)
    assert (saved.note, saved.number, saved.version) == ("第一次更正", 1, 2)

    again = client.post(
        f"/visits/{visit.id}/edit", data=form_data(visited_on=day, version="2", note="我的更正")
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).note == "我的更正"


def test_void_keeps_the_visit_and_stops_it_counting(make_elder, add_visit, recorder, login):
    elder = make_elder(filed_on=LONG_AGO)
    visit = add_visit(elder, TODAY)
    client = login(recorder)
    response = client.post(
        f"/visits/{visit.id}/void", data={"reason": "录错了老人", "version": "1"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).void_reason == "录错了老人"
    page = client.get(f"/elders/{elder.id}", headers=EN).get_data(as_text=True)
    assert "Last home visit: none yet" in page
    assert client.get(f"/visits/{visit.id}/edit").status_code == 302  # no editing a voided one


# --- lists, dashboard, case file -----------------------------------------------------------


def test_due_list_shows_an_overdue_elder_with_a_link_to_record(
    make_elder, add_visit, recorder, login
):
    late = make_elder(name="逾期老人", filed_on=LONG_AGO)
    visited = make_elder(name="已访老人", filed_on=LONG_AGO)
    add_visit(visited, TODAY)
    client = login(recorder)
    html = client.get("/visits/due", headers=EN).get_data(as_text=True)
    assert "逾期老人" in html
    assert "已访老人" not in html
    item = html[html.index("逾期老人") :]
    item = item[: item.index("</li>")]
    assert "Overdue by" in item
    assert f'href="/elders/{late.id}/visits/new"' in item
    done = client.get("/visits/due?state=done").get_data(as_text=True)
    assert "已访老人" in done
    assert "逾期老人" not in done


def test_elder_list_filters_by_visit_state(make_elder, add_visit, recorder, login):
    late = make_elder(name="逾期老人", filed_on=LONG_AGO)
    visited = make_elder(name="已访老人", filed_on=LONG_AGO)
    add_visit(visited, TODAY)
    client = login(recorder)
    overdue = client.get("/elders/?due=overdue").get_data(as_text=True)
    assert f'href="/elders/{late.id}"' in overdue
    assert f'href="/elders/{visited.id}"' not in overdue
    done = client.get("/elders/?due=done").get_data(as_text=True)
    assert f'href="/elders/{visited.id}"' in done
    assert f'href="/elders/{late.id}"' not in done
    everyone = client.get("/elders/").get_data(as_text=True)
    assert f'href="/elders/{late.id}"' in everyone
    assert f'href="/elders/{visited.id}"' in everyone


def test_dashboard_shows_this_months_visit_rate(make_elder, make_user, add_visit, login):
    visited = make_elder(filed_on=LONG_AGO)
    make_elder(filed_on=LONG_AGO)
    add_visit(visited, TODAY)
    add_visit(make_elder(filed_on=LONG_AGO), TODAY, method=VisitMethod.PHONE)
    client = login(make_user("town", "muer"))
    html = client.get("/", headers=EN).get_data(as_text=True)
    assert f"Home visits in {TODAY.year}-{TODAY.month:02d}" in html
    assert "Monthly visit rate (1/3)" in html
    assert "<strong>33%</strong>" in html
    assert re.search(
        r"渝北区木耳镇金刚村</a></td>\s*<td[^>]*><strong>33%</strong>\s*"
        r'<span class="muted">1/3</span>',
        html,
    )


def test_case_file_shows_the_timeline_and_the_next_visit(make_elder, add_visit, recorder, login):
    elder = make_elder(filed_on=LONG_AGO)
    calm = add_visit(elder, TODAY - timedelta(days=3))
    unsafe = add_visit(
        elder,
        TODAY - timedelta(days=1),
        gas_safety=Safety.UNSAFE,
        needs=[NeedType.SAFETY_HAZARD.value],
        suggested_care="更换燃气软管",
    )
    record_care(
        recorder,
        elder,
        care_values(
            visit_id=unsafe.id, what_was_done="更换了燃气软管", need=NeedType.SAFETY_HAZARD
        ),
        new_submission_key(),
        TODAY,
    )
    db.session.commit()
    html = login(recorder).get(f"/elders/{elder.id}", headers=EN).get_data(as_text=True)
    assert "Next home visit" in html
    assert "Last home visit: " in html
    timeline = html[html.index('id="timeline"') :]
    unsafe_at = timeline.index(f'href="/visits/{unsafe.id}"')
    calm_at = timeline.index(f'href="/visits/{calm.id}"')
    care_at = timeline.index("更换了燃气软管")
    assert care_at < unsafe_at < calm_at  # newest first
    unsafe_item = timeline[
        timeline.rindex("<li", 0, unsafe_at) : timeline.index("</li>", unsafe_at)
    ]
    assert "attention" in unsafe_item
    assert re.search(r'<span class="tag alert">[^<]*Gas[^<]*Unsafe', unsafe_item)
    calm_item = timeline[timeline.rindex("<li", 0, calm_at) : timeline.index("</li>", calm_at)]
    assert "alert" not in calm_item
    assert "attention" not in calm_item


def test_every_view_of_a_visit_is_audited(make_elder, make_user, add_visit, login):
    elder = make_elder(filed_on=LONG_AGO)
    visit = add_visit(elder, TODAY)
    reader = make_user("town", "muer")
    client = login(reader)
    assert client.get(f"/visits/{visit.id}").status_code == 200
    assert client.get(f"/visits/{visit.id}").status_code == 200
    assert client.get(f"/visits/{visit.id}/versions/1").status_code == 200
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "visit",
            AuditEvent.object_id == visit.id,
            AuditEvent.user_id == reader.id,
        )
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["view", "view", "view_version"]
    assert all(e.elder_id == elder.id and e.username == reader.username for e in events)


def test_care_view_is_audited_and_names_its_visit(make_elder, add_visit, recorder, login):
    elder = make_elder(filed_on=LONG_AGO)
    visit = add_visit(elder, TODAY - timedelta(days=1), needs=[NeedType.MEDICAL.value])
    client = login(recorder)
    form = client.get(f"/elders/{elder.id}/care/new?visit={visit.id}").get_data(as_text=True)
    assert re.search(
        rf'<option selected value="{visit.id}"|<option value="{visit.id}" selected', form
    )
    data = {
        "submission_key": new_submission_key(),
        "cared_on": TODAY.isoformat(),
        "visit_id": str(visit.id),
        "need": "medical",
        "what_was_done": "家庭医生上门",
        "provider": "家庭医生签约团队",
        "satisfaction": "satisfied",
    }
    assert client.post(f"/elders/{elder.id}/care/new", data=data).status_code == 302
    assert client.post(f"/elders/{elder.id}/care/new", data=data).status_code == 302  # double tap
    care = db.session.scalar(select(CareRecord))
    assert db.session.scalar(select(db.func.count(CareRecord.id))) == 1
    assert (care.visit_id, care.number) == (visit.id, 1)
    assert client.get(f"/care/{care.id}").status_code == 200
    assert db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "view",
            AuditEvent.object_type == "care",
            AuditEvent.object_id == care.id,
        )
    )


# --- campaigns -------------------------------------------------------------------------------


def test_town_starts_a_campaign_and_follows_it(areas, make_elder, make_user, add_visit, login):
    visited = make_elder(name="已访老人", filed_on=LONG_AGO)
    waiting = make_elder(name="待访老人", area="baiyan", filed_on=LONG_AGO)
    make_elder(name="外镇老人", area="caoping", filed_on=LONG_AGO)
    add_visit(visited, TODAY)
    client = login(make_user("town", "muer"))
    form = client.get("/campaigns/new")
    assert form.status_code == 200
    data = {
        "name": "寒潮天气探访",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=7)).isoformat(),
        "area_id": str(areas["muer"].id),
        "categories": ["living_alone"],
        "home_visit_only": "y",
        "note": "防寒保暖",
    }
    response = client.post("/campaigns/new", data=data)
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}")
    assert (campaign.area_id, campaign.categories, campaign.home_visit_only, campaign.key_only) == (
        areas["muer"].id,
        ["living_alone"],
        True,
        False,
    )

    html = client.get(f"/campaigns/{campaign.id}", headers=EN).get_data(as_text=True)
    assert "1 of 2 visited (50%)" in html
    pending = html[html.index("Not visited yet") :]
    assert "待访老人" in pending
    assert f'href="/elders/{waiting.id}/visits/new"' in pending
    assert "已访老人" not in pending
    assert "外镇老人" not in html
    assert "寒潮天气探访" in client.get("/campaigns/").get_data(as_text=True)


def test_campaign_end_before_start_is_shown_beside_the_field(areas, make_user, login):
    client = login(make_user("town", "muer"))
    data = {
        "name": "重阳节探访",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY - timedelta(days=1)).isoformat(),
        "area_id": str(areas["muer"].id),
    }
    response = client.post("/campaigns/new", data=data, headers=EN)
    assert response.status_code == 400
    assert 'id="ends_on-error">The end cannot be before the start.' in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Campaign)) is None


def test_village_staff_cannot_start_campaigns(areas, make_user, login):
    client = login(make_user("village", "jingang"))
    assert client.get("/campaigns/new").status_code == 404
    data = {
        "name": "x",
        "starts_on": TODAY.isoformat(),
        "ends_on": TODAY.isoformat(),
        "area_id": str(areas["jingang"].id),
    }
    assert client.post("/campaigns/new", data=data).status_code == 404
    assert db.session.scalar(select(Campaign)) is None


def test_campaign_area_must_be_in_the_users_scope(areas, make_user, login):
    client = login(make_user("town", "muer"))
    data = {
        "name": "越权",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=3)).isoformat(),
        "area_id": str(areas["gulu"].id),
    }
    assert client.post("/campaigns/new", data=data).status_code == 400
    assert db.session.scalar(select(Campaign)) is None


def test_campaigns_are_seen_where_they_apply_and_closed_by_their_owners(areas, make_user, login):
    def campaign(name, area):
        item = Campaign(
            name=name,
            starts_on=TODAY - timedelta(days=1),
            ends_on=TODAY + timedelta(days=5),
            area_id=areas[area].id,
        )
        db.session.add(item)
        db.session.commit()
        return item

    district_wide = campaign("全区春节探访", "district")
    ours = campaign("木耳镇寒潮探访", "muer")
    theirs = campaign("古路镇高温探访", "gulu")
    village = login(make_user("village", "jingang"))
    listed = village.get("/campaigns/").get_data(as_text=True)
    assert "全区春节探访" in listed
    assert "木耳镇寒潮探访" in listed
    assert "古路镇高温探访" not in listed
    assert village.get(f"/campaigns/{district_wide.id}").status_code == 200
    assert village.get(f"/campaigns/{theirs.id}").status_code == 404
    assert village.post(f"/campaigns/{ours.id}/close", data={"reason": "x"}).status_code == 404

    town = login(make_user("town", "muer"))
    assert "木耳镇寒潮探访" in town.get("/", headers=EN).get_data(as_text=True)  # open campaigns
    assert (
        town.post(f"/campaigns/{district_wide.id}/close", data={"reason": "天气好转"}).status_code
        == 404
    )
    assert (
        town.post(f"/campaigns/{theirs.id}/close", data={"reason": "天气好转"}).status_code == 404
    )
    assert town.post(f"/campaigns/{ours.id}/close", data={"reason": "天气好转"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Campaign, ours.id).close_reason == "天气好转"
    assert db.session.get(Campaign, district_wide.id).closed_at is None
    assert "木耳镇寒潮探访" not in town.get("/", headers=EN).get_data(as_text=True)


def test_stale_void_is_refused(make_elder, add_visit, recorder, login):
    elder = make_elder(filed_on=LONG_AGO)
    visit = add_visit(elder, TODAY - timedelta(days=1))
    client = login(recorder)
    day = (TODAY - timedelta(days=1)).isoformat()
    assert (
        client.post(
            f"/visits/{visit.id}/edit", data=form_data(visited_on=day, version="1", note="改")
        ).status_code
        == 302
    )
    response = client.post(
        f"/visits/{visit.id}/void", data={"reason": "录错", "version": "1"}, headers=EN
    )
    assert response.status_code == 200
    assert "Someone else saved this record" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).voided_at is None


def test_each_version_of_a_visit_can_be_read_with_the_changes_marked(
    make_elder, add_visit, recorder, login
):
    elder = make_elder(filed_on=LONG_AGO)
    visit = add_visit(elder, TODAY - timedelta(days=1))
    client = login(recorder)
    day = (TODAY - timedelta(days=1)).isoformat()
    edited = client.post(
        f"/visits/{visit.id}/edit", data=form_data(visited_on=day, version="1", mood="worse")
    )
    assert edited.status_code == 302
    show = client.get(f"/visits/{visit.id}", headers=EN).get_data(as_text=True)
    assert f'href="/visits/{visit.id}/versions/2"' in show
    assert "Corrected" in show
    first = client.get(f"/visits/{visit.id}/versions/1", headers=EN).get_data(as_text=True)
    second = client.get(f"/visits/{visit.id}/versions/2", headers=EN).get_data(as_text=True)
    assert re.search(r"<dt>Mood</dt>\s*<dd class=\"\">No change</dd>", first)
    assert re.search(r"<dt>Mood</dt>\s*<dd class=\"changed\">Worse</dd>", second)
    assert client.get(f"/visits/{visit.id}/versions/3").status_code == 404


def test_care_without_satisfaction_is_saved_and_a_stale_edit_is_refused(
    make_elder, recorder, login
):
    elder = make_elder(filed_on=LONG_AGO)
    client = login(recorder)
    data = {
        "submission_key": new_submission_key(),
        "cared_on": TODAY.isoformat(),
        "visit_id": "",
        "need": "",
        "what_was_done": "送米送油",
        "provider": "村委会",
        "satisfaction_note": "",
    }
    response = client.post(f"/elders/{elder.id}/care/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    care = db.session.scalar(select(CareRecord))
    assert (care.satisfaction, care.visit_id, care.need) == (None, None, None)
    form = client.get(f"/care/{care.id}/edit").get_data(as_text=True)
    assert value_of(form, "version") == "1"
    fixed = dict(data, version="1", what_was_done="送米送油，检查了电线")
    assert client.post(f"/care/{care.id}/edit", data=fixed).status_code == 302
    stale = client.post(f"/care/{care.id}/edit", data=dict(fixed, what_was_done="我的版本"))
    assert stale.status_code == 409
    assert "我的版本" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CareRecord, care.id).what_was_done == "送米送油，检查了电线"


def test_an_edit_leaving_out_optional_text_fields_saves_them_empty(
    make_elder, add_visit, recorder, login
):
    """A client that leaves out an optional text box (no browser field sent) gets it saved as
    empty, on a correction as on a first save, instead of a server error."""
    elder = make_elder(filed_on=LONG_AGO)
    visit = add_visit(elder, TODAY - timedelta(days=1), note="原备注")
    client = login(recorder)
    data = form_data(visited_on=(TODAY - timedelta(days=1)).isoformat(), version="1", mood="better")
    for name in ("method_other", "illness_name", "needs_note", "suggested_care", "note"):
        del data[name]
    assert client.post(f"/visits/{visit.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Visit, visit.id)
    assert (saved.note, saved.needs_note, saved.mood.value, saved.version) == ("", "", "better", 2)

    care = record_care(
        recorder, elder, care_values(satisfaction_note="很满意"), new_submission_key(), TODAY
    )
    db.session.commit()
    fixed = {
        "version": "1",
        "cared_on": TODAY.isoformat(),
        "visit_id": "",
        "need": "",
        "what_was_done": "送米送油",
        "provider": "村委会",
    }
    assert client.post(f"/care/{care.id}/edit", data=fixed).status_code == 302
    db.session.expire_all()
    assert db.session.get(CareRecord, care.id).satisfaction_note == ""
