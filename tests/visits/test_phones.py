"""Issue 17 item 15: the due list and the case file let a worker in scope call the elder with
one tap (``tel:``), revealing the full number only through an audited link; the due list shows
the elder's address. Another town's user gets 404 and reveals nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.extensions import db
from tests.conftest import TODAY, log_in

LONG_AGO = TODAY - timedelta(days=75)


def reveals(elder_id):
    db.session.expire_all()
    return db.session.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.action == "reveal", AuditEvent.elder_id == elder_id
        )
    ).all()


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def test_due_list_calls_through_an_audited_link_and_shows_the_address(
    app, make_elder, recorder, make_user
):
    elder = make_elder(filed_on=LONG_AGO, residence_address="2组45号")
    client = client_of(app, recorder)
    html = client.get("/visits/due").get_data(as_text=True)
    link = f'href="/elders/{elder.id}/call/phone"'
    assert link in html
    assert "13812345678" not in html  # masked until tapped
    assert "2组45号" in html
    assert reveals(elder.id) == []

    response = client.get(f"/elders/{elder.id}/call/phone")
    assert response.status_code == 302
    assert response.headers["Location"] == "tel:13812345678"
    assert reveals(elder.id) == ["call phone"]

    other = client_of(app, make_user("village", "baiyan", username="baiyan_cadre"))
    assert other.get(f"/elders/{elder.id}/call/phone").status_code == 404
    assert reveals(elder.id) == ["call phone"]


def test_case_file_calls_the_elder_and_the_emergency_contact(app, make_elder, recorder):
    elder = make_elder(filed_on=LONG_AGO)
    client = client_of(app, recorder)
    html = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert f'href="/elders/{elder.id}/call/phone"' in html
    assert f'href="/elders/{elder.id}/call/emergency"' in html
    assert "13987654321" not in html
    response = client.get(f"/elders/{elder.id}/call/emergency")
    assert response.headers["Location"] == "tel:13987654321"
    assert reveals(elder.id) == ["call emergency_phone"]
    assert client.get(f"/elders/{elder.id}/call/id_number").status_code == 404
