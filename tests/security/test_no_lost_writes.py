"""No lost writes (issue 7, item 6): two edits opened on the same version of an elder, a visit, a
care record, a referral or a risk: the first is saved; the second answers 409, overwrites nothing,
keeps what its user typed and shows what was saved meanwhile."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.referrals import labels as referral_labels
from caseman.referrals.models import Referral, Risk
from caseman.rules.referrals import ReferralStatus, RiskStatus
from caseman.visits.models import CareRecord, Visit
from tests.conftest import TODAY, row_counts
from tests.elders.test_views import form_data as elder_form
from tests.security.conftest import log_in
from tests.visits.test_views import form_data as visit_form

EN = {"Accept-Language": "en"}
CONFLICT = "Someone else saved this record after you opened it"


def fresh(model, ident):
    db.session.rollback()
    return db.session.get(model, ident)


def text_of(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def version_in(page: str) -> str:
    match = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="version"', page
    )
    assert match, "the form carries no version"
    return match.group(1)


def meanwhile(page: str) -> str:
    """The box listing what was saved meanwhile."""
    start = page.index("Saved meanwhile")
    return page[start : page.index("</dl>", start)]


def stale_pair(client, url, first, second, audited=0):
    """Post ``first`` then ``second`` (both built on the same opened version). ``audited``: audit
    rows the refusal writes (the elder form shows the saved full numbers: a ``view_form``)."""
    saved = client.post(url, data=first, headers=EN)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    before = row_counts()
    refused = client.post(url, data=second, headers=EN)
    assert refused.status_code == 409
    db.session.rollback()
    after = row_counts()
    assert after.pop("audit_events") == before.pop("audit_events") + audited
    assert after == before  # nothing written, not even a version row
    return text_of(refused)


def test_elder(app, world, areas):
    elder = world.elder
    client = log_in(app, world.cadre)
    opened = version_in(client.get(f"/elders/{elder.id}/edit").get_data(as_text=True))
    assert opened == str(elder.version)
    first = elder_form(
        areas, id_number=elder.id_number, name=elder.name, gender="female", version=opened,
        phone="13900000001", categories=["living_alone"],
    )  # fmt: skip
    second = dict(first, phone="13900000002", residence_address="我填的新地址")
    page = stale_pair(client, f"/elders/{elder.id}/edit", first, second, audited=1)
    assert CONFLICT in page
    assert "13900000002" in page  # the user's input is kept …
    assert "我填的新地址" in page
    assert "13900000001" in page  # … beside what was saved meanwhile
    assert version_in(page) == str(int(opened) + 1)  # saving again applies on top of it
    saved = fresh(Elder, elder.id)
    assert (saved.phone, saved.version) == ("13900000001", int(opened) + 1)


def test_visit(app, world):
    visit = world.visit
    client = log_in(app, world.cadre)
    opened = version_in(client.get(f"/visits/{visit.id}/edit").get_data(as_text=True))
    day = visit.visited_on.isoformat()
    first = visit_form(visited_on=day, version=opened, note="第一次更正", mood="better")
    second = visit_form(visited_on=day, version=opened, note="我的更正", mood="worse")
    page = stale_pair(client, f"/visits/{visit.id}/edit", first, second)
    assert CONFLICT in page
    assert "我的更正" in page  # kept in the form
    # What was saved meanwhile, listed above the form.
    changed = meanwhile(page)
    assert "第一次更正" in changed
    assert "Better" in changed or "较好" in changed
    saved = fresh(Visit, visit.id)
    assert (saved.note, saved.version) == ("第一次更正", int(opened) + 1)


def test_care_record(app, world):
    care = world.care
    client = log_in(app, world.cadre)
    opened = version_in(client.get(f"/care/{care.id}/edit").get_data(as_text=True))
    base = {"cared_on": care.cared_on.isoformat(), "visit_id": str(care.visit_id or ""),
            "need": "", "provider": care.provider, "satisfaction": "",
            "satisfaction_note": "", "version": opened}  # fmt: skip
    first = dict(base, what_was_done="送餐并量血压")
    second = dict(base, what_was_done="我的记录")
    page = stale_pair(client, f"/care/{care.id}/edit", first, second)
    assert CONFLICT in page
    assert "我的记录" in page
    assert "送餐并量血压" in meanwhile(page)
    assert fresh(CareRecord, care.id).what_was_done == "送餐并量血压"


def referral_status(version, status, **values):
    data = {"version": str(version), "status": status, "referred_to": "", "referred_contact": "",
            "note": "", "follow_up_on": "", "benefit": "", "benefit_applied_on": "",
            "benefit_outcome": "", "consent_answer": "agreed", "consent_by": "本人",
            "consent_way": "in_person", "consent_on": TODAY.isoformat()}  # fmt: skip
    data.update(values)
    return data


def test_referral(app, world):
    referral = world.referral
    opened = referral.version
    town, cadre = log_in(app, world.town), log_in(app, world.cadre)
    url = f"/referrals/{referral.id}/status"
    saved = town.post(url, data=referral_status(opened, "referred", referred_to="区康复中心"))
    assert saved.status_code == 302
    before = row_counts()
    stale = referral_status(opened, "unsolvable", note="老人拒绝服务")
    refused = cadre.post(url, headers=EN, data=stale)
    assert refused.status_code == 409
    db.session.rollback()
    assert row_counts() == before
    page = text_of(refused)
    assert CONFLICT in page
    assert "老人拒绝服务" in page  # the note typed is kept
    assert "区康复中心" in page  # the page shows the referral as it is now
    assert str(referral_labels.REFERRAL_STATUS[ReferralStatus.REFERRED]) in page
    assert fresh(Referral, referral.id).status is ReferralStatus.REFERRED


def test_risk(app, world):
    risk = world.risk
    opened = risk.version
    town, cadre = log_in(app, world.town), log_in(app, world.cadre)
    url = f"/risks/{risk.id}/status"
    saved = cadre.post(url, data={"version": str(opened), "status": "handling",
                                  "note": "已联系家属"})  # fmt: skip
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    before = row_counts()
    refused = town.post(url, headers=EN, data={"version": str(opened), "status": "closed",
                                               "note": "我的处置结果"})  # fmt: skip
    assert refused.status_code == 409
    db.session.rollback()
    assert row_counts() == before
    page = text_of(refused)
    assert CONFLICT in page
    assert "我的处置结果" in page
    assert "已联系家属" in page
    assert fresh(Risk, risk.id).status is RiskStatus.HANDLING


def test_a_form_without_its_version_saves_nothing(app, world, areas):
    """A post that does not say which version it was opened on is treated as stale."""
    client = log_in(app, world.cadre)
    day = (world.visit.visited_on - timedelta(days=0)).isoformat()
    before = row_counts()
    response = client.post(f"/visits/{world.visit.id}/edit", headers=EN,
                           data=visit_form(visited_on=day, version="", note="无版本"))  # fmt: skip
    assert response.status_code == 409
    db.session.rollback()
    assert row_counts() == before
    assert fresh(Visit, world.visit.id).note != "无版本"
