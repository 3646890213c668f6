"""Stored uploads do not pile up (deleted once imported, pruned after RETENTION_DAYS), and audit
rows written outside a request (a background job) carry the job's user."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import select

from caseman.audit import AuditEvent
from caseman.extensions import db
from caseman.imports.services import RETENTION_DAYS, imports_directory, prune_uploads


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


def _stored(name: str, age_days: float) -> str:
    path = imports_directory() / name
    path.write_text("{}", encoding="utf-8")
    then = time.time() - age_days * 86400
    os.utime(path, (then, then))
    return name


def test_prune_removes_old_uploads_and_previews_only(app):
    old = "a" * 32
    new = "b" * 32
    _stored(f"{old}.json", RETENTION_DAYS + 1)
    _stored(f"{old}.preview.json", RETENTION_DAYS + 1)
    _stored(f"{new}.json", RETENTION_DAYS - 1)
    _stored("notes.json", 400)  # not an upload's name: left alone
    result = app.test_cli_runner().invoke(args=["imports-prune"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "removed 2 files"
    assert sorted(p.name for p in imports_directory().iterdir()) == [f"{new}.json", "notes.json"]
    assert prune_uploads(0, now=time.time() + 1) == 1  # --older-than-days 0: every upload


def test_elder_audit_rows_outside_a_request_carry_the_actor(make_elder):
    elder = make_elder()  # registered by the district user "registrar", outside any request
    row = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.elder_id == elder.id)
    )
    assert (row.username, row.role, row.ip) == ("registrar", "district", "cli")
