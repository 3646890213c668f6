"""JSON answers of the visit and care forms to the offline sender (static/js/offline.js).

The sender posts the form's own fields to the form's own address, with the record's key in the
``X-Idempotency-Key`` header and ``Accept: application/json``: the view checks and saves it as
it would a form typed online, and answers here instead of with a page.
"""

from __future__ import annotations

import re
from typing import Any

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

KEY_HEADER = "X-Idempotency-Key"
# A key the browser makes (crypto.randomUUID) or the form carried: 36 characters at most, the
# width of the submission_key columns.
HEX = "[0-9a-f]"
KEY_SHAPE = re.compile(f"{HEX}{{8}}-{HEX}{{4}}-{HEX}{{4}}-{HEX}{{4}}-{HEX}{{12}}", re.IGNORECASE)


def wants_json() -> bool:
    """Whether the offline sender posted this form (it asks for JSON and gives a key)."""
    return request.method == "POST" and KEY_HEADER in request.headers


def idempotency_key() -> str | None:
    """The record's key from the header, or None when it is not a key of the right shape."""
    key = request.headers.get(KEY_HEADER, "").strip()
    return key.lower() if KEY_SHAPE.fullmatch(key) else None


def bad_key() -> Any:
    return jsonify(status="refused", message=_("This record cannot be sent: it has no valid key."),
                   errors=[]), 400  # fmt: skip


def saved(number: int, endpoint: str, **values: int) -> Any:
    """Saved now (the record's page is ``endpoint`` with ``values``): the browser forgets it."""
    return jsonify(status="saved", number=number, url=url_for(endpoint, **values)), 201


def duplicate(endpoint: str, **values: int) -> Any:
    """Saved before (the same key was sent twice): nothing new was saved."""
    return jsonify(status="duplicate", url=url_for(endpoint, **values)), 200


def refused(form: FlaskForm | None = None, message: str | None = None) -> Any:
    """Not saved: the messages beside each field, as the page would show them."""
    errors: list[dict[str, str]] = []
    if form is not None:
        for name, field in form._fields.items():
            if name == "csrf_token":
                continue
            for text in field.errors if isinstance(field.errors, list) else []:
                errors.append({"field": name, "label": str(field.label.text), "message": str(text)})
        errors.extend({"field": "", "label": "", "message": str(t)} for t in form.form_errors)
    if message:
        errors.append({"field": "", "label": "", "message": message})
    return jsonify(status="refused", message=_("This record was not saved."), errors=errors), 422
