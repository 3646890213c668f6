"""Form base: WTForms' own messages go through our Babel catalogue too."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import ValidationError

# WTForms' built-in messages, listed so that Babel extracts them into our catalogue.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid date value."),
    _l("Not a valid decimal value."),
    _l("Not a valid integer value."),
    _l("Not a valid choice."),
    # A ticked box with a wrong value (SelectMultipleField asks through ngettext).
    _ln("'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.", 1),
    _l("Invalid input."),
    _l("The CSRF token is missing."),
    _l("The CSRF token has expired."),
    _l("The CSRF token is invalid."),
    _l("The CSRF tokens do not match."),
    _ln("Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.", 1),
    _ln("Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.", 1),
    _ln("Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.", 1),
    _l("Field must be between %(min)d and %(max)d characters long."),
)  # fmt: skip


class _Translations:
    """WTForms formats its messages itself (``% dict(value=...)``): hand it the translated text
    unformatted (Flask-Babel's ``ngettext`` would format it with ``num`` alone and fail)."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # WTForms formats the result itself (with min, max, length): flask_babel's ngettext would
        # format it first with only num and fail with KeyError 'max' (a 500 on any too-long input).
        translations = get_translations()
        text = translations.ungettext(singular, plural, n)
        if text in (singular, plural):
            # No plural entry in the catalogue: Chinese has one form, the singular's.
            single = translations.ugettext(singular)
            if single != singular:
                return single
        return text


def _one_line_break(value: object) -> object:
    """Browsers send a textarea's line breaks as CR LF but count them as one character (maxlength):
    store them as LF so a note the page accepted is not refused as too long on the server."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _blank_choice(value: object) -> object:
    """A choice of only spaces is no choice: ``Optional()`` lets whitespace through without the
    check of the choices, and a service would get "  " for an enum (a 500, issue 23 item 3)."""
    if isinstance(value, str) and not value.strip():
        return ""
    return value


# Integers are stored in 32 bits on PostgreSQL (ids, counts, years, points); money and other
# decimals in Numeric(12, 2), which holds less than 10^10. Larger values are refused at the field
# (a database error would answer 500 and lose the input: issue 23 item 3).
INTEGER_LIMIT = 2**31 - 1
DECIMAL_LIMIT = Decimal(10) ** 10
KEPT_CONTROLS = "\t\n\r"


def _no_control_characters(form: object, field: Any) -> None:
    """NUL, escape, bell …: invisible, refused by PostgreSQL (NUL) and by Word files."""
    for raw in field.raw_data or ():
        if isinstance(raw, str) and any(
            unicodedata.category(char) == "Cc" and char not in KEPT_CONTROLS for char in raw
        ):
            raise ValidationError(
                _l("This contains invisible control characters: remove them and save again.")
            )


def _fits_the_database(form: object, field: Any) -> None:
    data = field.data
    if isinstance(data, bool):
        return
    if isinstance(data, int) and abs(data) > INTEGER_LIMIT:
        raise ValidationError(_l("This number is too large."))
    if isinstance(data, Decimal | float):
        if not Decimal(data).is_finite():
            raise ValidationError(_l("Not a valid decimal value."))
        if abs(Decimal(data)) >= DECIMAL_LIMIT:
            raise ValidationError(_l("This number is too large."))


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form: object) -> _Translations:
            return _Translations()

        def bind_field(self, form: object, unbound_field: Any, options: dict[str, Any]) -> Any:
            if issubclass(unbound_field.field_class, TextAreaField):
                own = unbound_field.kwargs.get("filters", ())
                options["filters"] = (_one_line_break, *own)
            elif issubclass(unbound_field.field_class, SelectField) and not issubclass(
                unbound_field.field_class, SelectMultipleField
            ):
                own = unbound_field.kwargs.get("filters", ())
                options["filters"] = (_blank_choice, *own)
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators: dict[str, Any] | None = None) -> bool:
        """Every field's own checks, and on every field: no control characters, numbers that
        fit their column (a clear message beside the field instead of a 500)."""
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if field.type in ("FormField", "FieldList"):
                continue  # their own (sub)forms check their fields
            extra.setdefault(name, []).extend((_no_control_characters, _fits_the_database))
        return super().validate(extra)


class SubForm(BaseForm):
    """A form nested in a FieldList: the outer form carries the CSRF token."""

    class Meta:
        csrf = False


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def put_errors(
    form: FlaskForm, exc: Exception, field_for: Callable[[str], Any] | None = None
) -> None:
    """Show a service's ``DomainError`` beside the field it names, or above the form.

    ``FormErrors`` (several fields at once) carry ``errors``: field → (msgid, params). A hidden
    field (a version, the status a button chose) shows no error, so its message goes on top.
    ``field_for(name)`` finds a field the form's attributes do not name (a row of a FieldList,
    e.g. "members-2-name"); it answers None for the top of the form.
    """
    from caseman.i18n import translate_message

    field_name = getattr(exc, "field", None)
    errors = getattr(exc, "errors", None) or {
        field_name: (getattr(exc, "message", str(exc)), getattr(exc, "params", {}))
    }
    find = field_for or (lambda name: getattr(form, name, None))
    for name, (message, params) in errors.items():
        text = translate_message(message, params)
        target = find(name) if name else None
        if target is not None and hasattr(target, "errors") and target.type != "HiddenField":
            target.errors = [*list(target.errors), text]
        else:
            form.form_errors.append(text)


def expected_version(form: FlaskForm) -> int | None:
    """The record version the form was opened on (optimistic locking), or None."""
    raw = form.version.data or ""
    return int(raw) if raw.isdigit() else None


def changed_fields(form: FlaskForm, current: dict[str, object]) -> list[tuple[str, str]]:
    """(label, value saved now) of each field whose saved value differs from what the user typed.

    Shown above a form answered 409 (optimistic locking): what someone else changed meanwhile,
    next to the user's own input, which the form keeps.
    """
    changes = []
    for name, saved in current.items():
        field = getattr(form, name, None)
        if field is None or field.type in ("HiddenField", "CSRFTokenField", "SubmitField"):
            continue
        typed = field.data
        if _comparable(typed) == _comparable(saved):
            continue
        changes.append((str(field.label.text), _display(field, saved)))
    return changes


def _comparable(value: object) -> object:
    if value is None or value == "":
        return ""
    if hasattr(value, "value"):  # an enum
        value = value.value
    if isinstance(value, list | tuple | set):
        return sorted(str(_comparable(item)) for item in value)
    return str(value)


def _display(field: object, value: object) -> str:
    """A saved value as the form would show it: the label of a choice, not its code."""
    choices = dict((str(key), label) for key, label, *_rest in _choices(field))
    if isinstance(value, list | tuple | set):
        return "、".join(str(choices.get(str(_comparable(item)), item)) for item in value)
    key = _comparable(value)
    return str(choices.get(str(key), "" if key == "" else value))


def _choices(field: object) -> list[tuple[object, ...]]:
    choices = getattr(field, "choices", None)
    if not choices or isinstance(choices, dict):
        return []
    return [tuple(item) if isinstance(item, list | tuple) else (item, item) for item in choices]


class saving:  # noqa: N801 - reads as a phrase: ``with saving(form) as saved:``
    """The form post's save: commit what the block did, or put the service's refusal on the form.

    The shape every form page shares::

        form = ContactForm()
        if form.is_submitted() and form.validate():
            with saving(form) as saved:
                record_contact(current_user, elder, ...)
            if saved:
                flash(_("The contact was recorded."), "success")
                return redirect(url_for(...))
        return render_template("family/contact.html", form=form), form_status(form)

    A ``DomainError`` raised in the block (or by the commit) rolls the session back and shows
    its messages beside the fields they name (``put_errors``); ``saved`` is then false and
    ``saved.status`` 400. Other exceptions pass through untouched. ``field_for`` is handed on
    to ``put_errors``. caseman.records.saving_version adds the check of a record's version.
    """

    def __init__(self, form: FlaskForm, field_for: Callable[[str], Any] | None = None) -> None:
        self.form = form
        self.field_for = field_for
        self.ok = False
        self.status: int | None = None  # the status to answer when refused

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        from caseman.extensions import db

        if exc is not None:
            return self.refused(exc)
        try:
            db.session.commit()
        except Exception as failed:
            if not self.refused(failed):
                raise
            return False
        self.ok = True
        return False

    def refused(self, exc: BaseException) -> bool:
        """Roll back and show ``exc`` on the form if it is a refusal (True), else leave it."""
        from caseman.errors import DomainError
        from caseman.extensions import db

        if not isinstance(exc, DomainError):
            return False
        db.session.rollback()
        put_errors(self.form, exc, self.field_for)
        self.status = 400
        return True

    def __bool__(self) -> bool:
        return self.ok


def form_status(form: FlaskForm) -> int:
    """The status of a form page shown again: 400 after a refused post, 200 when first opened."""
    return 400 if form.is_submitted() else 200
