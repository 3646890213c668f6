"""The .docx and PDF writers on a hand-built document: spans, boxes, filled values, copies."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph
from flask import Flask

from caseman.documents import pdf_writer, stamp
from caseman.documents.docx_writer import render_docx
from caseman.documents.errors import DocumentError
from caseman.documents.layout import Box, Cell, Document, Line, Row, Sheet, Table, Text
from caseman.documents.pdf_writer import check_cjk_font, render_pdf, static_url_fetcher
from caseman.documents.qr import png_from_matrix, qr_png

COPIES = ["第1联 区民政局存档", "第2联 镇（街道）存档"]
NUMBER = "YB-A2-2025-000123"


def sample_sheet(copy_label: str, orientation: str = "portrait") -> Sheet:
    label = {"kind": "label", "align": "center"}
    table = Table(
        column_widths_mm=[24, 30, 24, 30, 24, 48],
        rows=[
            Row(
                [
                    Cell.of("项目", colspan=2, kind="header"),
                    Cell.of("内容", colspan=4, kind="header"),
                ],
                header=True,
            ),
            Row([Cell.of("一、服务对象基本情况", colspan=6, kind="section")]),
            Row(
                [
                    Cell.of("姓名", **label),
                    Cell.of(Text("张桂英", fill=True)),
                    Cell.of("性别", **label),
                    Cell.of(Text("女", fill=True)),
                    Cell.of("联系电话", **label),
                    Cell.of(Text("13812345678", fill=True)),
                ]
            ),
            Row(
                [
                    Cell.of("健康状况", rowspan=2, **label),
                    Cell.of("能力程度", **label),
                    Cell.of(
                        Box("能力完好"),
                        "  ",
                        Box("轻度失能", checked=True),
                        "  ",
                        Box("中度失能"),
                        "  ",
                        Box("重度失能"),
                        colspan=4,
                    ),
                ]
            ),
            Row(
                [
                    Cell.of("曾患病史", **label),
                    Cell.of(Text("高血压、糖尿病", fill=True), colspan=4),
                ]
            ),
            Row(
                [
                    Cell.of("对象类别", **label),
                    Cell(
                        [
                            [Box("独居老年人", checked=True), "    ", Box("空巢老年人")],
                            [Box("重残老年人（残疾证号：        ）")],
                            [Box("计划生育特殊家庭老年人")],
                        ],
                        colspan=5,
                    ),
                ]
            ),
            Row(
                [
                    Cell.of("帮扶措施", **label),
                    Cell.of("工作人员签字：", colspan=3, kind="signature"),
                    Cell.of("年    月    日", colspan=2, kind="signature", align="right"),
                ],
                height_mm=18,
            ),
        ],
    )
    return Sheet(
        title="渝北区特殊困难老年人信息登记表",
        table=table,
        before=[
            Line(
                [
                    "建档日期：",
                    Text("2025", fill=True),
                    "年",
                    Text("3", fill=True),
                    "月",
                    Text("14", fill=True),
                    "日",
                ],
                align="right",
            )
        ],
        after=[Line(["备注：此表一式两份，区民政局、镇（街道）各存档一份。"], size_pt=9)],
        orientation=orientation,  # type: ignore[arg-type]
        copy_label=copy_label,
        document_number=NUMBER,
    )


def sample_document() -> Document:
    """Two copies of one form (also timed by scripts/bench_documents.py)."""
    return Document([sample_sheet(label) for label in COPIES], name="annex2-sample")


# --- QR codes -------------------------------------------------------------------------------------


def test_qr_png_fallback_matches_pillow() -> None:
    from PIL import Image

    from caseman.documents import qr

    png = qr_png(NUMBER, box_size=4)
    by_hand = png_from_matrix(qr._qr(NUMBER, 4).get_matrix(), 4)
    with Image.open(io.BytesIO(png)) as a, Image.open(io.BytesIO(by_hand)) as b:
        assert a.size == b.size
        assert a.convert("L").tobytes() == b.convert("L").tobytes()


# --- Word -----------------------------------------------------------------------------------------


def test_docx_copies_pages_and_fonts() -> None:
    docx = open_docx(io.BytesIO(render_docx(sample_document())))

    assert len(docx.sections) == 2  # one section (a new page) per copy
    for section in docx.sections:
        assert round(section.page_width.mm) == 210
        assert round(section.page_height.mm) == 297
    assert docx.core_properties.title == "渝北区特殊困难老年人信息登记表"

    defaults = docx.styles.element.find("{*}docDefaults/{*}rPrDefault/{*}rPr")
    normal = docx.styles["Normal"].element.rPr
    for r_pr in (defaults, normal):
        fonts = r_pr.find("{*}rFonts")
        assert fonts.get(qn("w:eastAsia")) == "宋体"
        assert fonts.get(qn("w:ascii")) == "宋体"  # digits in 宋体's half-em (issue 17 item 8)
        assert fonts.get(qn("w:eastAsiaTheme")) is None
        assert r_pr.find("{*}lang").get(qn("w:eastAsia")) == "zh-CN"

    # The band in each copy's own header (so on every page of it): label and number, QR beside.
    for section, label in zip(docx.sections, COPIES, strict=True):
        assert not section.header.is_linked_to_previous
        (band,) = section.header.tables
        assert band.cell(0, 0).text == f"{label}\n编号：{NUMBER}"
        assert band._tbl.find("{*}tblPr/{*}tblBorders") is None  # no rules
        assert len(band.cell(0, 1)._tc.xpath(".//pic:pic")) == 1  # the QR code
    texts = [p.text for p in docx.paragraphs]
    assert texts.count("渝北区特殊困难老年人信息登记表") == 2  # the title, in the body
    assert "建档日期：2025年3月14日" in texts
    assert "备注：此表一式两份，区民政局、镇（街道）各存档一份。" in texts


def test_docx_table_spans_boxes_and_header() -> None:
    docx = open_docx(io.BytesIO(render_docx(sample_document())))
    forms = [t for t in docx.tables if len(t.rows) == 7]
    assert len(forms) == 2
    table = forms[0]

    assert table.cell(0, 0).text == table.cell(0, 1).text == "项目"  # colspan
    assert table.cell(3, 0).text == table.cell(4, 0).text == "健康状况"  # rowspan
    assert table.cell(3, 0)._tc is table.cell(4, 0)._tc
    ability = table.cell(3, 2).text
    assert all(table.cell(3, c).text == ability for c in range(2, 6))
    assert "☑轻度失能" in ability
    assert "□能力完好" in ability
    assert "☑能力完好" not in ability
    assert ability.count("☑") == 1
    assert ability.count("□") == 3
    assert table.cell(5, 1).text.split("\n")[0] == "☑独居老年人    □空巢老年人"
    assert len(table.cell(5, 1).paragraphs) == 3
    assert table.cell(2, 1).paragraphs[0].runs[0].underline is True  # a filled value

    rows = table._tbl.tr_lst
    assert rows[0].trPr.find("{*}tblHeader") is not None
    assert rows[1].trPr.find("{*}tblHeader") is None
    assert round(table.rows[6].height.mm) == 18
    widths = [round(c.width.mm) for c in table.columns]
    assert widths == [24, 30, 24, 30, 24, 48]

    box_runs = [r for r in table.cell(3, 2).paragraphs[0].runs if r.text in ("□", "☑")]
    assert {r.font.name for r in box_runs} == {"Segoe UI Symbol"}


def test_docx_keeps_spanned_rows_and_section_titles_with_the_next_row() -> None:
    docx = open_docx(io.BytesIO(render_docx(sample_document())))
    table = next(t for t in docx.tables if len(t.rows) == 7)

    def keeps(r: int) -> set[bool | None]:
        tr = table.rows[r]._tr  # the row's own cells (python-docx repeats a merged one)
        return {DocxParagraph(p, table).paragraph_format.keep_with_next for p in tr.iter(qn("w:p"))}

    assert keeps(1) == {True}  # 一、服务对象基本情况
    assert keeps(2) == {None}
    assert keeps(3) == {True}  # 健康状况 spans rows 3-4
    assert keeps(4) == {None}


def test_docx_landscape_sheet() -> None:
    document = Document([sample_sheet(COPIES[0], orientation="landscape")])
    section = open_docx(io.BytesIO(render_docx(document))).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)


def test_spans_that_do_not_tile_are_refused(app: Flask) -> None:
    sheet = sample_sheet(COPIES[0])
    sheet.table.rows[2].cells.pop()
    with pytest.raises(ValueError, match="row 2"):
        render_docx(Document([sheet]))
    with pytest.raises(ValueError, match="row 2"):
        render_pdf(Document([sheet]))


# --- PDF ------------------------------------------------------------------------------------------

poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def _run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True).stdout


@poppler
def test_pdf_text_pages_and_fonts(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "sample.pdf"
    path.write_bytes(render_pdf(sample_document()))

    info = _run("pdfinfo", path)
    assert re.search(r"^Pages:\s+2$", info, re.M)
    assert re.search(r"^Page size:\s+595\.\d* x 841\.\d* pts \(A4\)", info, re.M)
    assert re.search(r"^Title:\s+渝北区特殊困难老年人信息登记表$", info, re.M)

    text = _run("pdftotext", "-layout", path, "-")
    pages = text.split("\f")
    for label, page in zip(COPIES, pages, strict=False):
        assert label in page
        assert f"编号：{NUMBER}" in page
        assert "渝北区特殊困难老年人信息登记表" in page
    for needle in (
        "健康状况",
        "张桂英",
        "高血压、糖尿病",
        "建档日期：2025年3月14日",
        "备注：此表一式两份",
    ):
        assert needle in text
    assert re.search(r"☑\s*轻度失能", text)
    assert re.search(r"□\s*能力完好", text)
    assert not re.search(r"☑\s*能力完好", text)

    fonts = _run("pdffonts", path)
    cjk = [line for line in fonts.splitlines() if re.search(r"Noto-?Serif-?CJK-?SC", line)]
    assert cjk
    assert all(" yes " in line for line in cjk)  # embedded
    assert re.search(r"DejaVu-?Sans\s", fonts)  # the boxes


@poppler
def test_pdf_landscape_page(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "landscape.pdf"
    document = Document([sample_sheet(COPIES[0], orientation="landscape")])
    # Another base URL changes nothing: the stylesheet is linked by its absolute file URL.
    path.write_bytes(render_pdf(document, base_url="https://example.invalid/"))
    assert re.search(r"^Page size:\s+841\.\d* x 595\.\d* pts", _run("pdfinfo", path), re.M)


def test_pdf_groups_rows_joined_by_spans() -> None:
    body = pdf_writer.template_context(sample_document())["sheets"][0]["body"]
    assert [len(group["rows"]) for group in body] == [1, 1, 2, 1, 1]
    assert [group["classes"] for group in body] == ["keep-next", "", "keep", "", ""]


@poppler
def test_pdf_rows_joined_by_a_rowspan_stay_on_one_page(app: Flask, tmp_path: Path) -> None:
    def pages_of(fillers: int) -> list[str]:
        rows = [Row([Cell.of(f"填充{i}"), Cell.of("")], height_mm=8) for i in range(fillers)]
        rows += [
            Row([Cell.of("跨行标签", rowspan=2, kind="label"), Cell.of("第一行")], height_mm=8),
            Row([Cell.of("第二行")], height_mm=8),
        ]
        sheet = Sheet("标题", Table([40, 140], rows), copy_label="第1联", document_number="X-1")
        path = tmp_path / f"{fillers}.pdf"
        path.write_bytes(render_pdf(Document([sheet])))
        return _run("pdftotext", path, "-").split("\f")

    def page(pages: list[str], text: str) -> int:
        return next(i for i, p in enumerate(pages) if text in p)

    # Rows are 8 mm: among these counts one leaves room for the first spanned row but not both.
    last_filler, group = {}, {}
    for fillers in range(24, 33):
        pages = pages_of(fillers)
        assert page(pages, "跨行标签") == page(pages, "第一行") == page(pages, "第二行")
        last_filler[fillers] = page(pages, f"填充{fillers - 1}")
        group[fillers] = page(pages, "第一行")
    # With one more filler, that filler still fits where the first spanned row would have gone.
    moved = any(group[n] == 1 and last_filler[n + 1] == 0 for n in range(24, 32))
    assert moved, "no filler count put the spanned rows across the page break"


def test_url_fetcher_serves_only_static_files(app: Flask) -> None:
    fetcher = static_url_fetcher()
    static = Path(app.static_folder or "")
    response = fetcher.fetch((static / "css" / "documents.css").as_uri())
    assert b"@page" in response.read()
    assert response.content_type == "text/css"
    response.close()
    qr = fetcher.fetch("caseman-qr:" + NUMBER)  # the QR code of a document number, drawn
    assert qr.content_type == "image/png"
    assert qr.read() == pdf_writer.pdf_qr_png(NUMBER)
    qr.close()
    for url in (
        "file:///etc/passwd",
        (static / ".." / "requirements.txt").as_uri(),
        "file://" + str(static) + "/../requirements.txt",
        "https://example.com/x.css",
        "data:text/css,body{}",
        (static / "css" / "missing.css").as_uri(),
    ):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)


def test_a_refused_url_stops_the_rendering(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_writer, "STYLESHEET", "../requirements.txt")
    stamp.clear()  # laid out, not stamped into a blank kept by an earlier test
    with pytest.raises(DocumentError, match="may not read"):
        render_pdf(sample_document())


def test_no_cjk_font_is_a_document_error(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_writer, "_cjk_font", None)
    monkeypatch.setattr(pdf_writer, "_probe_cjk_fonts", lambda: [])
    with pytest.raises(DocumentError, match="fonts-noto-cjk"):
        check_cjk_font()
    with pytest.raises(DocumentError, match="fonts-noto-cjk"):
        render_pdf(sample_document())


def test_cjk_font_is_found_here() -> None:
    assert pdf_writer._probe_cjk_fonts(), "install fonts-noto-cjk"
    assert check_cjk_font()


def test_copies_sharing_a_table_are_grouped() -> None:
    shared = sample_sheet(COPIES[0]).table
    copies = [Sheet("标题", shared, copy_label=label, document_number=f"N-{k}")
              for k, label in enumerate(COPIES, start=1)]  # fmt: skip
    other = sample_sheet("另一份")
    groups = pdf_writer.copy_groups([*copies, other])
    assert [len(group) for group in groups] == [2, 1]
    context = pdf_writer.template_context(Document([*copies, other]))
    # A single sheet with a band is painted the same way: its band on each of its pages.
    assert [s["band"] for s in context["sheets"]] == ["hidden", "only", "only", "hidden", "only"]
    assert context["layout"] == [{"section": 0, "bands": [1, 2]}, {"section": 3, "bands": [4]}]
    plain = Sheet("标题", shared)  # no band: laid out as it is
    assert pdf_writer.template_context(Document([plain]))["layout"] == [
        {"section": 0, "bands": None}
    ]


@poppler
def test_copies_laid_out_once_print_each_band_on_its_own_copy(app: Flask, tmp_path: Path) -> None:
    """A form long enough for two pages, in two copies sharing one table: each copy is its first
    page then the continuation, every page with the copy's label, number and QR code (004 附件2:
    一式三份, each 联; issue 17 item 9)."""
    rows = [Row([Cell.of(f"第{i}行"), Cell.of("")], height_mm=9) for i in range(40)]
    table = Table([40, 140], rows)
    sheets = [Sheet("标题", table, copy_label=label, document_number=f"{NUMBER}-{k}")
              for k, label in enumerate(COPIES, start=1)]  # fmt: skip
    path = tmp_path / "copies.pdf"
    path.write_bytes(render_pdf(Document(sheets)))
    pages = _run("pdftotext", "-layout", path, "-").rstrip("\f").split("\f")
    assert len(pages) == 4
    for first, label, k in ((0, COPIES[0], 1), (2, COPIES[1], 2)):
        assert label in pages[first]
        assert f"编号：{NUMBER}-{k}" in pages[first]
        assert "第0行" in pages[first]
        assert "第39行" in pages[first + 1]
        assert label in pages[first + 1]
        assert f"编号：{NUMBER}-{k}" in pages[first + 1]
        assert "第0行" not in pages[first + 1]
    text = "".join(pages)
    assert text.count(COPIES[0]) == 2
    assert text.count(COPIES[1]) == 2
    images = _run("pdfimages", "-list", path).strip().splitlines()[2:]  # under two header lines
    assert sorted(int(line.split()[0]) for line in images) == [1, 2, 3, 4]  # a QR code a page


@poppler
def test_a_long_batch_is_written_in_chunks_and_joined(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Laid-out pages are written every CHUNK_PAGES and the parts joined into one PDF."""
    monkeypatch.setattr(pdf_writer, "CHUNK_PAGES", 3)
    documents = [sample_document() for _ in range(4)]  # 2 pages each
    for k, document in enumerate(documents):
        document.sheets[0].table.rows[2].cells[1] = Cell.of(Text(f"老人{k}号", fill=True))
    done: list[int] = []
    path = tmp_path / "batch.pdf"
    path.write_bytes(pdf_writer.render_pdf_many(documents, done.append))
    assert done == [1, 2, 3, 4]
    assert re.search(r"^Pages:\s+8$", _run("pdfinfo", path), re.M)
    pages = _run("pdftotext", path, "-").split("\f")
    for k in range(4):
        assert f"老人{k}号" in pages[2 * k]
    assert re.search(r"Noto-?Serif-?CJK-?SC", _run("pdffonts", path))
