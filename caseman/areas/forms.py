"""Area administration forms: shape only (the services check names, levels and closing)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from caseman.forms import BaseForm

KIND_CHOICES = [
    ("", _l("From the name (…街道 is a street, …社区 a community)")),
    ("town", _l("Town (镇)")),
    ("street", _l("Street (街道)")),
    ("village", _l("Village (村)")),
    ("community", _l("Community (社区)")),
]


class AreaForm(BaseForm):
    """Add an area under a parent (the level follows the parent)."""

    parent_id = SelectField(_l("Under"), validators=[DataRequired(_l("Choose where it goes."))])
    name = StringField(_l("Area name"), validators=[DataRequired(), Length(max=64)])
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, validators=[Optional()])
    code = StringField(_l("Division code (区划代码, optional)"), validators=[Length(max=20)])


class EditForm(BaseForm):
    name = StringField(_l("Area name"), validators=[DataRequired(), Length(max=64)])
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, validators=[Optional()])
    code = StringField(_l("Division code (区划代码, optional)"), validators=[Length(max=20)])


class MoveForm(BaseForm):
    parent_id = SelectField(
        _l("Move under"), validators=[DataRequired(_l("Choose where it goes."))]
    )


class CloseForm(BaseForm):
    closed_on = DateField(_l("Closed on"), validators=[DataRequired()])
    reason = StringField(
        _l("Reason (e.g. merged into 白岩村)"), validators=[DataRequired(), Length(max=200)]
    )


class ImportForm(BaseForm):
    sheet = FileField(
        _l("Area tree (.xlsx or .csv, at most 15 MB)"),
        validators=[FileRequired(_l("Choose the file."))],
    )


class ConfirmForm(BaseForm):
    """Carries the CSRF token of a button (reopen, import)."""
