"""Audit rows in words (issue 17 item 14): actions, roles, records and details are never shown
as raw codes on a Chinese page."""

from __future__ import annotations

import pytest

from caseman.audit_log import labels
from caseman.audit_log.queries import ACTIONS


@pytest.fixture
def chinese(app):
    with app.test_request_context("/"):
        yield


def test_every_recorded_action_has_a_chinese_label(chinese):
    for action in ACTIONS:
        text = labels.action_label(action)
        assert text
        assert not any("a" <= ch.lower() <= "z" for ch in text), (action, text)
    assert labels.action_label("login_failed") == "登录失败"
    assert labels.action_label("deny") == "拒绝访问"
    assert labels.action_label("no_such_action") == "其他"
    assert labels.role_label("town") == "镇街工作人员"
    assert labels.object_label("care") == "关爱服务记录"


@pytest.mark.parametrize(
    ("detail", "action", "object_type", "shown"),
    [
        ("GET visits.show_care exists", "deny", "care", "打开 · 探访页面 · 记录存在"),
        ("id_number phone", "reveal", "elder", "居民身份证号码 · 联系电话"),
        ("open>handling", "status", "risk", "待处置 → 处置中"),
        ("open>referred", "status", "referral", "待转介 → 已转介"),
        ("format=xlsx rows=3 from=2026-07-01", "export", "ledger",
         "格式：Excel · 行数：3 · 起始日期：2026年7月1日"),
        ("fields=name,code", "update", "area", "字段：名称、区划代码"),
        ("v1", "login_failed", "", "v1"),  # a login name is data
    ],
)  # fmt: skip
def test_details_read_as_words(chinese, detail, action, object_type, shown):
    assert labels.detail_text(detail, action, object_type) == shown
