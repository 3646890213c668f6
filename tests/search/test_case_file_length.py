"""The case file shows the latest visits and care only (issue 6: the case file of years of
half-monthly visits rendered hundreds of them); the case history has the rest."""

from __future__ import annotations

import re
from datetime import timedelta

from caseman.visits.queries import CASE_FILE_ITEMS
from tests.conftest import TODAY


def _visit_numbers(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/visits/\d+">[^<]*?(\d+)', page)]


def test_case_file_shows_the_latest_visits_and_links_to_the_history(
    client, login_as, cast, add_visit, town_user, other_town_user
):
    elder = cast["wang"]  # 白岩村, 木耳镇: filed 120 days ago
    total = CASE_FILE_ITEMS + 5
    for days in range(total):
        add_visit(elder, visited_on=TODAY - timedelta(days=4 * days + 1))
    login_as(town_user)
    page = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    numbers = _visit_numbers(page)
    assert len(numbers) == CASE_FILE_ITEMS
    # Visits are numbered in the order recorded; the newest date was recorded first here.
    assert sorted(numbers) == list(range(1, CASE_FILE_ITEMS + 1))
    history = f'href="/elders/{elder.id}/history"'
    assert page.count(history) == 2  # the button at the top and the "see the rest" line
    # The site speaks Chinese by default (zh_Hans_CN).
    assert f"仅显示最近 {CASE_FILE_ITEMS} 条（共 {total} 条）" in page
    full = client.get(f"/elders/{elder.id}/history").get_data(as_text=True)
    assert len(set(re.findall(r'href="/visits/(\d+)"', full))) == total

    client.post("/logout")
    login_as(other_town_user)  # another town: 404, and the page says nothing
    response = client.get(f"/elders/{elder.id}")
    assert response.status_code == 404
    assert elder.name not in response.get_data(as_text=True)


def test_short_case_file_shows_every_visit_and_no_extra_link(
    client, login_as, cast, add_visit, town_user
):
    elder = cast["wang"]
    for days in (3, 20):
        add_visit(elder, visited_on=TODAY - timedelta(days=days))
    login_as(town_user)
    page = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert sorted(_visit_numbers(page)) == [1, 2]
    assert page.count(f'href="/elders/{elder.id}/history"') == 1
