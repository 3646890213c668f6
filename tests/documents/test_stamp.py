"""Issue 21 goal 1: forms stamped into a blank laid out once (caseman.documents.stamp).

The pages must be WeasyPrint's own, pixel for pixel: varied forms (long texts that run over
lines, 8 family members, rare characters, IDs ending in X, empty fields, boxes of every kind)
are printed until their blanks are kept, printed once more (stamped where they can be), and
compared with WeasyPrint's own path at 72 dpi. Then one small test per rule.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import weasyprint.draw as weasyprint_draw
from flask import Flask

from caseman.documents import pdf_writer, stamp
from caseman.documents.annex2 import annex2_document
from caseman.documents.annex3 import annex3_document
from tests.documents.test_fast_forms import (
    PLACE,
    _full_layout,
    _same_pages,
    poppler,
    registration,
    varied_forms,
    visit,
)


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    stamp.clear()
    yield
    stamp.clear()


def _kinds(form: Any) -> set[str]:
    """The kinds of paragraph a form's key holds (A, S, F, L, W, X)."""
    context = pdf_writer.template_context(form)
    _blanks, geometries = stamp._caches()
    measured = stamp.measure(geometries[context["skeleton"]], context["skeleton"],
                             context["texts"])  # fmt: skip
    return {part[0] for part in measured.key[1:]}


@poppler
def test_stamped_forms_print_weasyprints_own_pages(app: Flask, tmp_path: Path) -> None:
    forms = varied_forms(30)
    kinds: set[str] = set()
    with app.app_context():
        for form in forms:  # twice each: the first layout of a key draws its blank
            pdf_writer.render_pdf(form)
            pdf_writer.render_pdf(form)
        hits = stamp.stats()["hits"]
        stamped = []
        for form in forms:
            before = stamp.stats()["hits"]
            fast = pdf_writer.render_pdf(form)
            if stamp.stats()["hits"] > before:
                stamped.append((form, fast))
                kinds |= _kinds(form)
        assert stamp.stats()["hits"] - hits == len(stamped) >= 15
        for k, (form, fast) in enumerate(stamped):
            folder = tmp_path / str(k)
            folder.mkdir()
            _same_pages(fast, _full_layout([form]), folder)
    assert {"A", "S", "F", "L"} <= kinds  # each way of placing a paragraph was printed


def _three_elders(serial: str) -> list[Any]:
    """The 附件2 of three elders on one form (张秀英, 王桂兰, 李德明), numbered ``serial``0-2."""
    first, second, third = (registration(0) for _ in range(3))
    second.update(name="王桂兰", id_number="500112194805120021", phone="13512345678")
    third.update(name="李德明", id_number="50011219510303003X", phone="13698765432")
    return [
        annex2_document(data, PLACE, PLACE, [f"500112-F2-2026-{serial}{k}-{c}" for c in (1, 2, 3)])
        for k, data in enumerate((first, second, third))
    ]


@poppler
def test_a_form_of_a_kept_kind_prints_its_own_values(app: Flask, tmp_path: Path) -> None:
    """Another elder on the same form: stamped, not laid out, and the pages are its own."""
    forms = _three_elders("00010")
    with app.app_context():
        pdf_writer.render_pdf(forms[0])
        pdf_writer.render_pdf(forms[1])  # stamped from the blank of forms[0]'s layout
        hits = stamp.stats()["hits"]
        fast = pdf_writer.render_pdf(forms[2])
        assert stamp.stats()["hits"] == hits + 1
        full = _full_layout([forms[2]])
    _same_pages(fast, full, tmp_path)
    path = tmp_path / "third.pdf"
    path.write_bytes(fast)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert "李德明" in text
    assert "50011219510303003X" in text
    assert "13698765432" in text
    assert "王桂兰" not in text
    assert "张秀英" not in text
    for copy in (1, 2, 3):  # each copy's own number (and QR code) in its band
        assert f"500112-F2-2026-000102-{copy}" in text


def test_a_value_drawn_again_gives_weasyprints_bytes(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stamped value's drawing is noted once and made again for the next form that shows
    the same shaped line (stamp.draw_value): a form printed again, its values all made again,
    is the same file, byte for byte, as when they were drawn by WeasyPrint's draw_text."""
    forms = _three_elders("00020")
    with app.app_context():
        pdf_writer.render_pdf(forms[0])  # laid out: its blank is kept
        drawn = stamp.stats()
        once = pdf_writer.render_pdf(forms[2])  # stamped: its values drawn and noted
        between = stamp.stats()
        drawn_in_full = []
        original = weasyprint_draw.draw_text

        def counted(*args: Any) -> Any:
            drawn_in_full.append(args)
            return original(*args)

        monkeypatch.setattr(weasyprint_draw, "draw_text", counted)
        again = pdf_writer.render_pdf(forms[2])  # stamped: every value made again
        after = stamp.stats()
    assert drawn_in_full == []  # underlined values too: their lines drawn, their glyphs made again
    assert between["hits"] == drawn["hits"] + 1
    assert after["hits"] == between["hits"] + 1
    assert between["values_drawn"] - drawn["values_drawn"] > 50
    assert after["values_drawn"] == between["values_drawn"]
    assert after["values_replayed"] - between["values_replayed"] > 50
    assert again == once


PEOPLE = ["张秀英", "钱桂兰", "李德明", "王桂兰", "周玉芳", "吴建国"]


def _visit_form(number: int, day: str, name: str) -> Any:
    data, cares = visit(0)
    data = dict(data, visited_on=f"2026-{day}")
    numbers = [f"500112-F3-2026-{number:06d}-{c}" for c in (1, 2, 3, 4)]
    return annex3_document(name, "渝北区木耳镇金刚村一组12号", data, cares, number, numbers)


@poppler
def test_a_paragraph_that_breaks_another_way_is_stamped_from_that_layout(
    app: Flask, tmp_path: Path
) -> None:
    """附件3's 第__次开展探访 and the visit's date sit in narrow cells: with a visit number or a
    day of two digits they break where the first form's did not (访 or 日 goes down). That
    layout is kept beside the first one, and the forms that break that way are stamped too."""
    learn = [("1", "01-05", 0), ("1", "02-06", 1), ("12", "12-25", 2), ("12", "12-25", 3)]
    with app.app_context():
        for number, day, k in learn:
            pdf_writer.render_pdf(_visit_form(int(number), day, PEOPLE[k]))
        stamped = []
        for number, day, k in (("1", "01-05", 4), ("13", "12-26", 5)):
            form = _visit_form(int(number), day, PEOPLE[k])
            before = stamp.stats()["hits"]
            fast = pdf_writer.render_pdf(form)
            assert stamp.stats()["hits"] == before + 1, (number, day)
            stamped.append((form, fast))
        context = pdf_writer.template_context(stamped[1][0])
        geometry = stamp._caches()[1][context["skeleton"]]
        measured = stamp.measure(geometry, context["skeleton"], context["texts"])
        assert any(part[0] != "X" and part[1] > 0 for part in measured.key[1:])
        assert "F" in {part[0] for part in measured.key[1:]}  # 访 pushed down, placed again
        for k, (form, fast) in enumerate(stamped):
            folder = tmp_path / str(k)
            folder.mkdir()
            _same_pages(fast, _full_layout([form]), folder)


def test_a_line_start_that_cannot_break_is_its_run_of_digits() -> None:
    """UAX #14 (LB25): no break between numerals; an ideograph breaks on either side."""
    assert stamp._first_unit("27日") == "27"
    assert stamp._first_unit("2026") == "2026"
    assert stamp._first_unit("日") == "日"
    assert stamp._first_unit("疾病名称") == "疾"
    assert stamp._first_unit("") == ""


@poppler
def test_a_day_of_two_digits_stays_down_as_a_whole(app: Flask, tmp_path: Path) -> None:
    """The visit's date in its narrow cell: 2026年12月 / 25日 (the day does not fit on the first
    line). 2026年10月27日 breaks the same way, though the day's first digit alone would fit: 27
    cannot be broken, so it is stamped from that layout. 2026年11月14日, whose 14 fits on the
    first line, is not: it breaks another way. Both print WeasyPrint's own pages."""
    with app.app_context():
        for k in (2, 3):
            pdf_writer.render_pdf(_visit_form(12, "12-25", PEOPLE[k]))
        printed = []
        for day, k, expected in (("10-27", 4, True), ("11-14", 5, False)):
            form = _visit_form(13, day, PEOPLE[k])
            before = stamp.stats()["hits"]
            printed.append((form, pdf_writer.render_pdf(form)))
            assert (stamp.stats()["hits"] == before + 1) is expected, day
        for k, (form, fast) in enumerate(printed):
            folder = tmp_path / str(k)
            folder.mkdir()
            _same_pages(fast, _full_layout([form]), folder)


def test_values_measured_and_placed_again_are_kept_per_layout(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same values in a paragraph's layout are measured once and their lines placed once
    (the same objects again); other values get their own; a refusal is kept too; only the last
    MEASURED_KEPT are kept."""
    forms = _three_elders("00030")
    with app.app_context():
        pdf_writer.render_pdf(forms[0])  # laid out: the skeleton's paragraphs are recorded
        context = pdf_writer.template_context(forms[1])
        geometry = stamp._caches()[1][context["skeleton"]]
    texts = context["texts"]
    index = next(k for k, values in enumerate(texts) if "王桂兰" in values)
    para = geometry[index][0]
    first = stamp._measured(para, texts[index])
    assert first is not None
    assert not isinstance(first, stamp.NotStampable)
    assert stamp._measured(para, list(texts[index])) is first  # equal values, not the list
    other = stamp._measured(para, ["李德明"])
    assert other is not None
    assert not isinstance(other, stamp.NotStampable)
    assert other is not first
    assert other[1][0][0][1].text == "李德明"
    lines = first[1]
    boxes = stamp.placed(para, lines)
    assert stamp.placed(para, lines) is boxes
    assert [box.text for box in boxes] == ["王桂兰"]
    assert [box.text for box in stamp.placed(para, other[1])] == ["李德明"]
    refused = stamp._measured(para, ["\U000f0000"])  # a private-use character no font has
    assert isinstance(refused, stamp.NotStampable)
    assert stamp._measured(para, ["\U000f0000"]) is refused
    monkeypatch.setattr(stamp, "MEASURED_KEPT", 8)
    for k in range(8):
        stamp._measured(para, [f"张{k}"])
    assert stamp._measured(para, texts[index]) is not first  # the oldest, measured again
    assert len(stamp._memo("measured")) == 8


def test_the_skeleton_leaves_out_the_values_only(app: Flask) -> None:
    one, other, bigger = registration(2), registration(2), registration(2)  # three members
    other.update(name="王桂兰", id_number="500112194805120021", medical_history="糖尿病")
    bigger["members"] = bigger["members"] + [dict(bigger["members"][0])] * 6
    with app.app_context():
        keys = [
            pdf_writer.template_context(annex2_document(d, PLACE, PLACE, ["a", "b", "c"]))
            for d in (one, other, bigger)
        ]
    assert keys[0]["skeleton"] == keys[1]["skeleton"]  # other values, the same form
    assert keys[0]["texts"] != keys[1]["texts"]
    assert keys[0]["skeleton"] != keys[2]["skeleton"]  # more family rows: another form


def test_values_are_marked_in_the_html(app: Flask) -> None:
    form = annex2_document(registration(0), PLACE, PLACE, ["500112-F2-2026-000001-1"] * 3)
    with app.app_context():
        context = pdf_writer.template_context(form)
        html = pdf_writer.render_template(pdf_writer.TEMPLATE, **context, stylesheet="x.css")
    marked = re.findall(r'data-stamp="(\d+)"', html)
    assert sorted(map(int, marked)) == list(range(len(context["texts"])))
    assert '<span data-slot="0">张秀英</span>' in html
    assert 'class="docno" data-stamp=' in html


@poppler
def test_a_blank_is_kept_only_when_its_own_form_lands_where_the_layout_put_it(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Placing lines a hair to the right fails the check: no blank, every form laid out."""
    real = stamp._align_offset
    monkeypatch.setattr(stamp, "_align_offset", lambda *args: real(*args) + 0.01)
    form = varied_forms(1)[0]
    hits = stamp.stats()["hits"]
    with app.app_context():
        for _ in range(3):
            data = pdf_writer.render_pdf(form)
        full = _full_layout([form])
    assert stamp.stats()["hits"] == hits
    assert not stamp._caches()[0]
    _same_pages(data, full, tmp_path)


def test_a_character_no_font_has_is_laid_out(app: Flask) -> None:
    data = registration(0)
    with app.app_context():
        for name in ("张秀英", "李秀英", "王\U000f0000英"):  # a private-use character: no font
            data["name"] = name
            form = annex2_document(data, PLACE, PLACE, ["a", "b", "c"])
            pdf_writer.render_pdf(form)
        hits = stamp.stats()["hits"]
        pdf_writer.render_pdf(form)
    assert stamp.stats()["hits"] == hits  # laid out in full, as WeasyPrint prints it


def test_qr_codes_are_one_pixel_a_module_and_never_smoothed(app: Flask) -> None:
    import io

    import pikepdf
    from PIL import Image, ImageChops

    form = varied_forms(1)[0]
    with app.app_context():
        laid_out = pdf_writer.render_pdf(form)
        hits = stamp.stats()["hits"]
        stamped = pdf_writer.render_pdf(form)  # from the blank: its QR images made by stamp.py
    assert stamp.stats()["hits"] == hits + 1
    for data in (laid_out, stamped):
        pdf = pikepdf.Pdf.open(io.BytesIO(data))
        images = {
            image.objgen: image
            for page in pdf.pages
            for image in page.Resources.XObject.values()
            if image.Subtype == "/Image"
        }
        expected = {
            sheet.document_number: Image.open(
                io.BytesIO(pdf_writer.pdf_qr_png(sheet.document_number))
            )
            for sheet in form.sheets
        }
        shown = set()
        for image in images.values():
            assert image.Interpolate is False
            assert 21 <= int(image.Width) <= 57  # modules and quiet zone, one pixel each
            pixels = pikepdf.PdfImage(image).as_pil_image().convert("RGB")
            for number, png in expected.items():
                if ImageChops.difference(pixels, png.convert("RGB")).getbbox() is None:
                    shown.add(number)
        assert shown == set(expected)  # a code a copy, each its copy's number


def test_a_font_file_is_compressed_once(app: Flask) -> None:
    import zlib

    data = b"\x00\x01" * 5000
    packed = pdf_writer._packed(data)
    assert zlib.decompress(packed) == data
    assert pdf_writer._packed(data) is packed  # the same file: not compressed again
