"""Issue 17 item 11: 重点/一般 on the registration form starts at the rule's suggestion."""

from __future__ import annotations

import re

from sqlalchemy import select

from caseman.elders.models import Elder
from caseman.extensions import db
from tests.elders.test_views import form_data


def test_new_form_preselects_neither_key_nor_general(client, areas, make_user, login_as):
    login_as(make_user("village", "jingang"))
    html = client.get("/elders/new").get_data(as_text=True)
    boxes = [t for t in re.findall(r"<input[^>]*>", html) if 'name="is_key"' in t]
    assert len(boxes) == 2
    assert not any(re.search(r"\schecked", t) for t in boxes)


def test_unchosen_key_status_takes_the_suggestion(client, areas, make_user, login_as):
    """An 85-year-old living alone is a key elder by the rule (高龄独居, 004 一(四)): saved
    without a choice, the case is key, with no override reason asked for."""
    login_as(make_user("village", "jingang"))
    data = form_data(areas)
    del data["is_key"]
    response = client.post("/elders/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    elder = db.session.scalar(select(Elder))
    assert elder.is_key
    assert elder.suggested_key


def test_unchosen_key_status_with_a_broken_id_asks_for_a_choice(client, areas, make_user, login_as):
    login_as(make_user("village", "jingang"))
    data = form_data(areas, id_number="123")
    del data["is_key"]
    response = client.post("/elders/new", data=data)
    assert response.status_code in (200, 400)
    assert 'id="is_key-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Elder)) is None
