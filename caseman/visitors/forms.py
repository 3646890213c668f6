"""Visitor assignment forms: shape only (the rules are in services and caseman/rules/visitors)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from caseman.forms import BaseForm

REQUIRED = _l("Please fill this in.")


class AssignForm(BaseForm):
    visitor = SelectField(_l("Visitor"), validators=[InputRequired(_l("Choose a visitor."))])
    started_on = DateField(_l("Visitor from"), validators=[InputRequired(REQUIRED)])
    submit = SubmitField(_l("Assign"))


class BulkAssignForm(AssignForm):
    # The count the user saw and confirmed: refused if the filters now match another number.
    expected = HiddenField()
    confirm = BooleanField(_l("Yes, assign all of them"))


class EndForm(BaseForm):
    ended_on = DateField(_l("Ended on"), validators=[InputRequired(REQUIRED)])
    reason = StringField(
        _l("Reason for ending"), validators=[InputRequired(REQUIRED), Length(min=2, max=200)]
    )
    submit = SubmitField(_l("End the assignment"))
