"""附件2 and 附件3 as a person gets them: read back from .docx and PDF, numbered, filed back.

Each check names the annex item of 004 (shared/ANNEXES.md) it looks at.
"""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document as read_docx
from docx.oxml.ns import qn
from sqlalchemy import func, select

from caseman.audit import AuditEvent
from caseman.documents.models import PrintedDocument, SignedScan
from caseman.extensions import db
from caseman.rules.enums import Category, NeedType, Safety, Satisfaction
from caseman.visits.services import new_submission_key, record_care, record_visit
from tests.conftest import TODAY
from tests.visits.conftest import care_values, visit_values

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _cells(docx_bytes: bytes) -> list[list[str]]:
    document = read_docx(io.BytesIO(docx_bytes))
    rows = []
    for table in document.tables:
        for row in table.rows:
            rows.append([cell.text for cell in row.cells])
    return rows


def _all_text(docx_bytes: bytes) -> str:
    document = read_docx(io.BytesIO(docx_bytes))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        for table in section.header.tables:
            parts.extend(cell.text for row in table.rows for cell in row.cells)
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def _pdf(tmp_path: Path, content: bytes) -> tuple[str, int, str]:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout  # fmt: skip
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    pages = int(next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
                .split()[1])  # fmt: skip
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    return text, pages, fonts.stdout


@pytest.fixture
def elder(make_elder, make_user):
    return make_elder(
        name="张秀英",
        phone="13800001234",
        ability_level="moderate",
        filed_on=TODAY - timedelta(days=200),
        categories={Category.LIVING_ALONE, Category.OTHER},
        other_reason="子女长期在外",
        category_override_reason="经村委会核实",
        key_override_reason="经村委会核实",
    )


@pytest.fixture
def cadre(make_user):
    return make_user("village", "jingang", username="cadre", full_name="王芳")


def test_annex2_docx_has_every_value_in_its_cell_and_boxes_at_the_choices(
    client, login_as, cadre, elder
):
    login_as(cadre)
    response = client.get(f"/elders/{elder.id}/annex2.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    rows = _cells(response.data)
    # 附件2 row 2: 姓名 | value | 性别 | value | 居民身份证号码 | value | 联系电话 | value
    basic = next(r for r in rows if r[0] == "姓名")
    assert basic[1] == "张秀英"
    assert basic[3] == "女"
    assert basic[5] == elder.id_number
    assert basic[7] == "13800001234"
    # 能力程度: exactly one ☑, at 中度失能 (the fifth box 完全失能 is printed too)
    ability = next(c for r in rows for c in r if c.startswith("能力程度"))
    assert ability.count("☑") == 1
    assert "☑中度失能" in ability
    assert "□完全失能" in ability
    # 对象类别: ☑ at 独居 and 其他 only
    categories = next(c for r in rows for c in r if "独居老年人" in c)
    assert categories.count("☑") == 2
    assert "☑独居老年人" in categories
    assert "☑其他关爱对象" in categories
    # Three copies, each labelled; the family table has 户主 and rows 2–5.
    text = _all_text(response.data)
    for label in ("区民政局存档", "镇（街道）存档", "村（社区）存档"):
        assert label in text
    assert sum(1 for r in rows if r[0] == "户主") == 3
    assert "备注：此表一式三份" in text


def test_annex2_pdf_three_pages_cjk_font_numbered_and_audited(
    client, login_as, cadre, elder, tmp_path
):
    login_as(cadre)
    response = client.get(f"/elders/{elder.id}/annex2.pdf")
    assert response.status_code == 200
    text, pages, fonts = _pdf(tmp_path, response.data)
    assert pages == 3  # one page per copy
    assert "渝北区特殊困难老年人信息登记表" in text
    assert "张秀英" in text
    assert "☑" in text
    assert "CJK" in fonts
    assert " yes " in fonts  # embedded
    printed = db.session.scalar(select(PrintedDocument))
    assert printed.copies == 3
    for copy in (1, 2, 3):
        assert printed.copy_number(copy) in text
    assert (
        db.session.scalar(
            select(func.count()).where(
                AuditEvent.action == "print", AuditEvent.elder_id == elder.id
            )
        )
        == 1
    )


def test_annex2_of_an_earlier_version_prints_what_was_saved_then(client, login_as, cadre, elder):
    """附件2 is reviewed every half year (004 三(五)); an earlier version prints as it was."""
    from caseman.elders.services import Registration, update_elder
    from tests.conftest import registration_values

    first_phone = elder.phone
    values = registration_values(
        elder.residence_area, name=elder.name, id_number=elder.id_number, phone="13999998888",
        filed_on=elder.filed_on, ability_level="moderate", other_reason="子女长期在外",
        category_override_reason="经村委会核实", key_override_reason="经村委会核实",
    )  # fmt: skip
    update_elder(cadre, elder, Registration(values, [], set(elder.categories)), TODAY,
                 elder.version)  # fmt: skip
    db.session.commit()
    login_as(cadre)
    current = client.get(f"/elders/{elder.id}/annex2.docx")
    earlier = client.get(f"/elders/{elder.id}/annex2.docx?version=1")
    assert "13999998888" in _all_text(current.data)
    assert first_phone in _all_text(earlier.data)
    assert "13999998888" not in _all_text(earlier.data)
    assert client.get(f"/elders/{elder.id}/annex2.docx?version=99").status_code == 404


def _visit_with_care(cadre, elder):
    visit = record_visit(
        cadre, elder,
        visit_values(gas_safety=Safety.UNSAFE, needs=[NeedType.MEDICAL.value],
                     needs_note="血压高", suggested_care="联系家庭医生"),
        new_submission_key(), TODAY,
    )  # fmt: skip
    record_care(cadre, elder, care_values(visit_id=visit.id, what_was_done="家庭医生上门测血压",
                                          satisfaction=Satisfaction.SATISFIED),
                new_submission_key(), TODAY)  # fmt: skip
    db.session.commit()
    return visit


def test_annex3_docx_four_copies_with_visit_and_care(client, login_as, cadre, elder):
    visit = _visit_with_care(cadre, elder)
    login_as(cadre)
    response = client.get(f"/visits/{visit.id}/annex3.docx")
    assert response.status_code == 200
    rows = _cells(response.data)
    method = next(r for r in rows if "探访方式" in r)
    assert "☑上门探访" in method[-1]
    assert method[-1].count("☑") == 1
    gas = next(r for r in rows if "燃气安全" in r)
    assert "☑不安全" in gas[-1]
    assert gas[-1].count("☑") == 1
    text = _all_text(response.data)
    assert "血压高" in text
    assert "家庭医生上门测血压" in text
    assert "满意" in text
    for label in ("区民政局存档", "镇（街道）存档", "村（社区）存档", "服务人员所在单位存档"):
        assert label in text
    assert "备注：此表一式四份" in text


def test_annex3_pdf_four_pages(client, login_as, cadre, elder, tmp_path):
    visit = _visit_with_care(cadre, elder)
    login_as(cadre)
    response = client.get(f"/visits/{visit.id}/annex3.pdf")
    text, pages, fonts = _pdf(tmp_path, response.data)
    assert pages == 4
    assert "渝北区特殊困难老年人探访关爱服务记录表" in text
    assert "☑" in text
    assert "CJK" in fonts


def test_annex3_prints_every_care_record_of_the_visit(client, login_as, cadre, elder, tmp_path):
    """Issue 17 item 4: part 二 has a block per care record, not only the first one."""
    visit = _visit_with_care(cadre, elder)
    for what in ("代购降压药", "陪同复诊"):
        record_care(cadre, elder, care_values(visit_id=visit.id, what_was_done=what),
                    new_submission_key(), TODAY)  # fmt: skip
    db.session.commit()
    login_as(cadre)
    document = read_docx(io.BytesIO(client.get(f"/visits/{visit.id}/annex3.docx").data))
    text = "".join(t.text or "" for t in document.element.body.iter(qn("w:t")))
    for what in ("家庭医生上门测血压", "代购降压药", "陪同复诊"):
        assert text.count(what) == 4  # once on each of the four copies
    pdf_text, pages, _fonts = _pdf(tmp_path, client.get(f"/visits/{visit.id}/annex3.pdf").data)
    for what in ("家庭医生上门测血压", "代购降压药", "陪同复诊"):
        assert pdf_text.count(what) == 4
    assert pages >= 4


def test_field_sheets_one_blank_sheet_per_due_elder(
    client, login_as, cadre, elder, make_elder, areas, tmp_path
):
    make_elder(name="李桂兰", filed_on=TODAY - timedelta(days=100))
    login_as(cadre)
    response = client.get(f"/visits/field-sheets.pdf?village={areas['jingang'].id}")
    assert response.status_code == 200
    text, pages, _fonts = _pdf(tmp_path, response.data)
    assert pages == 2
    assert "张秀英" in text
    assert "李桂兰" in text
    assert "☑" not in text  # nothing chosen yet: filled in by hand during the visit


def test_a_user_of_another_town_cannot_print(client, login_as, make_user, cadre, elder):
    visit = _visit_with_care(cadre, elder)
    login_as(make_user("town", "gulu"))
    assert client.get(f"/elders/{elder.id}/annex2.pdf").status_code == 404
    assert client.get(f"/visits/{visit.id}/annex3.docx").status_code == 404
    assert db.session.scalar(select(func.count(PrintedDocument.id))) == 0


def test_signed_scan_is_filed_against_its_number_checked_by_content(
    client, login_as, cadre, elder, make_user, tmp_path, app
):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")
    login_as(cadre)
    client.get(f"/elders/{elder.id}/annex2.docx")
    printed = db.session.scalar(select(PrintedDocument))
    number = printed.copy_number(2)

    def upload(num: str, content: bytes, name: str = "scan.png"):
        return client.post("/documents/scans/new", data={
            "number": num, "scan": (io.BytesIO(content), name),
        }, content_type="multipart/form-data")  # fmt: skip

    refused = upload(number, b"not really an image", "scan.png")
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count(SignedScan.id))) == 0
    assert upload("500112-F2-2026-999999-1", PNG).status_code == 400
    assert upload(printed.copy_number(5), PNG).status_code == 400  # 附件2 has three copies
    filed = upload(number, PNG)
    assert filed.status_code == 302
    scan = db.session.scalar(select(SignedScan))
    assert (scan.copy, scan.media_type, scan.size) == (2, "image/png", len(PNG))
    assert (tmp_path / "uploads" / scan.stored_as).read_bytes() == PNG
    assert upload(number, PNG).status_code == 400  # copy 2 is filed once
    page = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert printed.number in page
    download = client.get(f"/documents/scans/{scan.id}")
    assert download.data == PNG
    download.close()

    client.post("/logout")
    login_as(make_user("town", "gulu"))
    assert upload(printed.copy_number(3), PNG).status_code == 400
    assert client.get(f"/documents/scans/{scan.id}").status_code == 404


def test_cli_prints_annex2(app, cadre, elder, make_user, tmp_path):
    make_user("district", "district", username="operator")
    out = tmp_path / "a2.docx"
    result = app.test_cli_runner().invoke(
        args=["forms", "annex2", str(elder.id), "--format", "docx", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "张秀英" in _all_text(out.read_bytes())


def test_field_sheets_of_a_large_village_go_to_the_background(
    app, client, login_as, cadre, elder, make_elder, areas, tmp_path
):
    """Issue 23 item 1: above CASEMAN_PRINT_NOW_LIMIT the sheets are laid out by a background job
    with progress (a request never runs for minutes); the user lands on the job's page."""
    from caseman.jobs.models import Job, JobStatus

    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")
    app.config["CASEMAN_PRINT_NOW_LIMIT"] = 2
    for name in ("李桂兰", "王德明"):
        make_elder(name=name, filed_on=TODAY - timedelta(days=100))
    login_as(cadre)
    url = f"/visits/field-sheets.pdf?village={areas['jingang'].id}"
    response = client.get(url)
    assert response.status_code == 302
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert response.headers["Location"].endswith(f"/jobs/{job.id}")
    assert (job.kind, job.status, job.done, job.total) == (
        "field_sheets_batch",
        JobStatus.DONE,
        3,
        3,
    )
    assert "附件3现场记录 · 金刚村" in job.title
    download = client.get(f"/jobs/{job.id}/download")
    text, pages, _fonts = _pdf(tmp_path, download.data)
    download.close()
    assert pages == 3
    assert all(name in text for name in ("张秀英", "李桂兰", "王德明"))
    prints = select(func.count(AuditEvent.id)).where(AuditEvent.action == "print")
    assert db.session.scalar(prints) == 3

    # Word is made while the user waits only for a few sheets: asked for more, it says so.
    page = client.get(url.replace(".pdf", ".docx"), follow_redirects=True).get_data(as_text=True)
    assert "超过2份的现场记录表在后台合成一份PDF打印，请选择PDF。" in page
    assert db.session.scalar(select(func.count(Job.id))) == 1


def test_field_sheets_within_the_limit_commit_their_numbers_before_the_layout(
    client, login_as, cadre, elder, monkeypatch
):
    """The numbers and audit rows are committed before the sheets are laid out, so the layout
    (seconds for dozens of sheets) holds no write lock; the response is the PDF as before."""
    from caseman.documents import views

    committed = []
    real = views.send_document

    def spy(document, fmt):
        committed.append(not db.session().in_transaction())
        return real(document, fmt)

    monkeypatch.setattr(views, "send_document", spy)
    login_as(cadre)
    response = client.get(f"/visits/field-sheets.pdf?village={elder.residence_area_id}")
    assert response.status_code == 200
    assert committed == [True]
    assert db.session.scalar(select(func.count(PrintedDocument.id))) == 1
