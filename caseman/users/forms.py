"""Staff account forms: shape only (caseman.users.services checks roles and areas)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Regexp

from caseman.auth.forms import DetailsForm
from caseman.forms import BaseForm

REQUIRED = _l("Please fill this in.")
USERNAME = Regexp(
    r"^[A-Za-z0-9._-]{2,64}$",
    message=_l("Use 2 to 64 letters, digits, dots, dashes or underscores (e.g. the pinyin)."),
)

ROLE_LABELS = {
    "district": _l("District staff"),
    "town": _l("Town (street) staff"),
    "village": _l("Village (community) staff"),
    "worker": _l("Visitor (social worker, aide, volunteer)"),
}


class AccountForm(DetailsForm):
    """Edit an account: real name, phone, role, area."""

    role = SelectField(_l("Role"), validators=[DataRequired(REQUIRED)])
    area_id = SelectField(_l("Area"), validators=[DataRequired(_l("Choose the area."))])


class NewAccountForm(AccountForm):
    username = StringField(
        _l("Username (for logging in)"),
        validators=[DataRequired(REQUIRED), USERNAME],
        render_kw={"autocomplete": "off", "autocapitalize": "off"},
    )


class ButtonForm(BaseForm):
    """Carries the CSRF token of a button (disable, enable, resets)."""
