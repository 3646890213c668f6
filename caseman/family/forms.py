"""Family-duty forms: shape only (the rules are in services and caseman/rules/family_duty)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from caseman.family.labels import METHOD, RHYTHM
from caseman.forms import BaseForm

REQUIRED = _l("Please fill this in.")


class DutyForm(BaseForm):
    is_away = BooleanField(_l("Away from the elder's town or street"))
    away_place = StringField(_l("Where they are (city, work place)"), validators=[Length(max=100)])
    rhythm = SelectField(
        _l("Keeps in touch"),
        choices=[("", _l("No reminder asked")), *((k.value, v) for k, v in RHYTHM.items())],
        validators=[Optional()],
    )
    note = StringField(_l("Note"), validators=[Length(max=300)])
    submit = SubmitField(_l("Save"))


class ContactForm(BaseForm):
    contacted_on = DateField(_l("Date of contact"), validators=[InputRequired(REQUIRED)])
    method = RadioField(
        _l("How"),
        choices=[(k.value, v) for k, v in METHOD.items()],
        validators=[InputRequired(_l("Please choose one."))],
    )
    note = StringField(_l("What was said"), validators=[Length(max=300)])
    submit = SubmitField(_l("Record the contact"))


class EntrustmentForm(BaseForm):
    entrusting = SelectField(
        _l("Entrusting family member"),
        # DataRequired too: spaces pass InputRequired and become the blank choice "—".
        validators=[
            InputRequired(_l("Please choose one.")),
            DataRequired(_l("Please choose one.")),
        ],
    )
    entrusted_name = StringField(
        _l("Entrusted person or organisation"),
        validators=[InputRequired(REQUIRED), Length(max=100)],
    )
    entrusted_is_organisation = BooleanField(_l("An organisation (care home, service centre)"))
    entrusted_phone = StringField(_l("Their phone"), validators=[Length(max=20)])
    starts_on = DateField(_l("From"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("To (leave empty if open-ended)"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Length(max=300)])
    scan = FileField(_l("Scan of the signed agreement (PDF, JPEG or PNG, at most 10 MB)"))
    submit = SubmitField(_l("Save the agreement"))
