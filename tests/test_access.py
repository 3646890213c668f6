"""Every route declares its access policy; responses carry the security headers."""

from __future__ import annotations


def test_every_route_declares_an_access_policy(app):
    missing = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if not getattr(app.view_functions[rule.endpoint], "access_policy", None)
    ]
    assert missing == []


def test_pages_need_a_login(client):
    for path in ("/", "/elders/", "/elders/new", "/elders/1"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_security_headers_on_pages(client, make_user, login_as):
    login_as(make_user("village", "jingang"))
    for path in ("/", "/elders/", "/login", "/elders/999999"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"


def test_stored_script_is_shown_as_text(client, make_user, make_elder, login_as):
    elder = make_elder(medical_history="<script>alert(1)</script>")
    login_as(make_user("village", "jingang"))
    text = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
