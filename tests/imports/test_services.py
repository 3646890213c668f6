"""Importing a messy 附件1 ledger (issue 9): the exact preview, then the database afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from caseman.audit import AuditEvent
from caseman.elders.models import Elder, ElderVersion
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.imports.services import check_upload, import_upload, load_preview, save_upload
from caseman.rules.enums import AbilityLevel, Category, Gender, Relation
from caseman.rules.ledger_import import ROUNDED_MESSAGE
from tests.conftest import TODAY, row_counts
from tests.imports.sheets import annex1_workbook, id_ending_in_x, id_number, ledger_row


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")


def messy_rows(existing_id: str) -> list[list]:
    x_id = id_ending_in_x()
    spaced = f" {x_id[:6]} {x_id[6:14]} {x_id[14:].lower()} "
    return [
        ledger_row("张秀英", "女", id_number(1)),  # row 5: new
        ledger_row("李桂兰", "女", float(id_number(2))),  # row 6: rounded by Excel
        ledger_row("王德明", "男", id_number(3, Gender.MALE), "金钢村"),  # row 7: misspelled
        ledger_row("张秀英", "女", id_number(1)),  # row 8: duplicate of row 5
        ledger_row('=HYPERLINK("http://x.cn","赵大")', "男", id_number(4, Gender.MALE)),  # row 9
        ledger_row(
            "刘 老汉",
            "",
            spaced.translate(FULL_WIDTH),
            "白岩村",
            category="失能、独居老人",
            relative=("无", None, None),
        ),  # row 10  # fmt: skip
        ledger_row("孙桂芝", "女", existing_id, phone="13700000000"),  # row 12 (after a blank)
        ledger_row("周大", "女", id_number(5, Gender.MALE)),  # row 13: gender disagrees
        ledger_row("吴婆婆", "女", id_number(6), category="困难户"),  # row 14: unknown category
        ledger_row("郑婆婆", "女", id_number(7), "草坪村", town="古路镇"),  # row 15: other town
    ]


def test_messy_ledger_preview_then_import_then_reimport(make_user, make_elder, areas):
    existing = make_elder(name="孙桂芝", id_number=id_number(8), phone="13711111111")
    town = make_user("town", "muer")
    content = annex1_workbook(messy_rows(existing.id_number), blank_after=6)
    before = row_counts()
    upload = save_upload(town, "木耳镇台账.xlsx", content)
    assert [number for number, _cells in upload.rows] == [5, 6, 7, 8, 9, 10, 12, 13, 14, 15]
    preview = check_upload(town, upload, {}, TODAY)
    assert row_counts() == before  # a check writes nothing
    assert preview["counts"] == {"new": 2, "updated": 1, "unchanged": 0, "rejected": 7}
    x_id = id_ending_in_x()
    assert preview["problems"] == [
        [6, "身份证号码", ROUNDED_MESSAGE, {}],
        [7, "责任村（社区）",
         "%(name)s is not in the area list; is it %(match)s? Confirm the match above.",
         {"name": "金钢村", "match": "金刚村"}],
        [8, "身份证号码", "The same ID number is on row %(row)d of this file.", {"row": 5}],
        [9, "姓名", "This cell holds a formula, which is never evaluated: type the value itself.",
         {}],
        [13, "性别",
         "The gender does not match the ID number (the 17th digit is odd for men, even for "
         "women).", {}],
        [14, "对象类型", "Unknown object type: %(words)s.", {"words": "困难户"}],
        [15, "责任镇街", "%(name)s is not a town of your area.", {"name": "古路镇"}],
    ]  # fmt: skip
    assert preview["rejected_rows"] == [6, 7, 8, 9, 13, 14, 15]
    assert preview["proposals"] == [
        {
            "name": "木耳镇/金钢村",
            "area_id": areas["jingang"].id,
            "area_name": "渝北区木耳镇金刚村",
            "rows": 1,
        }  # fmt: skip
    ]

    # The user confirms the proposed village: the row is accepted on the next check.
    preview = check_upload(town, upload, {"木耳镇/金钢村": areas["jingang"].id}, TODAY)
    assert preview["counts"] == {"new": 3, "updated": 1, "unchanged": 0, "rejected": 6}
    assert row_counts() == before

    outcome = import_upload(town, upload, TODAY)
    db.session.commit()
    assert (outcome.new, outcome.updated, outcome.unchanged, outcome.rejected) == (3, 1, 0, 6)
    elders = {e.name: e for e in db.session.scalars(select(Elder))}
    assert sorted(elders) == ["刘老汉", "孙桂芝", "张秀英", "王德明"]
    zhang = elders["张秀英"]
    assert zhang.id_number == id_number(1)
    assert zhang.residence_area_id == areas["jingang"].id
    assert zhang.residence_address == "3组45号"
    assert zhang.responsible_person == "王芳"
    assert zhang.categories == [Category.LIVING_ALONE]
    assert zhang.is_key  # 82 and living alone: 高龄独居
    assert [(m.name, m.relation, m.phone) for m in zhang.members] == [
        ("李强", Relation.SON, "13987654321")
    ]
    assert elders["王德明"].residence_area_id == areas["jingang"].id
    liu = elders["刘老汉"]
    assert liu.id_number == x_id  # full-width digits, spaces and a lower-case x made plain
    assert liu.gender == Gender.MALE  # blank in the sheet: from the ID number
    assert liu.residence_area_id == areas["baiyan"].id
    assert set(liu.categories) == {Category.DISABLED_CARE, Category.LIVING_ALONE}
    assert liu.ability_level == AbilityLevel.MILD
    assert liu.members == []
    sun = elders["孙桂芝"]
    assert sun.id == existing.id
    assert sun.phone == "13700000000"
    versions = db.session.scalars(
        select(ElderVersion).where(ElderVersion.elder_id == sun.id).order_by(ElderVersion.number)
    ).all()
    assert [v.kind for v in versions] == ["created", "edited"]
    assert "phone" in versions[1].changed_fields
    assert versions[1].note == "导入台账 木耳镇台账.xlsx 第12行"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.user_id == town.id)).all()
    assert sorted(e.action for e in events) == ["create", "create", "create", "import", "update"]

    # Re-importing the same file changes nothing.
    after = row_counts()
    again = save_upload(town, "木耳镇台账.xlsx", content)
    preview = check_upload(town, again, {"木耳镇/金钢村": areas["jingang"].id}, TODAY)
    assert preview["counts"] == {"new": 0, "updated": 0, "unchanged": 4, "rejected": 6}
    outcome = import_upload(town, again, TODAY)
    db.session.commit()
    changed = {k: v - after[k] for k, v in row_counts().items() if v != after[k]}
    assert changed == {"audit_events": 1}  # the import itself is audited, nothing else


def test_case_of_another_town_is_not_touched(make_user, make_elder):
    other = make_elder(area="caoping", name="外镇老人", id_number=id_number(20))
    town = make_user("town", "muer")
    upload = save_upload(town, "a.xlsx", annex1_workbook([
        ledger_row("外镇老人", "女", id_number(20)),
    ]))  # fmt: skip
    preview = check_upload(town, upload, {}, TODAY)
    assert preview["problems"] == [
        [5, "身份证号码",
         "A case for this ID number already exists in %(town)s. Ask its staff.",
         {"town": "古路镇"}]
    ]  # fmt: skip
    import_upload(town, upload, TODAY)
    db.session.commit()
    db.session.refresh(other)
    assert other.residence_area.name == "草坪村"
    assert other.version == 1


def test_village_user_imports_only_into_their_village(make_user, areas):
    village = make_user("village", "baiyan")
    upload = save_upload(
        village,
        "a.xlsx",
        annex1_workbook(
            [
                ledger_row("张三", "女", id_number(30)),  # 木耳镇 金刚村: another village
                ledger_row("李四", "女", id_number(31), "白岩村"),  # their own, town filled in
                ledger_row("王五", "女", id_number(32), "草坪村", town="古路镇"),
            ]
        ),
    )
    preview = check_upload(village, upload, {}, TODAY)
    assert preview["counts"] == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 2}
    assert preview["problems"] == [
        [5, "责任村（社区）", "%(name)s is not a village or community of your area.",
         {"name": "金刚村"}],
        [7, "责任镇街", "%(name)s is not a town of your area.", {"name": "古路镇"}],
    ]  # fmt: skip


def test_import_needs_a_check_first_and_keeps_nothing_on_failure(make_user, monkeypatch):
    town = make_user("town", "muer")
    upload = save_upload(town, "a.xlsx", annex1_workbook(
        [ledger_row("张三", "女", id_number(31)), ledger_row("李四", "女", id_number(32))]
    ))  # fmt: skip
    with pytest.raises(DomainError):
        import_upload(town, upload, TODAY)
    check_upload(town, upload, {}, TODAY)
    assert load_preview(upload)["counts"]["new"] == 2


def test_csv_in_gbk_with_serial_dates_and_one_relatives_cell(make_user, areas):
    town = make_user("town", "muer")
    text = (
        "姓名,性别,身份证号码,电话,亲属情况,对象类型,责任村（社区）,建档日期\n"
        f"张秀英,女,{id_number(40)},13812345678,李强 儿子 13987654321；李红（女儿）,空巢,"
        "金刚村,45000\n"
        f"李桂兰,女,{id_number(41)},,无,独居,白岩村,2024年3月5日\n"
        f"王婆婆,女,{id_number(42)},,,独居,白岩村,下周\n"
    )
    upload = save_upload(town, "gbk.csv", text.encode("gbk"))
    preview = check_upload(town, upload, {}, TODAY)
    assert preview["counts"] == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert preview["problems"] == [[4, "建档日期", "This is not a date.", {}]]
    import_upload(town, upload, TODAY)
    db.session.commit()
    zhang = db.session.scalar(select(Elder).where(Elder.name == "张秀英"))
    assert zhang.filed_on.isoformat() == "2023-03-15"
    assert [(m.name, m.relation, m.phone) for m in zhang.members] == [
        ("李强", Relation.SON, "13987654321"), ("李红", Relation.DAUGHTER, "")
    ]  # fmt: skip
    assert zhang.categories == [Category.EMPTY_NEST]
    li = db.session.scalar(select(Elder).where(Elder.name == "李桂兰"))
    assert li.filed_on.isoformat() == "2024-03-05"
    assert db.session.scalar(select(func.count()).select_from(Elder)) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "Upload an Excel workbook (.xlsx) or a CSV file."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
         "Old Excel files (.xls) cannot be read: open it and save it as .xlsx, then upload."),
        (b"PK\x03\x04garbage", "This is not an Excel workbook (.xlsx)."),
        (b"", "The file is empty."),
        ("序号,姓名,电话\n1,张三,123\n".encode(),
         "No header found: the sheet needs columns titled 姓名 and 身份证号码 near the top."),
        ("姓名,身份证号码,电话\n".encode(), "The sheet has a header but no rows of elders."),
        (b"\xff\xfe\x80\x81,\n" * 3, "The CSV file is neither UTF-8 nor GBK text."),
    ],
)  # fmt: skip
def test_files_refused_by_content(make_user, content, message):
    town = make_user("town", "muer")
    with pytest.raises(DomainError) as caught:
        save_upload(town, "ledger.xlsx", content)
    assert caught.value.message == message


def test_an_empty_workbook_is_refused(make_user):
    from io import BytesIO

    from openpyxl import Workbook

    buffer = BytesIO()
    Workbook().save(buffer)
    with pytest.raises(DomainError) as caught:
        save_upload(make_user("town", "muer"), "empty.xlsx", buffer.getvalue())
    assert caught.value.message == "The sheet is empty."


def test_a_row_under_60_needs_a_reason_in_the_note_column(make_user, areas):
    """004 concerns 老年人: the import applies the registration form's rule."""
    town = make_user("town", "muer")
    text = (
        "姓名,性别,身份证号码,对象类型,责任村（社区）,备注\n"
        f"张小英,女,{id_number(50, age=26)},独居,金刚村,\n"
        f"李小兰,女,{id_number(51, age=58)},其他,金刚村,随母亲（85岁，失能）一同照护\n"
        f"王婆婆,女,{id_number(52, age=60)},独居,白岩村,\n"
    )
    upload = save_upload(town, "ages.csv", text.encode())
    preview = check_upload(town, upload, {}, TODAY)
    assert preview["counts"] == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    [[row, column, message, params]] = preview["problems"]
    assert (row, column, params) == (2, "身份证号码", {"age": 26})
    assert "Write the reason for filing a younger person in the 备注 column" in message
    import_upload(town, upload, TODAY)
    db.session.commit()
    li = db.session.scalar(select(Elder).where(Elder.name == "李小兰"))
    assert li.under_age_reason == "随母亲(85岁,失能)一同照护"  # cells are read NFKC-normalised
    wang = db.session.scalar(select(Elder).where(Elder.name == "王婆婆"))
    assert wang.under_age_reason == ""
