"""Uploads (signed scans): size-limited, checked by magic bytes and name, stored under random
names outside static/, served only as attachments and only to users in scope."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseman import PROJECT_ROOT, create_app
from caseman.documents.models import SignedScan
from caseman.documents.services import MAX_SCAN_BYTES, file_scan
from caseman.errors import DomainError
from caseman.extensions import db
from tests.conftest import row_counts
from tests.security.conftest import PNG, log_in

PDF = b"%PDF-1.4\n" + b"0" * 64 + b"\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def upload(client, number: str, content: bytes, name: str):
    return client.post(
        "/documents/scans/new",
        data={"number": number, "scan": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )


def scans() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(SignedScan.id))) or 0


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (PNG, "scan.pdf"),  # a PNG renamed .pdf
        (PDF, "scan.png"),
        (JPEG, "scan.pdf"),
        (PNG, "scan"),  # no type in the name
        (b"<html><script>alert(1)</script></html>", "scan.pdf"),  # not a scan at all
        (b"GIF89a" + b"\x00" * 32, "scan.gif"),
    ],
)
def test_a_file_whose_content_and_name_disagree_is_refused(app, world, content, name):
    client = log_in(app, world.cadre)
    before = row_counts()
    files = sorted(Path(app.config["CASEMAN_UPLOADS"]).rglob("*"))
    response = upload(client, world.document.copy_number(2), content, name)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "does not match its name" in html or "Upload a PDF, JPEG or PNG scan" in html
    db.session.rollback()
    assert row_counts() == before
    assert sorted(Path(app.config["CASEMAN_UPLOADS"]).rglob("*")) == files  # nothing written


def test_matching_scans_are_filed_under_random_names_outside_static(app, world):
    client = log_in(app, world.cadre)
    for copy, (content, name) in enumerate([(PDF, "签字.PDF"), (JPEG, "scan.jpeg")], start=2):
        response = upload(client, world.document.copy_number(copy), content, name)
        assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    stored = [scan.stored_as for scan in db.session.scalars(select(SignedScan))]
    assert len(stored) == 3  # the world's PNG and these two
    uploads = Path(app.config["CASEMAN_UPLOADS"]).resolve()
    static = (PROJECT_ROOT / "static").resolve()
    for relative in stored:
        path = (uploads / relative).resolve()
        assert path.is_file()
        assert static not in path.parents
        # 32 hex digits of randomness, nothing of the elder, the number or the file's name
        assert re.fullmatch(r"\d{4}/[0-9a-f]{32}\.(pdf|jpg|png)", relative), relative
        assert world.document.number not in relative


def test_too_large_a_scan_is_refused(app, world):
    # The service's own limit (10 MB), whatever the request limit is.
    with pytest.raises(DomainError, match="larger than"):
        file_scan(world.cadre, world.document, 2, "a.png", PNG + b"\x00" * MAX_SCAN_BYTES,
                  Path(app.config["CASEMAN_UPLOADS"]))  # fmt: skip
    db.session.rollback()
    client = log_in(app, world.cadre)
    before = scans()
    # Above the request limit (MAX_CONTENT_LENGTH) the server refuses before reading the body.
    assert app.config["MAX_CONTENT_LENGTH"] <= 16 * 1024 * 1024
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = upload(client, world.document.copy_number(2), PNG + b"\x00" * 4096, "a.png")
    assert response.status_code == 413
    assert "The file is too large." in response.get_data(as_text=True)
    assert scans() == before


def test_scans_are_attachments_and_only_for_users_in_scope(app, world, make_user):
    client = log_in(app, world.cadre)
    response = client.get(f"/documents/scans/{world.scan.id}")
    assert response.status_code == 200
    assert response.data == PNG
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()
    outsider = log_in(app, make_user("town", "gulu", username="gulu_staff"))
    before = row_counts()
    assert outsider.get(f"/documents/scans/{world.scan.id}").status_code == 404
    db.session.rollback()
    changed = {k for k, v in row_counts().items() if before[k] != v}
    assert changed <= {"audit_events"}  # at most the denial is recorded
    anonymous = app.test_client().get(f"/documents/scans/{world.scan.id}")
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]


def test_uploads_may_not_be_configured_inside_static():
    with pytest.raises(RuntimeError, match="CASEMAN_UPLOADS"):
        create_app({"CASEMAN_UPLOADS": str(PROJECT_ROOT / "static" / "uploads"), "TESTING": True})
