"""附件1 ledger: rows (categories, period counts, solved, masking, scope), the .xlsx read back, the
layout Document, the page and its downloads, and the CLI."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import date, datetime, time, timedelta
from urllib.parse import quote

import docx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from caseman.areas.models import Area
from caseman.audit import AuditEvent
from caseman.extensions import db
from caseman.ledger.annex1 import COLUMNS, NOTE, TITLE, LedgerMeta, header_line, ledger_document
from caseman.ledger.queries import (
    LedgerRow,
    Relative,
    current_half_year,
    home_visit_counts,
    ledger_rows,
)
from caseman.ledger.xlsx import ledger_xlsx
from caseman.referrals.queries import solved_counts
from caseman.referrals.services import move_referral, move_risk, raise_referral, raise_risk
from caseman.rules.enums import Category, NeedType, VisitMethod
from caseman.rules.masking import mask_id_number, mask_phone
from caseman.rules.referrals import ReferralStatus, RiskStatus
from caseman.visits.services import new_submission_key, record_visit, void_record
from tests.conftest import TODAY
from tests.referrals.conftest import referral_values, risk_values
from tests.visits.conftest import visit_values

FILED = TODAY - timedelta(days=400)
START = TODAY - timedelta(days=60)
END = TODAY - timedelta(days=10)
TODAY_NOON = datetime.combine(TODAY, time(12))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SON = {"name": "李强", "gender": "male", "id_number": "", "relation": "son", "health": "健康",
       "is_dibao_or_poverty": False, "visits_often": True, "phone": "13900001111",
       "residence": "elsewhere", "working_away_since": None, "is_deceased": False,
       "disability_grade": None, "is_only_child": False}  # fmt: skip


def member(**overrides):
    return {**SON, **overrides}


@pytest.fixture
def cadre(make_user):
    return make_user("village", "jingang", username="cadre", full_name="王芳")


def visit(actor, elder, on, **overrides):
    values = visit_values(visited_on=on, **overrides)
    recorded = record_visit(actor, elder, values, new_submission_key(), TODAY)
    db.session.commit()
    return recorded


def row_of(rows, name):
    return next(r for r in rows if r.name == name)


# --- rows ------------------------------------------------------------------------------------


def test_current_half_year_runs_from_january_or_july_to_today():
    assert current_half_year(date(2026, 3, 9)) == (date(2026, 1, 1), date(2026, 3, 9))
    assert current_half_year(date(2026, 6, 30)) == (date(2026, 1, 1), date(2026, 6, 30))
    assert current_half_year(date(2026, 7, 1)) == (date(2026, 7, 1), date(2026, 7, 1))
    assert current_half_year(date(2026, 11, 22)) == (date(2026, 7, 1), date(2026, 11, 22))


def test_row_fields_for_a_town_user(make_user, make_elder):
    elder = make_elder(
        name="张秀英",
        filed_on=FILED,
        residence_address="3组45号",
        members=[member(), member(name="李红", relation="daughter", phone="",
                                  gender="female"),
                 member(name="李大", relation="spouse", is_deceased=True)],
        categories={Category.LIVING_ALONE},
    )  # fmt: skip
    town = make_user("town", "muer")
    [row] = ledger_rows(town, None, START, END)
    assert row.number == 1
    assert row.elder_id == elder.id
    assert (row.name, row.gender) == ("张秀英", "女")
    assert row.address == "渝北区木耳镇金刚村3组45号"
    assert row.id_number == elder.id_number  # town staff see it in full
    assert row.phone == "13812345678"
    # the deceased spouse is left out; relations are the form's words
    assert row.relatives == [Relative("李强", "儿子", "13900001111"), Relative("李红", "女儿", "")]
    assert row.categories == "独居"
    assert (row.town, row.village) == ("木耳镇", "金刚村")
    assert (row.responsible_person, row.responsible_phone) == ("王芳", "13500000000")
    assert (row.home_visits, row.solved) == (0, 0)


def test_categories_use_the_annex_names_in_its_order(make_user, make_elder):
    make_elder(
        name="甲",
        filed_on=FILED,
        categories={Category.OTHER, Category.SEVERE_DISABILITY, Category.FAMILY_PLANNING,
                    Category.DISABLED_CARE, Category.LIVING_ALONE},
        ability_level="severe", disability_certificate_no="50011219450305007X11",
        disability_grade=1, other_reason="子女长期不联系", category_override_reason="核实",
    )  # fmt: skip
    make_elder(
        name="乙",
        filed_on=FILED,
        categories={Category.LEFT_BEHIND, Category.EMPTY_NEST},
        category_override_reason="核实",
        is_key=False,
    )
    rows = ledger_rows(make_user("district", "district"), None, START, END)
    # 说明：对象类型分为独居、空巢、农村留守、计生对象、失能、重度残疾老年人、其他关爱对象。
    assert row_of(rows, "甲").categories == "独居、计生对象、失能、重度残疾老年人、其他关爱对象"
    assert row_of(rows, "乙").categories == "空巢、农村留守"


def test_home_visits_are_counted_within_the_period_only(make_user, make_elder, cadre):
    elder = make_elder(filed_on=FILED)
    visit(cadre, elder, START - timedelta(days=1))  # before
    visit(cadre, elder, START)  # first day counts
    visit(cadre, elder, START + timedelta(days=20))
    visit(
        cadre, elder, START + timedelta(days=20), method=VisitMethod.PHONE
    )  # a call does not count
    voided = visit(cadre, elder, START + timedelta(days=30))
    void_record(cadre, voided, "录错老人", voided.version)
    db.session.commit()
    visit(cadre, elder, END)  # last day counts
    visit(cadre, elder, END + timedelta(days=1))  # after
    other = make_elder(name="李四", filed_on=FILED)

    assert home_visit_counts([elder.id, other.id], START, END) == {elder.id: 3, other.id: 0}
    rows = ledger_rows(make_user("town", "muer"), None, START, END)
    assert row_of(rows, "张秀英").home_visits == 3
    assert row_of(rows, "李四").home_visits == 0


def test_solved_problems_come_from_solved_counts(make_user, make_elder, cadre):
    elder = make_elder(filed_on=FILED)
    # a hazard removed on the spot is solved at once; a medical need stays open
    hazard = referral_values(need=NeedType.SAFETY_HAZARD.value)
    solved = raise_referral(cadre, elder, hazard, new_submission_key(), TODAY)
    medical = referral_values(need=NeedType.MEDICAL.value)
    raise_referral(cadre, elder, medical, new_submission_key(), TODAY)
    risk = raise_risk(cadre, elder, risk_values(), new_submission_key(), TODAY, TODAY_NOON)
    db.session.commit()
    note = {"note": "当场解决"}
    move_referral(cadre, solved, ReferralStatus.SOLVED, note, TODAY, solved.version)
    move_risk(cadre, risk, RiskStatus.CLOSED, "已处理", TODAY, risk.version)
    db.session.commit()

    [row] = ledger_rows(make_user("town", "muer"), None, START, END)
    assert row.solved == solved_counts([elder.id])[elder.id] == 2


def test_numbers_are_masked_except_for_district_and_town(make_user, make_elder):
    elder = make_elder(filed_on=FILED, members=[member()])
    for role, area in (("district", "district"), ("town", "muer")):
        [row] = ledger_rows(make_user(role, area), None, START, END)
        assert (row.id_number, row.phone) == (elder.id_number, "13812345678")
        assert row.relatives[0].phone == "13900001111"
    [row] = ledger_rows(make_user("village", "jingang"), None, START, END)
    assert row.id_number == mask_id_number(elder.id_number)
    assert row.id_number.startswith("5001**********")
    assert row.phone == "138****5678" == mask_phone("13812345678")
    assert row.relatives[0].phone == "139****1111"
    # the CLI asks explicitly
    [row] = ledger_rows(None, None, START, END, full=False)
    assert row.id_number == mask_id_number(elder.id_number)


def test_rows_are_the_active_caseload_of_the_area_in_order(make_user, make_elder):
    make_elder(name="赵", area="jingang", filed_on=FILED)
    make_elder(name="钱", area="baiyan", filed_on=FILED)
    make_elder(name="孙", area="caoping", filed_on=FILED)
    make_elder(name="李", area="jingang1", filed_on=FILED)  # a villager group of 金刚村
    make_elder(name="周", area="jingang", filed_on=END + timedelta(days=1))  # filed later
    gone = make_elder(name="吴", area="jingang", filed_on=FILED)
    gone.archived_on = END
    left_after = make_elder(name="郑", area="jingang", filed_on=FILED)
    left_after.archived_on = END + timedelta(days=1)  # still in the caseload on END
    db.session.commit()
    district = make_user("district", "district")

    rows = ledger_rows(district, None, START, END)
    # by town, village, name (古路镇 before 木耳镇, 白岩村 before 金刚村)
    assert [r.name for r in rows] == ["孙", "钱", "李", "赵", "郑"]
    assert [r.number for r in rows] == [1, 2, 3, 4, 5]
    assert row_of(rows, "李").village == "金刚村"
    assert row_of(rows, "李").address.startswith("渝北区木耳镇金刚村一组")

    jingang = make_user("village", "jingang")
    assert [r.name for r in ledger_rows(jingang, None, START, END)] == ["李", "赵", "郑"]
    muer_area = jingang.area.parent.id
    assert [r.name for r in ledger_rows(district, muer_area, START, END)] == [
        "钱", "李", "赵", "郑",
    ]  # fmt: skip
    # an area outside the user's scope gives nothing
    caoping = db.session.scalar(select(Area.id).where(Area.name == "草坪村"))
    assert ledger_rows(jingang, caoping, START, END) == []


# --- the layout Document -------------------------------------------------------------------


def sample_rows():
    return [
        LedgerRow(1, 11, "张秀英", "女", "渝北区木耳镇金刚村3组45号", "500112194403050074",
                  "13812345678", [Relative("李强", "儿子", "13900001111"),
                                  Relative("李红", "女儿", "13900002222")],
                  "独居、失能", "木耳镇", "金刚村", "王芳", "13500000000", 3, 1),
        LedgerRow(2, 12, "=HYPERLINK(\"http://x\")", "男", "+86 某地", "-1", "@SUM(A1)", [],
                  "", "木耳镇", "金刚村", "", "", 0, 0),
    ]  # fmt: skip


META = LedgerMeta("木耳镇", date(2026, 7, 1), date(2026, 11, 22), date(2026, 11, 22))


def test_document_is_one_landscape_sheet_with_the_annex_header():
    document = ledger_document(sample_rows(), META)
    assert document.name == "台帐_木耳镇_2026-07-01_2026-11-22"
    [sheet] = document.sheets
    assert sheet.orientation == "landscape"
    assert sheet.title == TITLE == "渝北区特殊困难老年人关爱服务信息台帐"
    assert sheet.before[0].parts == [header_line(META)]
    assert header_line(META).startswith("填表单位：木耳镇（盖章）  主要领导审核：      填报人：")
    assert "填表日期：2026年11月22日" in header_line(META)
    assert sheet.after[0].parts == [NOTE]
    table = sheet.table
    assert table.columns == COLUMNS == 16
    grid = table.grid()  # raises unless the spans tile the grid
    assert len(grid) == 2 + 2
    first, second = table.rows[0], table.rows[1]
    assert first.header
    assert second.header
    assert not table.rows[2].header
    assert [(c.plain_text(), c.colspan, c.rowspan) for c in first.cells] == [
        ("序号", 1, 2), ("姓名", 1, 2), ("性别", 1, 2), ("常住地址", 1, 2),
        ("身份证号码", 1, 2), ("电话", 1, 2), ("亲属情况", 3, 1), ("对象类型", 1, 2),
        ("责任主体", 4, 1), ("上门探访次数", 1, 2), ("解决问题数量", 1, 2),
    ]  # fmt: skip
    assert [c.plain_text() for c in second.cells] == [
        "姓名", "亲属关系", "电话", "责任镇街", "责任村（社区）", "责任人", "责任人电话",
    ]  # fmt: skip
    data = table.rows[2].cells
    assert len(data) == 16
    assert data[6].paragraphs == [["李强"], ["李红"]]  # one paragraph per relative
    assert data[7].paragraphs == [["儿子"], ["女儿"]]
    assert data[8].plain_text() == "13900001111\n13900002222"
    assert [data[i].plain_text() for i in (0, 4, 9, 14, 15)] == [
        "1", "500112194403050074", "独居、失能", "3", "1",
    ]  # fmt: skip


# --- Excel -----------------------------------------------------------------------------------


def read_back(content):
    workbook = load_workbook(io.BytesIO(content))
    return workbook.active


def test_xlsx_header_merges_are_the_annexs():
    sheet = read_back(ledger_xlsx(sample_rows(), META))
    last = 4 + 2 + 1  # two data rows, then the 说明 line
    assert {str(r) for r in sheet.merged_cells.ranges} == {
        "A1:P1", "A2:P2",
        "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:F4", "G3:I3", "J3:J4", "K3:N3",
        "O3:O4", "P3:P4",
        f"A{last}:P{last}",
    }  # fmt: skip
    assert sheet["A1"].value == TITLE
    assert sheet["A2"].value == header_line(META)
    assert [sheet.cell(3, c).value for c in (1, 2, 3, 4, 5, 6, 7, 10, 11, 15, 16)] == [
        "序号", "姓名", "性别", "常住地址", "身份证号码", "电话", "亲属情况", "对象类型",
        "责任主体", "上门探访次数", "解决问题数量",
    ]  # fmt: skip
    assert [sheet.cell(4, c).value for c in range(7, 10)] == ["姓名", "亲属关系", "电话"]
    assert [sheet.cell(4, c).value for c in range(11, 15)] == [
        "责任镇街", "责任村（社区）", "责任人", "责任人电话",
    ]  # fmt: skip
    assert sheet.cell(last, 1).value == NOTE
    assert sheet.max_column == 16


def test_xlsx_values_ids_as_text_and_relatives_on_lines():
    sheet = read_back(ledger_xlsx(sample_rows(), META))
    assert sheet["A5"].value == 1
    assert sheet["E5"].value == "500112194403050074"
    assert sheet["E5"].data_type == "s"
    assert sheet["E5"].number_format == "@"
    assert sheet["F5"].value == "13812345678"
    assert sheet["F5"].data_type == "s"
    assert sheet["G5"].value == "李强\n李红"
    assert sheet["G5"].alignment.wrap_text
    assert sheet["I5"].value == "13900001111\n13900002222"
    assert (sheet["O5"].value, sheet["P5"].value) == (3, 1)
    assert sheet["E5"].border.left.style == "thin"


def test_xlsx_never_writes_a_formula():
    content = ledger_xlsx(sample_rows(), META)
    sheet = read_back(content)
    for coordinate, text in (("B6", '=HYPERLINK("http://x")'), ("D6", "+86 某地"),
                             ("E6", "-1"), ("F6", "@SUM(A1)")):  # fmt: skip
        cell = sheet[coordinate]
        assert cell.value == text  # the value itself is unchanged
        assert cell.data_type == "s"
        assert cell.quotePrefix  # Excel keeps it text even when the cell is edited
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml
    assert b"<f " not in xml


def test_xlsx_prints_on_a4_landscape_with_repeated_headers():
    sheet = read_back(ledger_xlsx(sample_rows(), META))
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert int(sheet.page_setup.fitToWidth) == 1
    assert int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows == "$3:$4"
    assert sheet.freeze_panes == "A5"
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["C"].width


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def three_villages(make_elder):
    return {
        "jingang": make_elder(name="金刚老人", area="jingang", filed_on=FILED),
        "baiyan": make_elder(name="白岩老人", area="baiyan", filed_on=FILED),
        "caoping": make_elder(name="草坪老人", area="caoping", filed_on=FILED),
    }


def test_village_user_sees_only_their_village_masked(client, make_user, login_as, three_villages):
    login_as(make_user("village", "jingang"))
    response = client.get("/ledger")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "金刚老人" in text
    assert "白岩老人" not in text
    assert "草坪老人" not in text
    assert three_villages["jingang"].id_number not in text
    assert mask_id_number(three_villages["jingang"].id_number) in text
    assert "亲属情况" in text
    assert "责任主体" in text
    assert "?format=xlsx" in text


def test_town_user_sees_masked_numbers_and_filters_by_village(
    client, make_user, login_as, three_villages, areas
):
    login_as(make_user("town", "muer"))
    text = client.get("/ledger").get_data(as_text=True)
    assert "金刚老人" in text
    assert "白岩老人" in text
    assert "草坪老人" not in text
    # The page is a list: masked like every list (6 digits of the area code for town staff);
    # full numbers only in the audited downloads.
    assert three_villages["jingang"].id_number not in text
    assert mask_id_number(three_villages["jingang"].id_number, 6) in text
    text = client.get(f"/ledger?village={areas['baiyan'].id}").get_data(as_text=True)
    assert "白岩老人" in text
    assert "金刚老人" not in text


@pytest.mark.parametrize(("role", "area"), [("district", "district"), ("town", "muer")])
def test_ledger_page_never_shows_full_numbers(client, make_user, login_as, make_elder, role, area):
    """Issue 17 item 13: /ledger showed district and town staff every full ID number and phone
    (and relatives' phones) with no audit row. The screen masks them as every list does."""
    elder = make_elder(
        name="金刚老人", area="jingang", filed_on=FILED, phone="13812345678", members=[member()]
    )
    login_as(make_user(role, area))
    text = client.get("/ledger").get_data(as_text=True)
    assert "金刚老人" in text
    assert elder.id_number not in text
    assert mask_id_number(elder.id_number, 6) in text
    assert "13812345678" not in text
    assert "138****5678" in text
    assert "13900001111" not in text
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reveal")) is None


def test_areas_outside_scope_and_workers_get_404(client, make_user, login_as, areas):
    login_as(make_user("town", "muer"))
    assert client.get(f"/ledger?town={areas['gulu'].id}").status_code == 404
    assert client.get(f"/ledger?village={areas['caoping'].id}").status_code == 404
    assert client.get(f"/ledger?town={areas['gulu'].id}&format=xlsx").status_code == 404
    assert client.get(f"/ledger?town={areas['jingang'].id}").status_code == 404  # not a town
    assert client.get("/ledger?format=csv").status_code == 404
    client.post("/logout")
    login_as(make_user("worker", "jingang"))
    assert client.get("/ledger").status_code == 404
    assert client.get("/ledger?format=xlsx").status_code == 404
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export")) is None


def test_bad_dates_show_a_message_and_refuse_an_export(client, make_user, login_as, areas):
    login_as(make_user("town", "muer"))
    response = client.get("/ledger?from=2026-13-01")
    assert response.status_code == 200
    assert client.get("/ledger?from=2026-07-01&to=2026-01-01&format=xlsx").status_code == 400


def test_xlsx_download_is_named_and_audited(client, make_user, login_as, three_villages, areas):
    login_as(make_user("town", "muer", username="muer_staff"))
    response = client.get(
        f"/ledger?town={areas['muer'].id}&from=2026-01-01&to={TODAY.isoformat()}&format=xlsx"
    )
    assert response.status_code == 200
    assert response.mimetype == XLSX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    name = f"台帐_木耳镇_2026-01-01_{TODAY.isoformat()}.xlsx"
    assert f"filename*=UTF-8''{quote(name)}" in disposition
    sheet = read_back(response.data)
    names = [sheet.cell(row, 2).value for row in range(5, sheet.max_row)]
    assert names == ["白岩老人", "金刚老人"]
    assert sheet.cell(5, 5).value == three_villages["baiyan"].id_number
    assert "填表单位：木耳镇（盖章）" in sheet["A2"].value
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export"))
    assert (event.object_type, event.object_id, event.username) == (
        "ledger", areas["muer"].id, "muer_staff",
    )  # fmt: skip
    assert event.detail.startswith("format=xlsx rows=2 ")


def test_each_export_format_is_audited(client, make_user, login_as, three_villages):
    pytest.importorskip("caseman.documents.docx_writer")
    pytest.importorskip("caseman.documents.pdf_writer")
    login_as(make_user("village", "jingang"))
    masked = mask_id_number(three_villages["jingang"].id_number)
    contents = {}
    for fmt, magic in (("docx", b"PK"), ("pdf", b"%PDF")):
        response = client.get(f"/ledger?format={fmt}")
        assert response.status_code == 200, fmt
        assert response.data.startswith(magic)
        assert "attachment" in response.headers["Content-Disposition"]
        contents[fmt] = response.data
    [table] = docx.Document(io.BytesIO(contents["docx"])).tables
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0][6:9] == ["亲属情况"] * 3  # merged across the three relative columns
    assert cells[1][6:9] == ["姓名", "亲属关系", "电话"]
    assert cells[2][1] == "金刚老人"
    assert cells[2][4] == masked
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"],
            input=contents["pdf"],
            capture_output=True,
            check=True,
        ).stdout.decode()
        assert TITLE in text
        assert "金刚老" in text  # the fourth character wraps in the 姓名 column
        assert masked in text
    details = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "export").order_by(AuditEvent.id)
    ).all()
    assert [d.split()[:2] for d in details] == [["format=docx", "rows=1"], ["format=pdf", "rows=1"]]


def test_nav_links_the_ledger_for_staff_only(client, make_user, login_as):
    login_as(make_user("village", "jingang"))
    assert 'href="/ledger"' in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login_as(make_user("worker", "jingang"))
    assert 'href="/ledger"' not in client.get("/").get_data(as_text=True)


# --- the CLI -------------------------------------------------------------------------------


def test_cli_writes_a_masked_ledger_of_a_town_and_audits_it(app, three_villages, tmp_path):
    out = tmp_path / "ledger.xlsx"
    result = app.test_cli_runner().invoke(
        args=["ledger", "--town", "木耳镇", "--format", "xlsx", "--out", str(out),
              "--from", "2026-01-01", "--to", TODAY.isoformat()]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    sheet = read_back(out.read_bytes())
    assert [sheet.cell(r, 2).value for r in (5, 6)] == ["白岩老人", "金刚老人"]
    assert sheet.cell(5, 5).value == mask_id_number(three_villages["baiyan"].id_number)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert (event.ip, event.object_type) == ("cli", "ledger")
    assert "rows=2" in event.detail


def test_cli_full_numbers_of_a_village_and_unknown_names(app, three_villages, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "v.xlsx"
    result = runner.invoke(
        args=["ledger", "--town", "木耳镇", "--village", "金刚村", "--format", "xlsx",
              "--out", str(out), "--full"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    sheet = read_back(out.read_bytes())
    assert sheet.cell(5, 5).value == three_villages["jingang"].id_number
    assert "木耳镇金刚村" in sheet["A2"].value
    for args in (
        ["--town", "无此镇"],
        ["--town", "金刚村"],
        ["--town", "古路镇", "--village", "金刚村"],
    ):
        result = runner.invoke(args=["ledger", *args, "--format", "xlsx", "--out", str(out)])
        assert result.exit_code != 0


def test_a_long_word_or_pdf_ledger_is_refused_but_excel_is_not(
    app, client, make_user, login_as, three_villages
):
    app.config["CASEMAN_LEDGER_DOCUMENT_ROWS"] = 1
    login_as(make_user("town", "muer"))
    response = client.get("/ledger?format=pdf&from=2026-01-01")
    assert response.status_code == 302
    assert "format" not in response.headers["Location"]
    assert "from=2026-01-01" in response.headers["Location"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export")) is None
    assert client.get("/ledger?format=xlsx").status_code == 200
