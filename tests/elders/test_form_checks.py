"""The registration form refuses bad checkbox values beside the field (never a 500), and a person
under 60 (004 concerns 老年人) unless a reason is given."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from caseman.elders.models import Elder
from caseman.extensions import db
from tests.conftest import row_counts
from tests.elders.test_views import form_data

ZH = {"Accept-Language": "zh-CN"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("categories", "bogus"),
        ("categories", ["living_alone", "bogus"]),
        ("support_units", "bogus"),
        ("gender", "bogus"),
        ("ability_level", "bogus"),
        ("is_key", "bogus"),
        ("water_safe", "bogus"),
        ("disability_grade", "9"),
        ("residence_area_id", "bogus"),
        ("members-0-relation", "bogus"),
    ],
)
def test_a_wrong_choice_is_answered_beside_the_field(
    client, areas, make_user, login_as, field, value
):
    login_as(make_user("village", "jingang"))
    data = form_data(areas, residence_address="保留的地址", **{field: value})
    if field.startswith("members-"):
        data.update({"members-0-name": "李强", "members-0-relation": value})
    before = row_counts()
    response = client.post("/elders/new", data=data, headers=ZH)
    assert response.status_code == 200, (field, response.status_code)
    text = response.get_data(as_text=True)
    assert f'id="{field}-error"' in text, field
    assert "保留的地址" in text
    assert "valid choice" not in text
    assert row_counts() == before


def _aged(age: int) -> str:
    from datetime import date

    from caseman.rules.enums import Gender
    from caseman.rules.id_number import make_id_number
    from tests.conftest import TODAY

    return make_id_number("500112", date(TODAY.year - age - 1, 12, 31), 21, Gender.MALE)


def test_a_person_of_26_is_refused_unless_a_reason_is_given(client, areas, make_user, login_as):
    login_as(make_user("village", "jingang"))
    assert "under_age_reason" not in client.get("/elders/new").get_data(as_text=True)
    before = row_counts()
    data = form_data(areas, id_number=_aged(26), residence_address="保留的地址", is_key="general")
    response = client.post("/elders/new", data=data, headers=ZH)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'id="under_age_reason-error"' in text  # the reason field appears, with the message
    assert "建档日期时年龄为26周岁" in text
    assert "保留的地址" in text
    assert row_counts() == before

    data["under_age_reason"] = "随配偶（82岁，失能）一同照护"
    response = client.post("/elders/new", data=data, headers=ZH)
    assert response.status_code == 302, response.get_data(as_text=True)
    elder = db.session.scalar(select(Elder))
    assert elder.under_age_reason == "随配偶（82岁，失能）一同照护"
    page = client.get(f"/elders/{elder.id}/edit").get_data(as_text=True)
    assert "随配偶（82岁，失能）一同照护" in page
    page = client.get(f"/elders/{elder.id}", headers=ZH).get_data(as_text=True)
    assert "未满60周岁建档原因：随配偶（82岁，失能）一同照护" in page


def test_sixty_on_the_filing_date_needs_no_reason(client, areas, make_user, login_as):
    login_as(make_user("village", "jingang"))
    response = client.post(
        "/elders/new", data=form_data(areas, id_number=_aged(60), is_key="general")
    )
    assert response.status_code == 302, response.get_data(as_text=True)
