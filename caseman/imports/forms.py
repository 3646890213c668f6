"""The ledger upload form and the (field-less) forms that carry the CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from caseman.forms import BaseForm


class UploadForm(BaseForm):
    sheet = FileField(
        _l("Ledger (Annex 1 layout, .xlsx or .csv, at most 15 MB)"),
        validators=[FileRequired(_l("Choose the file."))],
    )


class PairingUploadForm(BaseForm):
    sheet = FileField(
        _l("Pairing ledger (Annex 2 of the mutual-aid notice, .xlsx or .csv, at most 15 MB)"),
        validators=[FileRequired(_l("Choose the file."))],
    )


class ConfirmForm(BaseForm):
    """Re-check with the ticked village matches, or import: the token is in the URL."""
