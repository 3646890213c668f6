"""Transfer forms: shape only (the rules are in services and caseman/rules/transfers)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from caseman.forms import BaseForm

REQUIRED = _l("Please fill this in.")


class StartForm(BaseForm):
    to_area = SelectField(
        _l("Receiving village or community"),
        validators=[InputRequired(_l("Choose a village or community."))],
    )
    to_address = StringField(_l("New residence address"), validators=[Optional(), Length(max=200)])
    reason = TextAreaField(_l("Why the case moves"),
                           validators=[InputRequired(REQUIRED), Length(max=300)])  # fmt: skip
    submit = SubmitField(_l("Send the transfer request"))


class AcceptForm(BaseForm):
    visitor = SelectField(_l("New visitor"), validators=[Optional()])
    owner = SelectField(_l("Who takes over the open referrals and risks"),
                        validators=[Optional()])  # fmt: skip
    submit = SubmitField(_l("Accept the case"))


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(REQUIRED), Length(max=300)])
