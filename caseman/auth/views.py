"""Login, logout and the language switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from caseman.access import login_required, public
from caseman.auth.forms import LoginForm
from caseman.auth.services import authenticate, logout_everywhere
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.i18n import LOCALES, translate_message

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only local paths: ``//evil.example`` and absolute URLs go home."""
    if not target:
        return url_for("dashboard.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("dashboard.index")
    if "\\" in target:
        return url_for("dashboard.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data)
        except DomainError as exc:
            db.session.commit()
            form.form_errors.append(translate_message(exc.message, exc.params))
            return render_template("auth/login.html", form=form), 429
        if user is None:
            db.session.commit()
            form.form_errors.append(_("Wrong username or password."))
            return render_template("auth/login.html", form=form), 401
        lang = session.get("lang")
        session.clear()  # a fresh session on login
        if lang:
            session["lang"] = lang
        login_user(user)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Any:
    logout_everywhere(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.post("/lang")
@public
def set_language() -> Any:
    lang = request.form.get("lang", "")
    if lang in LOCALES:
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")))
