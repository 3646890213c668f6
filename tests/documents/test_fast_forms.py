"""Issue 21 item 1: the fast ways of printing forms print the same pages.

The fast path is a pool of worker processes for a batch (each lays out a chunk of forms and
writes its PDF) and, in every process, caches of the fonts' files and subsets. 50 varied forms
(附件2 and 附件3: long texts that wrap, 8 family members, rare characters, names with ·, IDs
ending in X, empty optional fields, the pending mark, several care records) are printed the fast
way and WeasyPrint's own way (one process, no caches), rasterised with pdftoppm and compared
pixel for pixel. Then one small test per optimisation.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image, ImageChops

from caseman.documents import pdf_writer, stamp
from caseman.documents.annex2 import Place, annex2_document
from caseman.documents.annex3 import annex3_document
from caseman.documents.layout import Document

poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")

LONG = "高血压、糖尿病、冠心病，二〇一九年做过心脏支架手术，需长期服药并定期复查，行动需人搀扶"
NAMES = ["张秀英", "阿依古丽·买买提", "王𠀀", "李䶮", "赵龘", "欧阳·娜娜", "钱桂兰", "孙"]
PLACE = Place("渝北区", "木耳镇", "金刚村", "一组12号")
OTHER_PLACE = Place("渝北区", "双凤桥街道", "空港社区", "")


def _id(k: int) -> str:
    return f"5001121944030{k % 10}02{k % 10}X" if k % 2 else f"50011219440305{k:02d}03"


def registration(k: int) -> dict[str, Any]:
    """The k-th varied 附件2 snapshot."""
    members = [
        {"name": NAMES[(k + m) % len(NAMES)] + ("" if m % 3 else "强"),
         "gender": ("male", "female", "")[m % 3], "id_number": _id(k + m) if m % 4 else "",
         "relation": ("son", "daughter", "spouse", "other", "")[m % 5],
         "health": ("健康", "", "慢性病")[m % 3], "is_dibao_or_poverty": m % 2 == 0,
         "visits_often": (True, False, None)[m % 3], "is_deceased": m == 5}
        for m in range((0, 1, 3, 5, 6, 8)[k % 6])
    ]  # fmt: skip
    full = k % 5 != 4  # every fifth form leaves the optional fields empty
    return {
        "name": NAMES[k % len(NAMES)], "gender": ("female", "male")[k % 2],
        "id_number": _id(k), "phone": "13800001234" if full else "",
        "emergency_name": NAMES[(k + 3) % len(NAMES)] if full else "",
        "emergency_gender": "male" if full else "",
        "emergency_phone": "13900001234" if full else "",
        "ability_level": ("intact", "mild", "moderate", "severe", "total", None)[k % 6],
        "medical_history": (LONG * (1 + k % 3)) if k % 3 else ("高血压" if full else ""),
        "is_dibao": k % 2 == 0, "is_extreme_poverty": k % 7 == 0,
        "monthly_income": ("820", "1250.5", "", "0")[k % 4],
        "income_sources": "养老金、子女赡养、低保金" if full else "",
        "categories": [["living_alone"], ["disabled_care", "severe_disability"],
                       ["other", "family_planning"], []][k % 4],
        "other_reason": "子女长期在外务工，无人照看" if k % 4 == 2 else "",
        "disability_certificate_no": f"5001121944030502{k % 10}X41" if k % 4 == 1 else "",
        "is_key": k % 2 == 1, "members": members,
        "water_safe": (True, False, None)[k % 3], "electricity_safe": k % 2 == 0,
        "housing_safe": (None, True, False)[k % 3],
        "household_monthly_income": "1200" if full else "", "has_pension": k % 2 == 0,
        "pension_monthly": "180", "subsidy_monthly": "100" if full else "",
        "subsidy_items": "高龄津贴、失能护理补贴" if full else "",
        "support_units": [["town_village", "volunteer"], ["party_government", "other"],
                          ["enterprise", "social_organisation", "social_work"], []][k % 4],
        "support_person": NAMES[(k + 5) % len(NAMES)] if full else "",
        "support_measures": ("每周上门探访，" * (1 + 4 * (k % 3))) if full else "",
        "filed_on": f"2026-0{1 + k % 9}-{10 + k % 18}" if k % 6 else "",
    }  # fmt: skip


def visit(k: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The k-th varied 附件3 visit and its care records."""
    v = {
        "visited_on": f"2026-1{k % 3}-0{1 + k % 9}", "method": ("phone", "home", "video",
        "other")[k % 4], "method_other": "在村委会见面" if k % 4 == 3 else "",
        "family_change": ("unchanged", "increased", "decreased")[k % 3],
        "family_change_count": 1 + k % 3, "expression": "unchanged", "mobility": "worse",
        "illness": ("unchanged", "serious", "improved")[k % 3],
        "illness_name": "脑梗塞后遗症" if k % 3 == 1 else "", "mood": "better",
        "gas_safety": ("safe", "fairly_safe", "unsafe")[k % 3], "water_heating_safety": "safe",
        "electricity_safety": "unsafe", "personal_hygiene": "unchanged", "home_hygiene": "worse",
        "indoor_environment": "unchanged",
        "needs": [["medical"], ["life_care", "emotional", "adaptation"], []][k % 3],
        "needs_note": LONG * (k % 3), "suggested_care": ("联系家庭医生每月上门，" * (k % 4)),
        "visitor_name": NAMES[(k + 1) % len(NAMES)], "visited_person_name": NAMES[k % len(NAMES)],
        "recorder_name": NAMES[(k + 2) % len(NAMES)] if k % 5 else "",
    }  # fmt: skip
    cares = [
        {"number": c + 1, "cared_on": f"2026-11-{10 + c}", "what_was_done": LONG[: 10 + 9 * c],
         "provider": NAMES[(k + c) % len(NAMES)] if c % 2 == 0 else "",
         "satisfaction": ("very_satisfied", "satisfied", "fair", "")[c % 4],
         "satisfaction_note": "很满意" if c == 1 else ""}
        for c in range(k % 4)
    ]  # fmt: skip
    return v, cares


def varied_forms(count: int = 50) -> list[Document]:
    """``count`` forms, alternately 附件2 (3 copies) and 附件3 (4 copies, some field sheets)."""
    forms = []
    for k in range(count):
        if k % 2 == 0:
            numbers = [f"500112-F2-2026-{k:06d}-{c}" for c in (1, 2, 3)]
            place = OTHER_PLACE if k % 4 == 2 else PLACE
            forms.append(annex2_document(registration(k // 2), PLACE, place, numbers,
                                         pending=k % 8 == 4))  # fmt: skip
        else:
            numbers = [f"500112-F3-2026-{k:06d}-{c}" for c in (1, 2, 3, 4)]
            v, cares = visit(k // 2)
            if k % 10 == 9:  # a blank field sheet
                forms.append(annex3_document(NAMES[k % 8], "渝北区木耳镇金刚村", None, [], 3,
                                             numbers[:1], copies=("探访现场记录",)))  # fmt: skip
            else:
                forms.append(annex3_document(NAMES[k % 8], "渝北区木耳镇金刚村一组12号", v, cares,
                                             1 + k % 7, numbers))  # fmt: skip
    return forms


def _pngs(pdf: bytes, folder: Path, name: str, dpi: int = 72) -> list[Path]:
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(folder / name)],
                   check=True)  # fmt: skip
    return sorted(folder.glob(f"{name}-*.png"))


def _same_pages(fast: bytes, full: bytes, folder: Path, dpi: int = 72) -> int:
    """Both PDFs rasterised; assert they have the same pages, pixel for pixel. Page count."""
    a = _pngs(fast, folder, "fast", dpi)
    b = _pngs(full, folder, "full", dpi)
    assert len(a) == len(b) > 0
    for left, right in zip(a, b, strict=True):
        with Image.open(left) as one, Image.open(right) as other:
            assert one.size == other.size, left.name
            assert (
                ImageChops.difference(one.convert("RGB"), other.convert("RGB")).getbbox() is None
            ), f"{left.name} differs"
    return len(a)


def _full_layout(documents: list[Document]) -> bytes:
    """WeasyPrint's own path: this process, no font caches."""
    previous = pdf_writer.font_caches_enabled(False)
    try:
        return pdf_writer.render_pdf_many(documents, workers=1)
    finally:
        pdf_writer.font_caches_enabled(previous)


@poppler
def test_fifty_varied_forms_print_the_same_pages_the_fast_way(app: Flask, tmp_path: Path) -> None:
    forms = varied_forms(50)
    with app.app_context():
        done: list[int] = []
        fast = pdf_writer.render_pdf_many(forms, done.append, workers=2)
        full = _full_layout(forms)
    assert done[-1] == 50
    assert done == sorted(done)
    pages = _same_pages(fast, full, tmp_path)
    assert pages >= 50 * 3  # at least a page a copy; the long ones run to two


@poppler
def test_a_few_forms_at_150_dpi(app: Flask, tmp_path: Path) -> None:
    """Finer pixels, the caches warm: a form with 8 members and rare characters, a 附件3."""
    forms = [varied_forms(12)[k] for k in (10, 11)]
    with app.app_context():
        pdf_writer.render_pdf_many(forms, workers=1)  # fills the caches
        fast = pdf_writer.render_pdf_many(forms, workers=1)
        full = _full_layout(forms)
    _same_pages(fast, full, tmp_path, dpi=150)


# --- one test per optimisation --------------------------------------------------------------------


@poppler
def test_font_caches_are_hit_and_write_the_same_bytes(app: Flask, tmp_path: Path) -> None:
    """Printing the same form twice reads each font file and subsets it once: the second PDF
    is byte for byte the first, and its pages are WeasyPrint's own (caches off; its font files
    are compressed harder, so the bytes differ)."""
    form = varied_forms(1)[0]
    with app.app_context():
        reference = _full_layout([form])
        first = pdf_writer.render_pdf(form)
        hits = dict(pdf_writer._font_caches)
        stamp.clear()  # laid out again, not stamped into the blank of the first
        second = pdf_writer.render_pdf(form)
    assert pdf_writer._font_caches["installed"]
    assert pdf_writer._font_caches["file_hits"] > hits["file_hits"]
    assert pdf_writer._font_caches["subset_hits"] >= hits["subset_hits"] + 3  # the three faces
    assert first == second
    _same_pages(first, reference, tmp_path)


def test_a_subset_is_kept_by_its_glyphs(app: Flask, tmp_path: Path) -> None:
    """Two forms whose values differ: the labels' faces come from the cache, the values' face is
    subset again (its glyphs differ), and each PDF shows its own name."""
    one, other = varied_forms(3)[0], varied_forms(3)[2]
    with app.app_context():
        pdf_writer.render_pdf(one)
        before = len(pdf_writer._subsets)
        data = pdf_writer.render_pdf(other)
    assert len(pdf_writer._subsets) == before + 1  # only the regular face was subset anew
    path = tmp_path / "other.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert registration(1)["id_number"] in text
    assert registration(0)["id_number"] not in text


def test_caches_off_are_emptied(app: Flask) -> None:
    with app.app_context():
        pdf_writer.render_pdf(varied_forms(1)[0])
    previous = pdf_writer.font_caches_enabled(False)
    try:
        assert not pdf_writer._subsets
        assert not pdf_writer._font_files
    finally:
        pdf_writer.font_caches_enabled(previous)


def test_a_batch_uses_the_workers_a_few_forms_do_not(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def spy(documents: list[Document], *args: Any) -> bytes:
        calls.append(len(documents))
        return b"%PDF-1.7 pooled"

    monkeypatch.setattr(pdf_writer, "_render_in_workers", spy)
    monkeypatch.setattr(pdf_writer, "POOL_MIN_DOCUMENTS", 3)
    forms = [varied_forms(10)[9]] * 3  # a one-page field sheet
    with app.app_context():
        assert pdf_writer.render_pdf_many(forms, workers=2) == b"%PDF-1.7 pooled"
        assert calls == [3]
        assert pdf_writer.render_pdf_many(forms[:2], workers=2).startswith(b"%PDF")
        assert pdf_writer.render_pdf_many(forms, workers=1).startswith(b"%PDF")
        assert calls == [3]
        app.config["CASEMAN_PDF_WORKERS"] = 1
        assert pdf_writer.pdf_workers() == 1
        app.config["CASEMAN_PDF_WORKERS"] = 2
        assert pdf_writer.pdf_workers() == 2
        assert pdf_writer.render_pdf_many(forms) == b"%PDF-1.7 pooled"


@poppler
def test_workers_keep_the_forms_in_order(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks come back in order: page by page, each form's number where it was."""
    monkeypatch.setattr(pdf_writer, "POOL_MIN_DOCUMENTS", 4)
    monkeypatch.setattr(pdf_writer, "CHUNK_PAGES", 2)  # a chunk a field sheet or two
    forms = [varied_forms(10)[9] for _ in range(5)]
    for k, form in enumerate(forms):
        form.sheets[0].document_number = f"500112-F3-2026-00000{k}-1"
    with app.app_context():
        done: list[int] = []
        data = pdf_writer.render_pdf_many(forms, done.append, workers=2)
    assert done == [2, 4, 5]
    path = tmp_path / "batch.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    positions = [text.index(form.sheets[0].document_number) for form in forms]
    assert positions == sorted(positions)


@poppler
def test_kept_workers_lay_out_every_batch_in_one_pool(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package prints village after village: within kept_workers() every batch goes to the
    same processes (which keep the blanks they learnt), each batch's pages in order, and the
    pool ends with the block."""
    import concurrent.futures

    made: list[Any] = []
    original = concurrent.futures.ProcessPoolExecutor

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(original(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", counted)
    monkeypatch.setattr(pdf_writer, "POOL_MIN_DOCUMENTS", 4)
    batches = []
    for village in range(3):
        forms = [varied_forms(10)[9] for _ in range(4)]
        for k, form in enumerate(forms):
            form.sheets[0].document_number = f"500112-F3-2026-00{village}00{k}-1"
        batches.append(forms)
    with app.app_context():
        with pdf_writer.kept_workers(2):
            data = [pdf_writer.render_pdf_many(forms, workers=2) for forms in batches]
            assert pdf_writer.render_pdf_many(batches[0], workers=1).startswith(b"%PDF")
        assert len(made) == 1
        assert made[0]._shutdown_thread  # ended with the block
        assert getattr(pdf_writer._kept, "pool", None) is None
        pdf_writer.render_pdf_many(batches[0], workers=2)  # outside: a pool of its own
        assert len(made) == 2
    for k, (forms, pdf) in enumerate(zip(batches, data, strict=True)):
        path = tmp_path / f"village-{k}.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout  # fmt: skip
        positions = [text.index(form.sheets[0].document_number) for form in forms]
        assert positions == sorted(positions)


def test_a_layout_worker_collects_garbage_less_often_and_keeps_more_blanks() -> None:
    """A layout worker starts with its imports frozen out of collections and the collector's
    thresholds raised (pdf_writer.WORKER_GC_THRESHOLDS): the default walked its millions of
    objects a fifth of the time."""
    import gc

    with pdf_writer._new_pool(1) as pool:
        thresholds, frozen, blanks = pool.submit(_worker_state).result()
    assert thresholds == pdf_writer.WORKER_GC_THRESHOLDS
    assert thresholds[0] > gc.get_threshold()[0]
    assert frozen > 10_000  # weasyprint's modules and what they made
    assert blanks == pdf_writer.WORKER_BLANKS_KEPT > stamp.BLANKS_KEPT  # a package's every kind


def _worker_state() -> tuple[tuple[int, int, int], int, int]:
    import gc

    return gc.get_threshold(), gc.get_freeze_count(), stamp.BLANKS_KEPT
