"""The signed-scan upload form and the batch-printing form."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

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


class BatchForm(BaseForm):
    """Print many forms in one PDF: every 附件2 of an area, or every 附件3 of a period."""

    kind = RadioField(
        _l("Forms"),
        choices=[
            ("annex2", _l("Registration forms (Annex 2) of every elder in the caseload")),
            ("annex3", _l("Visit records (Annex 3) of every visit in the period")),
        ],
        default="annex2",
        validators=[InputRequired(_l("Please choose one."))],
    )
    area = SelectField(
        _l("Town or village"), coerce=int, validators=[InputRequired(_l("Please choose one."))]
    )
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.kind.data == "annex3":
            if self.start.data is None:
                self.start.errors.append(_l("Give the first day of the period."))
            if self.end.data is None:
                self.end.errors.append(_l("Give the last day of the period."))
            if self.start.data and self.end.data and self.start.data > self.end.data:
                self.end.errors.append(_l("The period ends before it starts."))
        return not (self.start.errors or self.end.errors)
