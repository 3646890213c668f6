"""Photos and place at a visit: made safe, stored, recorded. Services flush; the view commits."""

from __future__ import annotations

import hashlib
import io
import math
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select

from caseman import audit, clock
from caseman.auth.models import User
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.photos.models import VisitPhoto, VisitPlace
from caseman.rules.enums import N_
from caseman.visits.models import Visit

try:  # HEIC/HEIF (iPhones) when the optional pillow-heif plugin is installed
    from pillow_heif import register_heif_opener  # type: ignore[import-not-found]

    register_heif_opener()
    FORMATS = {"JPEG", "PNG", "WEBP", "MPO", "HEIF"}
except ImportError:  # pragma: no cover - depends on the installation
    FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}

LONG_EDGE = 2560  # pixels kept of the long edge: enough to read a gas meter, not 50 MB a visit
THUMB_EDGE = 480
MAX_PIXELS = 50_000_000  # a 50-megapixel camera; more is refused before decoding (a "bomb")
QUALITY = 85


@dataclass(frozen=True)
class CleanPhoto:
    """A photo rebuilt from its pixels only: JPEG bytes of the photo and of its thumbnail."""

    content: bytes
    thumbnail: bytes
    width: int
    height: int


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def clean_photo(content: bytes, max_bytes: int) -> CleanPhoto:
    """Read an uploaded photo and make it again from its pixels alone.

    The camera's orientation is applied first (ImageOps.exif_transpose); then only the pixels
    are copied into a new image, so EXIF (GPS position, time, phone), XMP, ICC and comments of
    the upload never reach the stored JPEG. Raises DomainError("photos") for anything else.
    """
    if not content:
        raise DomainError("photos", N_("The photo file is empty."))
    if len(content) > max_bytes:
        raise DomainError(
            "photos", N_("A photo is larger than %(size)s MB."), size=max_bytes // (1024 * 1024)
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content)) as upload:
                if upload.format not in FORMATS:
                    raise DomainError("photos", N_("Upload photos as JPEG or PNG."))
                width, height = upload.size
                if width * height > MAX_PIXELS:
                    raise DomainError("photos", N_("A photo has too many pixels to be read."))
                upload.seek(0)  # the first frame of an MPO or animated image
                upright = ImageOps.exif_transpose(upload)
                if upright.mode in ("RGBA", "LA", "P", "PA"):
                    upright = upright.convert("RGBA")
                    background = Image.new("RGB", upright.size, "white")
                    background.paste(upright, mask=upright.getchannel("A"))
                    upright = background
                else:
                    upright = upright.convert("RGB")
                upright.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.LANCZOS)
                # Pixels only: a new image has no info, EXIF, XMP or ICC profile to carry over.
                clean = Image.frombytes("RGB", upright.size, upright.tobytes())
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise DomainError("photos", N_("A photo has too many pixels to be read.")) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise DomainError(
                "photos", N_("A file is not a photo that can be read (JPEG or PNG).")
            ) from exc
    thumbnail = clean.copy()
    thumbnail.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    return CleanPhoto(_jpeg(clean), _jpeg(thumbnail), clean.width, clean.height)


def count_photos(visit: Visit) -> int:
    return (
        db.session.scalar(
            select(func.count(VisitPhoto.id)).where(
                VisitPhoto.visit_id == visit.id, VisitPhoto.withdrawn_at.is_(None)
            )
        )
        or 0
    )


REASON_MAX = 200


def withdraw_photo(actor: User, photo: VisitPhoto, reason: str) -> None:
    """Withdraw a wrong photo with a reason: from then on nobody is shown it (the visit page,
    the case history and its address answer as if it were not there), and it no longer counts
    towards the visit's photos. The file stays where it is: nothing is deleted."""
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("reason", N_("Say why the photo is withdrawn."))
    if len(reason) > REASON_MAX:
        raise DomainError("reason", N_("Write at most %(count)s characters."), count=REASON_MAX)
    if photo.withdrawn_at is not None:
        raise DomainError("reason", N_("This photo was already withdrawn."))
    photo.withdrawn_at = clock.utcnow()
    photo.withdrawn_by_id = actor.id
    photo.withdraw_reason = reason
    db.session.flush()
    audit.record("withdraw_photo", object_type="photo", object_id=photo.id,
                 elder_id=photo.elder_id, detail=reason, user=actor)  # fmt: skip


def add_visit_photos(
    actor: User,
    visit: Visit,
    uploads: list[bytes],
    folder: Path,
    *,
    max_bytes: int,
    max_count: int,
) -> list[VisitPhoto]:
    """Attach photos to a visit. Every photo is checked before any is stored: one bad file
    stores none, and the visit form says which rule it broke."""
    if not uploads:
        return []
    if visit.is_void:
        raise DomainError("photos", N_("A voided record cannot be changed."))
    if count_photos(visit) + len(uploads) > max_count:
        raise DomainError("photos", N_("A visit keeps at most %(count)s photos."), count=max_count)
    cleaned = [clean_photo(content, max_bytes) for content in uploads]
    photos = []
    year = str(clock.today().year)
    for photo in cleaned:
        # A random name: nothing about the elder or the visit can be read or guessed from it.
        token = secrets.token_hex(16)
        relative = Path("photos") / year / f"{token}.jpg"
        thumb = Path("photos") / year / f"{token}-thumb.jpg"
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(photo.content)
        (folder / thumb).write_bytes(photo.thumbnail)
        row = VisitPhoto(
            visit_id=visit.id,
            elder_id=visit.elder_id,
            stored_as=str(relative),
            thumbnail_as=str(thumb),
            width=photo.width,
            height=photo.height,
            size=len(photo.content),
            sha256=hashlib.sha256(photo.content).hexdigest(),
            uploaded_by_id=actor.id,
        )
        db.session.add(row)
        photos.append(row)
    db.session.flush()
    audit.record("add_photo", object_type="visit", object_id=visit.id, elder_id=visit.elder_id,
                 detail=f"files={len(photos)}", user=actor)  # fmt: skip
    return photos


def parse_place(latitude: str, longitude: str, accuracy: str) -> tuple[float, float, int | None]:
    """The browser's position as numbers, or DomainError("place") when it is not a position."""
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError) as exc:
        raise DomainError(
            "place", N_("The location could not be read: try again, or untick the box.")
        ) from exc
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        raise DomainError(
            "place", N_("The location could not be read: try again, or untick the box.")
        )
    try:
        metres: int | None = round(float(accuracy))
    except (TypeError, ValueError, OverflowError):
        metres = None
    if metres is not None and not 0 <= metres <= 100_000:
        metres = None
    return round(lat, 6), round(lng, 6), metres


def record_place(
    actor: User, visit: Visit, latitude: float, longitude: float, accuracy_m: int | None
) -> VisitPlace:
    """Record where the visit was (once; the first stamp stays)."""
    place = db.session.get(VisitPlace, visit.id)
    if place is not None:
        return place
    place = VisitPlace(visit_id=visit.id, latitude=latitude, longitude=longitude,
                       accuracy_m=accuracy_m, recorded_by_id=actor.id)  # fmt: skip
    db.session.add(place)
    db.session.flush()
    audit.record("record_place", object_type="visit", object_id=visit.id,
                 elder_id=visit.elder_id, user=actor)  # fmt: skip
    return place
