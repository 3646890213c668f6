"""The district's answer to a submission: shape only (the rules are in services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from caseman.forms import BaseForm


class ReturnForm(BaseForm):
    reason = TextAreaField(
        _l("What the town must put right"),
        validators=[InputRequired(_l("Please fill this in.")), Length(max=500)],
    )
