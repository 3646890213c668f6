"""The form that withdraws a wrong photo: shape only (the rule is in the service)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField, TextAreaField

from caseman.forms import BaseForm


class WithdrawPhotoForm(BaseForm):
    reason = TextAreaField(
        _l("Why is the photo withdrawn?"),
        description=_l("For example: a photo of another elder, or taken without consent."),
    )
    submit = SubmitField(_l("Withdraw the photo"))
