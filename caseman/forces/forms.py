"""Forms of the service-force register, the visit contact and the risk level: shape only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Regexp

from caseman.elders.labels import choices
from caseman.forces.labels import FORCE_KIND, RISK_LEVEL
from caseman.forms import BaseForm

REQUIRED = _l("Please fill this in.")
CHOOSE = _l("Please choose one.")


class ForceForm(BaseForm):
    name = StringField(_l("Name"), validators=[InputRequired(REQUIRED), Length(max=32)])
    kind = SelectField(
        _l("Kind of service force"),
        choices=[("", "—"), *choices(FORCE_KIND)],
        validators=[InputRequired(CHOOSE)],
    )
    phone = StringField(
        _l("Phone"),
        validators=[
            Length(max=20),
            Regexp(
                r"^([0-9-]{7,20})?$",
                message=_l("Enter a phone number of digits, such as 13800000000."),
            ),
        ],
    )
    area_id = SelectField(_l("Area"), choices=[], validators=[InputRequired(CHOOSE)])
    organisation = StringField(_l("Unit"), validators=[Length(max=100)])
    note = TextAreaField(_l("Note"), validators=[Length(max=300)])
    submit = SubmitField(_l("Save"))


class ArchiveForceForm(BaseForm):
    reason = StringField(_l("Reason"), validators=[InputRequired(REQUIRED), Length(max=300)])
    submit = SubmitField(_l("Archive"))


class ContactForm(BaseForm):
    force = SelectField(_l("Visit contact"), choices=[])
    note = StringField(_l("Note"), validators=[Length(max=300)])
    submit = SubmitField(_l("Save"))


class RiskOverrideForm(BaseForm):
    level = SelectField(
        _l("Risk level"),
        choices=[("", "—"), *choices(RISK_LEVEL)],
        validators=[InputRequired(CHOOSE)],
    )
    reason = TextAreaField(
        _l("Why it differs from the level worked out"),
        validators=[InputRequired(REQUIRED), Length(max=300)],
    )
    submit = SubmitField(_l("Set the risk level"))


class ClearOverrideForm(BaseForm):
    submit = SubmitField(_l("Use the level worked out"))
