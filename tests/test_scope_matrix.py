"""Every role × every kind of page × own area / other area (issue 7, "Done when", first bullet).

Two elders: 甲 in 金刚村 (木耳镇) and 乙 in 草坪村 (古路镇), each with a visit and care record, a
referral, a risk, a printed 附件2 and a filed signed scan. Users: district staff (渝北区), town
staff of 木耳镇, village staff of 金刚村, a worker bound to 金刚村. For the town, village and worker
甲 is "own" and 乙 is "other"; the district owns both.

Allowed requests answer 200; everything else answers 404, never 403 (004's 隐私 and DESIGN.md:
"Nobody sees an elder outside their scope … or by guessing a URL"), leaves every table and every
version column as it was, and puts one ``deny`` row in the audit log. Lists, search, the
dashboard, the due list and the ledger export name only elders in scope.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from caseman.areas.models import Area
from caseman.documents.models import PrintedDocument, SignedScan
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.referrals.models import Referral, Risk
from caseman.referrals.services import raise_referral, raise_risk
from caseman.visits.models import CareRecord, Visit
from caseman.visits.services import new_submission_key, record_care, record_visit
from tests.conftest import TODAY, denials, row_counts
from tests.referrals.conftest import referral_values, risk_values
from tests.visits.conftest import care_values, visit_values

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
RECORDERS = ("town", "village", "worker")
ALL = ("district", "town", "village", "worker")
LEDGER = ("district", "town", "village")


def _versions() -> dict[str, list[tuple[int, int]]]:
    """Every version column: a refused request must not bump one."""
    return {
        model.__tablename__: sorted(db.session.execute(sa.select(model.id, model.version)).all())
        for model in (Elder, Visit, CareRecord, Referral, Risk)
    }


@pytest.fixture
def world(app, client, make_user, make_elder, login_as, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")
    users = {
        "district": make_user("district", "district", username="m_district"),
        "town": make_user("town", "muer", username="m_town"),
        "village": make_user("village", "jingang", username="m_village"),
        "worker": make_user("worker", "jingang", username="m_worker"),
    }
    recorders = {"jingang": users["village"], "caoping": make_user("village", "caoping")}
    records: dict[str, dict[str, int]] = {}
    filed = TODAY - timedelta(days=60)
    for key, area, name in (("own", "jingang", "甲老人"), ("other", "caoping", "乙老人")):
        elder = make_elder(area=area, name=name, filed_on=filed, phone="13900000000")
        actor = recorders[area]
        visit = record_visit(actor, elder, visit_values(visited_on=TODAY - timedelta(days=3)),
                             new_submission_key(), TODAY)  # fmt: skip
        care = record_care(actor, elder, care_values(visit_id=visit.id), new_submission_key(),
                           TODAY)  # fmt: skip
        referral = raise_referral(actor, elder, referral_values(), new_submission_key(), TODAY)
        now = datetime.combine(TODAY, datetime.min.time()).replace(hour=12)
        risk = raise_risk(actor, elder, risk_values(occurred_at=now - timedelta(hours=2)),
                          new_submission_key(), TODAY, now)  # fmt: skip
        db.session.commit()
        login_as(actor)
        assert client.get(f"/elders/{elder.id}/annex2.docx").status_code == 200
        printed = db.session.scalar(
            sa.select(PrintedDocument).where(PrintedDocument.elder_id == elder.id)
        )
        response = client.post(
            "/documents/scans/new",
            data={"number": printed.copy_number(2), "scan": (io.BytesIO(PNG), "scan.png")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        client.post("/logout")
        scan = db.session.scalar(sa.select(SignedScan).where(SignedScan.elder_id == elder.id))
        records[key] = {"elder": elder.id, "visit": visit.id, "care": care.id,
                        "referral": referral.id, "risk": risk.id, "scan": scan.id,
                        "name": name, "id_number": elder.id_number}  # fmt: skip
    return users, records


# (what, method, url template, roles allowed, form data for POSTs)
PAGES: list[tuple[str, str, str, tuple[str, ...], dict[str, str] | None]] = [
    ("case file", "GET", "/elders/{elder}", ALL, None),
    ("reveal", "POST", "/elders/{elder}/reveal", ALL, {}),
    ("edit form", "GET", "/elders/{elder}/edit", ALL, None),
    ("edit", "POST", "/elders/{elder}/edit", ALL, {"name": "改名", "version": "1"}),
    ("archive", "POST", "/elders/{elder}/archive", ALL, {"reason": "deceased", "version": "1"}),
    ("merge form", "GET", "/elders/{elder}/merge", ("town", "district"), None),
    ("merge", "POST", "/elders/{elder}/merge", ("town", "district"), {"kept_id": "1"}),
    ("new visit form", "GET", "/elders/{elder}/visits/new", RECORDERS, None),
    ("new visit", "POST", "/elders/{elder}/visits/new", RECORDERS, {"method": "home"}),
    ("visit", "GET", "/visits/{visit}", ALL, None),
    ("visit edit", "POST", "/visits/{visit}/edit", RECORDERS, {"note": "x", "version": "1"}),
    ("care", "GET", "/care/{care}", ALL, None),
    ("new referral form", "GET", "/elders/{elder}/referrals/new", RECORDERS, None),
    ("referral", "GET", "/referrals/{referral}", ALL, None),
    ("referral status", "POST", "/referrals/{referral}/status", RECORDERS, {"status": "referred"}),
    ("new risk form", "GET", "/elders/{elder}/risks/new", RECORDERS, None),
    ("risk", "GET", "/risks/{risk}", ALL, None),
    ("risk acknowledge", "POST", "/risks/{risk}/acknowledge", ("town", "district"), {}),
    ("annex2 pdf", "GET", "/elders/{elder}/annex2.pdf", ALL, None),
    ("annex2 docx", "GET", "/elders/{elder}/annex2.docx", ALL, None),
    ("annex3 pdf", "GET", "/visits/{visit}/annex3.pdf", ALL, None),
    ("annex3 docx", "GET", "/visits/{visit}/annex3.docx", ALL, None),
    ("signed scan", "GET", "/documents/scans/{scan}", ALL, None),
    ("family duty", "GET", "/elders/{elder}/family", ALL, None),
    ("new agreement", "POST", "/elders/{elder}/family/entrustments/new", ALL, {"note": "x"}),
    ("new benefit form", "GET", "/elders/{elder}/benefits/new", ALL, None),
    ("new benefit", "POST", "/elders/{elder}/benefits/new", ALL, {"kind": "dibao"}),
]


def _allowed(role: str, area: str, roles: tuple[str, ...]) -> bool:
    in_scope = area == "own" or role == "district"
    return in_scope and role in roles


@pytest.mark.parametrize("role", ALL)
def test_every_page_answers_by_role_and_area(world, client, login_as, role):
    users, records = world
    login_as(users[role])
    refused: list[str] = []
    for area in ("own", "other"):
        ids = records[area]
        for what, method, template, roles, data in PAGES:
            url = template.format(**ids)
            allowed = _allowed(role, area, roles)
            if allowed and method == "POST" and what != "reveal":
                continue  # changes are refused here, not made: the feature tests make them
            before = (row_counts(except_audit=True), _versions(), denials())
            response = client.get(url) if method == "GET" else client.post(url, data=data)
            status = response.status_code
            response.close()
            label = f"{role} {what} {area} {url}"
            if allowed:
                assert status == 200, label
                continue
            assert status == 404, label
            assert (row_counts(except_audit=True), _versions()) == before[:2], label
            assert denials() == before[2] + 1, label
            refused.append(what)
    if role in ("town", "village", "worker"):
        assert "case file" in refused  # the other area's elder, at least


@pytest.mark.parametrize("role", ALL)
def test_lists_and_exports_name_only_elders_in_scope(world, client, login_as, role):
    users, records = world
    login_as(users[role])
    own, other = records["own"], records["other"]
    seen_other = role == "district"
    listing = client.get("/elders/").get_data(as_text=True)
    assert own["name"] in listing
    assert (other["name"] in listing) is seen_other
    assert own["id_number"] not in listing  # masked in lists
    link = f'href="/elders/{other["elder"]}"'
    for query in (other["name"], other["id_number"][-6:]):
        found = client.get("/elders/", query_string={"q": query}).get_data(as_text=True)
        assert (link in found) is seen_other, query
    for page in ("/", "/visits/due", "/follow-ups"):
        response = client.get(page)
        assert response.status_code == 200, page
        text = response.get_data(as_text=True)
        if not seen_other:
            assert other["name"] not in text, page
        assert own["id_number"] not in text, page
        assert other["id_number"] not in text, page
    ledger = client.get("/ledger", query_string={"format": "xlsx"})
    if role not in LEDGER:
        assert ledger.status_code == 404
        return
    assert ledger.status_code == 200
    sheet = load_workbook(io.BytesIO(ledger.data)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert own["name"] in cells
    assert (other["name"] in cells) is seen_other
    full = role in ("district", "town")
    assert (own["id_number"] in cells) is full  # full ID only for district and town


def test_data_layer_scope_holds_without_elder_filter(world, app):
    """A query that forgets ``elder_filter`` still sees only the user's elders (loader criteria)."""
    from flask_login import login_user

    from caseman.auth.models import User

    users, records = world
    user_id = users["village"].id
    other_id = records["other"]["elder"]
    db.session.expunge_all()  # nothing in the identity map: every row comes from a query
    with app.test_request_context("/"):
        login_user(db.session.get(User, user_id))  # a careless new view: no elder_filter
        names = sorted(db.session.scalars(sa.select(Elder.name)))
        visits = db.session.scalar(sa.select(sa.func.count(Visit.id)))
        referrals = db.session.scalar(sa.select(sa.func.count()).select_from(Referral))
        other = db.session.get(Elder, records["other"]["elder"])
        joined = db.session.scalars(sa.select(Risk).join(Risk.elder)).all()
        scans = db.session.scalars(sa.select(SignedScan.elder_id)).all()
        # A scoped row counted in a scalar subquery of another (the case file's timeline count).
        care = sa.select(sa.func.count(CareRecord.id)).scalar_subquery()
        nested = db.session.scalar(sa.select(sa.func.count(Visit.id) + care))
        other_timeline = db.session.scalar(
            sa.select(sa.func.count(Visit.id) + care.where(CareRecord.elder_id == other_id)).where(
                Visit.elder_id == other_id
            )
        )
    assert names == ["甲老人"]
    assert nested == 2  # the own elder's visit and care record
    assert other_timeline == 0
    assert visits == 1
    assert referrals == 1
    assert other is None
    assert [r.elder_id for r in joined] == [records["own"]["elder"]]
    assert scans == [records["own"]["elder"]]


def test_scope_fails_closed_outside_a_request(world):
    from caseman.scope import UnscopedQuery, _override, acting_as

    users, records = world
    token = _override.set(None)  # leave the suite's system access
    try:
        with pytest.raises(UnscopedQuery):
            db.session.scalars(sa.select(Elder)).all()
        counted = sa.select(sa.func.count()).select_from(Visit)  # no entity to name: sees none
        assert db.session.scalar(counted) == 0
        assert db.session.scalar(sa.select(sa.func.count(Area.id))) == 7  # areas are not scoped
        with acting_as(users["town"]):
            names = sorted(db.session.scalars(sa.select(Elder.name)))
        assert names == ["甲老人"]
    finally:
        _override.reset(token)


def test_denial_records_what_was_asked_for(world, client, login_as):
    from caseman.audit import AuditEvent

    users, records = world
    login_as(users["village"])
    assert client.get(f"/visits/{records['other']['visit']}").status_code == 404
    assert client.get("/visits/999999").status_code == 404
    rows = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "deny").order_by(AuditEvent.id)
    ).all()
    assert [(r.object_type, r.object_id, r.elder_id, r.username) for r in rows] == [
        ("visit", records["other"]["visit"], records["other"]["elder"], "m_village"),
        ("visit", 999999, None, "m_village"),
    ]
    assert rows[0].detail.endswith("exists")
    assert rows[1].detail.endswith("missing")
