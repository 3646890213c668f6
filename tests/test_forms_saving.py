"""Issue 22 item 3: the form post's shared save (caseman.forms.saving): commit, or roll back and
put the service's refusal beside its field; anything else passes through."""

from __future__ import annotations

import pytest
from flask import Flask
from wtforms import StringField

from caseman.elders.services import FormErrors
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.forms import BaseForm, form_status, saving
from caseman.rules.enums import N_


class NameForm(BaseForm):
    name = StringField("Name")
    note = StringField("Note")


def test_a_block_that_raises_nothing_is_committed(app: Flask, monkeypatch) -> None:
    commits = []
    monkeypatch.setattr(db.session, "commit", lambda: commits.append(1))
    with app.test_request_context(method="POST", data={"name": "x"}):
        form = NameForm()
        with saving(form) as saved:
            pass
        assert saved
        assert saved.status is None
        assert commits == [1]
        assert form_status(form) == 400  # shown again after a post: refused


def test_a_refusal_goes_beside_its_field_and_nothing_is_committed(app: Flask, monkeypatch) -> None:
    commits, rollbacks = [], []
    monkeypatch.setattr(db.session, "commit", lambda: commits.append(1))
    monkeypatch.setattr(db.session, "rollback", lambda: rollbacks.append(1))
    with app.test_request_context(method="POST", data={"name": "x"}):
        form = NameForm()
        with saving(form) as saved:
            raise DomainError("name", N_("This field is required."))
        assert not saved
        assert saved.status == 400
        assert commits == []
        assert rollbacks == [1]
        assert form.name.errors
        assert not form.form_errors

        several = NameForm()
        errors = {"note": (N_("This field is required."), {}), None: ("Whole form", {})}
        with saving(several) as saved:
            raise FormErrors(errors)
        assert several.note.errors
        assert several.form_errors == ["Whole form"]


def test_other_errors_pass_through(app: Flask) -> None:
    with app.test_request_context(method="GET"):
        form = NameForm()
        assert form_status(form) == 200
        with pytest.raises(ZeroDivisionError), saving(form):
            1 / 0  # noqa: B018


def test_field_for_finds_fields_the_form_does_not_name(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        form = NameForm()
        with saving(form, field_for=lambda name: form.note if name == "rows-0-note" else None):
            raise DomainError("rows-0-note", N_("This field is required."))
        assert form.note.errors
