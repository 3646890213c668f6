"""Every page, every role, on a phone (issue 17 "done when": a browser walk through all roles at
360 px and 1280 px).

Each role (village, worker, town, district) opens, in headless Chromium at 360 px, every HTML
page of the route walk (tests/security/routes.py) that it may see; no page scrolls sideways, and
none shows an error. The main pages of each role are also shot at 360 px and 1280 px into
artifacts/screenshots/walk-<role>-<width>-<page>.png for a person to look at.
"""

from __future__ import annotations

import re

import pytest

from caseman.extensions import db
from tests.e2e.test_pages import SHOTS, browser, server  # noqa: F401 - fixtures
from tests.referrals.conftest import (  # noqa: F401 - fixtures of the seeded world
    add_referral,
    add_risk,
    cadre,
    elder,
    town_user,
)
from tests.security.conftest import log_in, world  # noqa: F401 - the seeded world
from tests.security.routes import routes

pytestmark = pytest.mark.e2e

# Pages each role works on every day: shot at both widths.
MAIN_PAGES = ("/", "/visits/due", "/elders/", "/elders/{elder}", "/elders/{elder}/history",
              "/visits/new", "/referrals/", "/search", "/ledger", "/users/", "/areas/",
              "/visitors/", "/audit", "/submissions/", "/mutual-aid/", "/account",
              "/approvals/", "/transfers/", "/family/reminders", "/elders/{elder}/family",
              "/benefits/", "/forces/")  # fmt: skip
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
# The innermost element that reaches past the right edge (to name it in the failure).
CULPRIT = """() => {
  let found = null;
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > window.innerWidth + 1) found = el;
  }
  if (!found) return "";
  const name = found.tagName.toLowerCase() + (found.className ? "." + found.className : "");
  return name + " «" + (found.textContent || "").trim().slice(0, 40) + "»";
}"""


def _slug(url: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"


def test_every_page_of_every_role_fits_a_phone(app, world, make_user, server, browser):  # noqa: F811
    worker = make_user("worker", "jingang", username="worker_walk")
    db.session.commit()
    users = [("village", world.cadre), ("worker", worker), ("town", world.town),
             ("district", world.district)]  # fmt: skip
    gets = [r for r in routes(app, world) if r.method == "GET" and r.endpoint != "static"]
    main = {page.format(elder=world.elder.id) for page in MAIN_PAGES}
    SHOTS.mkdir(parents=True, exist_ok=True)
    wide, broken, walked = [], [], 0
    for role, user in users:
        client = log_in(app, user)
        cookie = client.get_cookie("session")
        html = []
        for route in gets:  # what this role may open, as HTML (the test client is quick)
            response = client.get(route.url)
            if response.status_code == 200 and response.mimetype == "text/html":
                html.append(route.url)
            response.close()
        db.session.commit()  # end the walk's transaction: the browser's server reads beside it
        for width, height in ((360, 740), (1280, 900)):
            viewport = {"width": width, "height": height}
            context = browser.new_context(locale="zh-CN", viewport=viewport)
            context.add_cookies([{"name": "session", "value": cookie.value, "url": server}])
            page = context.new_page()
            for url in html if width == 360 else sorted(main & set(html)):
                response = page.goto(server + url)
                walked += 1
                if response is None or response.status >= 400 or page.url.endswith("/login"):
                    broken.append(f"{role} {url}: {response.status if response else 'none'}")
                    continue
                excess = page.evaluate(OVERFLOW)
                if excess > 1:
                    culprit = page.evaluate(CULPRIT)
                    wide.append(f"{role} {width}px {url}: {excess}px too wide at {culprit}")
                if url in main:
                    page.screenshot(
                        path=str(SHOTS / f"walk-{role}-{width}-{_slug(url)}.png"), full_page=True
                    )
            context.close()
    assert walked > 100, walked
    assert not broken, "\n".join(broken)
    assert not wide, "\n".join(wide)
