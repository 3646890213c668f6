from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from caseman.forms import BaseForm

REQUIRED = _l("Please fill this in.")


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
