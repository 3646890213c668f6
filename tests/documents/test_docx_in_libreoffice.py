"""Issue 17 item 9: the .docx of 附件2, opened as Word or WPS would, is one A4 page per copy
(five family members) with every ID number on one line.

LibreOffice headless stands in for Word/WPS. The offices' 宋体 (SimSun) is not installed here, so
fontconfig is told to give 宋体 a font with SimSun's metrics: Noto Sans Mono CJK SC, whose CJK
characters are one em and whose digits and Latin letters are half an em, as SimSun's are (checked
below with fontTools). One conversion, ~2 s: the only test that runs LibreOffice.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from caseman.documents.annex2 import COPIES, Place, annex2_document
from caseman.documents.docx_writer import render_docx

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
STAND_IN = "Noto Sans Mono CJK SC"
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <match target="pattern">
    <test qual="any" name="family"><string>宋体</string></test>
    <edit name="family" mode="assign" binding="strong"><string>{font}</string></edit>
  </match>
  <match target="pattern">
    <test qual="any" name="family"><string>SimSun</string></test>
    <edit name="family" mode="assign" binding="strong"><string>{font}</string></edit>
  </match>
</fontconfig>
"""
WORD = re.compile(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>')


def _simsun_metrics(env: dict[str, str]) -> None:
    """The font fontconfig now gives for 宋体 has SimSun's advance widths."""
    from fontTools.ttLib import TTFont

    found = subprocess.run(["fc-match", "-f", "%{family[0]}\t%{file}\t%{index}", "宋体"],
                           env=env, capture_output=True, text=True, check=True).stdout  # fmt: skip
    family, path, index = found.split("\t")
    assert family == STAND_IN
    font = TTFont(path, fontNumber=int(index))
    cmap, hmtx, units = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
    for char, em in (("中", 1.0), ("号", 1.0), ("0", 0.5), ("9", 0.5), ("X", 0.5)):
        assert hmtx[cmap[ord(char)]][0] / units == em, char


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (libreoffice-writer-nogui) not installed")
def test_annex2_docx_is_one_page_per_copy_in_libreoffice_with_no_wrapped_id(tmp_path: Path):
    ids = ["50011219490808899X", *(f"5001121978090989{k}X" for k in range(5))]
    members = [
        {"name": f"李建{k}", "gender": "male", "id_number": number, "relation": "son",
         "is_dibao_or_poverty": False}
        for k, number in enumerate(ids[1:])
    ]  # fmt: skip
    data = {"name": "张秀英", "gender": "female", "id_number": ids[0], "phone": "18325470688",
            "emergency_name": "李建国", "emergency_phone": "023-67891234",
            "filed_on": "2026-03-01", "members": members,
            "support_measures": "每月上门两次"}  # fmt: skip
    place = Place("渝北区", "木耳镇", "金刚村", "3组45号")
    numbers = [f"500112-F2-2026-000001-{k}" for k in (1, 2, 3)]
    docx = tmp_path / "annex2.docx"
    docx.write_bytes(render_docx(annex2_document(data, place, place, numbers)))

    conf = tmp_path / "fonts.conf"
    conf.write_text(FONTS_CONF.format(font=STAND_IN), encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "FONTCONFIG_FILE": str(conf)}
    _simsun_metrics(env)
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        env=env, capture_output=True, timeout=180, check=True,
    )  # fmt: skip
    pdf = tmp_path / "annex2.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+3$", info.stdout, re.M), info.stdout  # one page per copy

    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    assert "NotoSans" in fonts.stdout  # the stand-in was used, not some other fallback
    for page, (label, number) in enumerate(zip(COPIES, numbers, strict=True), start=1):
        html = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf),
                               "-"], capture_output=True, text=True, check=True).stdout  # fmt: skip
        words = WORD.findall(html)
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
        assert label.replace(" ", "") in text.replace(" ", "")
        assert number in text
        # Every ID whole, one word: the elder's twice (row 2 and 户主), each member's once.
        assert [w for w in words if w in ids].count(ids[0]) == 2
        for member_id in ids[1:]:
            assert words.count(member_id) == 1, (member_id, [w for w in words if w[:6] == "500112"])
        assert "备注：此表一式三份" in text.replace(" ", "")
