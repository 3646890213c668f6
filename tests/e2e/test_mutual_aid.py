"""Mutual aid in headless Chromium: a village user records help, awards and redeems points, pairs
an elder and opens the quarterly form and the map. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import pytest

from tests.e2e.test_pages import SHOTS, browser, server  # noqa: F401 - fixtures
from tests.e2e.test_visits import SIZES, _login, _no_sideways_scroll
from tests.mutual_aid.conftest import YEAR, programme  # noqa: F401 - fixture

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("label", "viewport"), SIZES)
def test_village_runs_its_programme(server, browser, programme, label, viewport):  # noqa: F811
    p = programme
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
    )
    page = context.new_page()
    _login(page, server, p.actor.username)
    page.click("nav.mainnav a[href='/mutual-aid/']")
    page.click(f"a[href='/mutual-aid/villages/{p.village.id}']")
    # Wait for the village's page: counting at once could count the list page still showing.
    page.wait_for_url(f"{server}/mutual-aid/villages/{p.village.id}")
    page.wait_for_selector("#missed li")
    assert page.locator("#missed li").count() == 1  # the one-to-one pair has no help yet
    _no_sideways_scroll(page, viewport[0])
    page.screenshot(path=str(SHOTS / f"mutual-aid-village-{label}.png"), full_page=True)

    # Record practical help with points, from the pairing page.
    page.click(f"a[href='/mutual-aid/pairings/{p.one_to_one.id}']")
    page.click(f"a[href='/mutual-aid/paired/{p.paired.id}/help']")
    page.fill("#helped_on", f"{YEAR}-03-02")
    page.check("input[name=kind][value=help]")
    page.select_option("#helper_id", str(p.volunteer.id))
    page.fill("#what", "代买药品、打扫院坝")
    page.select_option("#rate_id", str(p.rate.id))
    _no_sideways_scroll(page, viewport[0])
    page.click("button[type=submit]")
    page.wait_for_url(f"**/mutual-aid/pairings/{p.one_to_one.id}")
    assert "代买药品、打扫院坝" in page.content()

    # Redeeming more than the balance is refused beside the field; what was typed stays.
    page.goto(server + f"/mutual-aid/members/{p.volunteer.id}")
    assert page.inner_text("#balance") == "5"
    page.click(
        f"a[href='/mutual-aid/villages/{p.village.id}/points/redeem?member={p.volunteer.id}']"
    )
    page.fill("#points", "50")
    page.fill("#goods", "食用油一桶")
    page.fill("#entry_on", f"{YEAR}-03-05")
    page.click("button[type=submit]")
    assert page.locator(".field-error").count() == 1
    assert page.input_value("#goods") == "食用油一桶"
    page.screenshot(path=str(SHOTS / f"mutual-aid-redeem-error-{label}.png"), full_page=True)
    page.fill("#points", "5")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/mutual-aid/members/{p.volunteer.id}")
    assert page.inner_text("#balance") == "0"

    # A one-to-one pair with two helpers is refused beside the helpers.
    page.goto(server + f"/mutual-aid/villages/{p.village.id}/pairings/new")
    page.check(f"input[name=helper_ids][value='{p.volunteer.id}']")
    page.check(f"input[name=helper_ids][value='{p.neighbour.id}']")
    page.select_option("#elder_id", str(p.unpaired.id))
    page.fill("#started_on", f"{YEAR}-03-10")
    page.click("button[type=submit]")
    assert page.locator(".has-error:has(input[name=helper_ids]) .field-error").count() == 1
    assert page.input_value("#elder_id") == str(p.unpaired.id)
    _no_sideways_scroll(page, viewport[0])
    page.screenshot(path=str(SHOTS / f"mutual-aid-pairing-error-{label}.png"), full_page=True)
    page.uncheck(f"input[name=helper_ids][value='{p.volunteer.id}']")
    page.click("button[type=submit]")
    page.wait_for_url("**/mutual-aid/pairings/*")

    # The quarterly pairing ledger and the map.
    page.goto(server + f"/mutual-aid/report?area={p.village.id}&form=annex2&year={YEAR}&quarter=1")
    assert "渝北区农村互助养老结对帮扶信息台账" in page.content()
    assert page.locator("table.list tbody tr").count() == 4
    page.screenshot(path=str(SHOTS / f"mutual-aid-annex2-{label}.png"), full_page=True)
    page.goto(server + f"/mutual-aid/villages/{p.village.id}/map")
    assert page.locator("svg .marker-centre").is_visible()
    _no_sideways_scroll(page, viewport[0])
    page.screenshot(path=str(SHOTS / f"mutual-aid-map-{label}.png"), full_page=True)
    context.close()
