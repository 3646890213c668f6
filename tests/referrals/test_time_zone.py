"""Issue 17 item 1: a risk's time is Beijing wall time, whatever zone the server runs in.

The site's clock is frozen at 07:10 Beijing time on the day after today (23:10 UTC today): a
server in UTC, or twelve hours behind UTC, still reads "today" then, as a server did when users
found a risk entered at 14:20 refused "in the future" and the form pre-filled with 06:37.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from caseman.extensions import db
from caseman.referrals.models import Risk
from tests import conftest
from tests.conftest import TODAY
from tests.referrals.test_views import created_id, risk_form

TOMORROW = TODAY + timedelta(days=1)
BEIJING_NOW = datetime.combine(TOMORROW, datetime.min.time()).replace(hour=7, minute=10)


@pytest.fixture
def zh(app):
    def log_in(user):
        client = app.test_client()
        conftest.log_in(client, user)
        return client

    return log_in


@pytest.fixture
def beijing_morning(frozen_clock):
    return frozen_clock(BEIJING_NOW)


def test_a_risk_entered_at_beijing_time_is_not_in_the_future(beijing_morning, elder, cadre, zh):
    typed = BEIJING_NOW - timedelta(minutes=10)  # 07:00 Beijing = 23:00 UTC the day before
    response = zh(cadre).post(
        f"/elders/{elder.id}/risks/new",
        data=risk_form(cadre, occurred_at=typed.strftime("%Y-%m-%dT%H:%M")),
    )
    risk = db.session.get(Risk, created_id(response, "risks"))
    assert risk.occurred_at == typed  # stored as typed: Beijing wall time


def test_a_risk_ten_minutes_ahead_of_beijing_is_still_refused(beijing_morning, elder, cadre, zh):
    typed = BEIJING_NOW + timedelta(minutes=10)
    response = zh(cadre).post(
        f"/elders/{elder.id}/risks/new",
        data=risk_form(cadre, occurred_at=typed.strftime("%Y-%m-%dT%H:%M")),
    )
    assert response.status_code == 400
    assert db.session.query(Risk).count() == 0


def test_the_risk_form_starts_at_beijing_time(beijing_morning, elder, cadre, zh):
    html = zh(cadre).get(f"/elders/{elder.id}/risks/new").get_data(as_text=True)
    (tag,) = [t for t in re.findall(r"<input[^>]*>", html) if 'name="occurred_at"' in t]
    assert f'value="{TOMORROW.isoformat()}T07:10"' in tag


def test_the_risk_page_shows_the_time_once_as_typed(beijing_morning, elder, cadre, zh):
    client = zh(cadre)
    typed = BEIJING_NOW - timedelta(minutes=50)  # 06:20
    typed_text = typed.strftime("%Y-%m-%dT%H:%M")
    data = risk_form(cadre, occurred_at=typed_text, contact_reached="女儿张小红",
                     contact_reached_at=typed_text)  # fmt: skip
    response = client.post(f"/elders/{elder.id}/risks/new", data=data)
    html = client.get(f"/risks/{created_id(response, 'risks')}").get_data(as_text=True)
    day = f"{TOMORROW.year}年{TOMORROW.month}月{TOMORROW.day}日"
    when = re.search(r"<dd>([^<]*06:20[^<]*)</dd>", html).group(1)
    assert when.strip() == f"{day} 06:20"  # one time, not "… 14:20 06:20"
    assert "14:20" not in html
    assert "22:20" not in html
    assert not re.search(r"\d{4}-\d\d-\d\d", when)  # no ISO date on a Chinese page
    assert f"{day} 06:20" in re.search(r"女儿张小红[^<]*", html).group(0)
