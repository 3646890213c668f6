"""Requests and responses (issue 7, item 5), over every route of ``app.url_map``.

CSRF refuses every POST without a token; no GET changes the database; every response carries the
security headers; an error never shows a traceback and leaves no partial data.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, g

from caseman import PROJECT_ROOT
from caseman.areas.models import Area, AreaLevel
from caseman.extensions import db
from tests.conftest import PASSWORD, row_counts
from tests.security.conftest import log_in
from tests.security.routes import RECORD_TABLES, routes, snapshot, user_for


def token_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


def test_every_post_route_refuses_a_request_without_a_csrf_token(app, world):
    # CSRF protection on, as in production (Flask-WTF reads the setting at each request).
    app.config["WTF_CSRF_ENABLED"] = True
    protected = app

    @app.before_request
    def _forget_cached_token() -> None:
        # The fixture's app context (and its ``g``) outlives requests; Flask-WTF caches the
        # token there, so a token from before the login would be handed out again.
        g.pop("csrf_token", None)

    client = protected.test_client()
    page = client.get("/login").get_data(as_text=True)
    # Even the login form: without its token nobody is logged in.
    refused = client.post("/login", data={"username": world.cadre.username, "password": PASSWORD})
    assert refused.status_code == 400
    login = client.post(
        "/login",
        data={
            "username": world.cadre.username,
            "password": PASSWORD,
            "csrf_token": token_of(page),
        },  # fmt: skip
    )
    assert login.status_code == 302
    token = token_of(client.get(f"/elders/{world.elder.id}/edit").get_data(as_text=True))

    posts = [route for route in routes(protected, world) if route.method == "POST"]
    assert len(posts) >= 15  # the walk found the app's forms
    before = snapshot(skip={"audit_events"})
    for route in posts:
        response = client.post(route.url, data={"version": "1", "note": "x", "reason": "x"})
        assert response.status_code == 400, (route, response.status_code)
        assert snapshot(skip={"audit_events"}) == before, route
    # The same session with its token gets through: the refusals above were the token's doing.
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


# A GET that writes on purpose, and why: the optional second factor's set-up page keeps the key
# it shows (unconfirmed, it changes no access) so that a reload shows the same QR code; the home
# page and the due list count a stale area's figures again and keep them (a cache of counts,
# caseman/area_figures.py: no record changes).
GET_WRITES = {"auth.totp_setup": {"users"},
              "dashboard.index": {"dashboard_area_summaries"},
              "visits.due": {"dashboard_area_summaries"}}  # fmt: skip
PLACEHOLDERS = ("987654", "no-such-upload")


def test_no_get_route_changes_the_database(app, world):
    clients = {}
    gets = [route for route in routes(app, world) if route.method == "GET"]
    assert len(gets) >= 25
    for route in gets:
        user = user_for(route, world)
        key = getattr(user, "username", None)
        if key not in clients:
            clients[key] = log_in(app, user) if user is not None else app.test_client()
        before = snapshot(RECORD_TABLES | GET_WRITES.get(route.endpoint, set()))
        response = clients[key].get(route.url)
        response.close()
        missing = any(p in route.url for p in PLACEHOLDERS)  # an id that exists nowhere: 404
        assert response.status_code in ((200, 302, 404) if missing else (200, 302)), (
            route,
            response.status_code,
        )
        assert snapshot(RECORD_TABLES | GET_WRITES.get(route.endpoint, set())) == before, route


REQUIRED_CSP = ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'",
                "object-src 'none'", "base-uri 'none'")  # fmt: skip


def assert_secure_headers(response, url: str) -> None:
    route = url
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    for directive in REQUIRED_CSP:
        assert directive in csp, (route, csp)
    assert "unsafe-inline" not in csp, route
    assert "unsafe-eval" not in csp, route
    assert headers.get("X-Content-Type-Options") == "nosniff", route
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin"), route
    assert headers.get("X-Frame-Options") == "DENY", route
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin", route
    if not url.startswith("/static/"):
        assert "no-store" in headers.get("Cache-Control", ""), route


def test_security_headers_on_every_route_for_anonymous_and_logged_in_users(app, world):
    anonymous = app.test_client()
    clients = {}
    seen = 0
    for route in routes(app, world):
        user = user_for(route, world)
        if user is not None and user.username not in clients:
            clients[user.username] = log_in(app, user)
        for client in (anonymous, clients.get(getattr(user, "username", None))):
            if client is None:
                continue
            response = client.open(route.url, method=route.method, data={})
            response.close()
            assert response.status_code < 500, (route, response.status_code)
            assert_secure_headers(response, route.url)
            seen += 1
        if route.endpoint == "auth.logout":
            clients.clear()  # logged out: log in again for the next routes
    assert seen >= 70
    for path in ("/no-such-page", "/elders/999999"):  # 404s carry them too
        assert_secure_headers(anonymous.get(path), path)


def test_templates_have_no_inline_scripts_or_event_handlers():
    """The CSP forbids inline scripts: a page that relied on one would break, so none may."""
    offenders = []
    for path in sorted(Path(PROJECT_ROOT, "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.IGNORECASE):
            if "src=" not in tag:
                offenders.append(f"{path.name}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.name}: on…= handler")
        if "javascript:" in text.lower():
            offenders.append(f"{path.name}: javascript: URL")
    assert offenders == []


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    """The app as in production for errors (exceptions not propagated), with two routes that fail
    half-way: after adding a row, and after a database error."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def half_done():
        db.session.add(Area(name="半途村", level=AreaLevel.VILLAGE, path="x"))
        db.session.flush()
        raise RuntimeError("secret detail: 500112194403050074")

    def broken_sql():
        db.session.execute(db.text("SELECT * FROM no_such_table"))

    for name, view in (("half_done", half_done), ("broken_sql", broken_sql)):
        view.access_policy = "public"  # type: ignore[attr-defined]
        app.add_url_rule(f"/test-{name}", name, view, methods=["GET", "POST"])
    return app


@pytest.mark.parametrize("path", ["/test-half_done", "/test-broken_sql"])
def test_an_error_shows_no_traceback_and_leaves_no_partial_data(failing_app, make_user, path):
    user = make_user("village", "jingang")
    client = log_in(failing_app, user)  # the error page shows the menu of a logged-in user
    db.session.rollback()  # a fresh read, after the login's audit row
    before = row_counts()
    response = client.post(path)
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    for leak in ("Traceback", "RuntimeError", "secret detail", "500112194403050074",
                 "no_such_table", "sqlalchemy", 'File "'):  # fmt: skip
        assert leak not in html
    assert "<h1>500</h1>" in html  # our page, not Werkzeug's bare one
    assert "/logout" in html
    assert "no-store" in response.headers["Cache-Control"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    db.session.rollback()
    assert row_counts() == before


def test_https_deployments_get_strict_transport_security(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["SESSION_COOKIE_SECURE"] = True  # CASEMAN_HTTPS=1
    assert client.get("/login").headers["Strict-Transport-Security"].startswith("max-age=")
