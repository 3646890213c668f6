from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from caseman.forms import BaseForm

REQUIRED = _l("Please fill this in.")


class LoginForm(BaseForm):
    username = StringField(_l("Username"), validators=[InputRequired(REQUIRED), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[InputRequired(REQUIRED), Length(max=128)])
    submit = SubmitField(_l("Log in"))
