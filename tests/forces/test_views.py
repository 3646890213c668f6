"""The register of service forces (004 一(五)), the named visit contact of childless elders
(004 一(二)10), the visit's 探访力量 and the dashboard's visits by kind (issue 20 item 3)."""

from __future__ import annotations

import sqlalchemy as sa

from caseman.audit import AuditEvent
from caseman.extensions import db
from caseman.forces.models import ServiceForce, VisitContact
from caseman.rules.service_forces import ForceKind
from caseman.visits.models import Visit
from tests.conftest import TODAY


def force_form(area, **overrides):
    data = {"name": "王网格", "kind": "grid_worker", "phone": "13811112222",
            "area_id": str(area.id), "organisation": "金刚村委会", "note": ""}  # fmt: skip
    data.update(overrides)
    return data


def add_force(area, name="王网格", kind=ForceKind.GRID_WORKER, phone="13811112222"):
    force = ServiceForce(name=name, kind=kind, phone=phone, area_id=area.id, organisation="",
                         note="", archive_reason="")  # fmt: skip
    db.session.add(force)
    db.session.commit()
    return force


def test_register_refuses_bad_input_beside_the_field_and_keeps_it(
    client, make_user, areas, login_as
):
    login_as(make_user("village", "jingang"))
    refused = client.post("/forces/new", data=force_form(areas["jingang"], phone="abc", name=""))
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "请填写数字电话号码" in page
    assert "请填写此项" in page
    assert 'value="abc"' in page  # the typed input is kept
    assert db.session.scalar(sa.select(sa.func.count(ServiceForce.id))) == 0
    assert client.post("/forces/new", data=force_form(areas["jingang"])).status_code == 302
    listing = client.get("/forces/").get_data(as_text=True)
    assert "王网格" in listing
    assert "网格员" in listing
    assert "13811112222" not in listing
    assert "138****2222" in listing
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.object_type == "service_force")
        )
        == 1
    )


def test_an_area_outside_scope_is_refused(client, make_user, areas, login_as):
    login_as(make_user("village", "jingang"))
    refused = client.post("/forces/new", data=force_form(areas["caoping"]))
    assert refused.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(ServiceForce.id))) == 0


def test_another_towns_register_is_out_of_scope(client, make_user, areas, login_as):
    force = add_force(areas["caoping"], name="草坪医生", kind=ForceKind.FAMILY_DOCTOR)
    login_as(make_user("town", "muer"))
    assert "草坪医生" not in client.get("/forces/").get_data(as_text=True)
    assert client.get(f"/forces/{force.id}/edit").status_code == 404
    assert client.post(f"/forces/{force.id}/archive", data={"reason": "x"}).status_code == 404
    client.post("/logout")
    login_as(make_user("worker", "jingang"))
    assert client.get("/forces/new").status_code == 404  # workers read the register only
    assert client.get("/forces/").status_code == 200


def test_archive_needs_a_reason_and_keeps_the_person(client, make_user, areas, login_as):
    force = add_force(areas["jingang"])
    login_as(make_user("village", "jingang"))
    assert client.post(f"/forces/{force.id}/archive", data={"reason": ""}).status_code == 400
    assert client.post(f"/forces/{force.id}/archive", data={"reason": "调离"}).status_code == 302
    db.session.expire_all()
    assert force.archived_on == TODAY
    assert force.archive_reason == "调离"
    assert "<strong>王网格</strong>" not in client.get("/forces/").get_data(as_text=True)
    assert "<strong>王网格</strong>" in client.get("/forces/?archived=1").get_data(as_text=True)


def test_a_childless_elder_living_alone_must_have_a_visit_contact(
    client, make_user, make_elder, areas, login_as
):
    elder = make_elder()  # 独居, no family: 无子女
    force = add_force(areas["muer"], name="李社工", kind=ForceKind.SOCIAL_WORKER)
    other_town = add_force(areas["caoping"], name="外镇人员")
    login_as(make_user("village", "jingang"))
    case_file = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert "该老人独居且无子女，必须明确探访联系人" in case_file
    form = client.get(f"/elders/{elder.id}/visit-contact").get_data(as_text=True)
    assert "李社工" in form
    assert "外镇人员" not in form
    refused = client.post(f"/elders/{elder.id}/visit-contact", data={"force": "", "note": "x"})
    assert refused.status_code == 400
    assert "独居且无子女的老人必须明确探访联系人" in refused.get_data(as_text=True)
    assert client.post(f"/elders/{elder.id}/visit-contact",
                       data={"force": str(other_town.id)}).status_code == 400  # fmt: skip
    saved = client.post(f"/elders/{elder.id}/visit-contact",
                        data={"force": str(force.id), "note": "每周电话"})  # fmt: skip
    assert saved.status_code == 302
    contact = db.session.scalar(sa.select(VisitContact).where(VisitContact.elder_id == elder.id))
    assert contact.force_id == force.id
    case_file = client.get(f"/elders/{elder.id}").get_data(as_text=True)
    assert "李社工" in case_file
    assert "社工" in case_file
    # While named as a contact the person cannot be archived (by the town that registered them).
    client.post("/logout")
    login_as(make_user("town", "muer"))
    refused = client.post(f"/forces/{force.id}/archive", data={"reason": "调离"})
    assert refused.status_code == 400
    assert "仍是老人的探访联系人" in refused.get_data(as_text=True)


def test_contact_page_of_another_towns_elder_is_404(client, make_user, make_elder, login_as):
    elder = make_elder()
    login_as(make_user("village", "caoping"))
    assert client.get(f"/elders/{elder.id}/visit-contact").status_code == 404


def test_the_visit_records_the_kind_of_force_and_the_dashboard_counts_it(
    client, make_user, make_elder, login_as
):
    from tests.visits.test_views import form_data  # the visit form as posted

    elder = make_elder()
    login_as(make_user("village", "jingang"))
    page = client.get(f"/elders/{elder.id}/visits/new").get_data(as_text=True)
    assert 'name="force_kind"' in page
    assert "家庭医生" in page
    posted = client.post(f"/elders/{elder.id}/visits/new",
                         data=form_data(force_kind="family_doctor"))  # fmt: skip
    assert posted.status_code == 302
    visit = db.session.scalar(sa.select(Visit).where(Visit.elder_id == elder.id))
    assert visit.force_kind == ForceKind.FAMILY_DOCTOR
    refused = client.post(f"/elders/{elder.id}/visits/new", data=form_data(force_kind="ghost"))
    assert refused.status_code == 400
    dashboard = client.get("/").get_data(as_text=True)
    section = dashboard.split("本月各类探访力量的探访次数")[1].split("</ul>")[0]
    assert "家庭医生" in section
    assert "<strong>1</strong>" in section
