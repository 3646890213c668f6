from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, Regexp

from caseman.forms import BaseForm

REQUIRED = _l("Please fill this in.")
PHONE = Regexp(r"^[0-9+\- ]{7,20}$", message=_l("Enter a phone number of 7 to 20 digits."))


class LoginForm(BaseForm):
    username = StringField(_l("Username"), validators=[InputRequired(REQUIRED), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[InputRequired(REQUIRED), Length(max=128)])
    submit = SubmitField(_l("Log in"))


class CodeForm(BaseForm):
    """The six-digit code of the authenticator app (second factor, or its first confirmation)."""

    code = StringField(
        _l("Code from the authenticator app"),
        validators=[InputRequired(REQUIRED), Length(max=10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )
    submit = SubmitField(_l("Confirm"))


class PasswordChangeForm(BaseForm):
    old_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(REQUIRED), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[InputRequired(REQUIRED)],
        render_kw={"autocomplete": "new-password"},
    )
    new_password2 = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(REQUIRED),
            EqualTo("new_password", _l("The two new passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change the password"))


class DetailsForm(BaseForm):
    """My account: one's own real name (姓名) and phone."""

    full_name = StringField(
        _l("Real name (姓名)"), validators=[DataRequired(REQUIRED), Length(max=64)]
    )
    phone = StringField(_l("Phone"), validators=[Optional(), PHONE])
    submit = SubmitField(_l("Save"))
