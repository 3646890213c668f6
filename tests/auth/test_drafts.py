"""Drafts that survive an ended session (issue 18 item 2), server side: a form sent after the
idle timeout brings the user back to the form after logging in, the login page says the typed
values are kept in the browser, and the page after a save tells static/js/drafts.js to forget
the form's draft. The browser half is tests/e2e/test_drafts.py."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from caseman.extensions import db
from caseman.visits.models import Visit
from tests.conftest import log_in
from tests.visits.test_views import form_data

KEPT = "What you typed in the form is kept in this browser."


def _expire(client) -> None:
    with client.session_transaction() as session:
        session["_seen_at"] -= 31 * 60


def _body(html: str) -> str:
    return re.search(r"<body[^>]*>", html).group(0)


def _saved_paths(html: str) -> list[str]:
    found = re.search(r"data-drafts-saved='([^']*)'", html)
    return json.loads(found.group(1)) if found else []


def test_a_visit_sent_after_the_idle_timeout_comes_back_to_the_form(
    client, make_user, make_elder, login_as
):
    user = make_user("village", "jingang")
    elder = make_elder()
    login_as(user)
    client.post("/lang", data={"lang": "en"})
    form_url = f"/elders/{elder.id}/visits/new"
    assert client.get(form_url).status_code == 200
    _expire(client)
    response = client.post(form_url, data={**form_data(), "_draft": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={form_url}"  # not 首页
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing happened for 30 minutes" in page
    assert KEPT in page
    assert db.session.scalar(select(func.count(Visit.id))) == 0
    again = log_in(client, user, next_url=form_url)
    assert again.headers["Location"] == form_url
    form_page = client.get(form_url).get_data(as_text=True)
    assert "data-draft" in form_page
    assert f'data-user="{user.id}"' in _body(form_page)


def test_without_the_draft_script_the_login_page_promises_nothing(
    client, make_user, make_elder, login_as
):
    elder = make_elder()
    login_as(make_user("village", "jingang"))
    client.post("/lang", data={"lang": "en"})
    _expire(client)
    response = client.post(f"/elders/{elder.id}/visits/new", data=form_data())
    assert response.headers["Location"] == f"/login?next=/elders/{elder.id}/visits/new"
    assert KEPT not in client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_action_sent_after_the_timeout_goes_to_the_plain_login(
    client, make_user, make_elder, login_as
):
    elder = make_elder()
    login_as(make_user("village", "jingang"))
    _expire(client)
    # /reveal answers POST only: nothing to come back to.
    response = client.post(f"/elders/{elder.id}/reveal", data={"_draft": "1"})
    assert response.headers["Location"] == "/login"


def test_with_csrf_on_the_expired_form_still_reaches_the_login(
    app, client, make_user, make_elder, login_as
):
    elder = make_elder()
    login_as(make_user("village", "jingang"))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        form_url = f"/elders/{elder.id}/visits/new"
        page = client.get(form_url).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        _expire(client)
        response = client.post(form_url, data={**form_data(), "csrf_token": token, "_draft": "1"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={form_url}"


def test_the_page_after_a_save_lists_the_saved_form_once(client, make_user, make_elder, login_as):
    elder = make_elder()
    login_as(make_user("village", "jingang"))
    form_url = f"/elders/{elder.id}/visits/new"
    bad = client.post(form_url, data={**form_data(method=""), "_draft": "1"})
    assert bad.status_code == 400
    assert _saved_paths(bad.get_data(as_text=True)) == []  # the draft stays: nothing saved
    response = client.post(form_url, data={**form_data(), "_draft": "1"})
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _saved_paths(shown) == [form_url]
    assert _saved_paths(client.get("/").get_data(as_text=True)) == []  # said once


def test_logout_has_the_next_page_empty_the_drafts(client, make_user, login_as):
    login_as(make_user("village", "jingang"))
    assert "data-drafts-wipe" not in _body(client.get("/").get_data(as_text=True))
    response = client.post("/logout")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "data-drafts-wipe" in _body(page)
    assert "data-user" not in _body(page)
    assert "data-drafts-wipe" not in _body(client.get("/login").get_data(as_text=True))


def test_a_request_still_running_at_logout_does_not_cancel_the_wipe(app, client, make_user,
                                                                     login_as):  # fmt: skip
    """The offline pack's fetches may still be running when the user logs out: such a request
    answers with the session cookie it started with. That cookie used to replace the logout's,
    whose session held the wipe flag, and the browser kept the last user's offline records."""
    login_as(make_user("village", "jingang"))
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    before = client.get_cookie(cookie_name).value  # the session a running request started with
    response = client.post("/logout")
    assert response.status_code == 302
    # The running request answers now, with its (old, now refused) session.
    client.set_cookie(cookie_name, before)
    late = client.get("/offline/elders/1")
    assert late.status_code in (302, 404)
    page = client.get("/login").get_data(as_text=True)
    assert "data-drafts-wipe" in _body(page)
    assert "data-drafts-wipe" not in _body(client.get("/login").get_data(as_text=True))
