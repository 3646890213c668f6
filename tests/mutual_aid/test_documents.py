"""000's forms as Excel files: amounts, counts and ages are numbers (a SUM adds them up)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from caseman.extensions import db
from caseman.mutual_aid import queries, services
from caseman.mutual_aid.documents import (
    PAIRING,
    SUMMARY,
    build_xlsx,
    pairing_values,
    summary_values,
)
from tests.mutual_aid.conftest import YEAR

START, END = date(YEAR, 1, 1), date(YEAR, 3, 31)


@pytest.fixture
def funded(programme, areas):
    p = programme
    for amount, day in ((Decimal("20000.50"), 20), (Decimal("1234.25"), 21)):
        services.record_fund(p.actor, p.village, {"source": "town_finance", "donor": "",
                             "amount": amount, "received_on": date(YEAR, 1, day),
                             "use": ""})  # fmt: skip
    services.record_fund(p.actor, areas["baiyan"], {"source": "charity", "donor": "",
                         "amount": Decimal("100"), "received_on": date(YEAR, 2, 1),
                         "use": ""})  # fmt: skip
    services.award_points(p.actor, p.volunteer, p.rate, date(YEAR, 3, 2))
    db.session.commit()
    return p


def _sheet(form, values, meta):
    return load_workbook(BytesIO(build_xlsx(form, values, meta))).active


def test_annex1_amounts_and_counts_are_numeric_cells(funded, areas):
    town = areas["muer"]
    rows = queries.summary_rows(town, START, END)
    meta = queries.report_meta(town, YEAR, 1, END, END)
    sheet = _sheet(SUMMARY, [summary_values(r) for r in rows], meta)
    data = [sheet[4], sheet[5]]  # 金刚村, 白岩村
    assert [row[1].value for row in data] == ["金刚村", "白岩村"]
    for row in data:
        assert row[0].data_type == "n"  # 序号
        for cell in row[3:12]:  # 社工人数 … 镇街配套和捐赠金额筹集
            assert cell.data_type == "n", (cell.coordinate, cell.value)
        assert row[11].number_format == "#,##0.00"
        assert row[1].data_type == "s"
    assert sheet["L4"].value == pytest.approx(21234.75)
    assert sheet["L4"].value + sheet["L5"].value == pytest.approx(21334.75)
    assert sheet["J4"].value == funded.rate.points
    assert sheet["J4"].number_format == "0"


def test_annex2_ages_and_counts_are_numeric_cells(funded):
    p = funded
    rows = queries.pairing_rows(p.village, START, END, full=True)
    meta = queries.report_meta(p.village, YEAR, 1, END, END)
    sheet = _sheet(PAIRING, [pairing_values(r) for r in rows], meta)
    last = 3 + sum(max(1, len(r.helper_names.split("\n"))) for r in rows)
    for row in range(4, last + 1):
        helper_age = sheet.cell(row, 13)
        assert helper_age.data_type == "n", helper_age.value
        assert helper_age.value == YEAR - (1962 if sheet.cell(row, 11).value == "刘志愿" else 1958)
    for row in (4, 5):
        assert sheet.cell(row, 4).data_type == "n"  # 年龄 of the elder
        assert sheet.cell(row, 16).data_type == "n"  # 帮扶次数
    assert sheet.cell(4, 5).data_type == "s"  # phones stay text
    assert sheet.cell(4, 5).value == "13812345678"


def excel_sum(cells) -> float:
    """What Excel's SUM over a range gives: numeric cells added, text cells ignored (a column
    of amounts stored as text sums to 0). LibreOffice Calc is not installed here to compute it."""
    return sum(c.value for c in cells if c.data_type == "n" and c.value is not None)


def test_a_sum_over_the_amounts_adds_them_up(funded, areas):
    town = areas["muer"]
    rows = queries.summary_rows(town, START, END)
    meta = queries.report_meta(town, YEAR, 1, END, END)
    sheet = _sheet(SUMMARY, [summary_values(r) for r in rows], meta)
    assert excel_sum(sheet["L4:L5"][i][0] for i in range(2)) == pytest.approx(21334.75)
    assert excel_sum([sheet["J4"], sheet["J5"]]) == funded.rate.points
    assert excel_sum([sheet["F4"], sheet["F5"]]) == 1  # 互助养老分点数量
