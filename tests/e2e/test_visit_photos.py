"""Photos and place at a visit (issue 18 item 3) in headless Chromium on a phone: a photo taken
with the camera field and the location stamp (the elder agreed) are saved with the visit and
shown on its page; the stored photo has no EXIF.

Screenshots go to artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from caseman.extensions import db
from caseman.photos.models import VisitPhoto, VisitPlace
from tests.e2e.test_drafts import ANSWERS

# ruff: noqa: F811 - the tests take the fixtures imported here
from tests.e2e.test_pages import SHOTS, browser, log_in, server  # noqa: F401 - fixtures
from tests.photos.test_views import jpeg_with_gps

pytestmark = pytest.mark.e2e


def test_a_visit_with_a_photo_and_the_place_on_a_phone(
    app, server, browser, make_user, make_elder, tmp_path
):
    app.config["CASEMAN_UPLOADS"] = str(tmp_path / "uploads")
    user = make_user("worker", "jingang", full_name="王探访")
    elder = make_elder(name="张秀英")
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 360, "height": 740},
        geolocation={"latitude": 29.7203, "longitude": 106.6301, "accuracy": 12},
        permissions=["geolocation"],
    )
    page = context.new_page()
    log_in(page, server, user.username)
    page.goto(server + f"/elders/{elder.id}/visits/new")
    for name, value in ANSWERS.items():
        page.click(f"label.choice:has(input[name={name}][value={value}])")
    page.set_input_files("#photos", files=[
        {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps((800, 600))},
    ])  # fmt: skip
    assert "已选择1张照片" in page.inner_text("#visit-photos [data-photo-count]")
    page.check("#place_consent")
    page.locator("[data-place-status]", has_text="已记录位置").wait_for()
    page.locator("#visit-photos").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "visit-photo-form-phone.png"))
    page.click("form[data-draft] button[type=submit]")
    page.wait_for_url(re.compile(r"/visits/\d+$"))
    page.locator("ul.photo-list img").first.wait_for()
    # The thumbnail is shown (a lazy image loads after the page: wait for its pixels, do not
    # read them at once — that raced the load on a busy machine).
    loaded = "(() => { const i = document.querySelector('ul.photo-list img');"
    loaded += " return i.complete && i.naturalWidth > 0; })()"
    for _ in range(100):  # the page's CSP forbids wait_for_function's eval: poll from here
        if page.evaluate(loaded):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(loaded)
    assert "精度约12米" in page.inner_text("#visit-photos")
    assert page.evaluate("document.documentElement.scrollWidth") <= 361
    page.locator("#visit-photos").screenshot(path=str(SHOTS / "visit-photos-phone.png"))
    db.session.rollback()
    photo = db.session.scalar(select(VisitPhoto))
    stored = Path(app.config["CASEMAN_UPLOADS"]) / photo.stored_as
    with Image.open(io.BytesIO(stored.read_bytes())) as image:
        assert len(image.getexif()) == 0
        assert image.size == (600, 800)  # turned upright as the camera said
    place = db.session.scalar(select(VisitPlace))
    assert (round(place.latitude, 4), round(place.longitude, 4)) == (29.7203, 106.6301)

    # The photo was of the wrong person: withdrawn with a reason, kept on disk, shown to nobody.
    page.click("#visit-photos a:has-text('撤回')")
    page.wait_for_url(re.compile(r"/visits/photos/\d+/withdraw$"))
    page.click("button:has-text('撤回照片'), input[value='撤回照片']")
    page.locator("main", has_text="请说明撤回照片的原因").wait_for()  # the page answered again
    page.fill("textarea[name=reason]", "拍到了邻居老人，不是本人")
    page.screenshot(path=str(SHOTS / "photo-withdraw-phone.png"), full_page=True)
    page.click("button:has-text('撤回照片'), input[value='撤回照片']")
    page.wait_for_url(re.compile(r"/visits/\d+(#visit-photos)?$"))
    section = page.inner_text("#visit-photos")
    assert "拍到了邻居老人，不是本人" in section
    assert page.locator("#visit-photos ul.photo-list img").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 361
    page.locator("#visit-photos").screenshot(path=str(SHOTS / "photo-withdrawn-phone.png"))
    assert stored.is_file()
    context.close()
