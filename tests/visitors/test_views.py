"""Visitor assignment (issue 16, item 5): from the elder list (checked or all matching), from the
case file, ending with history, the scope it gives a worker, 我的探访, the due list's visitor, the
load page, and the scope of who may assign whom."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from caseman import clock
from caseman.audit import AuditEvent
from caseman.elders.models import ElderAssignment
from caseman.extensions import db
from tests.conftest import TODAY, row_counts

EN = {"Accept-Language": "en"}


def _assignments(**where):
    query = sa.select(ElderAssignment).order_by(ElderAssignment.id)
    for name, value in where.items():
        query = query.where(getattr(ElderAssignment, name) == value)
    return list(db.session.scalars(query))


def _audited(action):
    return (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == action)
        )
        or 0
    )


def _start(**extra):
    return {"started_on": clock.today().isoformat(), **extra}


def _bulk(client, worker, elders, **args):
    query = "&".join(f"elder={e.id}" for e in elders)
    for name, value in args.items():
        query += f"&{name}={value}"
    return client.post(f"/elders/assign?{query}", data=_start(visitor=str(worker.id)))


def test_worker_assigned_three_elders_sees_exactly_them_in_my_visits(
    client, make_user, make_elder, login_as
):
    """Done when: a worker who is assigned 3 elders sees exactly those in 我的探访."""
    staff = make_user("town", "muer")
    worker = make_user("worker", "muer", full_name="王探访")
    mine = [make_elder(area=area, name=name) for area, name in
            (("jingang", "甲一"), ("jingang1", "甲二"), ("baiyan", "白一"))]  # fmt: skip
    others = [make_elder(area="jingang", name="乙一"), make_elder(area="baiyan", name="乙二")]
    login_as(staff)
    assert _bulk(client, worker, mine).status_code == 302
    # An assignment that ended no longer counts.
    assert _bulk(client, worker, [others[0]]).status_code == 302
    ended = _assignments(elder_id=others[0].id)[0]
    response = client.post(
        f"/elders/{others[0].id}/visitors/{ended.id}/end",
        data={"ended_on": clock.today().isoformat(), "reason": "调岗"},
    )
    assert response.status_code == 302
    client.post("/logout")

    login_as(worker)
    page = client.get("/visits/due").get_data(as_text=True)
    listed = set(re.findall(r"<strong>(\S\S)</strong></a>", page))
    assert listed == {"甲一", "甲二", "白一"}
    assert client.get(f"/elders/{others[0].id}").status_code == 404
    assert client.get(f"/elders/{mine[0].id}").status_code == 200


def test_a_village_workers_assigned_elders_come_first(client, make_user, make_elder, login_as):
    staff = make_user("village", "jingang")
    worker = make_user("worker", "jingang")
    make_elder(area="jingang", name="阿大")  # in the worker's village, not assigned
    assigned = [make_elder(area="jingang", name=n) for n in ("周一", "周二", "周三")]
    login_as(staff)
    assert _bulk(client, worker, assigned).status_code == 302
    client.post("/logout")
    login_as(worker)
    page = client.get("/visits/due").get_data(as_text=True)
    first, rest = page.split('class="card due-group mine"', 1)[1].split("</section>", 1)
    assert set(re.findall(r"<strong>(\S\S)</strong></a>", first)) == {"周一", "周二", "周三"}
    assert "阿大" in rest


def test_bulk_assignment_of_the_checked_elders_is_audited_and_keeps_the_filters(
    client, make_user, make_elder, login_as
):
    staff = make_user("town", "muer")
    worker = make_user("worker", "jingang", full_name="李四")
    elders = [make_elder(area="jingang", name=n) for n in ("赵一", "赵二")]
    login_as(staff)
    listing = client.get("/elders/?key=key").get_data(as_text=True)
    assert 'form="assign-form"' in listing
    assert 'action="/elders/assign"' in listing
    page = client.get(f"/elders/assign?elder={elders[0].id}&elder={elders[1].id}&key=key")
    assert page.status_code == 200
    assert "李四 · 渝北区木耳镇金刚村" in page.get_data(as_text=True)  # real name and area
    response = _bulk(client, worker, elders, key="key")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/elders/?key=key")
    rows = _assignments(user_id=worker.id)
    assert [(r.started_on, r.started_by_id, r.ended_on) for r in rows] == [
        (clock.today(), staff.id, None)
    ] * 2
    assert _audited("assign_visitor") == 2
    # Assigning again changes nothing.
    assert _bulk(client, worker, elders).status_code == 302
    assert len(_assignments(user_id=worker.id)) == 2


def test_bulk_all_matching_asks_to_confirm_the_count(client, make_user, make_elder, login_as):
    staff = make_user("town", "muer")
    worker = make_user("worker", "muer")
    for name in ("钱一", "钱二", "钱三"):
        make_elder(area="jingang", name=name)
    make_elder(area="baiyan", name="孙一")
    login_as(staff)
    village = db.session.scalar(sa.text("SELECT id FROM areas WHERE name = '金刚村'"))
    url = f"/elders/assign?all=1&village={village}"
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "All 3 elders matching the filters" in page
    assert 'name="expected" type="hidden" value="3"' in page
    before = row_counts()
    refused = client.post(url, data=_start(visitor=str(worker.id), expected="3"), headers=EN)
    assert refused.status_code == 400
    assert "Confirm the number" in refused.get_data(as_text=True)
    stale = client.post(url, data=_start(visitor=str(worker.id), expected="2", confirm="y"),
                        headers=EN)  # fmt: skip
    assert stale.status_code == 400
    assert "now match 3 elders" in stale.get_data(as_text=True)
    assert row_counts() == before
    done = client.post(url, data=_start(visitor=str(worker.id), expected="3", confirm="y"))
    assert done.status_code == 302
    assert len(_assignments(user_id=worker.id)) == 3


def test_case_file_assign_end_and_assign_again_keeps_history(
    client, make_user, make_elder, login_as
):
    staff = make_user("village", "jingang")
    worker = make_user("worker", "jingang", full_name="陈探访")
    elder = make_elder(area="jingang")
    login_as(staff)
    form = client.get(f"/elders/{elder.id}/visitors/new").get_data(as_text=True)
    assert "陈探访" in form
    assert client.post(f"/elders/{elder.id}/visitors/new",
                       data=_start(visitor=str(worker.id))).status_code == 302  # fmt: skip
    again = client.post(f"/elders/{elder.id}/visitors/new", data=_start(visitor=str(worker.id)),
                        headers=EN)  # fmt: skip
    assert again.status_code == 400
    assert "already the elder&#39;s visitor" in again.get_data(as_text=True)
    (row,) = _assignments(elder_id=elder.id)
    case_file = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert "陈探访" in case_file
    assert f"/visitors/{row.id}/end" in case_file

    # Bad input: a clear message, the typed input kept, nothing changed.
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    bad = client.post(f"/elders/{elder.id}/visitors/{row.id}/end",
                      data={"ended_on": tomorrow, "reason": "离职"}, headers=EN)  # fmt: skip
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "The end cannot be later than today." in text
    assert 'value="离职"' in text
    no_reason = client.post(f"/elders/{elder.id}/visitors/{row.id}/end",
                            data={"ended_on": clock.today().isoformat(), "reason": ""})  # fmt: skip
    assert no_reason.status_code == 400
    db.session.refresh(row)
    assert row.ended_on is None

    ended = client.post(f"/elders/{elder.id}/visitors/{row.id}/end",
                        data={"ended_on": clock.today().isoformat(), "reason": "离职"})  # fmt: skip
    assert ended.status_code == 302
    db.session.refresh(row)
    assert (row.ended_on, row.ended_by_id, row.end_reason) == (clock.today(), staff.id, "离职")
    assert client.post(f"/elders/{elder.id}/visitors/new",
                       data=_start(visitor=str(worker.id))).status_code == 302  # fmt: skip
    rows = _assignments(elder_id=elder.id)
    assert [r.ended_on for r in rows] == [clock.today(), None]
    assert _audited("assign_visitor") == 2
    assert _audited("end_visitor") == 1
    case_file = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert "离职" in case_file  # the earlier assignment, with its reason


def test_town_staff_cannot_assign_another_towns_elder_or_worker(
    client, make_user, make_elder, login_as
):
    staff = make_user("town", "muer")
    own_worker = make_user("worker", "jingang")
    gulu_worker = make_user("worker", "caoping")
    own = make_elder(area="jingang", name="本镇人")
    other = make_elder(area="caoping", name="外镇人")
    login_as(staff)
    before = row_counts(except_audit=True)
    assert client.get(f"/elders/assign?elder={other.id}").status_code == 404
    assert _bulk(client, own_worker, [own, other]).status_code == 404
    assert client.get(f"/elders/{other.id}/visitors/new").status_code == 404
    assert client.post(f"/elders/{other.id}/visitors/new",
                       data=_start(visitor=str(gulu_worker.id))).status_code == 404  # fmt: skip
    # Another town's worker is not offered and is refused.
    form = client.get(f"/elders/{own.id}/visitors/new").get_data(as_text=True)
    assert f'value="{gulu_worker.id}"' not in form
    refused = client.post(
        f"/elders/{own.id}/visitors/new", data=_start(visitor=str(gulu_worker.id))
    )
    assert refused.status_code == 400
    assert _bulk(client, gulu_worker, [own]).status_code == 400
    assert row_counts(except_audit=True) == before


def test_a_worker_of_another_village_is_refused(client, make_user, make_elder, login_as):
    staff = make_user("town", "muer")
    baiyan_worker = make_user("worker", "baiyan")
    elder = make_elder(area="jingang", name="金刚人")
    login_as(staff)
    response = _bulk(client, baiyan_worker, [elder])
    assert response.status_code == 400
    assert "金刚人" in response.get_data(as_text=True)
    assert _assignments() == []


def test_a_worker_cannot_assign_or_end(client, make_user, make_elder, login_as):
    village = make_user("village", "jingang")
    worker = make_user("worker", "jingang")
    elder = make_elder(area="jingang")
    login_as(village)
    client.post(f"/elders/{elder.id}/visitors/new", data=_start(visitor=str(worker.id)))
    (row,) = _assignments()
    client.post("/logout")
    login_as(worker)
    assert client.get("/elders/").status_code == 200
    assert 'form="assign-form"' not in client.get("/elders/").get_data(as_text=True)
    for url in (f"/elders/assign?elder={elder.id}", f"/elders/{elder.id}/visitors/new",
                f"/elders/{elder.id}/visitors/{row.id}/end", "/visitors/"):  # fmt: skip
        assert client.get(url).status_code == 404
    end = client.post(f"/elders/{elder.id}/visitors/{row.id}/end",
                      data={"ended_on": clock.today().isoformat(), "reason": "自己"})  # fmt: skip
    assert end.status_code == 404
    db.session.refresh(row)
    assert row.ended_on is None


def test_due_list_shows_and_filters_by_visitor(client, make_user, make_elder, login_as):
    staff = make_user("town", "muer")
    wang = make_user("worker", "jingang", full_name="王探访")
    li = make_user("worker", "baiyan", full_name="李探访")
    long_ago = clock.today() - timedelta(days=75)
    a = make_elder(area="jingang", name="王管一", filed_on=long_ago)
    b = make_elder(area="baiyan", name="李管一", filed_on=long_ago)
    make_elder(area="baiyan", name="无人管", filed_on=long_ago)
    login_as(staff)
    _bulk(client, wang, [a])
    _bulk(client, li, [b])
    page = client.get("/visits/due?state=overdue").get_data(as_text=True)
    assert re.search(r"王管一.*?王探访", page, re.S)
    only_wang = client.get(f"/visits/due?state=overdue&visitor={wang.id}").get_data(as_text=True)
    assert "王管一" in only_wang
    assert "李管一" not in only_wang
    assert "无人管" not in only_wang
    nobody = client.get("/visits/due?state=overdue&visitor=none").get_data(as_text=True)
    assert "无人管" in nobody
    assert "王管一" not in nobody


def test_load_page_counts_each_visitors_elders_key_and_overdue(
    client, make_user, make_elder, login_as
):
    staff = make_user("town", "muer")
    wang = make_user("worker", "jingang", full_name="王探访")
    make_user("worker", "caoping", full_name="外镇探访")
    # Filed on the tests' today, the day make_elder checks "not in the future" against (Beijing's
    # day can be a day later than the server's between 16:00 and 24:00 UTC).
    long_ago = TODAY - timedelta(days=75)
    elders = [
        make_elder(area="jingang", name="一号", filed_on=long_ago, is_key=True),
        make_elder(area="jingang", name="二号", is_key=False, key_override_reason="测试",
                   filed_on=TODAY),
    ]  # fmt: skip
    make_elder(area="baiyan", name="三号", filed_on=TODAY)
    login_as(staff)
    _bulk(client, wang, elders)
    page = client.get("/visitors/").get_data(as_text=True)
    assert "外镇探访" not in page
    row = page.split("<strong>王探访</strong>", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r">(\d+)<", row) == ["2", "1", "1"]
    assert 'href="/elders/?visitor=none"' in page
    listed = client.get("/elders/?visitor=none").get_data(as_text=True)
    assert "三号" in listed
    assert "一号" not in listed
    mine = client.get(f"/elders/?visitor={wang.id}").get_data(as_text=True)
    assert "一号" in mine
    assert "三号" not in mine


def test_odd_query_values_are_ignored_not_errors(client, make_user, make_elder, login_as):
    login_as(make_user("town", "muer"))
    huge = "9" * 5000
    assert client.get(f"/visits/due?visitor={huge}").status_code == 200
    assert client.get(f"/elders/?visitor={huge}").status_code == 200
    assert client.get(f"/elders/assign?elder={huge}&elder=x").status_code == 200
    too_big = str(2**31)  # digits, but no INTEGER key on PostgreSQL
    assert client.get(f"/visits/due?visitor={too_big}").status_code == 200
    assert client.get(f"/elders/?visitor={too_big}").status_code == 200
    assert client.get(f"/elders/assign?elder={too_big}").status_code == 200
