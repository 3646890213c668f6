"""Visit (附件3 part 一), care (part 二) and campaign forms: shape only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from caseman.elders import labels as elder_labels
from caseman.elders.labels import choices
from caseman.forces.labels import force_choices
from caseman.forms import BaseForm, MultiCheckboxField
from caseman.visits import labels

REQUIRED = _l("Please fill this in.")
CHOOSE = _l("Please choose one.")
DATE_MESSAGE = _l("Enter a date such as 2026-11-22.")


def _radio(label: object, mapping: dict) -> RadioField:
    """One assessment item: nothing is ticked until the visitor chooses (issue 17 item 11), so
    an item left alone is refused with a message beside it, never saved as 无变化 / 安全."""
    return RadioField(label, choices=choices(mapping), validators=[InputRequired(CHOOSE)])


class VisitForm(BaseForm):
    version = HiddenField()
    submission_key = HiddenField()
    visited_on = DateField(
        _l("Visit date"), validators=[InputRequired(DATE_MESSAGE)], format="%Y-%m-%d"
    )
    method = _radio(_l("Visit method"), labels.METHOD)
    method_other = StringField(_l("Other method"), validators=[Length(max=64)])
    family_change = _radio(_l("Family size"), labels.FAMILY_CHANGE)
    family_change_count = IntegerField(
        _l("Number of people"),
        validators=[Optional(), NumberRange(min=1, max=20, message=_l("From 1 to 20."))],
    )
    expression = _radio(_l("Ability to express"), labels.TREND)
    mobility = _radio(_l("Mobility"), labels.TREND)
    illness = _radio(_l("Illness"), labels.ILLNESS)
    illness_name = StringField(_l("Name of the illness"), validators=[Length(max=100)])
    mood = _radio(_l("Mood"), labels.TREND)
    gas_safety = _radio(_l("Gas safety"), labels.SAFETY)
    water_heating_safety = _radio(_l("Water and heating safety"), labels.SAFETY)
    electricity_safety = _radio(_l("Electrical safety"), labels.SAFETY)
    personal_hygiene = _radio(_l("Personal hygiene"), labels.TREND)
    home_hygiene = _radio(_l("Home hygiene"), labels.TREND)
    indoor_environment = _radio(_l("Indoor environment"), labels.TREND)
    needs = MultiCheckboxField(_l("Service needs"), choices=choices(labels.NEED))
    needs_note = TextAreaField(_l("Needs in the elder's words"), validators=[Length(max=2000)])
    suggested_care = TextAreaField(_l("Suggested care"), validators=[Length(max=2000)])
    visitor_name = StringField(_l("Visitor"), validators=[InputRequired(REQUIRED), Length(max=64)])
    visited_person_name = StringField(
        _l("Person visited"), validators=[InputRequired(REQUIRED), Length(max=64)]
    )
    recorder_name = StringField(
        _l("Data entered by"), validators=[InputRequired(REQUIRED), Length(max=64)]
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    # 探访力量 (004 一(五)): optional; the choices are in caseman.forces.labels
    force_kind = SelectField(_l("Service force who visited"), choices=force_choices(), default="")


class CareForm(BaseForm):
    version = HiddenField()
    submission_key = HiddenField()
    cared_on = DateField(_l("Care date"), validators=[InputRequired(DATE_MESSAGE)])
    visit_id = SelectField(_l("Visit answered"), choices=[("", "—")], default="")
    need = SelectField(_l("Need answered"), choices=[("", "—"), *choices(labels.NEED)], default="")
    what_was_done = TextAreaField(
        _l("What was done"), validators=[InputRequired(REQUIRED), Length(max=2000)]
    )
    provider = StringField(
        _l("Service person or unit"), validators=[InputRequired(REQUIRED), Length(max=100)]
    )
    satisfaction = RadioField(
        _l("Elder's satisfaction"), choices=choices(labels.SATISFACTION), validators=[Optional()]
    )
    satisfaction_note = StringField(_l("Satisfaction comment"), validators=[Length(max=300)])


class VoidForm(BaseForm):
    version = HiddenField()
    reason = TextAreaField(
        _l("Reason for voiding"), validators=[InputRequired(REQUIRED), Length(max=300)]
    )


class CampaignForm(BaseForm):
    name = StringField(_l("Campaign name"), validators=[InputRequired(REQUIRED), Length(max=100)])
    starts_on = DateField(_l("From"), validators=[InputRequired(DATE_MESSAGE)])
    ends_on = DateField(_l("To"), validators=[InputRequired(DATE_MESSAGE)])
    area_id = SelectField(_l("Area"), validators=[InputRequired(REQUIRED)])
    categories = MultiCheckboxField(
        _l("Categories (none ticked: every category)"), choices=choices(elder_labels.CATEGORY)
    )
    key_only = BooleanField(_l("Key elders only"))
    home_visit_only = BooleanField(_l("Only home visits count"), default=True)
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class CloseForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(REQUIRED), Length(max=300)])
