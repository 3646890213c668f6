"""Issue 17 item 6: a key elder's missed half month stays visible on the case file, the due
list and the dashboard, and the dashboard counts key elders served in every half month."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.conftest import TODAY
from tests.visits.test_views import login  # noqa: F401 (fixture)

LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
SIXTEENTH = LAST_MONTH.replace(day=16)
FIRST_HALF = f"{LAST_MONTH.year}年{LAST_MONTH.month}月上半月"
SECOND_HALF = f"{LAST_MONTH.year}年{LAST_MONTH.month}月下半月"
FILED = LAST_MONTH - timedelta(days=40)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_visit_on_the_16th_leaves_the_first_half_missed_on_the_case_file(
    make_elder,
    add_visit,
    recorder,
    login,  # noqa: F811
):
    elder = make_elder(filed_on=FILED)  # key: 82, living alone
    add_visit(elder, SIXTEENTH)
    html = login(recorder).get(f"/elders/{elder.id}").get_data(as_text=True)
    chips = re.findall(r'<li class="period state-(\w+)">([^<]+?) <strong>', html)
    by_label = {label: state for state, label in chips}
    assert by_label[FIRST_HALF] == "missed"
    assert by_label[SECOND_HALF] == "served"
    assert "近6个月各周期上门探访情况" in html
    assert re.search(r"漏访 \d+ 个周期", html)


def test_the_due_list_shows_the_missed_half_month_of_last_month(
    make_elder,
    add_visit,
    recorder,
    login,  # noqa: F811
):
    elder = make_elder(filed_on=FILED)
    add_visit(elder, SIXTEENTH)
    visited_each_time = make_elder(filed_on=TODAY - timedelta(days=2))
    html = login(recorder).get("/visits/due").get_data(as_text=True)
    row = re.search(rf'elders/{elder.id}".*?</li>', html, re.S).group(0)
    assert "近3个月漏访：" in row
    assert FIRST_HALF in row
    assert SECOND_HALF not in row
    other = re.search(rf'elders/{visited_each_time.id}".*?</li>', html, re.S).group(0)
    assert "漏访" not in other


def test_the_dashboard_counts_missed_periods_and_key_elders_served_every_half_month(
    make_elder,
    make_user,
    add_visit,
    login,  # noqa: F811
):
    served = make_elder(filed_on=FILED)
    add_visit(served, LAST_MONTH.replace(day=3))
    add_visit(served, SIXTEENTH)
    add_visit(served, TODAY.replace(day=1) if TODAY.day <= 15 else TODAY.replace(day=16))
    half = make_elder(filed_on=FILED)
    add_visit(half, SIXTEENTH)
    town = make_user("town", "muer")
    html = login(town).get("/").get_data(as_text=True)
    page = text(html)
    # Last month: one of the two key elders was visited in both halves.
    assert "每半月均上门探访的重点对象（上月：1/2）" in page
    this_month = re.search(r"<strong>(\d+)/(\d+)</strong><span>每半月均上门探访的重点对象", html)
    assert this_month.groups() == ("1", "2")
    missed = re.search(r"<strong[^>]*>(\d+)</strong><span>近3个月漏访周期数", html)
    assert int(missed.group(1)) >= 1
    other_town = make_user("town", "gulu")
    html = login(other_town).get("/").get_data(as_text=True)
    missed = re.search(r"<strong[^>]*>(\d+)</strong><span>近3个月漏访周期数", html)
    assert missed.group(1) == "0"
