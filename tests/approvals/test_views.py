"""Approval pages (issue 19 item 1): the inbox, each state change through the browser's posts,
the marks on the case file, the list, the dashboard, the ledger and its 主要领导审核, and scope."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from caseman.approvals.models import ApprovalRequest
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.rules.approvals import ApprovalKind, ApprovalState
from tests.conftest import TODAY, log_in, row_counts
from tests.elders.test_views import form_data


@pytest.fixture
def people(app, make_user):
    """A village cadre of 金刚村, the town staff of 木耳镇, and staff of elsewhere, each logged
    in on their own client."""
    users = {
        "village": make_user("village", "jingang", full_name="金刚村干部"),
        "town": make_user("town", "muer", full_name="木耳镇审核员"),
        "other_town": make_user("town", "gulu"),
        "other_village": make_user("village", "baiyan"),
        "district": make_user("district", "district"),
    }
    clients = {}
    for name, user in users.items():
        clients[name] = app.test_client()
        log_in(clients[name], user)
    return users, clients


def _register(clients, areas):
    response = clients["village"].post("/elders/new", data=form_data(areas))
    assert response.status_code == 302, response.get_data(as_text=True)
    elder = db.session.scalar(select(Elder).where(Elder.name == "王大山"))
    request = db.session.scalar(select(ApprovalRequest).where(ApprovalRequest.elder_id == elder.id))
    return elder, request


def _state(request_id):
    db.session.expire_all()
    return db.session.get(ApprovalRequest, request_id).state


def test_register_return_answer_resubmit_approve(areas, people):
    users, clients = people
    village, town = clients["village"], clients["town"]
    elder, request = _register(clients, areas)
    assert request.kind is ApprovalKind.REGISTRATION
    assert request.state is ApprovalState.PENDING
    follow = village.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert "待镇街审核" in follow
    assert "待审核" in follow
    assert "待审核" in village.get("/elders/").get_data(as_text=True)

    # The town's dashboard counts it and links to the inbox.
    home = town.get("/").get_data(as_text=True)
    assert 'href="/approvals/"' in home
    assert "待审核" in home
    inbox = town.get("/approvals/").get_data(as_text=True)
    assert "王大山" in inbox
    assert "新建档" in inbox

    # Returning without a reason: refused beside the field, nothing changed.
    before = row_counts(except_audit=True)
    refused = town.post(f"/approvals/{request.id}/return", data={"reason": " "})
    assert refused.status_code == 400
    assert "请填写退回理由" in refused.get_data(as_text=True)
    assert row_counts(except_audit=True) == before
    # The village may neither approve nor return (404, like anything it may not open).
    assert village.post(f"/approvals/{request.id}/approve").status_code == 404
    assert _state(request.id) is ApprovalState.PENDING

    assert town.post(f"/approvals/{request.id}/return",
                     data={"reason": "户籍地址未填写"}).status_code == 302  # fmt: skip
    assert _state(request.id) is ApprovalState.RETURNED
    # The village sees the reason on the case file, its dashboard and the inbox, and answers.
    case_file = village.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert "户籍地址未填写" in case_file
    assert "已退回" in case_file
    assert "镇街退回，请答复" in village.get("/").get_data(as_text=True)
    page = village.get(f"/approvals/{request.id}").get_data(as_text=True)
    assert "户籍地址未填写" in page
    assert "重新提交镇街审核" in page
    empty = village.post(f"/approvals/{request.id}/resubmit", data={"answer": ""})
    assert empty.status_code == 400
    assert "请说明修改了什么" in empty.get_data(as_text=True)
    assert village.post(f"/approvals/{request.id}/resubmit",
                        data={"answer": "已补填户籍地址"}).status_code == 302  # fmt: skip
    assert _state(request.id) is ApprovalState.RESUBMITTED
    assert "已补填户籍地址" in town.get(f"/approvals/{request.id}").get_data(as_text=True)

    assert town.post(f"/approvals/{request.id}/approve").status_code == 302
    assert _state(request.id) is ApprovalState.APPROVED
    assert db.session.get(ApprovalRequest, request.id).decided_by_id == users["town"].id
    assert "待审核" not in village.get("/elders/").get_data(as_text=True)
    # A decided request cannot be decided again: a clear message, no 500.
    again = town.post(f"/approvals/{request.id}/return", data={"reason": "再看看"})
    assert again.status_code == 400
    assert "该事项已处理" in again.get_data(as_text=True)


def test_another_towns_or_villages_user_gets_404(areas, people):
    _users, clients = people
    _elder, request = _register(clients, areas)
    for name in ("other_town", "other_village"):
        client = clients[name]
        assert client.get(f"/approvals/{request.id}").status_code == 404
        assert "王大山" not in client.get("/approvals/").get_data(as_text=True)
    before = row_counts(except_audit=True)
    assert clients["other_town"].post(f"/approvals/{request.id}/approve").status_code == 404
    assert clients["other_town"].post(f"/approvals/{request.id}/return",
                                      data={"reason": "越权"}).status_code == 404  # fmt: skip
    assert clients["other_village"].post(f"/approvals/{request.id}/resubmit",
                                         data={"answer": "越权"}).status_code == 404  # fmt: skip
    assert row_counts(except_audit=True) == before
    assert clients["town"].get("/approvals/987654").status_code == 404
    # The district sees and may decide every town's.
    assert clients["district"].get(f"/approvals/{request.id}").status_code == 200


def test_a_village_archive_waits_and_the_town_approves_it(areas, people, make_elder):
    _users, clients = people
    elder = make_elder()
    response = clients["village"].post(
        f"/elders/{elder.id}/archive",
        data={"reason": "moved_away", "archived_on": TODAY.isoformat(), "note": "随子女迁居",
              "version": str(elder.version)},
    )  # fmt: skip
    assert response.status_code == 302
    follow = clients["village"].get(f"/elders/{elder.id}").get_data(as_text=True)
    assert "待镇街审核" in follow
    db.session.expire_all()
    assert db.session.get(Elder, elder.id).archived_on is None
    request = db.session.scalar(
        select(ApprovalRequest).where(ApprovalRequest.kind == ApprovalKind.ARCHIVE)
    )
    page = clients["town"].get(f"/approvals/{request.id}").get_data(as_text=True)
    assert "随子女迁居" in page
    assert clients["town"].post(f"/approvals/{request.id}/approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(Elder, elder.id).archived_on == TODAY


def test_the_village_withdraws_an_archive(areas, people, make_elder):
    _users, clients = people
    elder = make_elder()
    clients["village"].post(
        f"/elders/{elder.id}/archive",
        data={"reason": "deceased", "archived_on": TODAY.isoformat(), "note": "误报",
              "version": str(elder.version)},
    )  # fmt: skip
    request = db.session.scalar(
        select(ApprovalRequest).where(ApprovalRequest.kind == ApprovalKind.ARCHIVE)
    )
    assert clients["town"].post(f"/approvals/{request.id}/withdraw").status_code == 404
    assert clients["village"].post(f"/approvals/{request.id}/withdraw").status_code == 302
    assert _state(request.id) is ApprovalState.WITHDRAWN
    assert db.session.get(Elder, elder.id).archived_on is None


def test_the_ledger_marks_pending_rows_and_names_the_approver(areas, people, make_elder):
    _users, clients = people
    make_elder(name="李桂兰")  # registered by district staff: approved at once
    elder, request = _register(clients, areas)
    town = clients["town"]
    page = town.get("/ledger").get_data(as_text=True)
    assert "待审核" in page
    workbook = load_workbook(BytesIO(town.get("/ledger?format=xlsx").data))
    cells = [str(c) for row in workbook.active.iter_rows(values_only=True) for c in row if c]
    assert any(c.endswith("※") for c in cells)
    assert any("标注※的对象" in c for c in cells)
    assert town.post(f"/approvals/{request.id}/approve").status_code == 302
    workbook = load_workbook(BytesIO(town.get("/ledger?format=xlsx").data))
    cells = [str(c) for row in workbook.active.iter_rows(values_only=True) for c in row if c]
    assert any("主要领导审核：木耳镇审核员" in c for c in cells)
    assert not any(c.endswith("※") for c in cells)
    assert "主要领导审核：木耳镇审核员" in town.get("/ledger").get_data(as_text=True)


def test_with_approvals_off_nothing_waits(app, areas, people):
    app.config["CASEMAN_APPROVALS"] = False
    _users, clients = people
    elder, request = _register(clients, areas)
    assert request is None
    assert "待镇街审核" not in clients["village"].get(f"/elders/{elder.id}").get_data(as_text=True)
    assert 'href="/approvals/"' not in clients["town"].get("/").get_data(as_text=True)


def test_the_approval_pages_speak_plain_chinese_in_every_state(areas, people, make_elder):
    """tests/test_plain_chinese.py walks the pages of a decided request; here every state."""
    from tests.test_plain_chinese import ISO_DATE, _names, english_words, half_width, visible_text

    _users, clients = people
    elder, request = _register(clients, areas)
    archived = make_elder(name="李桂兰")
    clients["village"].post(
        f"/elders/{archived.id}/archive",
        data={"reason": "deceased", "archived_on": TODAY.isoformat(), "note": "病故",
              "version": str(archived.version)},
    )  # fmt: skip
    urls = ["/", "/approvals/", f"/approvals/{request.id}", f"/elders/{elder.id}", "/elders/",
            "/ledger"]  # fmt: skip
    problems = {}

    def walk(step):
        for role in ("village", "town", "district"):
            for url in urls:
                response = clients[role].get(url)
                if response.status_code != 200:
                    continue
                text = visible_text(response.get_data(as_text=True))
                found = english_words(text, _names()) | half_width(text)
                found |= set(ISO_DATE.findall(text))
                if found:
                    problems[f"{step} {role} {url}"] = sorted(found)

    walk("pending")
    clients["town"].post(f"/approvals/{request.id}/return", data={"reason": "请补充户籍地址"})
    walk("returned")
    clients["village"].post(f"/approvals/{request.id}/resubmit", data={"answer": "已补充"})
    walk("resubmitted")
    clients["town"].post(f"/approvals/{request.id}/approve")
    walk("approved")
    assert not problems, problems


def test_annex2_printed_while_pending_carries_a_small_mark(areas, people, tmp_path):
    from tests.documents.test_annexes import _all_text

    _users, clients = people
    elder, request = _register(clients, areas)
    pending = clients["village"].get(f"/elders/{elder.id}/annex2.docx")
    assert pending.status_code == 200
    assert "（待镇街审核）" in _all_text(pending.data)
    pdf = clients["village"].get(f"/elders/{elder.id}/annex2.pdf")
    assert pdf.status_code == 200
    (tmp_path / "pending.pdf").write_bytes(pdf.data)  # one page per copy, as before
    clients["town"].post(f"/approvals/{request.id}/approve")
    approved = clients["village"].get(f"/elders/{elder.id}/annex2.docx")
    assert "待镇街审核" not in _all_text(approved.data)


def test_the_menu_leads_to_the_inbox_only_while_approvals_are_on(app, areas, people):
    """The inbox was reached only from the dashboard tile and the case file: a returned
    registration must be findable from any page (issue 19 item 1)."""
    _users, clients = people
    for name in ("town", "village", "district"):
        page = clients[name].get("/elders/").get_data(as_text=True)
        assert 'href="/approvals/"' in page, name
    app.config["CASEMAN_APPROVALS"] = False
    assert 'href="/approvals/"' not in clients["town"].get("/elders/").get_data(as_text=True)
