"""Login (password, then a TOTP code or its enrolment), logout, the account page, the password
change and the language switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from caseman.access import login_required, public
from caseman.auth import sessions, totp
from caseman.auth.forms import CodeForm, DetailsForm, LoginForm, PasswordChangeForm
from caseman.auth.models import User
from caseman.auth.services import (
    PasswordChangeLocked,
    change_password,
    check_code,
    check_password,
    complete_login,
    confirm_totp_enrolment,
    logout_everywhere,
    start_totp_enrolment,
    update_own_details,
)
from caseman.errors import DomainError
from caseman.extensions import db, limiter
from caseman.forms import put_errors
from caseman.i18n import LOCALES, translate_message

bp = Blueprint("auth", __name__)

# Per client IP, shared by every step of the login (password, code, enrolment): a code guessed
# on one page counts with the passwords tried on the other.
login_rate = limiter.shared_limit(
    lambda: current_app.config["CASEMAN_LOGIN_RATE_LIMIT"], scope="login", methods=["POST"]
)


def _safe_next(target: str | None) -> str:
    """Only local paths: ``//evil.example`` and absolute URLs go home."""
    if not target:
        return url_for("dashboard.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("dashboard.index")
    if "\\" in target or any(ord(char) < 32 for char in target):
        return url_for("dashboard.index")
    return target


def _finish_login(user: User, next_url: str | None) -> Any:
    complete_login(user)
    db.session.commit()
    sessions.start_session(user)
    return redirect(_safe_next(next_url))


def _locked_out(template: str, form: Any, exc: DomainError, **context: Any) -> Any:
    db.session.commit()  # keep the audit row
    form.form_errors.append(translate_message(exc.message, exc.params))
    return render_template(template, form=form, **context), 429


@bp.route("/login", methods=["GET", "POST"])
@public
@login_rate
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = check_password(form.username.data, form.password.data)
        except DomainError as exc:
            return _locked_out("auth/login.html", form, exc)
        if user is None:
            db.session.commit()
            form.form_errors.append(_("Wrong username or password."))
            return render_template("auth/login.html", form=form), 401
        next_url = request.args.get("next")
        if not user.needs_totp:
            return _finish_login(user, next_url)
        db.session.commit()  # a password rehash
        sessions.begin_second_factor(user, next_url)
        return redirect(url_for("auth.code" if user.has_totp else "auth.enrol"))
    return render_template("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@public
@login_rate
def code() -> Any:
    """The second step of a login: the code of the user's authenticator app."""
    user = sessions.pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if not user.has_totp:
        return redirect(url_for("auth.enrol"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            accepted = check_code(user, form.code.data)
        except DomainError as exc:
            return _locked_out("auth/code.html", form, exc)
        if accepted:
            return _finish_login(user, sessions.pending_next())
        db.session.commit()
        form.code.errors = [_("This code is wrong or was already used. Try the next one.")]
        form.code.data = ""
        return render_template("auth/code.html", form=form), 401
    return render_template("auth/code.html", form=form)


@bp.route("/login/enrol", methods=["GET", "POST"])
@public
@login_rate
def enrol() -> Any:
    """First login of a user who must have a second factor: set it up, then log in."""
    user = sessions.pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if user.has_totp:
        return redirect(url_for("auth.code"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            confirm_totp_enrolment(user, form.code.data)
        except DomainError as exc:
            db.session.commit()  # the failure is audited and counts towards the lockout
            put_errors(form, exc)
            form.code.data = ""
            return _enrolment_page(user, form, required=True), 400
        return _finish_login(user, sessions.pending_next())
    response = _enrolment_page(user, form, required=True)
    db.session.commit()  # the new secret
    return response


def _enrolment_page(user: User, form: CodeForm, required: bool) -> str:
    secret = start_totp_enrolment(user)
    uri = totp.provisioning_uri(secret, user.username)
    return render_template(
        "auth/enrol.html",
        form=form,
        secret=secret,
        grouped_secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        qr_svg=totp.qr_svg(uri, _("QR code of the second factor")),
        required=required,
    )


@bp.post("/logout")
@login_required
def logout() -> Any:
    logout_everywhere(current_user)
    db.session.commit()
    sessions.end_session()
    sessions.wipe_drafts()  # static/js/drafts.js empties this browser's drafts
    flash(_("You have logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Any:
    """我的账号: one's own real name (姓名) and phone can be edited here."""
    if request.method == "POST":
        form = DetailsForm()
    else:
        form = DetailsForm(formdata=None, full_name=current_user.full_name,
                           phone=current_user.phone)  # fmt: skip
    if form.validate_on_submit():
        try:
            changed = update_own_details(current_user, form.full_name.data or "",
                                         form.phone.data or "")  # fmt: skip
        except DomainError as exc:
            db.session.rollback()
            put_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("auth.account"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/account.html", user=current_user, form=form), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> Any:
    """Change one's password: every other session of the user stops working.

    Guessing the current password is throttled (see ``change_password``): the guess that reaches
    the limit also ends this session, so whoever guessed must log in again, with the password.
    """
    form = PasswordChangeForm()
    forced = current_user.must_change_password
    if form.validate_on_submit():
        try:
            change_password(current_user, form.old_password.data, form.new_password.data)
        except PasswordChangeLocked as exc:
            db.session.commit()  # the failure and the lock are audited
            if exc.just_locked:
                sessions.end_session()
                flash(translate_message(exc.message, exc.params), "error")
                flash(_("You were logged out. Please log in again."), "info")
                return redirect(url_for("auth.login"))
            put_errors(form, exc)
            return render_template("auth/password.html", form=form, forced=forced), 429
        except DomainError as exc:
            db.session.commit()  # a wrong current password is audited
            put_errors(form, exc)
            return render_template("auth/password.html", form=form, forced=forced), 400
        user = current_user._get_current_object()
        db.session.commit()
        sessions.start_session(user)  # this session carries the new session version
        flash(_("Your password was changed. Other sessions were logged out."), "success")
        return redirect(url_for("dashboard.index") if forced else url_for("auth.account"))
    return render_template("auth/password.html", form=form, forced=forced)


@bp.route("/account/totp", methods=["GET", "POST"])
@login_required
def totp_setup() -> Any:
    """Switch the second factor on (optional for village and worker users)."""
    if current_user.has_totp:
        flash(_("The second factor is already set up."), "info")
        return redirect(url_for("auth.account"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            confirm_totp_enrolment(current_user, form.code.data)
        except DomainError as exc:
            db.session.commit()
            put_errors(form, exc)
            form.code.data = ""
            return _enrolment_page(current_user, form, required=False), 400
        db.session.commit()
        flash(_("The second factor is on: every login will ask for a code."), "success")
        return redirect(url_for("auth.account"))
    response = _enrolment_page(current_user, form, required=False)
    db.session.commit()
    return response


@bp.post("/lang")
@public
def set_language() -> Any:
    lang = request.form.get("lang", "")
    if lang in LOCALES:
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")))
