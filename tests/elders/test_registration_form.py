"""The phone-first registration form (issue 18 item 4) through Flask's test client: folding
sections, post-backs that return to their section, the error summary's links, the suggestion
fragment the page asks for as facts are entered."""

from __future__ import annotations

import re

from sqlalchemy import select

from caseman.elders.models import Elder
from caseman.extensions import db
from tests.elders.test_views import form_data

ZH = {"Accept-Language": "zh-CN"}


def details(html: str) -> dict[str, bool]:
    """Section id → open, for every folding section of the page."""
    return {
        m.group(2): " open" in m.group(0)
        for m in re.finditer(r'<details class="card fold([^"]*)" id="(\w+)"[^>]*>', html)
    }


def test_the_form_folds_into_sections_and_opens_the_first(client, areas, make_user, login_as):
    login_as(make_user("village", "jingang"))
    html = client.get("/elders/new").get_data(as_text=True)
    assert details(html) == {
        "basic": True, "family": False, "living": False, "support": False, "categories": False,
    }  # fmt: skip
    assert 'id="member-template"' in html
    assert 'name="members-__index__-name"' in html  # the row the page clones
    # Without JavaScript the buttons post the form and come back where they were pressed.
    assert re.search(r'formaction="/elders/new#member-0"[^>]*name="add_member"|'
                     r'name="add_member"[^>]*formaction="/elders/new#member-0"', html)  # fmt: skip
    assert 'formaction="/elders/new#suggestions"' in html
    assert "error-summary" not in html


def test_adding_a_member_returns_to_the_family_section(client, areas, make_user, login_as):
    login_as(make_user("village", "jingang"))
    data = form_data(areas, add_member="1")
    data.pop("save")
    html = client.post("/elders/new", data=data).get_data(as_text=True)
    assert details(html)["family"] is True
    assert 'id="member-0"' in html
    assert 'formaction="/elders/new#member-1"' in html  # the next press comes back to row 2
    assert db.session.scalar(select(Elder)) is None


def test_the_error_summary_links_to_each_field_and_opens_its_section(
    client, areas, make_user, login_as
):
    login_as(make_user("village", "jingang"))
    data = form_data(areas, name="", gender="", monthly_income="-1", water_safe="maybe",
                     **{"members-0-name": "", "members-0-relation": "son",
                        "members-0-phone": "12"})  # fmt: skip
    response = client.post("/elders/new", data=data, headers=ZH)
    html = response.get_data(as_text=True)
    start = html.index('id="error-summary"')
    summary = html[start : html.index("</div>", start)]
    links = re.findall(r'<a href="#([\w-]+)" data-error-link>([^<]*)</a>', summary)
    anchors = [anchor for anchor, _ in links]
    assert anchors[:3] == ["name", "gender-0", "monthly_income"]
    assert "members-0-name" in anchors
    assert "members-0-phone" in anchors
    assert "water_safe" in anchors
    texts = dict(links)
    assert texts["name"] == "姓名：请填写此项。"
    assert texts["members-0-phone"].startswith("家庭成员1 · 联系电话：")
    for anchor in anchors:
        assert f'id="{anchor}"' in html  # every link has its field on the page
    assert 'tabindex="-1" autofocus' in summary
    opened = details(html)
    assert opened["basic"]
    assert opened["family"]
    assert opened["living"]
    assert not opened["support"]
    assert 'class="card fold has-error" id="family"' in html


def test_an_error_of_a_member_lands_on_its_row_when_an_earlier_row_is_removed(
    client, areas, make_user, login_as
):
    """The service numbers the registered rows only; a removed row before the wrong one used to
    put the message on the removed row."""
    login_as(make_user("village", "jingang"))
    rows = {
        "members-0-name": "王大", "members-0-relation": "son", "members-0-remove": "y",
        "members-1-name": "王二", "members-1-relation": "daughter",
        "members-1-id_number": "500112194501011235",  # wrong check digit
    }  # fmt: skip
    for index in (0, 1):  # what a browser posts for the selects left at —
        for name in ("gender", "residence", "disability_grade"):
            rows[f"members-{index}-{name}"] = ""
    html = client.post("/elders/new", data=form_data(areas, **rows), headers=ZH).get_data(
        as_text=True
    )
    assert 'id="members-1-id_number-error"' in html
    assert 'id="members-0-id_number-error"' not in html
    assert db.session.scalar(select(Elder)) is None


def test_the_suggestion_is_computed_by_the_rules_for_the_form_as_it_is(
    client, areas, make_user, login_as
):
    login_as(make_user("village", "jingang"))
    data = form_data(areas, categories=[], is_key="")
    data.pop("save")
    answer = client.post("/elders/suggestions", data=data, headers=ZH).get_json()
    # 85 years old, no family recorded: 独居, and 高龄独居 makes the elder a key target.
    assert answer["categories"] == ["living_alone"]
    assert answer["is_key"] == "key"
    assert "独居" in answer["html"]
    son = {"members-0-name": "王小明", "members-0-relation": "son",
           "members-0-residence": "same_town"}  # fmt: skip
    answer = client.post("/elders/suggestions", data={**data, **son}, headers=ZH).get_json()
    assert answer["categories"] == []
    assert answer["is_key"] == "general"
    broken = client.post("/elders/suggestions", data={**data, "id_number": "123"}).get_json()
    assert broken["categories"] is None
    assert "查看系统建议" in broken["html"]
    assert db.session.scalar(select(Elder)) is None  # nothing saved


def test_the_suggestion_needs_a_login(client, areas):
    response = client.post("/elders/suggestions", data={})
    assert response.status_code in (302, 401)
