"""The signed-scan upload form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from caseman.forms import BaseForm


class ScanForm(BaseForm):
    number = StringField(
        _l("Document number (printed beside the QR code)"),
        validators=[InputRequired(_l("Please fill this in.")), Length(max=40)],
    )
    scan = FileField(
        _l("Signed scan (PDF, JPEG or PNG, at most 10 MB)"),
        validators=[FileRequired(_l("Choose the scanned file."))],
    )
