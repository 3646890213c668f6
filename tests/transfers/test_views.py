"""Transfer pages (issue 19 item 2): start from the case file, the inbox, accept with the new
visitor and the open referrals handed over, refuse or cancel with a reason; scope on each."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from caseman.extensions import db
from caseman.referrals.services import raise_referral
from caseman.rules.transfers import TransferStatus
from caseman.transfers.models import Transfer
from caseman.visitors.services import assign_visitor
from caseman.visits.services import new_submission_key
from tests.conftest import TODAY, log_in, row_counts
from tests.referrals.conftest import referral_values
from tests.test_plain_chinese import english_words, half_width, visible_text


def _login(client, user):
    client.post("/logout")
    log_in(client, user)
    return client


def _text(response) -> str:
    return visible_text(response.get_data(as_text=True))


def test_village_staff_start_a_transfer_and_the_case_stays(client, case, people, areas):
    _login(client, people.jingang)
    page = client.get(f"/elders/{case.id}").get_data(as_text=True)
    assert f"/elders/{case.id}/transfer" in page
    assert client.get(f"/elders/{case.id}/transfer").status_code == 200
    # Bad input: the message beside the field, the typed values kept, nothing written.
    before = row_counts()
    response = client.post(f"/elders/{case.id}/transfer",
                           data={"to_area": str(areas["caoping"].id), "to_address": "草坪村5组",
                                 "reason": ""})  # fmt: skip
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "请填写" in html
    assert 'value="草坪村5组"' in html
    assert row_counts() == before
    response = client.post(f"/elders/{case.id}/transfer",
                           data={"to_area": str(areas["caoping"].id), "to_address": "草坪村5组",
                                 "reason": "随女儿迁居"})  # fmt: skip
    assert response.status_code == 302
    transfer = db.session.scalar(select(Transfer))
    assert response.headers["Location"].endswith(f"/transfers/{transfer.id}")
    assert transfer.is_pending
    case_file = client.get(f"/elders/{case.id}")
    assert case_file.status_code == 200
    assert "等待接收方答复" in _text(case_file)
    # A second request while one waits: no button, and the service refuses.
    assert f'/elders/{case.id}/transfer"' not in case_file.get_data(as_text=True)
    again = {"to_area": str(areas["baiyan"].id), "reason": "再次申请"}
    response = client.post(f"/elders/{case.id}/transfer", data=again)
    assert response.status_code == 400
    assert db.session.query(Transfer).count() == 1


def test_the_receiving_side_sees_a_summary_then_accepts(client, case, people, areas, ask):
    assign_visitor(people.jingang, [case], people.old_worker, TODAY, TODAY)
    raise_referral(people.jingang, case, referral_values(), new_submission_key(), TODAY)
    db.session.commit()
    transfer = ask(case)

    _login(client, people.caoping)
    inbox = _text(client.get("/transfers/"))
    assert "张秀英" in inbox
    assert case.id_number not in inbox
    assert re.search(r"\d{4}\*+", inbox)
    assert client.get(f"/elders/{case.id}").status_code == 404  # not theirs until accepted
    page = client.get(f"/transfers/{transfer.id}")
    assert page.status_code == 200
    text = _text(page)
    assert case.id_number not in text
    assert "接收个案" in text
    assert "康复" in text  # the open referral is listed
    assert "新探访员" in text
    assert "老探访员" in text  # the visitor who stops
    assert "打开个案档案" not in text

    response = client.post(f"/transfers/{transfer.id}/accept",
                           data={"visitor": str(people.new_worker.id),
                                 "owner": str(people.caoping.id)})  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/elders/{case.id}")
    case_file = client.get(f"/elders/{case.id}")
    assert case_file.status_code == 200
    text = _text(case_file)
    assert "已接收" in text
    assert "新探访员" in text
    assert f"{TODAY.year}年{TODAY.month}月{TODAY.day}日" in text  # the dated transfer line
    db.session.refresh(transfer)
    assert transfer.status == TransferStatus.ACCEPTED

    # The sending village no longer sees the case, but sees the dated transfer line.
    _login(client, people.jingang)
    assert client.get(f"/elders/{case.id}").status_code == 404
    inbox = _text(client.get("/transfers/"))
    assert "张秀英" in inbox
    assert "已接收" in inbox
    assert client.get(f"/transfers/{transfer.id}").status_code == 200


def test_a_bad_visitor_is_refused_beside_the_field(client, case, people, ask):
    transfer = ask(case)
    _login(client, people.caoping)
    before = row_counts(except_audit=True)
    response = client.post(f"/transfers/{transfer.id}/accept",
                           data={"visitor": str(people.old_worker.id),
                                 "owner": str(people.caoping.id)})  # fmt: skip
    assert response.status_code == 400
    assert row_counts(except_audit=True) == before
    db.session.refresh(transfer)
    assert transfer.is_pending


def test_refusing_with_a_reason_which_the_sender_sees(client, case, people, ask):
    transfer = ask(case)
    _login(client, people.gulu)  # the receiving village's town may answer too
    response = client.post(f"/transfers/{transfer.id}/refuse", data={"refuse-reason": ""})
    assert response.status_code == 400
    assert "请填写" in response.get_data(as_text=True)
    response = client.post(f"/transfers/{transfer.id}/refuse",
                           data={"refuse-reason": "经核实老人仍住原址"})  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(transfer)
    assert transfer.status == TransferStatus.REFUSED
    _login(client, people.jingang)
    text = _text(client.get(f"/transfers/{transfer.id}"))
    assert "不予接收" in text
    assert "经核实老人仍住原址" in text
    assert client.get(f"/elders/{case.id}").status_code == 200


def test_the_sender_cancels_and_the_receiver_cannot(client, case, people, ask):
    transfer = ask(case)
    _login(client, people.caoping)
    assert "撤回申请" not in _text(client.get(f"/transfers/{transfer.id}"))
    response = client.post(f"/transfers/{transfer.id}/cancel", data={"cancel-reason": "撤"})
    assert response.status_code == 400
    db.session.refresh(transfer)
    assert transfer.is_pending
    _login(client, people.muer)
    assert "撤回申请" in _text(client.get(f"/transfers/{transfer.id}"))
    response = client.post(f"/transfers/{transfer.id}/cancel",
                           data={"cancel-reason": "申请有误"})  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(transfer)
    assert transfer.status == TransferStatus.CANCELLED


def test_another_town_and_workers_get_404(client, case, people, ask):
    transfer = ask(case, to="baiyan")  # inside 木耳镇: nothing of 古路镇's
    for user in (people.gulu, people.caoping, people.old_worker, people.new_worker):
        _login(client, user)
        before = row_counts(except_audit=True)
        assert client.get(f"/transfers/{transfer.id}").status_code == 404
        for action in ("accept", "refuse", "cancel"):
            assert client.post(f"/transfers/{transfer.id}/{action}",
                               data={"refuse-reason": "x", "cancel-reason": "x"}
                               ).status_code == 404  # fmt: skip
        assert client.get(f"/elders/{case.id}/transfer").status_code == 404
        inbox = client.get("/transfers/")
        if user.role.value == "worker":
            assert inbox.status_code == 404
        else:
            assert "张秀英" not in _text(inbox)
        assert row_counts(except_audit=True) == before
    db.session.refresh(transfer)
    assert transfer.is_pending


def test_the_dashboard_counts_requests_waiting(client, case, people, ask):
    ask(case)
    _login(client, people.caoping)
    page = client.get("/").get_data(as_text=True)
    tiles = page.split("transfers-waiting")[1].split("</section>")[0]
    assert re.search(r"<strong class=\"warn\">1</strong><span>等待本辖区答复", tiles)
    _login(client, people.jingang)
    page = client.get("/").get_data(as_text=True)
    tiles = page.split("transfers-waiting")[1].split("</section>")[0]
    assert re.search(r"<strong>1</strong><span>已转出，等待对方答复", tiles)


@pytest.mark.parametrize("who", ["jingang", "caoping", "muer", "gulu", "district"])
def test_transfer_pages_are_plain_chinese(client, case, people, ask, who):
    pending = ask(case)
    refused = Transfer(elder_id=case.id, from_area_id=pending.from_area_id,
                       to_area_id=pending.to_area_id, status=TransferStatus.REFUSED,
                       summary=pending.summary, requested_by_id=people.jingang.id,
                       answered_by_id=people.caoping.id, answered_at=pending.requested_at,
                       answer_note="不符合条件", reason="迁居")  # fmt: skip
    db.session.add(refused)
    db.session.commit()
    _login(client, getattr(people, who))
    names = {u.username for u in vars(people).values()} | {"registrar"}
    for url in ("/", "/transfers/", f"/transfers/{pending.id}", f"/transfers/{refused.id}",
                f"/elders/{case.id}", f"/elders/{case.id}/transfer"):  # fmt: skip
        response = client.get(url)
        if response.status_code != 200:
            continue
        text = _text(response)
        assert not english_words(text, names), (url, english_words(text, names))
        assert not half_width(text), (url, half_width(text))
