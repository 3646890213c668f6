"""`flask mutual-aid report` as a shell runs it: no request, no user, no system access of the
test suite (the command must declare its own), on a database with a quarter's work."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date

import docx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from caseman import scope
from caseman.audit import AuditEvent
from caseman.extensions import db
from caseman.mutual_aid import services
from caseman.mutual_aid.documents import PAIRING, SUMMARY
from tests.mutual_aid.conftest import YEAR


@pytest.fixture
def quarter_data(programme):
    p = programme
    for day in (2, 3):
        services.record_help(p.actor, p.paired, {"helped_on": date(YEAR, 3, day),
                             "kind": "knock", "helper_id": p.volunteer.id, "what": ""})  # fmt: skip
    services.award_points(p.actor, p.volunteer, p.rate, date(YEAR, 3, 2))
    services.log_activity(p.actor, p.village, {"kind": "festival", "held_on": date(YEAR, 2, 12),
                          "place": "院坝", "elders_count": 30, "notes": ""})  # fmt: skip
    db.session.commit()
    return p


@pytest.fixture
def shell(app, quarter_data) -> Iterator[None]:
    """Leave the suite's system access, as a shell has none."""
    db.session.commit()
    db.session.expunge_all()  # rows loaded under system access are not "in scope" for free
    token = scope._override.set(None)
    try:
        yield
    finally:
        scope._override.reset(token)


def _run(app, area: str, form: str, fmt: str, out) -> str:
    result = app.test_cli_runner().invoke(args=[
        "mutual-aid", "report", "--area", area, "--year", str(YEAR), "--quarter", "1",
        "--form", form, "--format", fmt, "--out", str(out)])  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 0, result.output
    return result.output


def _pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        return ""
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True).stdout.decode()  # fmt: skip


@pytest.mark.parametrize("area", ["木耳镇", "金刚村"])
def test_annex1_of_a_town_or_village_in_each_format(app, shell, tmp_path, area):
    out = tmp_path / "annex1"
    assert "rows" in _run(app, area, "annex1", "xlsx", out.with_suffix(".xlsx"))
    sheet = load_workbook(out.with_suffix(".xlsx")).active
    assert sheet["A1"].value == SUMMARY.title
    assert sheet.cell(4, 2).value == "金刚村"
    _run(app, area, "annex1", "docx", out.with_suffix(".docx"))
    table = docx.Document(str(out.with_suffix(".docx"))).tables[0]
    assert table.rows[1].cells[1].text == "金刚村"
    _run(app, area, "annex1", "pdf", out.with_suffix(".pdf"))
    assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    text = _pdf_text(out.with_suffix(".pdf"))
    assert not text or "金刚村" in text


@pytest.mark.parametrize("area", ["木耳镇", "金刚村"])
def test_annex2_of_a_town_or_village_in_each_format(app, shell, tmp_path, area):
    out = tmp_path / "annex2"
    assert "3 rows" in _run(app, area, "annex2", "xlsx", out.with_suffix(".xlsx"))
    sheet = load_workbook(out.with_suffix(".xlsx")).active
    assert sheet["A1"].value == PAIRING.title
    assert sheet.cell(4, 2).value == "张秀英"
    assert sheet.cell(4, 5).value == "13812345678"  # the district's copy: numbers in full
    _run(app, area, "annex2", "docx", out.with_suffix(".docx"))
    table = docx.Document(str(out.with_suffix(".docx"))).tables[0]
    assert table.rows[1].cells[1].text == "张秀英"
    _run(app, area, "annex2", "pdf", out.with_suffix(".pdf"))
    text = _pdf_text(out.with_suffix(".pdf"))
    assert not text or "张秀英" in text


def test_the_command_is_on_record(app, shell, tmp_path):
    _run(app, "木耳镇", "annex2", "xlsx", tmp_path / "a.xlsx")
    with scope.system_access("test", record=False):
        actions = [e.action for e in db.session.scalars(select(AuditEvent))]
    assert "system_access" in actions
    assert "export" in actions


def test_an_unknown_area_is_refused(app, shell, tmp_path):
    result = app.test_cli_runner().invoke(args=[
        "mutual-aid", "report", "--area", "无此镇", "--year", str(YEAR), "--quarter", "1",
        "--form", "annex1", "--format", "pdf", "--out", str(tmp_path / "x.pdf")])  # fmt: skip
    assert result.exit_code != 0
    assert "No town or village" in result.output
    assert not (tmp_path / "x.pdf").exists()
