"""Mutual-aid forms: shape only (required, length, choices), labels with ``_l()``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from caseman.elders.labels import GENDER, choices
from caseman.forms import BaseForm, MultiCheckboxField
from caseman.mutual_aid import labels

REQUIRED = _l("Please fill this in.")
WHOLE = _l("Enter a whole number.")


def _coordinate(label: object, low: float, high: float) -> DecimalField:
    return DecimalField(
        label,
        places=6,
        validators=[Optional(), NumberRange(low, high, _l("Out of range."))],
        render_kw={"inputmode": "decimal"},
    )


class MemberForm(BaseForm):
    role = RadioField(
        _l("Role"), choices=choices(labels.ROLE), validators=[InputRequired(REQUIRED)]
    )
    name = StringField(_l("Name"), validators=[InputRequired(REQUIRED), Length(max=32)])
    gender = RadioField(_l("Gender"), choices=choices(GENDER), validators=[InputRequired(REQUIRED)])
    birth_year = IntegerField(
        _l("Year of birth"),
        validators=[Optional(), NumberRange(1900, 2100, _l("Out of range."))],
    )
    phone = StringField(_l("Phone"), validators=[Length(max=20)])
    address = StringField(_l("Address"), validators=[Length(max=200)])
    organisation = StringField(_l("Social-work organisation"), validators=[Length(max=100)])
    group_id = SelectField(_l("Villager group"), choices=[("", "—")], default="")
    elder_id = SelectField(_l("Is this registered elder"), choices=[("", "—")], default="")
    started_on = DateField(_l("From"), validators=[InputRequired(REQUIRED)])


class AidPointForm(BaseForm):
    kind = RadioField(
        _l("Kind"), choices=choices(labels.POINT_KIND), validators=[InputRequired(REQUIRED)]
    )
    name = StringField(_l("Name"), validators=[InputRequired(REQUIRED), Length(max=64)])
    address = StringField(_l("Address"), validators=[Length(max=200)])
    latitude = _coordinate(_l("Latitude"), -90, 90)
    longitude = _coordinate(_l("Longitude"), -180, 180)
    functions = StringField(_l("Functions offered"), validators=[Length(max=300)])
    opened_on = DateField(_l("Open since"), validators=[InputRequired(REQUIRED)])


class PairedElderFields(BaseForm):
    """The elder in a pairing: chosen from the caseload, or a 社会老人 with the basic facts."""

    elder_id = SelectField(_l("Elder from the caseload"), choices=[("", "—")], default="")
    elder_name = StringField(_l("Or: name of another village elder"), validators=[Length(max=32)])
    elder_gender = SelectField(_l("Gender"), choices=[("", "—"), *choices(GENDER)], default="")
    elder_birth_year = IntegerField(
        _l("Year of birth"), validators=[Optional(), NumberRange(1900, 2100, _l("Out of range."))]
    )
    elder_phone = StringField(_l("Phone"), validators=[Length(max=20)])
    elder_address = StringField(_l("Address"), validators=[Length(max=200)])
    has_children = BooleanField(_l("Has children"))
    living = RadioField(
        _l("Living"), choices=choices(labels.LIVING), validators=[InputRequired(REQUIRED)]
    )
    is_disabled = BooleanField(_l("Cannot look after themselves (disabled)"))
    elder_type = SelectField(
        _l("Elder type"), choices=choices(labels.ELDER_TYPE), validators=[InputRequired(REQUIRED)]
    )
    latitude = _coordinate(_l("Latitude of the home"), -90, 90)
    longitude = _coordinate(_l("Longitude of the home"), -180, 180)
    note = StringField(_l("Note"), validators=[Length(max=200)])


class PairingForm(PairedElderFields):
    kind = RadioField(
        _l("Kind"), choices=choices(labels.PAIRING_KIND), validators=[InputRequired(REQUIRED)]
    )
    name = StringField(_l("Group name (area-based groups)"), validators=[Length(max=64)])
    helper_ids = MultiCheckboxField(_l("Helpers"), choices=[], coerce=str)
    started_on = DateField(_l("From"), validators=[InputRequired(REQUIRED)])


class HelpForm(BaseForm):
    helped_on = DateField(_l("Date"), validators=[InputRequired(REQUIRED)])
    kind = RadioField(
        _l("Kind of help"), choices=choices(labels.HELP_KIND), validators=[InputRequired(REQUIRED)]
    )
    helper_id = SelectField(_l("By"), validators=[InputRequired(REQUIRED)])
    what = StringField(_l("What was done"), validators=[Length(max=300)])
    rate_id = SelectField(_l("Award points for"), choices=[("", "—")], default="")


class RateForm(BaseForm):
    service = StringField(_l("Service"), validators=[InputRequired(REQUIRED), Length(max=64)])
    points = IntegerField(
        _l("Points"), validators=[InputRequired(REQUIRED), NumberRange(1, 10000, WHOLE)]
    )


class AwardForm(BaseForm):
    member_id = SelectField(_l("Team member"), validators=[InputRequired(REQUIRED)])
    rate_id = SelectField(_l("Service"), validators=[InputRequired(REQUIRED)])
    entry_on = DateField(_l("Date"), validators=[InputRequired(REQUIRED)])
    note = StringField(_l("For whom or what"), validators=[Length(max=120)])


class RedeemForm(BaseForm):
    member_id = SelectField(_l("Team member"), validators=[InputRequired(REQUIRED)])
    points = IntegerField(
        _l("Points"), validators=[InputRequired(REQUIRED), NumberRange(1, 100000, WHOLE)]
    )
    goods = StringField(_l("Exchanged for"), validators=[InputRequired(REQUIRED), Length(max=120)])
    entry_on = DateField(_l("Date"), validators=[InputRequired(REQUIRED)])


class ReasonForm(BaseForm):
    reason = StringField(_l("Reason"), validators=[InputRequired(REQUIRED), Length(max=150)])


class EndForm(BaseForm):
    ended_on = DateField(_l("Ended on"), validators=[InputRequired(REQUIRED)])


class ActivityForm(BaseForm):
    kind = SelectField(
        _l("Type"), choices=choices(labels.ACTIVITY), validators=[InputRequired(REQUIRED)]
    )
    held_on = DateField(_l("Date"), validators=[InputRequired(REQUIRED)])
    place = StringField(_l("Place"), validators=[Length(max=100)])
    elders_count = IntegerField(
        _l("Elders taking part"),
        validators=[InputRequired(REQUIRED), NumberRange(0, 100000, WHOLE)],
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000)])


class FundForm(BaseForm):
    source = SelectField(
        _l("Source"), choices=choices(labels.FUND_SOURCE), validators=[InputRequired(REQUIRED)]
    )
    donor = StringField(_l("Donor"), validators=[Length(max=100)])
    amount = DecimalField(
        _l("Amount (yuan)"),
        places=2,
        validators=[InputRequired(REQUIRED), NumberRange(0.01, 100000000, _l("Out of range."))],
    )
    received_on = DateField(_l("Received on"), validators=[InputRequired(REQUIRED)])
    use = StringField(_l("Used for"), validators=[Length(max=200)])
