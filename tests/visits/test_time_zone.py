"""Issue 17 item 1: with the server's clock behind Beijing, a visit dated today (Beijing) is
accepted; a visit dated tomorrow is still refused. The site's clock is frozen at 07:00 Beijing
time on the day after the machine's today, when a server in UTC or at UTC-12 still reads the
day before."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from caseman.extensions import db
from caseman.visits.models import Visit
from tests.conftest import TODAY, log_in
from tests.visits.test_views import LONG_AGO, form_data

BEIJING_DAY = TODAY + timedelta(days=1)


@pytest.fixture
def beijing_morning(frozen_clock):
    return frozen_clock(datetime.combine(BEIJING_DAY, datetime.min.time()).replace(hour=7))


def test_a_visit_dated_today_in_beijing_is_accepted(beijing_morning, app, make_elder, recorder):
    elder = make_elder(filed_on=LONG_AGO)
    client = app.test_client()
    log_in(client, recorder)
    page = client.get(f"/elders/{elder.id}/visits/new").get_data(as_text=True)
    assert f'value="{BEIJING_DAY.isoformat()}"' in page  # the form starts at Beijing's day
    response = client.post(
        f"/elders/{elder.id}/visits/new", data=form_data(visited_on=BEIJING_DAY.isoformat())
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.query(Visit).one().visited_on == BEIJING_DAY


def test_a_visit_dated_tomorrow_in_beijing_is_refused(beijing_morning, app, make_elder, recorder):
    elder = make_elder(filed_on=LONG_AGO)
    client = app.test_client()
    log_in(client, recorder)
    later = (BEIJING_DAY + timedelta(days=1)).isoformat()
    response = client.post(f"/elders/{elder.id}/visits/new", data=form_data(visited_on=later))
    assert response.status_code == 400
    assert db.session.query(Visit).count() == 0
