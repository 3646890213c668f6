"""Benefit application forms: shape only (the rules are in services and caseman/rules/benefits)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from caseman.benefits.labels import KIND, OUTCOME
from caseman.forms import BaseForm
from caseman.rules.benefits import Outcome

REQUIRED = _l("Please fill this in.")


class ApplicationForm(BaseForm):
    kind = SelectField(
        _l("Benefit"),
        choices=[("", "—"), *((k.value, v) for k, v in KIND.items())],
        # DataRequired too: spaces pass InputRequired and become the blank choice "—".
        validators=[
            InputRequired(_l("Please choose one.")),
            DataRequired(_l("Please choose one.")),
        ],
    )
    other_name = StringField(_l("Which benefit (for other)"), validators=[Length(max=64)])
    applied_on = DateField(_l("Applied on"), validators=[InputRequired(REQUIRED)])
    note = StringField(_l("Note"), validators=[Length(max=300)])
    submit = SubmitField(_l("Record the application"))


class DecisionForm(BaseForm):
    outcome = RadioField(
        _l("Approval outcome"),
        choices=[(k.value, v) for k, v in OUTCOME.items() if k is not Outcome.PENDING],
        validators=[InputRequired(_l("Please choose one."))],
    )
    decided_on = DateField(_l("Decided on"), validators=[InputRequired(REQUIRED)])
    monthly_amount = DecimalField(
        _l("Amount a month (yuan), if granted"),
        places=2,
        validators=[Optional(), NumberRange(min=0, message=_l("The amount cannot be negative."))],
    )
    reason = StringField(_l("Reason, if refused"), validators=[Length(max=300)])
    submit = SubmitField(_l("Record the outcome"))
