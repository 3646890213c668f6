"""Issue 17 item 9: a 附件2 running to a second page (six family members or more) carries its
copy label, document number and QR code on every page of every copy."""

from __future__ import annotations

import subprocess
from pathlib import Path

from caseman.documents.annex2 import COPIES, Place, annex2_document
from caseman.documents.pdf_writer import render_pdf

NUMBERS = [f"500112-F2-2026-000009-{k}" for k in (1, 2, 3)]


def _pages(app, tmp_path: Path, members: int) -> tuple[Path, list[str]]:
    family = [{"name": f"李建{k}", "gender": "male", "id_number": f"5001121978090989{k}X",
               "relation": "son"} for k in range(members)]  # fmt: skip
    data = {"name": "张秀英", "gender": "female", "id_number": "50011219490808899X",
            "filed_on": "2026-03-01", "members": family}  # fmt: skip
    place = Place("渝北区", "木耳镇", "金刚村", "3组45号")
    path = tmp_path / "annex2.pdf"
    with app.app_context():
        path.write_bytes(render_pdf(annex2_document(data, place, place, NUMBERS)))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return path, text.rstrip("\f").split("\f")


def test_annex2_with_five_members_is_one_page_a_copy(app, tmp_path: Path):
    _path, pages = _pages(app, tmp_path, 5)
    assert len(pages) == 3
    assert all("备注：此表一式三份" in page for page in pages)


def test_annex2_with_seven_members_has_the_band_on_every_page(app, tmp_path: Path):
    path, pages = _pages(app, tmp_path, 7)
    numbers = NUMBERS
    assert len(pages) == 6  # two pages a copy
    for k, (label, number) in enumerate(zip(COPIES, numbers, strict=True)):
        for page in pages[2 * k : 2 * k + 2]:
            assert label in page
            assert f"编号：{number}" in page
        assert "备注：此表一式三份" in pages[2 * k + 1]
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True,
                            check=True).stdout.strip().splitlines()[2:]  # fmt: skip
    assert sorted(int(line.split()[0]) for line in images) == [1, 2, 3, 4, 5, 6]  # a QR a page
