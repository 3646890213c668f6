"""Issue 17 item 8: ID numbers and phones fit their cells, on one line, in the PDF and the .docx.

The PDF's words are read back with ``pdftotext -bbox`` (poppler): the 18-character ID must come
out as one word, and its box must lie inside its column. The .docx is read back with python-docx:
the ID is one paragraph of its cell, set in 宋体, in a column wider than its 宋体 width.
"""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date
from pathlib import Path

from docx import Document as open_docx
from docx.oxml.ns import qn

from caseman.documents import metrics
from caseman.documents.annex2 import Place, annex2_document, column_widths
from caseman.documents.docx_writer import render_docx
from caseman.documents.pdf_writer import render_pdf
from caseman.ledger.annex1 import LedgerMeta, ledger_document
from caseman.ledger.annex1 import column_widths as ledger_widths
from caseman.ledger.queries import LedgerRow, Relative

# Wide digits and an X: the worst an ID number can be in the PDF's font.
ELDER_ID = "50011219490808899X"
MEMBER_ID = "50011219780909899X"
PHONE = "18325470688"
MM = 72 / 25.4  # points per millimetre
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def _words(tmp_path: Path, pdf: bytes) -> list[tuple[float, float, float, str]]:
    """(xMin, xMax, yMin, text) of every word on the first page, in points."""
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(path), "-"],
                          capture_output=True, check=True, text=True).stdout  # fmt: skip
    return [(float(a), float(c), float(b), text) for a, b, c, _d, text in WORD.findall(html)]


def _edges(widths: list[float] | tuple[float, ...], page_mm: float) -> list[float]:
    """The x of each column rule in points (the table is centred on the page)."""
    x = (page_mm - sum(widths)) / 2
    edges = [x]
    for width in widths:
        x += width
        edges.append(x)
    return [edge * MM for edge in edges]


def _annex2():
    data = {
        "name": "张秀英", "gender": "female", "id_number": ELDER_ID, "phone": PHONE,
        "emergency_phone": "023-67891234", "filed_on": date(2026, 3, 1).isoformat(),
        "members": [{"name": "李建国", "gender": "male", "id_number": MEMBER_ID,
                     "relation": "son"}],
    }  # fmt: skip
    place = Place("渝北区", "木耳镇", "金刚村", "3组45号")
    return annex2_document(data, place, place, ["500112-F2-2026-000001-1"],
                           copies=("第1联 区民政局存档",))  # fmt: skip


def test_annex2_pdf_ids_and_phone_are_whole_words_inside_their_cells(app, tmp_path):
    with app.app_context():
        words = _words(tmp_path, render_pdf(_annex2()))
    edges = _edges(column_widths(), 210)
    # The elder's ID twice (row 2 and the 户主 row of the family table), the member's once.
    for text, count, columns in ((ELDER_ID, 2, {3, 5}), (MEMBER_ID, 1, {3}), (PHONE, 1, {7})):
        boxes = [w for w in words if w[3] == text]
        assert len(boxes) == count, (text, [w[3] for w in words if w[3][:6] == text[:6]])
        for x_min, x_max, _y, _text in boxes:
            inside = {c for c in columns if edges[c] < x_min and x_max < edges[c + 1]}
            assert inside, (text, x_min, x_max, edges)


def test_ledger_pdf_id_does_not_run_into_the_phone(app, tmp_path):
    row = LedgerRow(
        number=1, elder_id=1, name="张秀英", gender="女", address="渝北区木耳镇金刚村3组45号",
        id_number=ELDER_ID, phone=PHONE,
        relatives=[Relative("李建国", "儿子", "13983001234")], categories="独居",
        town="木耳镇", village="金刚村", responsible_person="王芳",
        responsible_phone="13500001111", home_visits=2,
    )  # fmt: skip
    meta = LedgerMeta("木耳镇", date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 1))
    with app.app_context():
        words = _words(tmp_path, render_pdf(ledger_document([row], meta)))
    edges = _edges(ledger_widths(), 297)
    texts = [w[3] for w in words]
    assert f"{ELDER_ID[-4:]}{PHONE}" not in " ".join(texts)
    for text, column in ((ELDER_ID, 4), (PHONE, 5), ("13983001234", 8), ("13500001111", 13)):
        boxes = [w for w in words if w[3] == text]
        assert len(boxes) == 1, (text, texts)
        assert edges[column] < boxes[0][0], text
        assert boxes[0][1] < edges[column + 1], text


def test_annex2_docx_id_is_one_line_of_songti_in_a_wide_enough_column():
    document = open_docx(io.BytesIO(render_docx(_annex2())))
    form = next(t for t in document.tables if len(t.rows) > 5)
    found = 0
    for tc in form._tbl.iter(qn("w:tc")):
        text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
        if text not in (ELDER_ID, MEMBER_ID):
            continue
        found += 1
        assert len(tc.findall(qn("w:p"))) == 1
        assert not list(tc.iter(qn("w:br")))
        width_mm = int(tc.find(qn("w:tcPr")).find(qn("w:tcW")).get(qn("w:w"))) * 25.4 / 1440
        # 宋体: half an em a digit; the cell margins are 1 mm a side.
        assert width_mm - 2.0 > metrics.simsun_em(text) * 10.5 / MM
    assert found == 3  # the elder's ID in row 2 and the 户主 row, the member's
    fonts = document.styles.element.find("{*}docDefaults/{*}rPrDefault/{*}rPr/{*}rFonts")
    assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:eastAsia")) == "宋体"


def test_column_widths_come_from_the_font_metrics():
    # Noto Serif CJK SC: digits 0.47–0.56 em, X 0.70 em (fontTools), wider than 宋体's half em.
    assert 0.55 < metrics.pdf_em("9") < 0.57
    assert metrics.pdf_em("X") > 0.69
    assert metrics.simsun_em(ELDER_ID) == 9.0
    assert metrics.text_mm(ELDER_ID, 10.5) + 2.4 > 37  # the old column, with its padding
    assert sum(column_widths()) == 180
    assert sum(ledger_widths()) == 267
