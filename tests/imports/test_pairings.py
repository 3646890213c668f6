"""The pairing ledger import (000 附件2, issue 9 item 6): a messy sheet built here, the exact
preview, the database after the import, re-import a no-op, scope and roles."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from caseman.audit import AuditEvent
from caseman.extensions import db
from caseman.imports.services import imports_directory
from caseman.mutual_aid import services as aid
from caseman.mutual_aid.models import PairedElder, Pairing, PairingHelper, TeamMember
from caseman.rules.enums import Gender
from caseman.rules.mutual_aid import AidElderType, Living, PairingKind, TeamRole
from tests.conftest import TODAY, denials, row_counts
from tests.imports.pairing_sheets import annex2_workbook, helper_row, pairing_row
from tests.imports.sheets import id_number

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


@pytest.fixture
def village(areas, make_user, make_elder):
    """金刚村: the case of 张秀英, the case of 李桂兰 paired one-to-one with 王芳 (team)."""
    clerk = make_user("village", "jingang")
    zhang = make_elder(name="张秀英", id_number=id_number(21))
    li = make_elder(name="李桂兰", id_number=id_number(22))
    wang = aid.add_team_member(clerk, areas["jingang"], {
        "role": TeamRole.VOLUNTEER, "name": "王芳", "gender": Gender.FEMALE, "birth_year": 1968,
        "phone": "13600001111", "address": "金刚村2组", "started_on": date(TODAY.year, 1, 1),
    })  # fmt: skip
    aid.create_pairing(clerk, areas["jingang"], PairingKind.ONE_TO_ONE, date(TODAY.year, 1, 2),
                       [wang.id], [{"elder_id": li.id, "living": Living.ALONE,
                                    "elder_type": AidElderType.OTHER}])  # fmt: skip
    db.session.commit()
    return {"zhang": zhang, "li": li, "wang": wang}


def _sheet(zhang_id: str) -> bytes:
    spaced = f"{zhang_id[:6]} {zhang_id[6:14]} {zhang_id[14:].lower()}"
    return annex2_workbook([
        pairing_row("张 秀英", id_cell=spaced),  # 5: the case, by its ID typed with spaces
        pairing_row("陈大爷", "刘洋", gender="男", age="７８", children="无", living="双居",
                    health="失能", elder_type="其他", village="白岩村", helper_gender="男",
                    helper_age=45, helper_phone="13900002222"),  # 6: 社会老人, a new helper
        pairing_row("周婆婆", id_cell=500112194403050000),  # 7: Excel rounded the ID
        pairing_row("吴奶奶", village="金钢村"),  # 8: misspelled village
        pairing_row("张秀英", id_cell=zhang_id),  # 9: the same elder again
        pairing_row("李桂兰", "刘洋", helper_phone="13900002222"),  # 10: already paired
        pairing_row("赵爷爷", kind="划片式", group="一组片区", gender="男"),  # 11: a group …
        helper_row("刘洋"),  # 12: … with a second helper (the elder's cells merged)
        pairing_row("孙奶奶", kind="划片式"),  # 13: a group without a name
        pairing_row("钱爷爷", village="草坪村"),  # 14: a village of another town
        pairing_row('=HYPERLINK("http://x.cn","何大")'),  # 15: a formula
        pairing_row("郑大妈", living="不知道"),  # 16: an unknown word
    ])  # fmt: skip


def _upload(client, content: bytes, name: str = "结对台账.xlsx"):
    return client.post(
        "/imports/pairings/",
        data={"sheet": (BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=EN,
    )


def _token(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def _counts(page: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'<dd id="count-(\w+)">(\d+)</dd>', page))


def _problems(page: str) -> list[tuple[str, str, str]]:
    import re

    body = page.split('id="problems"', 1)[1]
    return re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", body)


def test_check_confirm_import_and_reimport(client, login_as, make_user, areas, village):
    town = make_user("town", "muer")
    login_as(town)
    assert client.get("/imports/pairings/", headers=EN).status_code == 200
    before = row_counts()
    token = _token(_upload(client, _sheet(village["zhang"].id_number)))
    assert row_counts() == before  # the check wrote nothing
    page = client.get(f"/imports/pairings/{token}", headers=EN).get_data(as_text=True)
    assert _counts(page) == {"new": "3", "cases": "1", "social": "2", "helpers": "2",
                             "unchanged": "0", "rejected": "8"}  # fmt: skip
    assert _problems(page) == [
        ("7", "身份证号码", "Excel stored this ID number as a number and lost its last digits; "
                          "it cannot be repaired. Type the full number again as text."),
        ("8", "村（社区）",
         "金钢村 is not in the area list; is it 金刚村? Confirm the match above."),
        ("9", "被帮扶老人姓名", "The same elder is on row 5 of this file."),
        ("10", "被帮扶老人姓名",
         "This elder is already paired (with 王芳): end that pairing first."),
        ("13", "小组名称", "Name the group (for example the villager group it covers)."),
        ("14", "村（社区）", "草坪村 is not a village or community of your area."),
        ("15", "被帮扶老人姓名",
         "This cell holds a formula, which is never evaluated: type the value itself."),
        ("16", "居住情况（独居、双居）", "Write 独居 or 双居."),
    ]  # fmt: skip

    # The error report: the rejected rows as uploaded, with their reasons.
    report = client.get(f"/imports/pairings/{token}/errors.xlsx")
    assert report.status_code == 200
    rows = list(load_workbook(BytesIO(report.data)).active.iter_rows(values_only=True))
    report.close()
    assert rows[0][-2:] == ("错误原因", "原行号")
    assert [r[-1] for r in rows[1:]] == ["7", "8", "9", "10", "13", "14", "15", "16"]

    # Confirm 金钢村 = 金刚村: 吴奶奶's row is accepted.
    client.post(f"/imports/pairings/{token}/check", data={"match": "/金钢村"}, headers=EN)
    page = client.get(f"/imports/pairings/{token}", headers=EN).get_data(as_text=True)
    assert _counts(page)["new"] == "4"
    assert _counts(page)["rejected"] == "7"

    last_audit = db.session.scalar(select(func.max(AuditEvent.id)))
    response = client.post(f"/imports/pairings/{token}/import", headers=EN)
    assert response.status_code == 302
    assert not list(imports_directory().glob(f"{token}*"))  # the stored upload is deleted
    assert client.get(f"/imports/pairings/{token}", headers=EN).status_code == 404

    db.session.expire_all()
    pairings = db.session.scalars(select(Pairing).order_by(Pairing.id)).all()
    assert [(p.village.name, p.kind, p.name) for p in pairings] == [
        ("金刚村", PairingKind.ONE_TO_ONE, ""),  # 李桂兰 and 王芳, as before
        ("金刚村", PairingKind.ONE_TO_ONE, ""),  # 张秀英
        ("白岩村", PairingKind.ONE_TO_ONE, ""),  # 陈大爷
        ("金刚村", PairingKind.ONE_TO_ONE, ""),  # 吴奶奶 (row 8, once 金钢村 was confirmed)
        ("金刚村", PairingKind.AREA_GROUP, "一组片区"),  # 赵爷爷
    ]
    elders = [(e.elder_id, e.name, e.pairing.village.name) for p in pairings for e in p.elders]
    assert elders == [
        (village["li"].id, "", "金刚村"),
        (village["zhang"].id, "张秀英", "金刚村"),
        (None, "陈大爷", "白岩村"),
        (None, "吴奶奶", "金刚村"),
        (None, "赵爷爷", "金刚村"),
    ]
    chen = pairings[2].elders[0]
    assert (chen.gender, chen.birth_year, chen.has_children, chen.living, chen.is_disabled,
            chen.elder_type) == (Gender.MALE, TODAY.year - 78, False, Living.COUPLE, True,
                                 AidElderType.OTHER)  # fmt: skip
    members = db.session.scalars(select(TeamMember).order_by(TeamMember.id)).all()
    assert [(m.name, m.village.name, m.role) for m in members] == [
        ("王芳", "金刚村", TeamRole.VOLUNTEER),
        ("刘洋", "白岩村", TeamRole.VOLUNTEER),  # 陈大爷's helper, new in 白岩村
        ("刘洋", "金刚村", TeamRole.VOLUNTEER),  # the group's second helper, new in 金刚村
    ]
    assert [h.member.name for h in pairings[4].helpers] == ["王芳", "刘洋"]
    audit = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action.in_(["create", "import"]), AuditEvent.id > last_audit
        )
    ).all()
    assert sorted(a.object_type for a in audit if a.action == "create") == [
        "aid_member", "aid_member", "aid_pairing", "aid_pairing", "aid_pairing", "aid_pairing",
    ]  # fmt: skip
    assert {a.user_id for a in audit} == {town.id}
    assert [a.detail for a in audit if a.action == "import"] == [
        "new=4,unchanged=0,helpers=2,rejected=7"
    ]

    # Re-importing the same file changes nothing but the audit log.
    counts = row_counts()
    token = _token(_upload(client, _sheet(village["zhang"].id_number)))
    client.post(f"/imports/pairings/{token}/check", data={"match": "/金钢村"}, headers=EN)
    page = client.get(f"/imports/pairings/{token}", headers=EN).get_data(as_text=True)
    assert _counts(page) == {"new": "0", "cases": "0", "social": "0", "helpers": "0",
                             "unchanged": "4", "rejected": "7"}  # fmt: skip
    assert "There is nothing to import" in page
    changed = {k for k, v in row_counts().items() if v != counts[k]}
    assert changed <= {"audit_events"}


def test_a_village_clerks_own_ledger_needs_no_village_column(
    client, login_as, make_user, areas, village
):
    login_as(make_user("village", "jingang"))
    row = pairing_row("陈大爷", "王芳", gender="男", village=None)
    token = _token(_upload(client, annex2_workbook([row])))
    page = client.get(f"/imports/pairings/{token}", headers=EN).get_data(as_text=True)
    assert _counts(page)["new"] == "1"
    client.post(f"/imports/pairings/{token}/import", headers=EN)
    db.session.expire_all()
    paired = db.session.scalar(select(PairedElder).where(PairedElder.name == "陈大爷"))
    assert paired.pairing.village_id == areas["jingang"].id
    assert [h.member_id for h in paired.pairing.helpers] == [village["wang"].id]


def test_another_area_gets_404_and_nothing_changes(client, login_as, make_user, village):
    owner = make_user("town", "muer")
    login_as(owner)
    token = _token(_upload(client, _sheet(village["zhang"].id_number)))
    client.post("/logout")
    login_as(make_user("town", "gulu"))
    counts = row_counts(except_audit=True)
    denied = denials()
    assert client.get(f"/imports/pairings/{token}").status_code == 404
    assert client.post(f"/imports/pairings/{token}/check").status_code == 404
    assert client.post(f"/imports/pairings/{token}/import").status_code == 404
    assert client.get(f"/imports/pairings/{token}/errors.xlsx").status_code == 404
    assert client.get(f"/imports/{token}").status_code == 404  # not a 附件1 upload either
    assert row_counts(except_audit=True) == counts
    assert denials() == denied + 5
    assert db.session.scalar(select(func.count(PairingHelper.id))) == 1


def test_workers_cannot_import_pairings(client, login_as, make_user):
    login_as(make_user("worker", "jingang"))
    assert client.get("/imports/pairings/").status_code == 404
