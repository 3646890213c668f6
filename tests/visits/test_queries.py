"""The visit schedule, the due list, campaign progress and the visit rate (with the demo data)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from caseman.auth.models import User
from caseman.demo.district import DEMO_PASSWORD, load_demo
from caseman.elders.services import archive_elder
from caseman.extensions import db
from caseman.rules.enums import ArchiveReason, Category, VisitMethod
from caseman.rules.visit_periods import DueState, Period, month_period
from caseman.visits.models import Campaign
from caseman.visits.queries import (
    campaign_progress,
    dashboard,
    list_campaign_pending,
    list_due,
    schedule_statuses,
    status_of,
    total_rate,
)
from caseman.visits.services import void_record
from tests.conftest import TODAY, log_in

# A fixed past calendar: filed in January 2024, looked at on 20 March 2024.
FILED = date(2024, 1, 10)
DAY = date(2024, 3, 20)
GENERAL = {"is_key": False, "key_override_reason": "子女每天来看望"}


@pytest.fixture
def district(make_user) -> User:
    return make_user("district", "district", username="district-staff")


def archive(elder, on: date, actor: User) -> None:
    archive_elder(actor, elder, ArchiveReason.DECEASED, on, "病故", TODAY, elder.version)
    db.session.commit()


# --- status of one elder --------------------------------------------------------------------


def test_status_counts_home_visits_only(make_elder, add_visit, recorder):
    elder = make_elder(filed_on=date(2024, 3, 1), **GENERAL)
    assert status_of(elder, DAY).state == DueState.DUE
    add_visit(elder, date(2024, 3, 5), today=DAY, method=VisitMethod.PHONE)
    add_visit(elder, date(2024, 3, 6), today=DAY, method=VisitMethod.VIDEO)
    assert status_of(elder, DAY).state == DueState.DUE
    home = add_visit(elder, date(2024, 3, 7), today=DAY)
    status = status_of(elder, DAY)
    assert (status.state, status.last_home_visit_on) == (DueState.DONE, date(2024, 3, 7))
    void_record(recorder, home, "录错了老人", home.version)
    db.session.commit()
    status = status_of(elder, DAY)
    assert (status.state, status.last_home_visit_on) == (DueState.DUE, None)
    # A month later the unvisited March is missed.
    assert status_of(elder, date(2024, 4, 2)).state == DueState.OVERDUE


def test_key_elder_needs_a_visit_every_half_month(make_elder, add_visit):
    elder = make_elder(filed_on=FILED)  # 82 and living alone: key
    assert elder.is_key
    add_visit(elder, date(2024, 3, 10), today=DAY)  # first half of March
    # 20 March: the second half is due; January and February, missed before the last visit,
    # are history and no longer make the elder overdue.
    status = status_of(elder, DAY)
    assert status.state == DueState.DUE
    assert status.current_period == Period(date(2024, 3, 16), date(2024, 3, 31), is_key=True)
    assert (status.due_by, status.days_left, status.missed_since) == (date(2024, 3, 31), 11, None)
    assert status_of(elder, date(2024, 4, 1)).state == DueState.OVERDUE  # 16–31 March missed
    add_visit(elder, date(2024, 3, 18), today=DAY)
    assert status_of(elder, DAY).state == DueState.DONE


# --- the due list ---------------------------------------------------------------------------


def test_due_list_groups_by_village_and_group_overdue_first(
    make_elder, add_visit, recorder, district
):
    late = make_elder(name="逾期甲", filed_on=FILED)  # key, never visited: overdue since January
    later = make_elder(name="逾期乙", filed_on=date(2024, 2, 1))  # overdue since mid-February
    due = make_elder(name="本期丙", filed_on=date(2024, 3, 1), **GENERAL)  # March not over yet
    done = make_elder(name="已访丁", filed_on=FILED)
    add_visit(done, date(2024, 3, 18), today=DAY)
    grouped = make_elder(name="小组戊", area="jingang1", filed_on=FILED)
    other_village = make_elder(name="白岩己", area="baiyan", filed_on=date(2024, 3, 1), **GENERAL)
    called = make_elder(name="电话庚", filed_on=date(2024, 3, 1), **GENERAL)
    add_visit(called, date(2024, 3, 12), today=DAY, method=VisitMethod.PHONE)
    voided = make_elder(name="作废辛", filed_on=date(2024, 3, 1), **GENERAL)
    wrong = add_visit(voided, date(2024, 3, 12), today=DAY)
    void_record(recorder, wrong, "录错了老人", wrong.version)
    gone = make_elder(name="归档壬", filed_on=FILED)
    archive(gone, date(2024, 3, 1), recorder)
    not_yet = make_elder(name="未建档癸", filed_on=date(2024, 3, 25), **GENERAL)

    result = list_due(district, DAY)

    layout = [
        (
            g.village.name if g.village else "",
            g.group.name if g.group else "",
            [r.name for r in g.rows],
        )
        for g in result.groups
    ]
    assert sorted(layout) == sorted(
        [
            ("金刚村", "", ["逾期甲", "逾期乙", "作废辛", "本期丙", "电话庚"]),
            ("金刚村", "一组", ["小组戊"]),
            ("白岩村", "", ["白岩己"]),
        ]
    )
    # A village's own elders come before those of its villager groups.
    places = [(village, group) for village, group, _names in layout]
    assert places.index(("金刚村", "")) + 1 == places.index(("金刚村", "一组"))
    states = {r.name: r.status.state for g in result.groups for r in g.rows}
    assert states["逾期甲"] == states["逾期乙"] == states["小组戊"] == DueState.OVERDUE
    assert states["本期丙"] == states["电话庚"] == states["作废辛"] == DueState.DUE
    first = result.groups[0].rows[0].status
    assert first.missed_since == Period(date(2024, 1, 1), date(2024, 1, 15), is_key=True)
    assert first.days_overdue == (DAY - date(2024, 1, 15)).days
    assert result.groups[0].overdue == 2
    assert result.counts[DueState.OVERDUE] == 3
    assert result.counts[DueState.DUE] == 4
    assert result.counts[DueState.DONE] == 1
    assert result.total == 7
    listed = {r.elder_id for g in result.groups for r in g.rows}
    assert done.id not in listed
    assert gone.id not in listed
    assert not_yet.id not in listed
    assert {late.id, later.id, due.id, grouped.id, other_village.id} <= listed

    only_overdue = list_due(district, DAY, states=(DueState.OVERDUE,), key="key")
    assert [r.name for g in only_overdue.groups for r in g.rows] == ["逾期甲", "逾期乙", "小组戊"]
    in_baiyan = list_due(district, DAY, area_id=other_village.residence_area_id)
    assert [r.name for g in in_baiyan.groups for r in g.rows] == ["白岩己"]


def test_due_list_stays_in_the_users_scope(make_elder, make_user):
    make_elder(name="木耳老人", filed_on=FILED)
    make_elder(name="古路老人", area="caoping", filed_on=FILED)
    village = make_user("village", "caoping")
    names = [r.name for g in list_due(village, DAY).groups for r in g.rows]
    assert names == ["古路老人"]
    rows = schedule_statuses(make_user("town", "muer"), DAY)
    assert [row.name for row, _status in rows] == ["木耳老人"]


# --- campaign progress ----------------------------------------------------------------------


def make_campaign(area, **overrides) -> Campaign:
    values = {
        "name": "春节探访",
        "starts_on": date(2024, 3, 5),
        "ends_on": date(2024, 3, 15),
        "area_id": area.id,
        "categories": [],
        "key_only": False,
        "home_visit_only": True,
        "note": "",
    }
    values.update(overrides)
    campaign = Campaign(**values)
    db.session.add(campaign)
    db.session.commit()
    return campaign


@pytest.fixture
def cohort(make_elder, add_visit, recorder):
    """Elders of 木耳镇 (and one of 古路镇) with visits inside and outside 5–15 March 2024."""
    inside = make_elder(name="窗口内上门", filed_on=FILED)
    add_visit(inside, date(2024, 3, 10), today=DAY)
    phoned = make_elder(name="窗口内电话", filed_on=FILED, **GENERAL)
    add_visit(phoned, date(2024, 3, 10), today=DAY, method=VisitMethod.PHONE)
    after = make_elder(name="窗口后上门", area="baiyan", filed_on=FILED)
    add_visit(after, date(2024, 3, 16), today=DAY)
    before = make_elder(name="窗口前上门", area="baiyan", filed_on=FILED)
    add_visit(before, date(2024, 3, 4), today=DAY)
    voided = make_elder(name="作废上门", filed_on=FILED)
    wrong = add_visit(voided, date(2024, 3, 12), today=DAY)
    void_record(recorder, wrong, "录错", wrong.version)
    db.session.commit()
    nest = make_elder(
        name="空巢老人",
        filed_on=FILED,
        categories={Category.EMPTY_NEST},
        category_override_reason="子女在外地",
        **GENERAL,
    )
    elsewhere = make_elder(name="古路上门", area="caoping", filed_on=FILED)
    add_visit(elsewhere, date(2024, 3, 10), today=DAY)
    gone = make_elder(name="已归档", filed_on=FILED)
    archive(gone, date(2024, 3, 8), recorder)
    make_elder(name="窗口后建档", filed_on=date(2024, 3, 20))
    return {"nest": nest}


def test_campaign_counts_home_visits_inside_the_window(areas, make_user, cohort):
    town = make_user("town", "muer")
    campaign = make_campaign(areas["muer"])
    progress = campaign_progress(campaign, town)
    assert (progress.cohort, progress.visited) == (6, 1)
    assert progress.rate == pytest.approx(1 / 6)
    pending = [e.name for e in list_campaign_pending(campaign, town)]
    assert sorted(pending) == sorted(
        ["窗口内电话", "窗口后上门", "窗口前上门", "作废上门", "空巢老人"]
    )


def test_campaign_counts_calls_when_allowed(areas, make_user, cohort):
    town = make_user("town", "muer")
    campaign = make_campaign(areas["muer"], home_visit_only=False)
    progress = campaign_progress(campaign, town)
    assert (progress.cohort, progress.visited) == (6, 2)
    assert "窗口内电话" not in [e.name for e in list_campaign_pending(campaign, town)]


def test_campaign_cohort_by_area_category_and_key(areas, make_user, cohort):
    town = make_user("town", "muer")
    key_only = campaign_progress(make_campaign(areas["muer"], key_only=True), town)
    assert (key_only.cohort, key_only.visited) == (4, 1)
    nests = make_campaign(areas["muer"], categories=[Category.EMPTY_NEST.value])
    assert [e.id for e in list_campaign_pending(nests, town)] == [cohort["nest"].id]
    assert campaign_progress(nests, town).cohort == 1
    village = campaign_progress(make_campaign(areas["baiyan"]), town)
    assert (village.cohort, village.visited) == (2, 0)
    district_wide = make_campaign(areas["district"])
    assert campaign_progress(district_wide, town).cohort == 6  # the town sees only its elders
    whole = campaign_progress(district_wide, make_user("district", "district"))
    assert (whole.cohort, whole.visited) == (7, 2)


# --- visit rate with controlled data ----------------------------------------------------------


def test_monthly_rate_counts_elders_archived_inside_the_month_only_when_visited(
    make_elder, add_visit, recorder, district
):
    visited = make_elder(filed_on=FILED, **GENERAL)
    add_visit(visited, date(2024, 3, 5), today=DAY)
    called = make_elder(filed_on=FILED, **GENERAL)
    add_visit(called, date(2024, 3, 5), today=DAY, method=VisitMethod.PHONE)
    left_visited = make_elder(filed_on=FILED)  # key
    add_visit(left_visited, date(2024, 3, 5), today=DAY)
    archive(left_visited, date(2024, 3, 12), recorder)
    left_unvisited = make_elder(filed_on=FILED)
    archive(left_unvisited, date(2024, 3, 12), recorder)
    left_before = make_elder(filed_on=FILED)
    archive(left_before, date(2024, 2, 20), recorder)
    make_elder(filed_on=date(2024, 4, 2))  # filed after March

    march = total_rate(district, month_period(2024, 3))
    assert (march.visited, march.active) == (2, 3)
    assert (march.key_visited, march.key_active) == (1, 1)
    assert (march.general_visited, march.general_active) == (1, 2)
    february = total_rate(district, month_period(2024, 2))
    assert (february.visited, february.active) == (0, 4)  # left_before: no visit in February


# --- THE acceptance test: the demo's dashboard against a count by hand ------------------------


def _day(value) -> date | None:
    """Dates come back as strings from SQLite through text()."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _by_hand(period: Period, area_prefix: str = "/") -> dict[str, tuple[int, int]]:
    """Visited/active for all, key and general elders under an area, from plain SQL."""
    elders = db.session.execute(
        sa.text(
            "SELECT e.id, e.is_key, e.filed_on, e.archived_on FROM elders e "
            "JOIN areas a ON a.id = e.residence_area_id WHERE a.path LIKE :prefix"
        ),
        {"prefix": area_prefix + "%"},
    ).all()
    home_visited = {
        elder_id
        for elder_id, visited_on in db.session.execute(
            sa.text(
                "SELECT elder_id, visited_on FROM visits "
                "WHERE method = 'home' AND voided_at IS NULL"
            )
        )
        if period.start <= _day(visited_on) <= period.end
    }
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for elder_id, is_key, filed_on, archived_on in elders:
        filed_on, archived_on = _day(filed_on), _day(archived_on)
        visited = elder_id in home_visited
        if filed_on > period.end:
            continue
        still_active = archived_on is None or archived_on > period.end
        left_inside = archived_on is not None and period.start <= archived_on <= period.end
        if not (still_active or (left_inside and visited)):
            continue
        for bucket in ("total", "key" if is_key else "general"):
            counts[bucket][0] += int(visited)
            counts[bucket][1] += 1
    return {name: (counts[name][0], counts[name][1]) for name in ("total", "key", "general")}


def _as_counts(rate) -> dict[str, tuple[int, int]]:
    return {
        "total": (rate.visited, rate.active),
        "key": (rate.key_visited, rate.key_active),
        "general": (rate.general_visited, rate.general_active),
    }


def test_demo_dashboard_visit_rates_match_a_count_by_hand(app, client):
    load_demo(today=TODAY)
    db.session.commit()
    user = db.session.scalar(sa.select(User).where(User.username == "district"))

    board = dashboard(user, TODAY)

    period = month_period(TODAY.year, TODAY.month)
    assert board.period == period
    assert _as_counts(board.total) == _by_hand(period)
    assert board.total.active > 250  # the demo's ~320 elders, a few archived
    assert 0 < board.total.visited < board.total.active  # the month is under way
    names = [row.area.name for row in board.villages]
    assert "金刚村" in names
    assert len(names) >= 12
    for row in board.villages:
        assert _as_counts(row.rate) == _by_hand(period, row.area.path), row.area.full_name
    for row in board.towns:
        assert _as_counts(row.rate) == _by_hand(period, row.area.path), row.area.full_name

    # The 12-month trend: every past month recounted by hand too.
    assert len(board.trend) == 12
    assert board.trend[-1][0] == period
    for month, rate in board.trend[:-1]:
        assert _as_counts(rate) == _by_hand(month), month.start
    last_month = board.trend[-2]
    assert last_month[1].visited > 0
    assert last_month[0].end == period.start - timedelta(days=1)

    # The same figure for 金刚村 on the home page.
    jingang = next(row for row in board.villages if row.area.name == "金刚村")
    visited, active = _by_hand(period, jingang.area.path)["total"]
    district_user = db.session.scalar(sa.select(User).where(User.username == "district"))
    log_in(client, district_user, DEMO_PASSWORD)
    page = client.get("/").get_data(as_text=True)
    row = re.search(
        r"渝北区木耳镇金刚村</a></td>\s*<td[^>]*><strong>[^<]*</strong>\s*"
        r'<span class="muted">(\d+)/(\d+)</span>',
        page,
    )
    assert row is not None
    assert (int(row.group(1)), int(row.group(2))) == (visited, active)


def _rate_counts_one_month(user: User, period: Period) -> dict[tuple[int, bool], tuple[int, int]]:
    """The dashboard's count before issue 6 (one statement a month), kept as the reference."""
    from caseman.elders.models import Elder
    from caseman.scope import elder_filter
    from caseman.visits.models import Visit
    from caseman.visits.queries import counting_visits

    visited = (
        sa.select(Visit.id)
        .where(
            Visit.elder_id == Elder.id,
            counting_visits(),
            Visit.visited_on.between(period.start, period.end),
        )  # fmt: skip
        .correlate(Elder)
        .exists()
    )
    counted = sa.or_(
        sa.or_(Elder.archived_on.is_(None), Elder.archived_on > period.end),
        sa.and_(Elder.archived_on.between(period.start, period.end), visited),
    )
    rows = db.session.execute(
        sa.select(
            Elder.residence_area_id,
            Elder.is_key,
            sa.func.count(Elder.id),
            sa.func.sum(sa.case((visited, 1), else_=0)),
        )  # fmt: skip
        .where(elder_filter(user), Elder.filed_on <= period.end, counted)
        .group_by(Elder.residence_area_id, Elder.is_key)
    ).all()
    return {(area_id, is_key): (int(v or 0), int(n)) for area_id, is_key, n, v in rows}


def test_grouped_monthly_counts_equal_one_query_a_month(app):
    """Issue 6: the trend's twelve months in one grouped statement give the same figures."""
    from caseman.visits.queries import rate_counts_by_period

    load_demo(today=TODAY)
    db.session.commit()
    months = [month_period(TODAY.year, TODAY.month)]
    while len(months) < 12:
        day = months[-1].start - timedelta(days=1)
        months.append(month_period(day.year, day.month))
    for username in ("district", "town", "village", "worker"):
        user = db.session.scalar(sa.select(User).where(User.username == username))
        assert user is not None, username
        grouped = rate_counts_by_period(user, months)
        assert grouped == [_rate_counts_one_month(user, month) for month in months], username
        assert any(counts for counts in grouped)


def test_dashboard_schedule_counts_equal_the_due_list(app):
    """Issue 6: the dashboard reads the trend and the schedule in one statement; its overdue, due
    and done counts (and the overdue of each village) are those of ``schedule_statuses``."""
    load_demo(today=TODAY)
    db.session.commit()
    for username in ("district", "town", "village", "worker"):
        user = db.session.scalar(sa.select(User).where(User.username == username))
        board = dashboard(user, TODAY)
        statuses = schedule_statuses(user, TODAY)
        states = [status.state for _row, status in statuses]
        expected = (states.count(DueState.OVERDUE), states.count(DueState.DUE),
                    states.count(DueState.DONE))  # fmt: skip
        assert (board.overdue, board.due, board.done) == expected, username
        assert board.overdue > 0, username
        overdue_rows = [row for row, status in statuses if status.state == DueState.OVERDUE]
        for village in board.villages:
            inside = [r for r in overdue_rows if r.residence_area_id in _subtree_ids(village.area)]
            assert village.overdue == len(inside), (username, village.area.name)


def _subtree_ids(area) -> set[int]:
    from caseman.areas.models import Area

    return set(db.session.scalars(sa.select(Area.id).where(Area.path.startswith(area.path))))


def test_visit_rate_periods_must_not_overlap(district):
    from caseman.rules.visit_periods import period_containing
    from caseman.visits.queries import rate_counts_by_period

    march = month_period(2024, 3)
    with pytest.raises(ValueError, match="overlap"):
        rate_counts_by_period(district, [march, period_containing(date(2024, 3, 20), True)])


def test_case_file_takes_the_last_home_visit_from_its_list(make_elder, add_visit, recorder):
    """Issue 6: the case file's schedule uses the home visit among the visits it lists; when
    none of them is one, ``status_of`` looks the last one up (phone calls never count)."""
    from caseman.visits.queries import last_home_visit_listed, timeline

    elder = make_elder(filed_on=FILED, **GENERAL)
    home = add_visit(elder, date(2024, 3, 5), today=DAY)
    add_visit(elder, date(2024, 3, 10), today=DAY, method=VisitMethod.PHONE)
    items = timeline(elder, 20)
    assert [type(i).__name__ for i in items][:2] == ["Visit", "Visit"]
    assert last_home_visit_listed(items, DAY) == date(2024, 3, 5)
    assert last_home_visit_listed(items, date(2024, 3, 4)) is None  # listed ones are later
    assert last_home_visit_listed(items[:1], DAY) is None  # the phone call only: look it up
    assert status_of(elder, DAY, last_home_visit_listed(items, DAY)) == status_of(elder, DAY)
    void_record(recorder, home, "录错了", home.version)
    db.session.commit()
    items = timeline(elder, 20)
    assert last_home_visit_listed(items, DAY) is None
    assert status_of(elder, DAY).state == DueState.OVERDUE  # never visited at home since filing
