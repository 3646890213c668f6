"""Issue 17 item 15: the dashboard's trend marks the month still running as partial (its rate is
not final): "本月（截至5日）", a hatched band and a hollow point; past months read 2026年11月."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.conftest import TODAY, log_in


def test_the_current_month_is_marked_partial(app, make_elder, make_user):
    make_elder(filed_on=TODAY - timedelta(days=400))
    client = app.test_client()
    log_in(client, make_user("town", "muer"))
    html = client.get("/").get_data(as_text=True)
    assert f"本月（截至{TODAY.day}日）" in html
    assert html.count('class="partial-month"') == 1
    last_month = TODAY.replace(day=1) - timedelta(days=1)
    assert f"<th>{last_month.year}年{last_month.month}月</th>" in html
    assert not re.search(r"<th>\d{4}-\d\d</th>", html)  # no ISO months on a Chinese page
