"""Photos and place at a visit (issue 18 item 3): stripped of EXIF, size-limited, scoped, audited,
shown on the visit page and in the case history."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from caseman.audit import AuditEvent
from caseman.extensions import db
from caseman.photos.models import VisitPhoto, VisitPlace
from caseman.visits.models import Visit

# ruff: noqa: F811 - the tests take the fixtures imported here
from tests.visits.conftest import recorder  # noqa: F401 - fixture
from tests.visits.test_views import form_data, login  # noqa: F401 - fixture

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(size: tuple[int, int] = (40, 20), orientation: int = 6) -> bytes:
    """A camera-like JPEG: GPS position, maker, time, a comment and a rotation in its EXIF."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0132] = "2026:12:05 10:00:00"  # DateTime
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (29.0, 43.0, 12.5), 3: "E", 4: (106.0, 37.0, 48.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"secret comment", quality=95)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the test photo has GPS
    return data


def bomb_png(width: int = 12000, height: int = 12000) -> bytes:
    """A tiny PNG that claims 144 million pixels (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))  # fmt: skip


@pytest.fixture
def uploads(app, tmp_path) -> Path:
    folder = tmp_path / "uploads"
    app.config["CASEMAN_UPLOADS"] = str(folder)
    return folder


def post_visit(client, elder, photos=(), **extra):
    data = form_data(**extra)
    data["photos"] = [(io.BytesIO(content), name) for name, content in photos]
    return client.post(f"/elders/{elder.id}/visits/new", data=data,
                       content_type="multipart/form-data")  # fmt: skip


def test_a_photo_is_stored_without_any_exif(make_elder, recorder, login, uploads):
    """The GPS position, phone and time in a photo's EXIF never reach the stored file: the
    stored JPEG, read back, has no EXIF at all; the rotation it asked for is applied."""
    elder = make_elder()
    client = login(recorder)
    response = post_visit(client, elder, [("IMG_0001.jpg", jpeg_with_gps())])
    assert response.status_code == 302, response.get_data(as_text=True)
    photo = db.session.scalar(select(VisitPhoto))
    for relative in (photo.stored_as, photo.thumbnail_as):
        stored = (uploads / relative).read_bytes()
        assert b"Exif" not in stored
        assert b"PhoneMaker" not in stored
        assert b"secret comment" not in stored
        with Image.open(io.BytesIO(stored)) as image:
            assert image.format == "JPEG"
            assert len(image.getexif()) == 0
            assert not image.getexif().get_ifd(GPS_IFD)
            assert "exif" not in image.info
            assert "xmp" not in image.info
            assert "icc_profile" not in image.info
            assert "comment" not in image.info
    with Image.open(uploads / photo.stored_as) as image:
        # Orientation 6 (turn 90°): the 40×20 upload is stored upright, 20×40, blue half on top.
        assert image.size == (20, 40) == (photo.width, photo.height)
        assert image.getpixel((10, 5))[2] > 150
        assert image.getpixel((10, 35))[0] > 150
    assert "IMG_0001" not in photo.stored_as  # a random name
    assert not (uploads / photo.stored_as).is_relative_to(Path(client.application.static_folder))


def test_the_visit_page_and_history_show_the_photos_through_the_scoped_route(
    make_elder,
    recorder,
    make_user,
    login,
    uploads,
):
    elder = make_elder()
    client = login(recorder)
    post_visit(client, elder, [("a.jpg", jpeg_with_gps()), ("b.jpg", jpeg_with_gps())])
    visit = db.session.scalar(select(Visit))
    photos = db.session.scalars(select(VisitPhoto).order_by(VisitPhoto.id)).all()
    assert len(photos) == 2
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert f"/visits/photos/{photos[0].id}/thumb" in page
    shown = client.get(f"/visits/photos/{photos[0].id}")
    assert shown.status_code == 200
    assert shown.mimetype == "image/jpeg"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert shown.data == (uploads / photos[0].stored_as).read_bytes()
    shown.close()
    thumb = client.get(f"/visits/photos/{photos[0].id}/thumb")
    assert thumb.status_code == 200
    thumb.close()
    views = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view_photo").order_by(AuditEvent.id)
    ).all()
    assert [(e.object_id, e.detail, e.elder_id) for e in views] == [
        (photos[0].id, "full", elder.id),
        (photos[0].id, "thumb", elder.id),
    ]
    history = client.get(f"/elders/{elder.id}/history").get_data(as_text=True)
    assert "第1次探访的照片（2张）" in history
    assert f"/visits/photos/{photos[1].id}/thumb" in history
    only = client.get(f"/elders/{elder.id}/history?kind=photo").get_data(as_text=True)
    assert f"/visits/photos/{photos[1].id}/thumb" in only

    # Another village: 404 for the photo, its thumbnail and adding photos, like the visit.
    other = login(make_user("village", "baiyan"))
    assert other.get(f"/visits/photos/{photos[0].id}").status_code == 404
    assert other.get(f"/visits/photos/{photos[0].id}/thumb").status_code == 404
    photo = {"photos": [(io.BytesIO(jpeg_with_gps()), "c.jpg")]}
    added = other.post(f"/visits/{visit.id}/photos", data=photo,
                       content_type="multipart/form-data")  # fmt: skip
    assert added.status_code == 404
    assert db.session.scalar(select(db.func.count(VisitPhoto.id))) == 2


def test_photos_are_added_on_the_visit_page(make_elder, recorder, login, uploads):
    elder = make_elder()
    client = login(recorder)
    post_visit(client, elder)
    visit = db.session.scalar(select(Visit))
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert 'capture="environment"' in page
    assert 'accept="image/*"' in page
    response = client.post(f"/visits/{visit.id}/photos",
                           data={"photos": [(io.BytesIO(jpeg_with_gps()), "c.jpg")]},
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/visits/{visit.id}#visit-photos")
    assert db.session.scalar(select(db.func.count(VisitPhoto.id))) == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "add_photo"))
    empty = client.post(f"/visits/{visit.id}/photos", data={}, follow_redirects=True)
    assert "请先选择照片" in empty.get_data(as_text=True)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a photo at all", "不是可以读取的照片"),
        (bomb_png(), "像素过多"),
        (b"", None),  # an empty file field: nothing chosen, the visit saves
    ],
    ids=["not-a-photo", "bomb", "empty"],
)
def test_a_bad_photo_refuses_the_save_with_a_chinese_message(
    make_elder,
    recorder,
    login,
    uploads,
    content,
    message,
):
    elder = make_elder()
    client = login(recorder)
    response = post_visit(client, elder, [("x.jpg" if content else "", content)],
                          note="燃气灶已检查")  # fmt: skip
    if message is None:
        assert response.status_code == 302
        assert db.session.scalar(select(db.func.count(VisitPhoto.id))) == 0
        return
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in text
    assert 'id="photos-error"' in text
    assert "燃气灶已检查" in text  # the typed visit is kept
    assert db.session.scalar(select(Visit)) is None
    assert not list(uploads.rglob("*.jpg"))


def test_size_and_count_limits(app, make_elder, recorder, login, uploads):
    app.config["CASEMAN_PHOTO_MAX_BYTES"] = 2000
    app.config["CASEMAN_PHOTOS_PER_VISIT"] = 2
    elder = make_elder()
    client = login(recorder)
    big = jpeg_with_gps(size=(400, 400))
    assert len(big) > 2000
    text = post_visit(client, elder, [("big.jpg", big)]).get_data(as_text=True)
    assert "照片大于" in text
    small = jpeg_with_gps(size=(8, 8))
    three = [("a.jpg", small), ("b.jpg", small), ("c.jpg", small)]
    text = post_visit(client, elder, three).get_data(as_text=True)
    assert "每次探访最多保存2张照片" in text
    assert db.session.scalar(select(Visit)) is None
    # The request may be as large as the photos allowed, not only the site's 16 MB.
    app.config["CASEMAN_PHOTO_MAX_BYTES"] = 10 << 20
    app.config["CASEMAN_PHOTOS_PER_VISIT"] = 3
    huge = b"\xff\xd8" + b"\0" * (17 << 20)
    data = form_data()
    data["photos"] = FileStorage(io.BytesIO(huge), "huge.jpg", content_type="image/jpeg")
    boundary, body = encode_multipart(data)  # in memory: the test client would spool a file
    response = client.post(f"/elders/{elder.id}/visits/new", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")  # fmt: skip
    assert response.status_code == 400  # the photo limit, not 413 for the whole request
    assert "照片大于10兆字节" in response.get_data(as_text=True)


def test_the_place_is_recorded_only_with_consent(make_elder, recorder, login, uploads):
    elder = make_elder()
    client = login(recorder)
    place = {"place_latitude": "29.7203451", "place_longitude": "106.6301234",
             "place_accuracy": "14.6"}  # fmt: skip
    post_visit(client, elder, **place)  # coordinates without the box ticked: not recorded
    assert db.session.scalar(select(VisitPlace)) is None
    post_visit(client, elder, place_consent="y", **place)
    stamp = db.session.scalar(select(VisitPlace))
    assert (stamp.latitude, stamp.longitude, stamp.accuracy_m) == (29.720345, 106.630123, 15)
    page = client.get(f"/visits/{stamp.visit_id}").get_data(as_text=True)
    assert "29.72034, 106.63012" in page
    assert "精度约15米" in page
    assert 'href="geo:29.720345,106.630123"' in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "record_place"))
    text = post_visit(client, elder, place_consent="y", place_latitude="north",
                      note="位置没取到").get_data(as_text=True)  # fmt: skip
    assert "未能取得位置" in text
    assert "位置没取到" in text


def test_a_wrong_photo_is_withdrawn_with_a_reason_and_shown_to_nobody(
    app, make_elder, recorder, make_user, login, uploads
):
    """Nothing is deleted: a wrong photo (another elder's face) is withdrawn with a reason. From
    then on the visit page, the case history and the photo's own address show it to nobody, the
    visit says when, by whom and why, the file stays on disk, and the change is audited."""
    elder = make_elder()
    client = login(recorder)
    post_visit(client, elder, [("a.jpg", jpeg_with_gps()), ("b.jpg", jpeg_with_gps())])
    visit = db.session.scalar(select(Visit))
    wrong, kept = db.session.scalars(select(VisitPhoto).order_by(VisitPhoto.id)).all()
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert f"/visits/photos/{wrong.id}/withdraw" in page

    other = login(make_user("village", "baiyan"))
    assert other.get(f"/visits/photos/{wrong.id}/withdraw").status_code == 404
    assert (
        other.post(f"/visits/photos/{wrong.id}/withdraw", data={"reason": "x"}).status_code == 404
    )

    refused = client.post(f"/visits/photos/{wrong.id}/withdraw", data={"reason": "  "})
    assert refused.status_code == 400
    assert "请说明撤回照片的原因" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(VisitPhoto, wrong.id).withdrawn_at is None

    done = client.post(f"/visits/photos/{wrong.id}/withdraw", data={"reason": "拍到了邻居老人"})
    assert done.status_code == 302
    db.session.expire_all()
    photo = db.session.get(VisitPhoto, wrong.id)
    assert photo.withdraw_reason == "拍到了邻居老人"
    assert photo.withdrawn_by_id == recorder.id
    assert (uploads / photo.stored_as).is_file()  # kept: nothing is deleted
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert f"/visits/photos/{wrong.id}/thumb" not in page
    assert f"/visits/photos/{kept.id}/thumb" in page
    assert "拍到了邻居老人" in page
    assert client.get(f"/visits/photos/{wrong.id}").status_code == 404
    assert client.get(f"/visits/photos/{wrong.id}/thumb").status_code == 404
    history = client.get(f"/elders/{elder.id}/history").get_data(as_text=True)
    assert f"/visits/photos/{wrong.id}/thumb" not in history
    assert f"/visits/photos/{kept.id}/thumb" in history
    town = login(make_user("town", "muer"))
    assert town.get(f"/visits/photos/{wrong.id}").status_code == 404
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "withdraw_photo"))
    assert (event.object_id, event.elder_id, event.detail) == (wrong.id, elder.id, "拍到了邻居老人")

    # A withdrawn photo no longer counts towards the visit's limit.
    app.config["CASEMAN_PHOTOS_PER_VISIT"] = 2
    photo = {"photos": [(io.BytesIO(jpeg_with_gps()), "c.jpg")]}
    added = client.post(f"/visits/{visit.id}/photos", data=photo,
                        content_type="multipart/form-data")  # fmt: skip
    assert added.status_code == 302
    assert db.session.scalar(select(db.func.count(VisitPhoto.id))) == 3
