"""Registration form (附件2): shape only; rules live in services and caseman/rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from caseman.elders import labels
from caseman.forms import BaseForm, MultiCheckboxField, SubForm

REQUIRED = _l("Please fill this in.")
PHONE = Regexp(r"^[0-9+\- ]{7,20}$", message=_l("Enter a phone number of 7 to 20 digits."))
NOT_NEGATIVE = NumberRange(min=0, message=_l("The amount cannot be negative."))
GRADES = [("", "—"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")]
YES_NO = [("", _l("Not recorded")), ("yes", _l("Yes")), ("no", _l("No"))]


def _optional_choice(mapping: dict) -> list[tuple[str, object]]:
    return [("", "—"), *labels.choices(mapping)]


class FamilyMemberForm(SubForm):
    name = StringField(_l("Name"), validators=[InputRequired(REQUIRED), Length(max=32)])
    gender = SelectField(_l("Gender"), choices=_optional_choice(labels.GENDER))
    id_number = StringField(_l("ID number"), validators=[Length(max=20)])
    relation = SelectField(_l("Relation"), choices=labels.choices(labels.RELATION))
    health = StringField(_l("Health"), validators=[Length(max=64)])
    is_dibao_or_poverty = BooleanField(_l("Receives dibao or extreme-poverty support"))
    visits_often = BooleanField(_l("Visits often"))
    phone = StringField(_l("Phone"), validators=[Optional(), PHONE])
    residence = SelectField(_l("Lives"), choices=_optional_choice(labels.RESIDENCE))
    working_away_since = DateField(_l("Working away since"), validators=[Optional()])
    is_deceased = BooleanField(_l("Deceased"))
    disability_grade = SelectField(_l("Disability grade"), choices=GRADES)
    is_only_child = BooleanField(_l("Only child"))
    remove = BooleanField(_l("Remove this member"))


class ElderForm(BaseForm):
    version = HiddenField()
    # 一、服务对象基本情况
    name = StringField(_l("Name"), validators=[InputRequired(REQUIRED), Length(max=32)])
    gender = RadioField(
        _l("Gender"), choices=labels.choices(labels.GENDER), validators=[InputRequired(REQUIRED)]
    )
    id_number = StringField(
        _l("Resident ID number"), validators=[InputRequired(REQUIRED), Length(max=24)]
    )
    phone = StringField(_l("Phone"), validators=[Optional(), PHONE])
    emergency_name = StringField(_l("Emergency contact"), validators=[Length(max=32)])
    emergency_gender = SelectField(
        _l("Emergency contact's gender"), choices=_optional_choice(labels.GENDER)
    )
    emergency_phone = StringField(_l("Emergency contact's phone"), validators=[Optional(), PHONE])
    household_area_id = SelectField(_l("Household registration (village)"), choices=[])
    household_address = StringField(_l("Household address detail"), validators=[Length(max=200)])
    residence_area_id = SelectField(
        _l("Residence (village or group)"), choices=[], validators=[InputRequired(REQUIRED)]
    )
    residence_address = StringField(_l("Residence address detail"), validators=[Length(max=200)])
    is_rural_hukou = BooleanField(_l("Rural household registration"))
    # 健康状况
    ability_level = RadioField(
        _l("Ability level"),
        choices=labels.choices(labels.ABILITY),
        validators=[InputRequired(REQUIRED)],
    )
    medical_history = TextAreaField(_l("Medical history"), validators=[Length(max=2000)])
    has_serious_illness = BooleanField(_l("Serious illness"))
    # 经济情况
    is_extreme_poverty = BooleanField(_l("Extreme-poverty support (tekun)"))
    is_dibao = BooleanField(_l("Minimum living allowance (dibao)"))
    is_dibao_edge = BooleanField(_l("Near the dibao line"))
    monthly_income = DecimalField(
        _l("Monthly disposable income (yuan)"), places=2, validators=[Optional(), NOT_NEGATIVE]
    )
    income_sources = StringField(_l("Sources of income"), validators=[Length(max=200)])
    # 对象类别
    categories = MultiCheckboxField(_l("Categories"), choices=labels.choices(labels.CATEGORY))
    disability_certificate_no = StringField(
        _l("Disability certificate number"), validators=[Length(max=32)]
    )
    disability_grade = SelectField(_l("Disability grade"), choices=GRADES)
    other_reason = StringField(_l("Why other special difficulty"), validators=[Length(max=200)])
    category_override_reason = StringField(
        _l("Reason for differing from the suggestion"), validators=[Length(max=300)]
    )
    is_key = RadioField(
        _l("Key or general"),
        choices=[("key", _l("Key")), ("general", _l("General"))],
        validators=[InputRequired(REQUIRED)],
    )
    key_override_reason = StringField(
        _l("Reason for differing from the key suggestion"), validators=[Length(max=300)]
    )
    # 三、家庭生活条件
    water_safe = SelectField(_l("Safe drinking water"), choices=YES_NO)
    electricity_safe = SelectField(_l("Safe electricity"), choices=YES_NO)
    housing_safe = SelectField(_l("Safe housing"), choices=YES_NO)
    household_monthly_income = DecimalField(
        _l("Household monthly income (yuan)"), places=2, validators=[Optional(), NOT_NEGATIVE]
    )
    has_pension = BooleanField(_l("Receives a pension"))
    pension_monthly = DecimalField(
        _l("Pension per month (yuan)"), places=2, validators=[Optional(), NOT_NEGATIVE]
    )
    subsidy_monthly = DecimalField(
        _l("Assistance and welfare subsidies per month (yuan)"),
        places=2,
        validators=[Optional(), NOT_NEGATIVE],
    )
    subsidy_items = StringField(_l("Which subsidies"), validators=[Length(max=200)])
    # 四、已享受帮扶情况
    support_units = MultiCheckboxField(
        _l("Helping units"), choices=labels.choices(labels.SUPPORT_UNIT)
    )
    support_person = StringField(_l("Person responsible for help"), validators=[Length(max=64)])
    support_measures = TextAreaField(_l("Help measures"), validators=[Length(max=2000)])
    # 建档 and 责任主体
    filed_on = DateField(_l("Filing date"), validators=[InputRequired(REQUIRED)])
    under_age_reason = StringField(
        _l("Reason for filing a person under 60"), validators=[Length(max=200)]
    )
    responsible_person = StringField(_l("Responsible person"), validators=[Length(max=64)])
    responsible_phone = StringField(
        _l("Responsible person's phone"), validators=[Optional(), PHONE]
    )
    members = FieldList(FormField(FamilyMemberForm), min_entries=0)
    note = StringField(_l("Note on this version"), validators=[Length(max=300)])

    add_member = SubmitField(_l("Add a family member"))
    check = SubmitField(_l("Check suggestions"))
    save = SubmitField(_l("Save"))
    # A likely duplicate was shown (issue 20 item 4): the user says why this is another person.
    not_duplicate_token = HiddenField()
    not_duplicate_reason = StringField(
        _l("Why this is another person"), validators=[Length(max=200)]
    )
    confirm_not_duplicate = SubmitField(_l("Not the same person: continue and save"))


class ArchiveForm(BaseForm):
    version = HiddenField()
    reason = RadioField(
        _l("Reason"),
        choices=labels.choices(labels.ARCHIVE_REASON),
        validators=[InputRequired(REQUIRED)],
    )
    archived_on = DateField(_l("Date"), validators=[InputRequired(REQUIRED)])
    note = StringField(
        _l("Explanation"), validators=[InputRequired(REQUIRED), Length(min=2, max=300)]
    )
    submit = SubmitField(_l("Archive this case"))


class RestoreForm(BaseForm):
    version = HiddenField()
    note = StringField(
        _l("Why the case is reopened"), validators=[InputRequired(REQUIRED), Length(max=300)]
    )
    submit = SubmitField(_l("Restore to the active caseload"))


class MergeForm(BaseForm):
    version = HiddenField()
    kept_id = RadioField(
        _l("The case file to keep"), choices=[], validators=[InputRequired(REQUIRED)]
    )
    note = StringField(
        _l("Why these are the same person"),
        validators=[InputRequired(REQUIRED), Length(min=2, max=200)],
    )
    submit = SubmitField(_l("Merge into the case file chosen"))
