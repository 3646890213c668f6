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
