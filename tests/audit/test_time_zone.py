"""Issue 17 item 1: the audit log stores UTC and shows, filters and exports Beijing time."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from caseman.audit import AuditEvent
from caseman.extensions import db

AT_UTC = datetime(2026, 3, 4, 22, 30)  # 06:30 on 5 March in Beijing


def test_the_audit_log_reads_in_beijing_time(client, login_as, make_user):
    district = make_user("district", "district", username="d1")
    db.session.add(AuditEvent(action="view", username="v9", role="village", elder_id=99, at=AT_UTC))
    db.session.commit()
    login_as(district)
    html = client.get("/audit", query_string={"user": "v9"}).get_data(as_text=True)
    assert "2026年3月5日 06:30:00" in html
    assert "22:30" not in html
    assert "UTC" not in html
    on_the_5th = client.get("/audit", query_string={"user": "v9", "from": "2026-03-05",
                                                    "to": "2026-03-05"})  # fmt: skip
    assert "2026年3月5日 06:30:00" in on_the_5th.get_data(as_text=True)
    on_the_4th = client.get("/audit", query_string={"user": "v9", "from": "2026-03-04",
                                                    "to": "2026-03-04"})  # fmt: skip
    assert "06:30:00" not in on_the_4th.get_data(as_text=True)

    export = client.get("/audit", query_string={"user": "v9", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.data)).active
    assert sheet.cell(row=1, column=1).value == "时间（北京时间）"
    assert sheet.cell(row=2, column=1).value == "2026-03-05 06:30:00"
