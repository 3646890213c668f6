"""The server's side of offline entry (issue 18 item 1): the visit and care forms answer the
offline sender in JSON, check it as online, never save one key twice; the pages kept offline
are the visitor's own elders only, masked; logout and a disabled account empty the browser."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from caseman.audit import AuditEvent
from caseman.auth.services import disable_user
from caseman.elders.services import archive_elder
from caseman.extensions import db
from caseman.rules.enums import ArchiveReason
from caseman.visits.models import CareRecord, Visit
from tests.conftest import TODAY
from tests.offline.conftest import CARE_FIELDS, visit_fields

JSON = {"Accept": "application/json"}


def _key() -> str:
    return str(uuid.uuid4())


def _send(client, url: str, data: dict, key: str | None = None):
    key = key or _key()
    return client.post(url, data=data, headers={**JSON, "X-Idempotency-Key": key})


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _audited(action: str, object_type: str = "") -> int:
    query = sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    return db.session.scalar(query) or 0


def test_a_visit_sent_twice_is_saved_once(client, make_user, make_elder, login_as):
    """The same key twice (the network broke after the save): one visit, audited once."""
    elder = make_elder()
    login_as(make_user("worker", "jingang"))
    key = _key()
    first = _send(client, f"/elders/{elder.id}/visits/new", visit_fields(), key)
    assert first.status_code == 201
    assert first.json["status"] == "saved"
    assert first.json["number"] == 1
    again = _send(client, f"/elders/{elder.id}/visits/new", visit_fields(), key)
    assert again.status_code == 200
    assert again.json["status"] == "duplicate"
    assert again.json["url"] == first.json["url"]
    assert _count(Visit) == 1
    visit = db.session.scalar(sa.select(Visit))
    assert visit.submission_key == key
    assert visit.suggested_care == "离线时记录"
    assert _audited("create", "visit") == 1  # audited as a save typed online


def test_a_care_record_sent_twice_is_saved_once(client, make_user, make_elder, login_as):
    elder = make_elder()
    login_as(make_user("worker", "jingang"))
    key = _key()
    assert _send(client, f"/elders/{elder.id}/care/new", CARE_FIELDS, key).status_code == 201
    assert _send(client, f"/elders/{elder.id}/care/new", CARE_FIELDS, key).json["status"] == (
        "duplicate"
    )
    assert _count(CareRecord) == 1
    assert _audited("create", "care") == 1


def test_a_refused_record_comes_back_with_the_messages(client, make_user, make_elder, login_as):
    """Checked exactly as online: a future date and a missing answer are refused, in Chinese,
    with the field's label; nothing is saved."""
    elder = make_elder()
    login_as(make_user("worker", "jingang"))
    data = visit_fields()
    del data["gas_safety"]
    response = _send(client, f"/elders/{elder.id}/visits/new", data)  # the form's check
    assert response.status_code == 422
    answer = response.json
    assert answer["status"] == "refused"
    assert answer["message"] == "这条记录没有保存。"
    by_field = {error["field"]: error for error in answer["errors"]}
    assert by_field["gas_safety"]["label"] == "燃气安全"
    assert by_field["gas_safety"]["message"] == "请选择一项。"
    future = visit_fields(visited_on="2999-01-01")  # the service's check
    answer = _send(client, f"/elders/{elder.id}/visits/new", future).json
    assert answer["errors"] == [
        {"field": "visited_on", "label": "探访日期", "message": "日期不能晚于今天。"}
    ]
    assert _count(Visit) == 0


def test_a_record_for_an_archived_case_is_refused(client, make_user, make_elder, login_as):
    elder = make_elder()
    worker = make_user("worker", "jingang")
    archive_elder(make_user("village", "jingang"), elder, ArchiveReason.DECEASED, TODAY, "病故",
                  TODAY, elder.version)  # fmt: skip
    db.session.commit()
    login_as(worker)
    response = _send(client, f"/elders/{elder.id}/care/new", CARE_FIELDS)
    assert response.status_code == 422
    assert "已归档" in response.json["errors"][0]["message"]
    assert _count(CareRecord) == 0


def test_a_key_of_the_wrong_shape_is_refused(client, make_user, make_elder, login_as):
    elder = make_elder()
    login_as(make_user("worker", "jingang"))
    response = _send(client, f"/elders/{elder.id}/visits/new", visit_fields(), "x" * 80)
    assert response.status_code == 400
    assert response.json["status"] == "refused"
    assert _count(Visit) == 0


def test_out_of_scope_is_404(client, make_user, make_elder, login_as):
    elder = make_elder(area="caoping")
    login_as(make_user("worker", "jingang"))
    assert _send(client, f"/elders/{elder.id}/visits/new", visit_fields()).status_code == 404
    assert client.get(f"/offline/elders/{elder.id}").status_code == 404
    assert _count(Visit) == 0


def test_the_form_typed_online_still_answers_with_pages(client, make_user, make_elder, login_as):
    elder = make_elder()
    login_as(make_user("worker", "jingang"))
    response = client.post(f"/elders/{elder.id}/visits/new", data=visit_fields())
    assert response.status_code == 302
    assert "/visits/" in response.headers["Location"]


def test_state_says_who_may_send(client, make_user):
    worker = make_user("worker", "jingang")
    response = client.get("/offline/state")
    assert response.status_code == 200
    assert response.json["status"] == "login"
    assert "csrf_token" not in response.json
    from tests.conftest import log_in

    log_in(client, worker)
    response = client.get("/offline/state")
    assert response.status_code == 200
    assert response.json["user"] == str(worker.id)
    assert response.json["csrf_token"]


def test_a_disabled_account_empties_the_browser(client, make_user, login_as):
    worker = make_user("worker", "jingang")
    login_as(worker)
    disable_user(make_user("village", "jingang"), worker)
    db.session.commit()
    response = client.get("/offline/state")
    assert response.status_code == 403
    assert response.json["status"] == "disabled"
    assert response.headers["Clear-Site-Data"] == '"storage"'


def test_logout_empties_the_browser(client, make_user, login_as):
    login_as(make_user("worker", "jingang"))
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"storage"'
    page = client.get("/login").get_data(as_text=True)
    assert "data-drafts-wipe" in page
    assert "js/offline.js" in page  # empties the store for browsers that ignore the header


def test_the_pack_holds_only_the_visitors_own_elders(
    client, make_user, make_elder, login_as, assign
):
    mine = make_elder(name="张秀英")
    other = make_elder(name="李桂兰")  # same village, another visitor's
    worker = make_user("worker", "jingang")
    assign(worker, [mine])
    login_as(worker)
    pack = client.get("/offline/pack.json").json
    assert pack["user"] == str(worker.id)
    assert pack["elders"] == {str(mine.id): "张秀英"}
    assert f"/elders/{mine.id}/visits/new" in pack["pages"]
    assert f"/elders/{mine.id}/care/new" in pack["pages"]
    assert f"/offline/elders/{mine.id}" in pack["pages"]
    assert "/offline/" in pack["pages"]
    assert not [page for page in pack["pages"] if f"/{other.id}/" in page]
    assert _audited("offline_pack") == 1
    page = client.get("/offline/").get_data(as_text=True)
    assert "张秀英" in page
    assert "李桂兰" not in page
    assert mine.phone not in page
    assert "138****5678" in page


def test_staff_keep_no_elders(client, make_user, make_elder, login_as):
    make_elder()
    login_as(make_user("village", "jingang"))
    assert client.get("/offline/pack.json").json["elders"] == {}
    assert client.get("/offline/").status_code == 200


@pytest.mark.parametrize("role", ["district"])
def test_who_does_not_record_has_no_offline_pages(client, make_user, login_as, role):
    login_as(make_user(role, "district"))
    assert client.get("/offline/").status_code == 404
    assert client.get("/offline/pack.json").status_code == 404


def test_the_case_summary_is_masked(client, make_user, make_elder, login_as, assign):
    elder = make_elder(medical_history="高血压")
    worker = make_user("worker", "jingang")
    assign(worker, [elder])
    login_as(worker)
    page = client.get(f"/offline/elders/{elder.id}").get_data(as_text=True)
    assert elder.id_number not in page
    assert elder.id_number[-4:] in page
    assert elder.phone not in page
    assert elder.emergency_phone not in page
    assert "高血压" in page
    assert _audited("view_summary") == 1
    client.get(f"/offline/elders/{elder.id}", headers={"X-Offline-Pack": "1"})
    assert _audited("view_summary") == 1  # kept by the audited pack


def test_the_service_worker_serves_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "javascript" in response.headers["Content-Type"]
    assert b"caseman-pages" in response.data


def test_a_fresh_token_lets_a_kept_record_through_csrf(app, client, make_user, make_elder):
    """With CSRF checks on: the token from /offline/state is what the sender posts."""
    from tests.conftest import log_in

    elder = make_elder()
    worker = make_user("worker", "jingang")
    log_in(client, worker)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        stale = _send(client, f"/elders/{elder.id}/visits/new",
                      {**visit_fields(), "csrf_token": "old"})  # fmt: skip
        assert stale.status_code == 400
        assert _count(Visit) == 0
        token = client.get("/offline/state").json["csrf_token"]
        key = _key()
        response = client.post(
            f"/elders/{elder.id}/visits/new",
            data={**visit_fields(), "csrf_token": token},
            headers={**JSON, "X-Idempotency-Key": key, "X-CSRFToken": token},
        )
        assert response.status_code == 201
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _count(Visit) == 1
