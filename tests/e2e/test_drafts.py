"""Drafts that survive (issue 18 item 2) in headless Chromium: a visit typed while the session
runs out is there again after logging in, one press saves it; logout empties the drafts and
another user never sees them.

Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from caseman.auth import sessions
from caseman.extensions import db
from caseman.visits.models import Visit
from tests.conftest import PASSWORD

# ruff: noqa: F811 - the tests take the fixtures imported here
from tests.e2e.test_pages import SHOTS, browser, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e
SIZES = [("phone", (360, 740)), ("desktop", (1280, 900))]
ANSWERS = {
    "method": "home", "family_change": "unchanged", "expression": "better",
    "mobility": "unchanged", "illness": "unchanged", "mood": "worse", "gas_safety": "unsafe",
    "water_heating_safety": "safe", "electricity_safety": "safe",
    "personal_hygiene": "unchanged", "home_hygiene": "unchanged", "indoor_environment": "unchanged",
}  # fmt: skip
DRAFT_KEYS = "Object.keys(localStorage).filter(k => k.startsWith('caseman-draft:'))"


def _expire_sessions(monkeypatch) -> None:
    """The sessions' clock jumps 31 minutes ahead: every open session has idled out (30)."""
    real = time.time
    monkeypatch.setattr(sessions, "time", SimpleNamespace(time=lambda: real() + 31 * 60))


def _log_in(page, username: str) -> None:
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#submit")


def _fill_visit(page) -> None:
    for name, value in ANSWERS.items():
        page.click(f"label.choice:has(input[name={name}][value={value}])")
    page.click("label.choice:has(input[name=needs][value=medical])")
    page.fill("#suggested_care", "联系家庭医生上门，检查燃气灶")
    page.fill("#note", "老人说邻居常来看望")
    page.wait_for_timeout(700)  # the draft is written 0.4 s after the last key


@pytest.mark.parametrize(("label", "viewport"), SIZES)
def test_visit_survives_the_session(
    monkeypatch, server, browser, make_user, make_elder, label, viewport
):
    """A visit typed while the session ends is there after logging in; one press saves it."""
    user = make_user("worker", "jingang", full_name="王探访")
    elder = make_elder(name="张秀英")
    form_url = f"/elders/{elder.id}/visits/new"
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    page.goto(server + "/login")
    _log_in(page, user.username)
    page.wait_for_url(server + "/")
    page.goto(server + form_url)
    _fill_visit(page)

    _expire_sessions(monkeypatch)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/login?next={form_url}")
    text = page.locator("main").inner_text()
    assert "您已连续30分钟没有操作" in text
    assert "已保存在本浏览器中" in text
    assert db.session.scalar(select(Visit.id)) is None
    db.session.rollback()
    page.screenshot(path=str(SHOTS / f"draft-login-{label}.png"), full_page=True)

    _log_in(page, user.username)
    page.wait_for_url(server + form_url)  # back on the form, not 首页
    assert "已恢复您上次未保存的内容" in page.locator(".draft-banner").inner_text()
    for name, value in ANSWERS.items():
        assert page.is_checked(f"input[name={name}][value={value}]"), name
    assert page.is_checked("input[name=needs][value=medical]")
    assert page.input_value("#suggested_care") == "联系家庭医生上门，检查燃气灶"
    assert page.input_value("#note") == "老人说邻居常来看望"
    assert page.locator(".draft-restored").count() >= len(ANSWERS) + 2
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0] + 1
    page.screenshot(path=str(SHOTS / f"draft-restored-{label}.png"), full_page=True)

    page.click("button[type=submit]")  # one press
    page.wait_for_url(re.compile(r"/visits/\d+$"))
    db.session.rollback()  # end the read of before: see what the server stored
    visits = db.session.scalars(select(Visit)).all()
    assert len(visits) == 1
    assert visits[0].suggested_care == "联系家庭医生上门，检查燃气灶"
    assert visits[0].mood.value == "worse"
    assert page.evaluate(DRAFT_KEYS) == []  # saved: the draft is gone
    page.goto(server + form_url)
    assert page.locator(".draft-banner").count() == 0
    assert page.input_value("#suggested_care") == ""
    context.close()


def test_drafts_stay_with_their_user(monkeypatch, server, browser, make_user, make_elder):
    """Another user never gets the draft; logout empties every draft of the browser."""
    first = make_user("village", "jingang", full_name="李村干")
    second = make_user("village", "jingang", full_name="赵村干")
    elder = make_elder(name="张秀英")
    form_url = f"/elders/{elder.id}/visits/new"
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(server + "/login")
    _log_in(page, first.username)
    page.wait_for_url(server + "/")
    page.goto(server + form_url)
    page.fill("#suggested_care", "李村干写的草稿")
    page.wait_for_timeout(700)
    assert page.evaluate(DRAFT_KEYS) == [f"caseman-draft:{first.id}:{form_url}"]

    # The session runs out; someone else logs in on the same phone.
    _expire_sessions(monkeypatch)
    page.goto(server + "/")
    page.wait_for_url(re.compile(r"/login"))
    _log_in(page, second.username)
    page.wait_for_url(server + "/")
    page.goto(server + form_url)
    assert page.locator(".draft-banner").count() == 0
    assert page.input_value("#suggested_care") == ""
    assert "李村干写的草稿" not in page.content()

    page.click("form[data-draft-wipe] button")  # 退出
    page.wait_for_url("**/login")
    assert page.evaluate(DRAFT_KEYS) == []  # the first user's draft went too
    _log_in(page, first.username)
    page.wait_for_url(server + "/")
    page.goto(server + form_url)
    assert page.locator(".draft-banner").count() == 0
    assert page.input_value("#suggested_care") == ""
    context.close()


FORMS = [  # (name, address, a text field, the button that saves)
    ("registration", "/elders/new", "#name", "#save"),
    ("correction", "/elders/{id}/edit", "#note", "#save"),
    ("review", "/elders/{id}/review", "#note", "#save"),
    ("care", "/elders/{id}/care/new", "#what_was_done", "form[data-draft] [type=submit]"),
    ("referral", "/elders/{id}/referrals/new", "#description", "form[data-draft] [type=submit]"),
    ("risk", "/elders/{id}/risks/new", "#description", "form[data-draft] [type=submit]"),
]


@pytest.mark.parametrize("form", FORMS, ids=[form[0] for form in FORMS])
def test_long_forms_survive_the_session(monkeypatch, server, browser, make_user, make_elder, form):
    """Registration, correction, half-year review, care, referral and risk keep what was typed
    across the end of the session, on a phone."""
    name, address, field, save = form
    user = make_user("village", "jingang")
    elder = make_elder(name="张秀英")
    form_url = address.format(id=elder.id)
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(server + "/login")
    _log_in(page, user.username)
    page.wait_for_url(server + "/")
    page.goto(server + form_url)
    typed = f"{name}：会话结束前填写的内容"
    page.fill(field, typed)
    page.wait_for_timeout(700)

    _expire_sessions(monkeypatch)
    page.locator(save).first.click()
    page.wait_for_url(re.compile(r"/login\?next="))
    assert "已保存在本浏览器中" in page.locator("main").inner_text()
    _log_in(page, user.username)
    page.wait_for_url(server + form_url)
    assert page.input_value(field) == typed
    assert page.locator(".draft-banner").is_visible()
    page.locator(".draft-banner").screenshot(path=str(SHOTS / f"draft-banner-{name}-phone.png"))

    page.click("[data-draft-discard]")  # 放弃这些内容: the form as the server gives it
    page.wait_for_load_state()
    assert page.input_value(field) != typed
    assert page.locator(".draft-banner").count() == 0
    assert page.evaluate(DRAFT_KEYS) == []
    context.close()


def test_family_rows_added_before_the_session_ended_come_back(
    monkeypatch, server, browser, make_user
):
    """The registration's family rows added in the page are not in the page served after the
    login, so the draft is sent back once with 添加家庭成员 and every row returns filled."""
    user = make_user("village", "jingang")
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(server + "/login")
    _log_in(page, user.username)
    page.wait_for_url(server + "/")
    page.goto(server + "/elders/new")
    page.fill("#name", "赵一")
    page.click("#family > summary")  # the family section is folded (issue 18 item 4)
    page.click("#add_member")
    page.wait_for_selector("#members-0-name")
    page.click("#add_member")
    page.wait_for_selector("#members-1-name")
    page.fill("#members-0-name", "赵大")
    page.fill("#members-1-name", "赵二")
    page.fill("#members-1-health", "腿脚不便")
    page.wait_for_timeout(700)

    _expire_sessions(monkeypatch)
    page.click("#save")
    page.wait_for_url(re.compile(r"/login\?next=/elders/new"))
    _log_in(page, user.username)
    page.wait_for_selector(".draft-banner")
    assert page.input_value("#name") == "赵一"
    assert page.input_value("#members-0-name") == "赵大"
    assert page.input_value("#members-1-name") == "赵二"
    assert page.input_value("#members-1-health") == "腿脚不便"
    assert page.evaluate("document.documentElement.scrollWidth") <= 361
    page.screenshot(path=str(SHOTS / "draft-registration-rows-phone.png"), full_page=True)
    context.close()


def test_a_restored_correction_never_overwrites_a_save_made_meanwhile(
    monkeypatch, server, browser, make_user, make_elder
):
    """The draft keeps the version the form was opened at: if someone saved the case file
    while the user was logged out, the restored form's save shows the conflict instead of
    overwriting, and what was typed is still there."""
    from caseman.elders.models import Elder

    user = make_user("village", "jingang")
    elder = make_elder(name="张秀英")
    form_url = f"/elders/{elder.id}/edit"
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(server + "/login")
    _log_in(page, user.username)
    page.wait_for_url(server + "/")
    page.goto(server + form_url)
    page.fill("#note", "会话结束前的更正")
    page.wait_for_timeout(700)
    stored = page.evaluate(f"localStorage.getItem({DRAFT_KEYS}[0])")
    assert "csrf_token" not in stored  # never kept

    _expire_sessions(monkeypatch)
    page.click("#save")
    page.wait_for_url(re.compile(r"/login\?next="))
    db.session.rollback()
    saved = db.session.get(Elder, elder.id)
    saved.medical_history = "高血压、糖尿病"  # someone else saves meanwhile
    db.session.commit()
    _log_in(page, user.username)
    page.wait_for_url(server + form_url)
    assert page.input_value("#note") == "会话结束前的更正"
    page.click("#save")
    page.wait_for_load_state()
    assert page.locator(".conflict").is_visible()
    assert page.input_value("#note") == "会话结束前的更正"
    db.session.rollback()
    after = db.session.get(Elder, elder.id)
    assert (after.version, after.medical_history) == (2, "高血压、糖尿病")  # not overwritten
    context.close()
