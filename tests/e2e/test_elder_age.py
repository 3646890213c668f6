"""In the browser: the reason asked for a person under 60, and 000's indicators marked 不适用."""

from __future__ import annotations

from datetime import date

import pytest

from caseman.rules.enums import Gender
from caseman.rules.id_number import make_id_number
from tests.conftest import TODAY
from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e
VIEWPORTS = [("phone", (360, 740)), ("desktop", (1280, 900))]


@pytest.mark.parametrize(("label", "viewport"), VIEWPORTS)
def test_the_reason_for_a_person_under_60_is_asked_beside_the_field(
    server,  # noqa: F811
    browser,  # noqa: F811
    make_user,
    make_elder,
    label,
    viewport,
):
    user = make_user("village", "jingang")
    young = make_id_number("500112", date(TODAY.year - 27, 12, 31), 31, Gender.FEMALE)
    elder = make_elder(id_number=young, is_key=False, under_age_reason="随母亲一同照护")
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    log_in(page, server, user.username)
    page.goto(f"{server}/elders/{elder.id}/edit")
    field = page.locator("#under_age_reason")
    assert field.input_value() == "随母亲一同照护"
    field.fill("")
    page.click("#save")
    error = page.locator("#under_age_reason-error")
    assert "建档日期时年龄为26周岁" in error.inner_text()
    error.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"elder-under-60-{label}.png"))
    box = page.locator("#under_age_reason").bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= viewport[0]
    context.close()


@pytest.mark.parametrize(("label", "viewport"), VIEWPORTS)
def test_indicators_not_applicable_outside_the_scope(
    server,  # noqa: F811
    browser,  # noqa: F811
    make_user,
    areas,
    label,
    viewport,
):
    from caseman.areas.models import AreaLevel
    from caseman.areas.services import create_area
    from caseman.extensions import db

    create_area("龙兴镇", AreaLevel.TOWN, areas["district"])
    db.session.commit()
    user = make_user("district", "district")
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    log_in(page, server, user.username)
    page.goto(f"{server}/mutual-aid/")
    assert page.locator('[data-scope="outside"]').count() == 1
    assert "不适用" in page.content()
    page.locator('[data-scope="outside"]').scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"mutual-aid-scope-{label}.png"))
    context.close()
