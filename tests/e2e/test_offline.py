"""Offline visit and care entry (issue 18 item 1) in headless Chromium at 360 px: the visitor
goes offline, records two visits and a care record, reloads offline, comes back online, and
the three records are on the server once each (sent twice: still once); a refused record is
shown to the visitor; logout empties the offline store.

Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from caseman import clock
from caseman.extensions import db
from caseman.visits.models import CareRecord, Visit
from tests.conftest import PASSWORD

# ruff: noqa: F811 - the tests take the fixtures imported here
from tests.e2e.test_pages import SHOTS, browser, server  # noqa: F401 - fixtures
from tests.offline.conftest import assign  # noqa: F401 - fixture

pytestmark = pytest.mark.e2e
PHONE = {"width": 360, "height": 740}
ANSWERS = {
    "method": "home", "family_change": "unchanged", "expression": "unchanged",
    "mobility": "unchanged", "illness": "unchanged", "mood": "better", "gas_safety": "safe",
    "water_heating_safety": "safe", "electricity_safety": "unsafe",
    "personal_hygiene": "unchanged", "home_hygiene": "unchanged", "indoor_environment": "unchanged",
}  # fmt: skip
RECORDS = "CasemanOfflineStore.listRecords(document.body.dataset.user)"
STORE_EMPTY = """async () => {
  const names = (await caches.keys()).filter(n => n.startsWith('caseman-'));
  const dbs = (await indexedDB.databases()).map(d => d.name).filter(n => n === 'caseman-offline');
  return {caches: names, databases: dbs};
}"""


def _wait_for(page, selector: str, timeout: float = 15000) -> None:
    """Wait for a state the page's scripts mark on <body> (wait_for_function would need
    eval, which the site's Content-Security-Policy forbids)."""
    try:
        page.wait_for_selector(selector, state="attached", timeout=timeout)
    except Exception as error:  # say what the page was, for a run that cannot be repeated
        body = page.evaluate(
            "() => Array.from(document.body.attributes).map(a => a.name + '=' + a.value)"
        )
        raise AssertionError(f"{selector} not seen on {page.url}; <body> {body}") from error


def _counts() -> tuple[int, int]:
    db.session.rollback()  # see what the live server committed
    visits = db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) or 0
    care = db.session.scalar(sa.select(sa.func.count()).select_from(CareRecord)) or 0
    return visits, care


def _ready(browser, server_url: str, username: str):
    """A phone logged in as ``username`` whose 离线探访 pages are kept and served by the
    service worker."""
    # A phone set to another zone: times are still shown in the site's (Beijing time).
    context = browser.new_context(locale="zh-CN", viewport=PHONE, service_workers="allow",
                                  timezone_id="America/Los_Angeles")  # fmt: skip
    page = context.new_page()
    page.goto(server_url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(server_url + "/")
    page.goto(server_url + "/offline/")
    _wait_for(page, "body[data-offline-kept]:not([data-offline-kept=''])")
    for attempt in range(60):  # the service worker serves the pages from now on
        if page.evaluate("!!navigator.serviceWorker.controller"):
            break
        page.wait_for_timeout(100)
        if attempt == 30:
            page.reload()
    else:
        raise AssertionError("the service worker does not serve the pages")
    return context, page


def _record_visit(page, server_url: str, elder_id: int, skip: str = "") -> None:
    page.goto(f"{server_url}/elders/{elder_id}/visits/new")
    for name, value in ANSWERS.items():
        if name != skip:
            page.click(f"label.choice:has(input[name={name}][value={value}])")
    page.fill("#suggested_care", "检查电线")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/offline/"))
    assert "这条记录已保存在本机" in page.locator("#offline-message").inner_text()


def _badge(page) -> str:
    return page.locator(".offline-badge").inner_text()


def test_visits_recorded_offline_reach_the_server_once(server, browser, make_user, make_elder,
                                                       assign):  # fmt: skip
    worker = make_user("worker", "jingang", full_name="王探访")
    first = make_elder(name="张秀英")
    second = make_elder(name="李桂兰")
    not_mine = make_elder(name="赵大娘")
    assign(worker, [first, second])
    context, page = _ready(browser, server, worker.username)
    assert page.locator(".due-item").count() == 2
    assert "赵大娘" not in page.content()  # only the visitor's own elders are kept
    kept = page.evaluate("async () => (await (await caches.open('caseman-pages')).keys())"
                         ".map(r => new URL(r.url).pathname)")  # fmt: skip
    assert f"/elders/{first.id}/visits/new" in kept
    assert f"/offline/elders/{second.id}" in kept
    assert not [path for path in kept if f"/{not_mine.id}/" in path]

    context.set_offline(True)
    _record_visit(page, server, first.id)
    assert _badge(page) == "1 条记录待发送"
    _record_visit(page, server, second.id)
    page.goto(f"{server}/elders/{first.id}/care/new")
    page.fill("#what_was_done", "帮助更换老化电线")
    page.fill("#provider", "王探访")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/offline/"))
    page.goto(f"{server}/offline/elders/{first.id}")  # the case summary, kept
    assert "张秀英" in page.locator("h1").inner_text()
    page.reload()  # still offline: the records are still there
    page.wait_for_selector(".offline-badge:not([hidden])")
    assert _badge(page) == "3 条记录待发送"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    page.screenshot(path=str(SHOTS / "offline-badge-phone.png"), full_page=True)
    page.goto(f"{server}/visits/due")  # not kept: 离线探访 opens instead
    page.wait_for_selector("#offline-waiting li")
    assert page.locator("#offline-waiting li").count() == 3
    page.screenshot(path=str(SHOTS / "offline-waiting-phone.png"), full_page=True)
    assert _counts() == (0, 0)
    kept_records = page.evaluate(RECORDS)
    assert len({r["key"] for r in kept_records}) == 3

    context.set_offline(False)  # the network returns: they are sent by themselves
    _wait_for(page, "body[data-offline-waiting='0']", timeout=20000)
    assert page.locator(".offline-badge").is_hidden()
    assert _counts() == (2, 1)
    visits = db.session.scalars(sa.select(Visit).order_by(Visit.elder_id)).all()
    assert [v.elder_id for v in visits] == [first.id, second.id]
    assert visits[0].electricity_safety.value == "unsafe"
    assert visits[0].suggested_care == "检查电线"
    assert {v.submission_key for v in visits} < {r["key"] for r in kept_records}

    # Sent twice (the answer was lost on the way back): still once each.
    page.evaluate("async rows => { for (const r of rows) await CasemanOfflineStore.putRecord(r) }",
                  kept_records)  # fmt: skip
    assert page.evaluate("CasemanOffline.send()") == 3
    assert page.evaluate(RECORDS) == []
    assert _counts() == (2, 1)
    context.close()


def test_a_refused_record_is_shown_to_the_visitor(server, browser, make_user, make_elder,
                                                  assign):  # fmt: skip
    worker = make_user("worker", "jingang", full_name="王探访")
    elder = make_elder(name="张秀英")
    assign(worker, [elder])
    context, page = _ready(browser, server, worker.username)
    context.set_offline(True)
    _record_visit(page, server, elder.id, skip="gas_safety")  # the server will refuse it
    context.set_offline(False)
    page.reload()
    page.wait_for_selector("#offline-refused:not([hidden])")
    text = page.locator("#offline-refused").inner_text()
    assert "探访记录 · 张秀英" in text
    assert "燃气安全：请选择一项。" in text
    when = re.search(r"本机记录于 (\d+)年(\d+)月(\d+)日 (\d\d):(\d\d)", text)
    assert when, text
    shown = datetime(*(int(part) for part in when.groups()))
    assert abs(shown - clock.now()) < timedelta(minutes=5)  # Beijing time, not the phone's
    assert _badge(page) == "1 条记录未能发送"
    assert _counts() == (0, 0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    page.screenshot(path=str(SHOTS / "offline-refused-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / "offline-refused-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)

    # Opened again: filled in, the message beside the field; corrected and saved once.
    page.click("#offline-refused a.button")
    page.wait_for_selector(".field-error")
    assert page.is_checked("input[name=electricity_safety][value=unsafe]")
    assert page.input_value("#suggested_care") == "检查电线"
    assert "请选择一项" in page.locator(".field:has(input[name=gas_safety])").inner_text()
    page.screenshot(path=str(SHOTS / "offline-refilled-phone.png"), full_page=True)
    page.click("label.choice:has(input[name=gas_safety][value=safe])")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/visits/\d+$"))
    _wait_for(page, "body[data-offline-sent]")
    page.goto(server + "/offline/")
    _wait_for(page, "body[data-offline-waiting='0']")
    assert page.evaluate(RECORDS) == []
    assert _counts() == (1, 0)
    context.close()


def test_logout_empties_the_offline_store(server, browser, make_user, make_elder, assign):
    worker = make_user("worker", "jingang")
    elder = make_elder(name="张秀英")
    assign(worker, [elder])
    context, page = _ready(browser, server, worker.username)
    context.set_offline(True)
    _record_visit(page, server, elder.id)
    context.set_offline(False)
    page.reload()
    _wait_for(page, "body[data-offline-waiting='0']")  # sent
    context.set_offline(True)
    _record_visit(page, server, elder.id, skip="gas_safety")
    context.set_offline(False)
    page.reload()
    page.wait_for_selector("#offline-refused:not([hidden])")  # one record kept, refused
    assert page.evaluate(STORE_EMPTY)["databases"] == ["caseman-offline"]
    page.click("form[data-draft-wipe] button")  # 退出登录
    page.wait_for_url("**/login")
    _wait_for(page, "body[data-offline-wiped]")
    assert page.get_attribute("body", "data-offline-wiped") == ""  # not "failed"
    assert page.evaluate(STORE_EMPTY) == {"caches": [], "databases": []}
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    context.close()


def test_a_disabled_account_empties_the_offline_store(server, browser, make_user, make_elder,
                                                      assign):  # fmt: skip
    """Disabled while a record waits offline: when the network returns the server says so, and
    the browser keeps nothing (the record is not sent)."""
    from caseman.auth.services import disable_user

    worker = make_user("worker", "jingang")
    elder = make_elder(name="张秀英")
    assign(worker, [elder])
    context, page = _ready(browser, server, worker.username)
    context.set_offline(True)
    _record_visit(page, server, elder.id)
    db.session.rollback()
    disable_user(make_user("village", "jingang", username="boss"), worker)
    db.session.commit()
    context.set_offline(False)
    page.wait_for_url("**/login", timeout=20000)
    assert page.evaluate(STORE_EMPTY) == {"caches": [], "databases": []}
    assert _counts() == (0, 0)
    context.close()


def test_records_wait_for_the_next_login(monkeypatch, server, browser, make_user, make_elder,
                                         assign):  # fmt: skip
    """The session ran out while offline: the records stay, the badge asks for a login, and
    after logging in again they are sent."""
    import time
    from types import SimpleNamespace

    from caseman.auth import sessions

    worker = make_user("worker", "jingang")
    elder = make_elder(name="张秀英")
    assign(worker, [elder])
    context, page = _ready(browser, server, worker.username)
    context.set_offline(True)
    _record_visit(page, server, elder.id)
    real = time.time
    monkeypatch.setattr(sessions, "time", SimpleNamespace(time=lambda: real() + 31 * 60))
    context.set_offline(False)
    page.wait_for_selector(".offline-badge:has-text('请登录后发送')", timeout=20000)
    assert "请重新登录" in page.locator("#offline-message").inner_text()
    assert len(page.evaluate(RECORDS)) == 1
    assert _counts() == (0, 0)
    page.goto(server + "/offline/")
    page.wait_for_url(re.compile(r"/login"))
    page.fill("#username", worker.username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(server + "/offline/")
    _wait_for(page, "body[data-offline-waiting='0']", timeout=20000)
    assert _counts() == (1, 0)
    context.close()
