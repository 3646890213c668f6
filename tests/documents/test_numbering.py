"""Issue 17 item 10: a form keeps its number while its content is unchanged; previews and
reprints do not multiply numbers; the case file says which number was signed; the half-year
package prints the signed number."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseman.audit import AuditEvent
from caseman.documents.builders import annex3_for
from caseman.documents.models import PrintedDocument
from caseman.documents.services import content_hash
from caseman.extensions import db
from caseman.visits.services import new_submission_key, record_care, record_visit
from tests.conftest import TODAY
from tests.visits.conftest import care_values, visit_values

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def cadre(make_user):
    return make_user("village", "jingang", username="cadre", full_name="王芳")


@pytest.fixture
def elder(make_elder):
    return make_elder(name="张秀英", phone="13800001234", filed_on=TODAY - timedelta(days=100))


def _numbers() -> list[str]:
    return list(db.session.scalars(select(PrintedDocument.number).order_by(PrintedDocument.id)))


def test_previews_of_an_unchanged_form_reuse_its_number(client, login_as, cadre, elder):
    login_as(cadre)
    for fmt in ("pdf", "docx", "pdf"):
        response = client.get(f"/elders/{elder.id}/annex2.{fmt}")
        assert response.status_code == 200
        response.close()
    (number,) = _numbers()
    printed = db.session.scalar(select(PrintedDocument))
    assert printed.printings == 3
    assert printed.content_hash
    # Every printing is still audited, under the one number.
    prints = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "print"))
    assert list(prints) == [number] * 3

    elder.phone = "13999998888"  # the content changes: the next printing gets a new number
    db.session.commit()
    client.get(f"/elders/{elder.id}/annex2.docx").close()
    assert len(_numbers()) == 2
    assert _numbers()[0] == number


def test_a_visit_record_gets_a_new_number_when_a_care_record_is_added(client, login_as, cadre,
                                                                     elder):  # fmt: skip
    visit = record_visit(cadre, elder, visit_values(), new_submission_key(), TODAY)
    db.session.commit()
    login_as(cadre)
    client.get(f"/visits/{visit.id}/annex3.docx").close()
    client.get(f"/visits/{visit.id}/annex3.docx").close()
    assert len(_numbers()) == 1
    record_care(cadre, elder, care_values(visit_id=visit.id), new_submission_key(), TODAY)
    db.session.commit()
    client.get(f"/visits/{visit.id}/annex3.docx").close()
    assert len(_numbers()) == 2


def test_the_case_file_shows_the_signed_number_and_the_signed_number_is_reused(
    client, login_as, cadre, elder, app, tmp_path
):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")
    visit = record_visit(cadre, elder, visit_values(), new_submission_key(), TODAY)
    db.session.commit()
    login_as(cadre)
    client.get(f"/visits/{visit.id}/annex3.docx").close()
    signed = db.session.scalar(select(PrintedDocument))
    response = client.post("/documents/scans/new", data={
        "number": signed.copy_number(1), "scan": (io.BytesIO(PNG), "scan.png"),
    }, content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    # A later duplicate of the same content (as older versions made): the signed one wins.
    db.session.add(PrintedDocument(number="500112-F3-2026-999998", annex="annex3",
                                   elder_id=elder.id, visit_id=visit.id, copies=4,
                                   content_hash=signed.content_hash))  # fmt: skip
    db.session.commit()
    document = annex3_for(cadre, visit, TODAY, district_copy=True)  # as the package prints it
    assert document.sheets[0].document_number == signed.copy_number(1)
    assert content_hash(document) == signed.content_hash
    db.session.commit()

    page = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    row = page[page.index(signed.number) :][:400]
    assert "已签字" in row
    other = page[page.index("500112-F3-2026-999998") :][:400]
    assert "已签字" not in other
    assert db.session.scalar(select(func.count(PrintedDocument.id))) == 2
