"""Upload bounds (issue 23 item 2): a workbook that unpacks far beyond its size (a zip bomb) is
refused by its declared sizes before any parsing; a file of too many rows stops at the bound; a
real ledger passes. The page shows the message beside the file field and nothing is saved."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from caseman.errors import DomainError
from caseman.imports import reading
from tests.conftest import row_counts
from tests.imports.sheets import annex1_workbook, id_number, ledger_row

ZH = {"Accept-Language": "zh-CN"}


def bomb(padding_mb: int = 40) -> bytes:
    """A genuine 附件1 workbook with one extra part of zeros: tiny packed, large unpacked."""
    sheet = annex1_workbook([ledger_row("张秀英", "女", id_number(1))])
    source = zipfile.ZipFile(io.BytesIO(sheet))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry, source.read(entry))
        target.writestr("xl/worksheets/sheet2.xml", b"\x00" * (padding_mb * 2**20))
    return out.getvalue()


def test_a_zip_bomb_is_refused_by_its_declared_size_before_parsing():
    content = bomb()
    assert len(content) < 200 * 1024  # packed: under 200 KB
    started = time.perf_counter()
    with pytest.raises(DomainError) as refused:
        reading.file_kind(content)
    assert time.perf_counter() - started < 1
    assert "unpacks to" in refused.value.message


def test_a_workbook_over_the_unpacked_bound_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 1024)
    content = annex1_workbook([ledger_row("张秀英", "女", id_number(1))])
    with pytest.raises(DomainError):
        reading.file_kind(content)


def test_a_real_ledger_of_a_thousand_rows_passes():
    rows = [ledger_row(f"老人{k}", "女", id_number(k % 400 + 1)) for k in range(1000)]
    content = annex1_workbook(rows)
    assert reading.file_kind(content) == "xlsx"
    assert sum(1 for _ in reading.iter_rows(content, "xlsx")) >= 1000


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_rows_beyond_the_bound_stop_with_a_message(monkeypatch, kind):
    monkeypatch.setattr(reading, "MAX_ROWS", 10)
    if kind == "csv":
        content = "\n".join(f"{k},张三" for k in range(30)).encode()
    else:
        rows = [ledger_row(f"老人{k}", "女", id_number(k + 1)) for k in range(30)]
        content = annex1_workbook(rows)
    with pytest.raises(DomainError) as refused:
        list(reading.iter_rows(content, kind))
    assert "more than" in refused.value.message


def test_the_page_refuses_a_bomb_beside_the_field_and_saves_nothing(client, login_as, make_user):
    login_as(make_user("town", "muer"))
    before = row_counts()
    response = client.post(
        "/imports/",
        data={"sheet": (io.BytesIO(bomb()), "台账.xlsx")},
        content_type="multipart/form-data",
        headers=ZH,
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="field-error"' in page
    assert "解压后" in page
    assert row_counts() == before
