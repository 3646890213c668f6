"""The photos and place sent with the visit form (multipart), handed to the services.

The visit views call :func:`attach_from_request` right after the visit is recorded, in the
same transaction: a photo refused refuses the save, and the form shows why beside the photo
field (:func:`photo_errors`, read by templates/photos/_visit_form_section.html).
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, request

from caseman.auth.models import User
from caseman.errors import DomainError
from caseman.i18n import translate_message
from caseman.photos.services import add_visit_photos, parse_place, record_place
from caseman.visits.models import Visit

# The visit form's endpoints, which may carry photos: their requests may be larger.
PHOTO_ENDPOINTS = ("visits.new", "visits.edit", "photos.add")
ERRORS_KEY = "caseman.photo_errors"


def photo_errors() -> dict[str, list[str]]:
    """The messages of this request's photo or place refusal, by field ("photos", "place")."""
    return request.environ.get(ERRORS_KEY, {})


def allow_photo_uploads() -> None:
    """Raise the request size limit for the forms that carry photos (before_app_request)."""
    if request.endpoint in PHOTO_ENDPOINTS and request.method == "POST":
        config = current_app.config
        request.max_content_length = config["CASEMAN_PHOTO_MAX_BYTES"] * config[
            "CASEMAN_PHOTOS_PER_VISIT"
        ] + (1 << 20)


def uploaded_photos() -> list[bytes]:
    """The files chosen in the photo field (an empty field posts one nameless empty part)."""
    limit = current_app.config["CASEMAN_PHOTO_MAX_BYTES"]
    return [
        # One byte over the limit is enough to refuse a file without reading it all.
        upload.read(limit + 1)
        for upload in request.files.getlist("photos")
        if upload.filename
    ]


def attach_from_request(actor: User, visit: Visit, with_place: bool = True) -> int:
    """Store the photos and (ticked, with the elder's consent) the place sent with the form;
    returns how many photos were stored."""
    config = current_app.config
    try:
        if with_place and request.form.get("place_consent"):
            latitude, longitude, accuracy = parse_place(
                request.form.get("place_latitude", ""),
                request.form.get("place_longitude", ""),
                request.form.get("place_accuracy", ""),
            )
            record_place(actor, visit, latitude, longitude, accuracy)
        photos = add_visit_photos(
            actor,
            visit,
            uploaded_photos(),
            Path(config["CASEMAN_UPLOADS"]),
            max_bytes=config["CASEMAN_PHOTO_MAX_BYTES"],
            max_count=config["CASEMAN_PHOTOS_PER_VISIT"],
        )
    except DomainError as exc:
        text = translate_message(exc.message, exc.params)
        request.environ[ERRORS_KEY] = {exc.field: [text]}
        raise
    return len(photos)
