"""``/healthz``: the bare route a monitor (and the city-scale benchmark) asks."""

from __future__ import annotations

from sqlalchemy import event

from caseman.extensions import db


def test_health_answers_without_login_session_or_database(app, client):
    statements = []

    def count(*args):
        statements.append(args)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get("/healthz")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "ok\n"
    assert statements == []
    assert "Set-Cookie" not in response.headers
