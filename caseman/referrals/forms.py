"""Referral, risk, status and follow-up forms: shape only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from caseman.elders.labels import choices
from caseman.forms import BaseForm
from caseman.referrals import labels
from caseman.visits import labels as visit_labels

REQUIRED = _l("Please fill this in.")
DATE_MESSAGE = _l("Enter a date such as 2026-11-22.")
TIME_MESSAGE = _l("Enter a date and time.")


class ReferralForm(BaseForm):
    submission_key = HiddenField()
    need = RadioField(
        _l("Need"), choices=choices(visit_labels.NEED), validators=[InputRequired(REQUIRED)]
    )
    description = TextAreaField(
        _l("What is needed"), validators=[InputRequired(REQUIRED), Length(max=2000)]
    )
    visit_id = SelectField(_l("Found on visit"), choices=[("", "—")], default="")
    owner_id = SelectField(_l("Owner"), validators=[InputRequired(REQUIRED)])
    follow_up_on = DateField(_l("Follow up by"), validators=[Optional()])
    benefit = SelectField(
        _l("Benefit applied for"), choices=[("", "—"), *choices(labels.BENEFIT)], default=""
    )


class ReferralStatusForm(BaseForm):
    version = HiddenField()
    status = HiddenField()
    # Asked before referring: the elder's consent to share their details (caseman.rules.consent)
    consent_answer = RadioField(
        _l("Did the elder (or guardian) agree that their details go to this service?"),
        choices=choices(labels.CONSENT_ANSWER), validators=[Optional()],
    )  # fmt: skip
    consent_by = StringField(_l("Who answered"), validators=[Length(max=100)])
    consent_way = RadioField(
        _l("How"), choices=choices(labels.CONSENT_WAY), validators=[Optional()]
    )
    consent_on = DateField(_l("Date of the answer"), validators=[Optional()])
    referred_to = StringField(_l("Referred to (organisation or service)"),
                              validators=[Length(max=200)])  # fmt: skip
    referred_contact = StringField(_l("Contact there"), validators=[Length(max=100)])
    note = TextAreaField(_l("Outcome, reason or note"), validators=[Length(max=2000)])
    follow_up_on = DateField(_l("Next follow-up by"), validators=[Optional()])
    benefit = SelectField(
        _l("Benefit applied for"), choices=[("", "—"), *choices(labels.BENEFIT)], default=""
    )
    benefit_applied_on = DateField(_l("Date applied"), validators=[Optional()])
    benefit_outcome = SelectField(
        _l("Outcome of the application"),
        choices=[("", "—"), *choices(labels.BENEFIT_OUTCOME)],
        default="",
    )


class FollowUpForm(BaseForm):
    followed_on = DateField(_l("Follow-up date"), validators=[InputRequired(DATE_MESSAGE)])
    method = RadioField(
        _l("Method"), choices=choices(visit_labels.METHOD), validators=[InputRequired(REQUIRED)]
    )
    findings = TextAreaField(
        _l("What was found"), validators=[InputRequired(REQUIRED), Length(max=2000)]
    )
    next_follow_up_on = DateField(_l("Next follow-up by"), validators=[Optional()])


class RiskForm(BaseForm):
    submission_key = HiddenField()
    risk_type = RadioField(
        _l("Type"), choices=choices(labels.RISK_TYPE), validators=[InputRequired(REQUIRED)]
    )
    severity = RadioField(
        _l("Severity"), choices=choices(labels.SEVERITY), validators=[InputRequired(REQUIRED)]
    )
    occurred_at = DateTimeLocalField(
        _l("When"), validators=[InputRequired(TIME_MESSAGE)], format="%Y-%m-%dT%H:%M"
    )
    description = TextAreaField(
        _l("What happened"), validators=[InputRequired(REQUIRED), Length(max=2000)]
    )
    emergency_called = BooleanField(_l("Emergency number called"))
    emergency_number = StringField(_l("Number called"), validators=[Length(max=20)])
    contact_reached = StringField(
        _l("Family member or emergency contact reached"), validators=[Length(max=100)]
    )
    contact_reached_at = DateTimeLocalField(
        _l("Reached at"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    actions = TextAreaField(_l("What was done"), validators=[Length(max=2000)])
    visit_id = SelectField(_l("Found on visit"), choices=[("", "—")], default="")
    owner_id = SelectField(_l("Owner"), validators=[InputRequired(REQUIRED)])
    follow_up_on = DateField(_l("Follow up by"), validators=[Optional()])


class RiskStatusForm(BaseForm):
    version = HiddenField()
    status = HiddenField()
    note = TextAreaField(_l("Outcome, reason or note"), validators=[Length(max=2000)])
