"""A small world with one of everything a route can show: elder, visit, care, referral, risk,
campaign, printed form and signed scan, plus a user of each role."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caseman.documents.services import file_scan, number_document
from caseman.extensions import db
from caseman.visits.services import create_campaign, new_submission_key, record_care, record_visit
from tests import conftest
from tests.conftest import TODAY
from tests.referrals.conftest import (  # noqa: F401 - fixtures used by this package's tests
    FILED,
    add_referral,
    add_risk,
    cadre,
    elder,
    town_user,
)
from tests.visits.conftest import care_values, visit_values

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(app, make_user, elder, cadre, town_user, add_referral, add_risk, tmp_path):  # noqa: F811
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")
    visit = record_visit(cadre, elder, visit_values(visited_on=TODAY - timedelta(days=3)),
                         new_submission_key(), TODAY)  # fmt: skip
    care = record_care(cadre, elder, care_values(visit_id=visit.id), new_submission_key(), TODAY)
    campaign = create_campaign(
        town_user,
        {"name": "重阳节探访", "starts_on": TODAY - timedelta(days=1), "ends_on": TODAY,
         "categories": [], "key_only": False, "area_id": town_user.area_id, "note": ""},
        TODAY,
    )  # fmt: skip
    db.session.commit()
    referral = add_referral(elder)
    risk = add_risk(elder)
    document = number_document(cadre, elder, "annex2", 3, TODAY)
    scan = file_scan(cadre, document, 1, "scan.png", PNG, Path(app.config["CASEMAN_UPLOADS"]))
    district = make_user("district", "district", username="district_admin")
    db.session.commit()
    return SimpleNamespace(
        elder=elder, visit=visit, care=care, campaign=campaign, referral=referral, risk=risk,
        document=document, scan=scan, cadre=cadre, town=town_user, district=district,
    )  # fmt: skip


def log_in(app: Flask, user) -> FlaskClient:
    """A fresh client of ``app`` logged in as ``user`` (CSRF off)."""
    client = app.test_client()
    conftest.log_in(client, user)  # the password, then the second factor for town and district
    return client


__all__ = ["FILED", "PNG", "log_in"]
