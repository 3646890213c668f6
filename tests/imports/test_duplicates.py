"""Likely duplicates in a 附件1 import (issue 20 item 4, requirements row 7).

A new row that is likely a case already in the district (near ID number; same name or same
pinyin with the same birth date) is not imported: it is left out with the reason in the preview
and the error report, and the user registers the person on the registration page, which asks
to confirm. Out of the user's scope, the reason names only the town.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from stdnum.cn import ric

from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.imports.services import check_upload, import_upload, save_upload
from caseman.rules.enums import Gender
from tests.conftest import TODAY
from tests.imports.sheets import annex1_workbook, id_number, ledger_row


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


def typo_of(number: str) -> str:
    body = number[:15] + ("9" if number[15] != "9" else "8") + number[16]
    return body + ric.calc_check_digit(body + "0")


def test_a_row_near_an_existing_case_is_left_out_with_the_reason(make_user, make_elder, areas):
    existing = make_elder(name="孙桂芝", id_number=id_number(100))
    far = id_number(1, Gender.FEMALE, 70)
    town = make_user("town", "muer")
    rows = [
        ledger_row("孙贵芝", "女", typo_of(existing.id_number)),  # row 5: one digit off
        ledger_row("李桂兰", "女", far),  # row 6: another person
    ]
    upload = save_upload(town, "台账.xlsx", annex1_workbook(rows))
    preview = check_upload(town, upload, {}, TODAY)
    assert preview["counts"] == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert preview["rejected_rows"] == [5]
    [[row, column, message, params]] = preview["problems"]
    assert (row, column) == (5, "身份证号码")
    assert "Possibly the same person" in message
    assert params["name"] == "孙桂芝"
    assert params["id"] == existing.id_number[:6] + "********" + existing.id_number[-4:]
    assert params["town"] == "木耳镇"
    import_upload(town, upload, TODAY)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Elder)) == 2  # existing + 李桂兰
    assert db.session.scalar(select(Elder).where(Elder.id_number == far)) is not None


def test_out_of_scope_case_names_only_the_town(make_user, make_elder, areas):
    existing = make_elder(area="caoping", name="孙桂芝", id_number=id_number(100))
    other = id_number(1)  # not near (sequence 002 against 200): same name and birth date
    town = make_user("town", "muer")
    upload = save_upload(town, "台账.xlsx", annex1_workbook([ledger_row("孙桂芝", "女", other)]))
    preview = check_upload(town, upload, {}, TODAY)
    assert preview["rejected_rows"] == [5]
    [[_row, _column, message, params]] = preview["problems"]
    assert params == {"town": "古路镇"}
    assert existing.name not in message
