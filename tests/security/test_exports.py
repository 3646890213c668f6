"""Stored markup stays text everywhere (pages, PDF, .docx, .xlsx) and no exported cell becomes a
formula (issue 7, item 5)."""

from __future__ import annotations

import ast
import io
import re
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document as read_docx
from openpyxl import load_workbook

from caseman import PROJECT_ROOT
from caseman.extensions import db
from caseman.referrals.services import raise_referral, raise_risk
from caseman.spreadsheets import csv_text, is_formula_like
from caseman.visits.services import new_submission_key, record_visit
from tests.conftest import TODAY
from tests.referrals.conftest import NOW, referral_values, risk_values
from tests.security.conftest import log_in
from tests.visits.conftest import visit_values

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def hostile(make_elder, cadre):  # noqa: F811 - fixture from tests.referrals.conftest
    """Markup typed into every free-text field a page or document shows."""
    elder = make_elder(
        name=SCRIPT, medical_history=SCRIPT, residence_address=SCRIPT, responsible_person=SCRIPT,
        filed_on=TODAY - timedelta(days=60),
    )  # fmt: skip
    visit = record_visit(cadre, elder, visit_values(visited_on=TODAY - timedelta(days=1),
                         needs_note=SCRIPT, note=SCRIPT, suggested_care=SCRIPT),
                         new_submission_key(), TODAY)  # fmt: skip
    referral = raise_referral(cadre, elder, referral_values(description=SCRIPT),
                              new_submission_key(), TODAY)  # fmt: skip
    risk = raise_risk(cadre, elder, risk_values(description=SCRIPT), new_submission_key(),
                      TODAY, NOW)  # fmt: skip
    db.session.commit()
    return elder, visit, referral, risk


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    assert content.startswith(b"%PDF")
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout  # fmt: skip


def docx_text(content: bytes) -> str:
    document = read_docx(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_stored_markup_is_shown_as_text_on_every_page(app, hostile, cadre, town_user):  # noqa: F811
    elder, visit, referral, risk = hostile
    pages = {
        cadre: ["/", "/elders/", f"/elders/{elder.id}", f"/elders/{elder.id}/edit",
                f"/visits/{visit.id}", f"/visits/{visit.id}/edit", f"/referrals/{referral.id}",
                f"/risks/{risk.id}", "/follow-ups", "/visits/due", "/elders/?q=script"],
        town_user: ["/", "/elders/", f"/elders/{elder.id}", "/ledger"],
    }  # fmt: skip
    for user, urls in pages.items():
        client = log_in(app, user)
        for url in urls:
            html = client.get(url).get_data(as_text=True)
            assert SCRIPT not in html, url
            # Never unescaped (search results mark the matched words inside the escaped text).
            text = html.replace("<mark>", "").replace("</mark>", "")
            assert "alert(1)" not in text.replace(ESCAPED, ""), url
        # Where the name is shown, it is shown as text.
        assert ESCAPED in client.get(f"/elders/{elder.id}").get_data(as_text=True)


def test_stored_markup_is_text_in_pdf_and_docx(app, hostile, cadre, town_user, tmp_path):  # noqa: F811
    elder, visit, _referral, _risk = hostile
    client = log_in(app, cadre)
    for url in (f"/elders/{elder.id}/annex2", f"/visits/{visit.id}/annex3"):
        pdf = client.get(url + ".pdf")
        assert pdf.status_code == 200
        assert SCRIPT in compact(pdf_text(pdf.data, tmp_path)), url  # printed as typed
        docx = client.get(url + ".docx")
        assert docx.status_code == 200
        assert SCRIPT in docx_text(docx.data), url
        # The .docx XML holds the text escaped, not as markup.
        document_xml = zipfile.ZipFile(io.BytesIO(docx.data)).read("word/document.xml")
        assert b"<script>" not in document_xml
    town = log_in(app, town_user)
    ledger_pdf = town.get("/ledger?format=pdf")
    assert SCRIPT in compact(pdf_text(ledger_pdf.data, tmp_path))
    assert SCRIPT in docx_text(town.get("/ledger?format=docx").data)


def ledger_sheet(client):
    response = client.get("/ledger?format=xlsx")
    assert response.status_code == 200
    content = response.data
    return load_workbook(io.BytesIO(content)).active, content


def test_stored_markup_is_a_plain_text_cell_in_xlsx(app, hostile, town_user):  # noqa: F811
    sheet, content = ledger_sheet(log_in(app, town_user))
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == SCRIPT]
    assert cells
    assert all(cell.data_type == "s" for cell in cells)
    archive = zipfile.ZipFile(io.BytesIO(content))
    xml = b"".join(archive.read(name) for name in archive.namelist() if name.endswith(".xml"))
    assert b"&lt;script&gt;" in xml
    assert b"<script>" not in xml


FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(1,1)", '=HYPERLINK("http://evil.example","x")']


def test_formula_like_values_export_as_text(app, make_elder, town_user):  # noqa: F811
    make_elder(name="=1+1", responsible_person="@SUM(1,1)")
    make_elder(name="+1+1", responsible_person="-1+1")
    sheet, content = ledger_sheet(log_in(app, town_user))
    values = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value}
    for text in ("=1+1", "@SUM(1,1)", "+1+1", "-1+1"):
        cell = values[text]  # the value itself is kept as typed …
        assert cell.data_type == "s"  # … as a text cell …
        assert cell.quotePrefix  # … that stays text when edited in Excel
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml
    assert b"<f " not in sheet_xml


@pytest.mark.parametrize("text", [*FORMULAS, "\t=1+1", "\r=1+1"])
def test_csv_cells_are_neutralised(text):
    assert is_formula_like(text)
    assert csv_text(text) == "'" + text
    assert csv_text("张秀英") == "张秀英"
    assert csv_text(None) == ""
    assert csv_text(12) == "12"


READERS = PROJECT_ROOT / "caseman" / "imports" / "reading.py"  # reads uploaded sheets, writes none


def test_every_spreadsheet_writer_uses_the_one_helper():
    """A module that writes .xlsx (openpyxl) or CSV must go through caseman.spreadsheets."""
    offenders = []
    for path in sorted((PROJECT_ROOT / "caseman").rglob("*.py")):
        if path.name == "spreadsheets.py" or path == READERS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
                imported.add(node.module.split(".")[0])
        writes_sheets = {"openpyxl", "xlsxwriter", "csv"} & imported
        if writes_sheets and "caseman.spreadsheets" not in imported:
            offenders.append(f"{path.relative_to(PROJECT_ROOT)} ({', '.join(writes_sheets)})")
    assert offenders == []
