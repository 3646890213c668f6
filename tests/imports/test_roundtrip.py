"""Re-importing the site's own 附件1 export changes no case (the address is not doubled)."""

from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import select

from caseman.elders.models import Elder, ElderVersion
from caseman.elders.services import ELDER_FIELDS
from caseman.extensions import db
from caseman.jobs.models import Job, JobStatus
from caseman.rules.enums import Category

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")


def _cases() -> dict[int, dict]:
    db.session.expire_all()
    return {
        e.id: {
            **{name: getattr(e, name) for name in ELDER_FIELDS},
            "categories": set(e.categories),
            "members": [(m.name, m.relation, m.phone) for m in e.members],
        }
        for e in db.session.scalars(select(Elder))
    }


def test_reimporting_the_ledger_export_changes_no_case(client, login_as, make_user, make_elder):
    make_elder(area="baiyan", residence_address="2组45号")
    make_elder(area="jingang1", residence_address="3号", name="王德明")
    make_elder(
        area="jingang",
        name="李桂兰",
        residence_address="渝北区木耳镇金刚村5组",  # typed with the area path before
        categories={Category.LIVING_ALONE, Category.DISABLED_CARE},
        ability_level="moderate",
        members=[{"name": "李强", "relation": "son", "phone": "13987654321"}],
    )
    before, versions = _cases(), db.session.scalar(select(db.func.count(ElderVersion.id)))
    login_as(make_user("town", "muer"))
    response = client.get("/ledger?format=xlsx")
    assert response.status_code == 200
    exported = response.data
    response.close()

    response = client.post(
        "/imports/",
        data={"sheet": (BytesIO(exported), "台账.xlsx")},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    token = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    page = client.get(f"/imports/{token}", headers=EN).get_data(as_text=True)
    assert '<dd id="count-unchanged">3</dd>' in page, page
    assert '<dd id="count-updated">0</dd>' in page
    assert '<dd id="count-rejected">0</dd>' in page

    client.post(f"/imports/{token}/import", headers=EN)
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert job.status == JobStatus.DONE, job.message
    assert _cases() == before
    assert db.session.scalar(select(db.func.count(ElderVersion.id))) == versions
