"""The half-year submission (004 三(五): "每年6月和12月将更新后的台账、附件2、附件3报送至区民政局"):
the package a town makes in the background, marking it submitted, the district's overview and
what changed since the last submission, and scope."""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import zipfile
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.elders.models import ElderVersion
from caseman.elders.services import archive_elder
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.jobs.models import Job, JobStatus
from caseman.rules.enums import ArchiveReason
from caseman.rules.half_year import half_year_of
from caseman.submissions.models import Submission
from caseman.submissions.services import accept_submission, mark_submitted
from caseman.visits.services import new_submission_key, record_visit
from tests.conftest import TODAY, row_counts
from tests.visits.conftest import visit_values

# The last half-year that has closed: its package can be submitted today, whatever today is.
PERIOD = half_year_of(TODAY).previous()
FILED = PERIOD.starts_on + timedelta(days=5)
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


@pytest.fixture
def town_of_muer(make_user):
    return make_user("town", "muer", username="muer_town", full_name="木耳镇民政办")


@pytest.fixture
def caseload(make_elder, make_user):
    """木耳镇: two elders in 金刚村, one in 白岩村; 古路镇 has one of its own (never included)."""
    cadre = make_user("village", "jingang", full_name="王芳")
    jingang = [make_elder(name="张秀英", filed_on=FILED), make_elder(name="李桂兰", filed_on=FILED)]
    baiyan = make_elder(area="baiyan", name="赵德明", filed_on=FILED)
    make_elder(area="caoping", name="钱古路", filed_on=FILED)
    late = make_elder(name="孙后来", filed_on=PERIOD.closes_on + timedelta(days=1))
    days = (PERIOD.starts_on + timedelta(days=20), PERIOD.starts_on + timedelta(days=50))
    for elder, day in ((jingang[0], days[0]), (jingang[0], days[1]), (baiyan, days[1])):
        record_visit(cadre, elder, visit_values(visited_on=day, visited_person_name=elder.name),
                     new_submission_key(), TODAY)  # fmt: skip
    # A visit after the half-year closed is not in its package.
    record_visit(cadre, jingang[1], visit_values(visited_on=TODAY), new_submission_key(), TODAY)
    db.session.commit()
    return {"jingang": jingang, "baiyan": baiyan, "late": late}


def _state() -> dict[str, int]:
    """Row counts, less the users made and the logins audited while checking."""
    return {k: v for k, v in row_counts().items() if k not in ("users", "audit_events")}


def _build(client, areas, period=PERIOD):
    return client.post(f"/submissions/{areas['muer'].id}/{period.key}/build", headers=EN)


def _submission() -> Submission:
    submission = db.session.scalar(select(Submission).order_by(Submission.id.desc()))
    assert submission is not None
    return submission


def _pdf(path: Path) -> tuple[str, int]:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout  # fmt: skip
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    pages = next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
    return text, int(pages.split()[1])


def _names(text: str) -> list[str]:
    return [name for name in ("张秀英", "李桂兰", "赵德明", "钱古路") if name in text]


def _unpack(client, submission: Submission, tmp_path: Path) -> Path:
    response = client.get(f"/submissions/{submission.id}/package")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    data = response.data
    response.close()
    target = tmp_path / "package"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        archive.extractall(target)
    assert hashlib.sha256(data).hexdigest() == submission.summary["sha256"]
    return target


def test_package_holds_ledger_forms_and_manifest(client, login_as, town_of_muer, caseload,
                                                 areas, tmp_path):  # fmt: skip
    login_as(town_of_muer)
    response = _build(client, areas)
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/jobs/{job.id}")
    assert job.status == JobStatus.DONE, job.message
    submission = _submission()
    assert (submission.year, submission.half) == (PERIOD.year, PERIOD.half)
    assert submission.covered_until == PERIOD.closes_on
    assert submission.summary["ledger_rows"] == 3
    assert (submission.summary["annex2"], submission.summary["annex3"]) == (3, 3)

    root = _unpack(client, submission, tmp_path)
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    ledger_name = f"台帐_木耳镇_{PERIOD.starts_on.isoformat()}_{PERIOD.closes_on.isoformat()}.xlsx"
    assert files == sorted([ledger_name, "manifest.csv", "附件2/白岩村.pdf", "附件2/金刚村.pdf",
                            "附件3/白岩村.pdf", "附件3/金刚村.pdf"])  # fmt: skip

    # Every manifest line's checksum is the file's; every form has its number.
    text = (root / "manifest.csv").read_text(encoding="utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(text)))
    for line in lines:
        assert hashlib.sha256((root / line["file"]).read_bytes()).hexdigest() == line["sha256"]
    forms = [line for line in lines if line["file"].endswith(".pdf")]
    assert len(forms) == 6
    assert all(line["document_number"].startswith("500112-F") for line in forms)
    assert {line["elder"] for line in forms if line["file"] == "附件3/金刚村.pdf"} == {"张秀英"}
    assert {line["file"] for line in lines} == set(files) - {"manifest.csv"}

    # The ledger: the town's three elders in the caseload on the closing day, home visits counted.
    sheet = openpyxl.load_workbook(root / ledger_name).active
    rows = [r for r in sheet.iter_rows(values_only=True) if isinstance(r[0], int)]
    by_name = {r[1]: r for r in rows}
    assert set(by_name) == {"张秀英", "李桂兰", "赵德明"}  # not 古路镇's, not the one filed later
    assert by_name["张秀英"][14] == 2
    assert by_name["赵德明"][14] == 1
    assert by_name["李桂兰"][14] == 0

    # The PDFs, by village: the district's copy (第1联 区民政局存档) of each form, one page each.
    text, pages = _pdf(root / "附件2/金刚村.pdf")
    assert pages == 2
    assert text.count("第1联 区民政局存档") == 2
    assert "第2联" not in text
    assert {"张秀英", "李桂兰"} <= set(_names(text))
    assert "赵德明" not in text
    text, pages = _pdf(root / "附件2/白岩村.pdf")
    assert pages == 1
    assert "赵德明" in text
    text, pages = _pdf(root / "附件3/金刚村.pdf")
    assert pages == 2
    assert "第4联" not in text
    assert "张秀英" in text
    assert "李桂兰" not in text
    assert "钱古路" not in text
    text, pages = _pdf(root / "附件3/白岩村.pdf")
    assert pages == 1
    assert "赵德明" in text
    downloads = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "submission")
    ).all()
    assert {e.action for e in downloads} == {"export", "download"}


def test_registration_in_force_on_the_closing_day(client, login_as, town_of_muer, caseload,
                                                   areas, tmp_path):  # fmt: skip
    """附件2 prints the version saved by the closing day, not a later correction."""
    elder = caseload["baiyan"]
    first = db.session.scalar(select(ElderVersion).where(ElderVersion.elder_id == elder.id))
    first.created_at = PERIOD.starts_on + timedelta(days=5)  # registered during the half-year
    later = dict(first.snapshot, name="赵改名")
    db.session.add(ElderVersion(elder_id=elder.id, number=2, kind="edited", snapshot=later,
                                changed_fields=["name"]))  # fmt: skip
    db.session.commit()
    login_as(town_of_muer)
    _build(client, areas)
    root = _unpack(client, _submission(), tmp_path)
    text, _pages = _pdf(root / "附件2/白岩村.pdf")
    assert "赵德明" in text
    assert "赵改名" not in text


def test_mark_submitted_then_the_district_sees_it_and_the_changes(
    client, login_as, town_of_muer, caseload, make_user, make_elder, areas
):
    login_as(town_of_muer)
    _build(client, areas)
    submission = _submission()
    response = client.post(f"/submissions/{submission.id}/submit", headers=EN)
    assert response.status_code == 302
    db.session.refresh(submission)
    assert submission.is_submitted
    assert submission.submitted_by_id == town_of_muer.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "submit")) is not None
    # Once sent, the package is kept: no rebuild, no second submission.
    before = row_counts()
    _build(client, areas)
    client.post(f"/submissions/{submission.id}/submit", headers=EN)
    assert row_counts()["jobs"] == before["jobs"]
    # The district accepts it: changes now count from this package (issue 19 item 3).
    registrar = make_user("district", "district")
    accept_submission(registrar, submission)
    db.session.commit()

    # After the submission: one elder added, one archived, one corrected.
    make_elder(name="周新增")
    gone = caseload["jingang"][1]
    archive_elder(registrar, gone, ArchiveReason.DECEASED, TODAY, "病故", TODAY, gone.version)
    from caseman.elders.services import _add_version

    _add_version(caseload["baiyan"], registrar, "reviewed", "半年更新")
    db.session.commit()

    district = make_user("district", "district", username="district_staff")
    client.post("/logout")
    login_as(district)
    page = client.get("/submissions/", headers=EN).get_data(as_text=True)
    muer_row = page.split('data-town="木耳镇"')[1].split("</tr>")[0]
    gulu_row = page.split('data-town="古路镇"')[1].split("</tr>")[0]
    assert "Accepted" in muer_row
    assert "1 added, 1 archived, 1 changed" in muer_row
    assert "Submitted" not in gulu_row
    assert "No package accepted yet" in gulu_row
    assert "Make the package" not in page  # the district follows; towns make their own
    response = client.get(f"/submissions/{submission.id}/package")
    assert response.status_code == 200
    response.close()

    # The next half-year's page lists the changes since this one was sent.
    nxt = half_year_of(TODAY)
    client.post("/logout")
    login_as(town_of_muer)
    _build(client, areas, nxt)
    following = _submission()
    assert following.period == nxt
    page = client.get(f"/submissions/{following.id}", headers=EN).get_data(as_text=True)
    assert "周新增" in page.split("changes-added")[1].split("</ul>")[0]
    assert "李桂兰" in page.split("changes-archived")[1].split("</ul>")[0]
    assert "赵德明" in page.split("changes-changed")[1].split("</ul>")[0]


def test_submitting_needs_a_package_and_the_window(town_of_muer, caseload, areas):
    from caseman.submissions.services import get_or_add_submission

    submission = get_or_add_submission(town_of_muer, areas["muer"], PERIOD)
    with pytest.raises(DomainError, match="Make the package first"):
        mark_submitted(town_of_muer, submission, TODAY)
    with pytest.raises(DomainError, match="can be submitted from"):
        mark_submitted(town_of_muer, submission, PERIOD.opens_for_submission_on - timedelta(1))
    assert not submission.is_submitted


def test_other_towns_and_roles_get_404(client, login_as, town_of_muer, caseload, make_user,
                                      areas):  # fmt: skip
    login_as(town_of_muer)
    _build(client, areas)
    submission = _submission()
    client.post("/logout")

    gulu = make_user("town", "gulu")
    login_as(gulu)
    before = _state()
    assert client.get(f"/submissions/{submission.id}").status_code == 404
    assert client.get(f"/submissions/{submission.id}/package").status_code == 404
    assert client.post(f"/submissions/{submission.id}/submit").status_code == 404
    assert _build(client, areas).status_code == 404
    page = client.get("/submissions/").get_data(as_text=True)
    assert "木耳镇" not in page.split("<tbody>")[1]
    assert _state() == before
    client.post("/logout")

    village = make_user("village", "jingang")
    login_as(village)
    assert client.get("/submissions/").status_code == 404
    assert client.get(f"/submissions/{submission.id}").status_code == 404
    client.post("/logout")

    district = make_user("district", "district")
    login_as(district)
    assert _build(client, areas).status_code == 404  # towns make their own packages
    assert client.post(f"/submissions/{submission.id}/submit").status_code == 404
    assert _state() == before
    db.session.refresh(submission)
    assert not submission.is_submitted


def test_a_half_year_not_begun_is_refused(client, login_as, town_of_muer, areas):
    login_as(town_of_muer)
    later = half_year_of(TODAY).next()
    response = _build(client, areas, later)
    assert response.status_code == 302
    assert db.session.scalar(select(Job)) is None
    page = client.get("/submissions/", headers=EN).get_data(as_text=True)
    assert "has not begun" in page


def test_the_period_in_the_url_must_be_a_half_year(client, login_as, town_of_muer, areas):
    login_as(town_of_muer)
    assert client.post(f"/submissions/{areas['muer'].id}/2026H3/build").status_code == 404
    assert client.post(f"/submissions/{areas['jingang'].id}/{PERIOD.key}/build").status_code == 404
    _ = date  # dates come from the fixtures


def test_package_prints_every_care_record_of_the_half_year(
    client, login_as, town_of_muer, caseload, make_user, areas, tmp_path
):
    """Issue 17 item 4: a second care record of a visit, care given without a visit and care
    answering a visit of the half-year before are all in the package (附件3 part 二)."""
    from caseman.visits.models import Visit
    from caseman.visits.services import record_care
    from tests.visits.conftest import care_values

    cadre = make_user("village", "jingang", username="cadre2")
    elder = caseload["jingang"][0]
    visit = db.session.scalar(select(Visit).where(Visit.elder_id == elder.id).order_by(Visit.id))
    day = visit.visited_on + timedelta(days=2)
    values = visit_values(visited_on=FILED, visited_person_name=elder.name)
    earlier = record_visit(cadre, elder, values, new_submission_key(), TODAY)
    for what, visit_id in (("第一次送餐", visit.id), ("第二次理发", visit.id),
                           ("无探访的助洁", None), ("上期探访后的陪诊", earlier.id)):  # fmt: skip
        record_care(cadre, elder, care_values(cared_on=day, visit_id=visit_id, what_was_done=what),
                    new_submission_key(), TODAY)  # fmt: skip
    earlier.visited_on = PERIOD.starts_on - timedelta(days=3)  # a visit of the half-year before
    db.session.commit()
    login_as(town_of_muer)
    _build(client, areas)
    submission = _submission()
    root = _unpack(client, submission, tmp_path)
    text, _pages = _pdf(root / "附件3/金刚村.pdf")
    for what in ("第一次送餐", "第二次理发", "无探访的助洁", "上期探访后的陪诊"):
        assert text.count(what) == 1, what
    lines = list(csv.DictReader(io.StringIO(
        (root / "manifest.csv").read_text(encoding="utf-8-sig"))))  # fmt: skip
    assert sum(1 for line in lines if line["file"] == "附件3/金刚村.pdf") == 3


def test_package_prints_the_numbers_of_the_signed_copies(
    client, login_as, town_of_muer, caseload, make_user, areas, tmp_path
):
    """Issue 17 item 10: a visit record signed and filed before is packaged under its number."""
    from caseman.documents.models import PrintedDocument
    from caseman.visits.models import Visit

    elder = caseload["baiyan"]
    visit = db.session.scalar(select(Visit).where(Visit.elder_id == elder.id))
    cadre = make_user("village", "baiyan", username="baiyan_cadre")
    login_as(cadre)
    client.get(f"/visits/{visit.id}/annex3.pdf").close()
    client.get(f"/elders/{elder.id}/annex2.pdf").close()  # printed, never signed
    signed = db.session.scalar(select(PrintedDocument).where(PrintedDocument.annex == "annex3"))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    response = client.post("/documents/scans/new", data={
        "number": signed.copy_number(1), "scan": (io.BytesIO(png), "scan.png"),
    }, content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    client.post("/logout")
    login_as(town_of_muer)
    _build(client, areas)
    root = _unpack(client, _submission(), tmp_path)
    lines = list(csv.DictReader(io.StringIO(
        (root / "manifest.csv").read_text(encoding="utf-8-sig"))))  # fmt: skip
    (line,) = [x for x in lines if x["file"] == "附件3/白岩村.pdf"]
    assert line["document_number"] == signed.number
    text, _pages = _pdf(root / "附件3/白岩村.pdf")
    assert signed.copy_number(1) in text


def test_a_package_that_fails_leaves_no_printing_behind(
    client, login_as, town_of_muer, caseload, areas, monkeypatch
):
    """Issue 23 item 6: the forms of a package that was never written are not counted as printed
    (no ``print`` audit rows, no numbers); built again, each form is printed once."""
    from sqlalchemy import func

    from caseman.documents.models import PrintedDocument
    from caseman.submissions import services

    real = services.render_pdf_many
    calls = []

    def fails_on_the_visit_records(documents, on_rendered=None, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # 附件2 of both villages laid out, then the disk is full
            raise OSError("No space left on device")
        return real(documents, on_rendered, **kwargs)

    def prints() -> int:
        return db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "print")
        )

    monkeypatch.setattr(services, "render_pdf_many", fails_on_the_visit_records)
    login_as(town_of_muer)
    _build(client, areas)
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert job.status == JobStatus.FAILED
    assert prints() == 0
    assert db.session.scalar(select(func.count()).select_from(PrintedDocument)) == 0

    monkeypatch.setattr(services, "render_pdf_many", real)
    _build(client, areas)
    assert _submission().built_at is not None
    documents = db.session.scalars(select(PrintedDocument)).all()
    assert len(documents) == prints() == 3 + 3  # 附件2 of three elders, 附件3 of three visits
    assert {doc.printings for doc in documents} == {1}


def test_package_ledger_names_the_approver(client, login_as, town_of_muer, caseload, areas,
                                           tmp_path):  # fmt: skip
    """004 附件1's 主要领导审核 in the package's ledger, as on the ledger page (issue 19 item 1):
    the caseload was registered by district staff, so approved at once by them."""
    from openpyxl import load_workbook

    from caseman.auth.models import User

    login_as(town_of_muer)
    _build(client, areas)
    root = _unpack(client, _submission(), tmp_path)
    (ledger,) = root.glob("台帐_*.xlsx")
    cells = [str(c) for row in load_workbook(ledger).active.iter_rows(values_only=True)
             for c in row if c]  # fmt: skip
    registrar = db.session.scalar(select(User).where(User.username == "registrar"))
    assert any(f"主要领导审核：{registrar.display_name}" in cell for cell in cells), cells[:12]
