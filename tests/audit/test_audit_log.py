"""The audit log (issue 7 item 3): recorded in the change's transaction, append-only in the
database, searchable and exportable by the district only, pruned only after six months
(Cybersecurity Law art. 21(3); GB/T 35273-2020 §11 security audit)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.exc import DBAPIError

from caseman import audit, clock
from caseman.audit import AuditEvent
from caseman.db import utcnow
from caseman.extensions import db
from caseman.visits.models import Visit
from tests.conftest import denials
from tests.visits.conftest import visit_values


def _add(action: str, user=None, **kwargs) -> AuditEvent:
    event = audit.record(action, user=user, **kwargs)
    db.session.commit()
    return event


def _count_committed(model) -> int:
    """Rows another connection sees: only what was committed."""
    with db.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(model.__table__)) or 0


def test_district_searches_by_user_elder_action_and_date(client, login_as, make_user, app):
    district = make_user("district", "district", username="d1")
    village = make_user("village", "jingang", username="v1")
    for number in range(7):
        _add("view", user=village, object_type="elder", object_id=number, elder_id=number)
    _add("export", user=district, object_type="ledger", detail="format=xlsx")
    old = AuditEvent(action="view", username="v1", role="village", elder_id=3,
                     at=utcnow() - timedelta(days=40))  # fmt: skip
    db.session.add(old)
    db.session.commit()
    app.config["PAGE_SIZE"] = 3
    login_as(district)
    page = client.get("/audit", query_string={"user": "v1", "action": "view"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "(8)" in text  # seven today and one 40 days ago
    assert text.count("<tr>") == 1 + 3  # header + one page of 3
    assert "page=2" in text
    third = client.get("/audit", query_string={"user": "v1", "action": "view", "page": 3})
    assert third.get_data(as_text=True).count("<tr>") == 1 + 2
    by_elder = client.get("/audit", query_string={"elder": 3}).get_data(as_text=True)
    assert "(2)" in by_elder
    today = clock.today().isoformat()  # the filter takes Beijing days
    recent = client.get("/audit", query_string={"elder": 3, "from": today, "to": today})
    assert "(1)" in recent.get_data(as_text=True)
    exports = client.get("/audit", query_string={"action": "export"}).get_data(as_text=True)
    assert "format=xlsx" in exports


@pytest.mark.parametrize("role", ["town", "village", "worker"])
def test_only_the_district_opens_the_audit_log(client, login_as, make_user, role):
    area = {"town": "muer", "village": "jingang", "worker": "jingang"}[role]
    login_as(make_user(role, area))
    assert client.get("/audit").status_code == 404
    assert client.get("/audit?format=xlsx").status_code == 404
    assert denials() == 2


def test_no_route_changes_the_audit_log(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit_log."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_export_is_xlsx_with_text_cells_and_is_audited(client, login_as, make_user):
    district = make_user("district", "district", username="d1")
    _add("view", user=district, object_type="elder", detail='=HYPERLINK("http://x","y")')
    _add("view", user=district, detail="+1+1")
    _add("view", user=district, detail="@SUM(A1)")
    _add("view", user=district, detail="-2")
    login_as(district)
    response = client.get("/audit", query_string={"format": "xlsx"})
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    details = [row[8] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '=HYPERLINK("http://x","y")' in details
    for row in sheet.iter_rows(min_row=2):
        assert row[8].data_type in ("s", "inlineStr")  # text, never a formula ("f")
        assert row[0].data_type in ("s", "inlineStr")
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "export",
                                    AuditEvent.object_type == "audit")
    )  # fmt: skip


def test_database_refuses_to_change_or_delete_recent_rows(make_user):
    event = _add("view", user=make_user("district", "district"), object_type="elder")
    event_id = event.id
    change = sa.update(AuditEvent).where(AuditEvent.id == event_id).values(action="nothing")
    with pytest.raises(DBAPIError):
        db.session.execute(change)
    db.session.rollback()
    with pytest.raises(DBAPIError):
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == event_id))
    db.session.rollback()
    assert db.session.get(AuditEvent, event_id).action == "view"


def test_prune_keeps_six_months_and_refuses_less(app):
    db.session.add_all([
        AuditEvent(action="view", at=utcnow() - timedelta(days=400)),
        AuditEvent(action="view", at=utcnow() - timedelta(days=190)),
        AuditEvent(action="view", at=utcnow() - timedelta(days=30)),
    ])  # fmt: skip
    db.session.commit()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["audit-prune", "--older-than-days", "182"])
    assert refused.exit_code != 0
    assert "183" in refused.output
    assert _count_committed(AuditEvent) == 3
    done = runner.invoke(args=["audit-prune", "--older-than-days", "365"])
    assert done.exit_code == 0, done.output
    assert "Removed 1" in done.output
    ages = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert sorted(ages) == ["audit_prune", "view", "view"]
    with pytest.raises(ValueError, match="183"):
        audit.prune(100)


def test_a_change_whose_request_fails_leaves_no_audit_row_and_no_data(
    client, login_as, make_user, make_elder, app, monkeypatch
):
    from caseman.visits import services

    elder = make_elder(filed_on=utcnow().date() - timedelta(days=30))
    cadre = make_user("village", "jingang", username="cadre")
    real_record = services.audit.record

    def record_then_fail(*args, **kwargs):
        real_record(*args, **kwargs)
        db.session.flush()  # the visit and its audit row reach the database …
        raise RuntimeError("disk full")  # … and then the request fails

    login_as(cadre)
    visits_before, audit_before = _count_committed(Visit), _count_committed(AuditEvent)
    monkeypatch.setattr(services.audit, "record", record_then_fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    values = visit_values()
    form = {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}
    form.update(visited_on=values["visited_on"].isoformat(), needs=None, family_change_count="")
    response = client.post(f"/elders/{elder.id}/visits/new",
                           data={k: v for k, v in form.items() if v is not None})  # fmt: skip
    assert response.status_code == 500
    assert _count_committed(Visit) == visits_before
    assert _count_committed(AuditEvent) == audit_before


def test_rows_name_the_elder_with_a_masked_id_and_search_by_name_or_id(
    client, login_as, make_user, make_elder
):
    """Issue 17 item 14: each row about an elder names them (name + masked ID number), actions
    read in Chinese, and the log is searchable by the elder's name or ID number."""
    from caseman.rules.masking import mask_id_for_role

    zhang = make_elder(name="张秀英")
    li = make_elder(name="李桂兰")
    district = make_user("district", "district", username="d1")
    village = make_user("village", "jingang", username="v1")
    _add("view", user=village, object_type="elder", object_id=zhang.id, elder_id=zhang.id)
    _add("print", user=village, object_type="document", object_id=1, elder_id=li.id)
    _add("login_failed", detail="v1")
    _add("deny", user=village, object_type="visit", object_id=9, elder_id=zhang.id,
         detail="GET visits.show_care exists")  # fmt: skip
    login_as(district)
    text = client.get("/audit").get_data(as_text=True)
    assert "张秀英" in text
    assert "李桂兰" in text
    assert mask_id_for_role(zhang.id_number, "district") in text
    assert zhang.id_number not in text
    assert "登录失败" in text
    assert "拒绝访问" in text
    assert ">login_failed<" not in text
    assert ">deny<" not in text
    assert "GET visits.show_care" not in text.replace('title="GET visits.show_care', "")

    def rows_of(elder) -> int:
        where = AuditEvent.elder_id == elder.id
        return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(where))

    by_name = client.get("/audit", query_string={"elder": "秀英"}).get_data(as_text=True)
    assert f"({rows_of(zhang)})" in by_name  # its registration, the view and the refusal
    assert "李桂兰" not in by_name.split("<table")[1]
    by_id = client.get("/audit", query_string={"elder": li.id_number}).get_data(as_text=True)
    assert f"({rows_of(li)})" in by_id
    assert "张秀英" not in by_id.split("<table")[1]
    nobody = client.get("/audit", query_string={"elder": "无此人"}).get_data(as_text=True)
    assert "(0)" in nobody
    assert 'value="秀英"' in by_name  # the search is kept in its field


def test_every_recorded_action_has_a_readable_label():
    import re
    from pathlib import Path

    from caseman.audit_log.labels import ACTION as ACTION_LABELS

    root = Path(__file__).resolve().parents[2] / "caseman"
    recorded = set()
    for path in root.rglob("*.py"):
        recorded |= set(re.findall(r'record\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert recorded <= set(ACTION_LABELS), recorded - set(ACTION_LABELS)


def test_the_log_shows_real_names_and_chinese_action_labels(client, login_as, make_user):
    admin = make_user("district", "district", full_name="刘主任")
    worker = make_user("worker", "jingang", username="w1", full_name="王芳")
    login_as(admin)
    client.post(f"/users/{worker.id}/disable")
    client.post("/lang", data={"lang": "zh_Hans_CN"})
    page = client.get("/audit?action=user_disabled")
    text = page.get_data(as_text=True)
    assert "刘主任" in text
    assert "停用用户" in text
