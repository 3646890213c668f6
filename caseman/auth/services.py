"""Users: creation, authentication (password, then a TOTP code), lockout, password changes and
session revocation.

The lockout is counted in the audit log, in the database: it holds across processes and
machines. Flask-Limiter (per IP, in the views) adds a second, coarser brake.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import select

from caseman import audit
from caseman.areas.models import Area
from caseman.audit import AuditEvent
from caseman.auth import totp
from caseman.auth.models import Role, User
from caseman.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from caseman.db import utcnow
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.rules.enums import N_

LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
# Audit actions that count towards the lockout: a wrong password and a wrong code alike.
FAILURE_ACTIONS = ("login_failed", "totp_failed")


class PasswordChangeLocked(DomainError):
    """Too many wrong current passwords: the password change is refused for a while.

    ``just_locked`` is true for the guess that reached the limit (the view ends that session).
    """

    def __init__(self, just_locked: bool) -> None:
        super().__init__(
            "old_password",
            N_(
                "The current password was entered wrongly too many times. The password can be "
                "changed again in 15 minutes; ask your administrator if you have forgotten it."
            ),
        )
        self.just_locked = just_locked


def check_password_policy(password: str, username: str = "") -> None:
    """Raise DomainError("password", ...) when the password breaks the policy."""
    problem = password_problem(password, username)
    if problem:
        raise DomainError("password", problem)


def create_user(
    username: str,
    password: str,
    role: Role,
    area: Area,
    full_name: str = "",
    phone: str = "",
    totp_secret: str | None = None,
) -> User:
    """Add a user bound to ``area``; the password is hashed with argon2id.

    ``totp_secret`` (base32) gives the user a second factor that is already confirmed, so that
    scripts and demos can log in without the enrolment page.
    """
    username = username.strip()
    check_password_policy(password, username)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise DomainError("username", N_("This username is taken."))
    secret = None
    if totp_secret is not None:
        secret = totp.normalise_secret(totp_secret)
        if secret is None:
            raise DomainError(
                "totp_secret",
                N_("The TOTP secret must be base32 (A–Z, 2–7) of at least %(count)d characters."),
                count=totp.MIN_SECRET_CHARS,
            )
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        area=area,
        full_name=full_name,
        phone=phone,
        totp_secret=secret,
        totp_confirmed_at=utcnow() if secret else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def is_locked_out(username: str) -> bool:
    """Five failures (password or code) within 15 minutes lock the username.

    Counted in the audit log since the last successful login.
    """
    since = utcnow() - LOCKOUT_WINDOW
    last_success = db.session.scalar(
        select(sa.func.max(AuditEvent.at)).where(
            AuditEvent.action == "login", AuditEvent.username == username
        )
    )
    if last_success and last_success > since:
        since = last_success
    failures = db.session.scalar(
        select(sa.func.count()).where(
            AuditEvent.action.in_(FAILURE_ACTIONS),
            AuditEvent.detail == username[:64],
            AuditEvent.at > since,
        )
    )
    return (failures or 0) >= LOCKOUT_FAILURES


def _refuse_when_locked_out(username: str) -> None:
    if is_locked_out(username):
        audit.record("login_locked", detail=username[:64])
        raise DomainError(
            None, N_("Too many failed attempts. Wait 15 minutes or ask your administrator.")
        )


def check_password(username: str, password: str) -> User | None:
    """The first factor: the active user with these credentials, or None (audited).

    The login is not complete yet: call :func:`complete_login` once the second factor (if the
    user needs one) has been checked too. Raises DomainError while the username is locked out.
    """
    username = username.strip()
    _refuse_when_locked_out(username)
    user = db.session.scalar(select(User).where(User.username == username))
    if not verify_password(user.password_hash if user else None, password) or user is None:
        audit.record("login_failed", detail=username[:64])
        return None
    if not user.is_active:
        audit.record("login_failed", detail=username[:64], user=user)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def check_code(user: User, code: str, now: float | None = None) -> bool:
    """The second factor: a TOTP code of the user's secret, never one used before (audited).

    A wrong code counts as a failed login towards the lockout. Raises DomainError while the
    username is locked out.
    """
    _refuse_when_locked_out(user.username)
    step = None
    if user.totp_secret:
        step = totp.matching_step(user.totp_secret, code, user.totp_last_step, now)
    if step is None:
        audit.record("totp_failed", detail=user.username[:64], user=user)
        return False
    user.totp_last_step = step
    return True


def start_totp_enrolment(user: User) -> str:
    """The secret to show on the enrolment page: a new one unless an enrolment is under way.

    Keeping an unconfirmed secret means a reload does not invalidate a QR code already scanned.
    """
    if user.has_totp:
        raise DomainError(None, N_("The second factor is already set up."))
    if not user.totp_secret:
        user.totp_secret = totp.new_secret()
        user.totp_last_step = None
        db.session.flush()
    return user.totp_secret


def confirm_totp_enrolment(user: User, code: str, now: float | None = None) -> None:
    """Switch the second factor on once the first code from the app is right (audited)."""
    if user.has_totp or not user.totp_secret:
        raise DomainError(None, N_("Start the set-up of the second factor again."))
    if not check_code(user, code, now):
        raise DomainError("code", N_("This code is wrong or was already used. Try the next one."))
    user.totp_confirmed_at = utcnow()
    audit.record("totp_enrolled", object_type="user", object_id=user.id, user=user)


def reset_totp(user: User) -> None:
    """Forget the user's second factor (a lost phone): they enrol again at the next login,
    and every session of theirs ends now."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.session_version += 1
    audit.record("totp_reset", object_type="user", object_id=user.id)


def complete_login(user: User) -> None:
    """Both factors passed: record the login (this also resets the lockout count)."""
    user.last_login_at = utcnow()
    audit.record("login", user=user)


def is_password_change_locked(user: User) -> bool:
    """Five wrong current passwords within 15 minutes lock the user's password change.

    Counted, like the login's lockout, in the audit log (the database), so the count holds across
    processes and machines. It starts again after a successful change. The lock lasts 15 minutes
    from the guess that set it, and every try refused meanwhile keeps it 15 minutes more.
    """
    since = utcnow() - LOCKOUT_WINDOW
    mine = AuditEvent.user_id == user.id
    last_change = db.session.scalar(
        select(sa.func.max(AuditEvent.at)).where(mine, AuditEvent.action == "password_changed")
    )
    if last_change and last_change > since:
        since = last_change
    counts = dict(
        db.session.execute(
            select(AuditEvent.action, sa.func.count())
            .where(
                mine,
                AuditEvent.action.in_(("password_change_failed", "password_change_locked")),
                AuditEvent.at > since,
            )
            .group_by(AuditEvent.action)
        ).all()
    )
    return (
        counts.get("password_change_locked", 0) > 0
        or counts.get("password_change_failed", 0) >= LOCKOUT_FAILURES
    )


def change_password(user: User, old_password: str, new_password: str) -> None:
    """Set a new password after checking the old one; every other session is revoked.

    The caller logs the current session in again with the new session version. Wrong current
    passwords are audited and counted: raises :class:`PasswordChangeLocked` (audited as
    ``password_change_locked``) once there were too many, without checking the password.
    """
    if is_password_change_locked(user):
        audit.record("password_change_locked", object_type="user", object_id=user.id, user=user)
        raise PasswordChangeLocked(just_locked=False)
    if not verify_password(user.password_hash, old_password):
        audit.record("password_change_failed", object_type="user", object_id=user.id, user=user)
        db.session.flush()
        if is_password_change_locked(user):
            audit.record("password_change_locked", object_type="user", object_id=user.id, user=user)
            raise PasswordChangeLocked(just_locked=True)
        raise DomainError("old_password", N_("The current password is wrong."))
    problem = password_problem(new_password, user.username)
    if problem:
        raise DomainError("new_password", problem)
    if verify_password(user.password_hash, new_password):
        raise DomainError("new_password", N_("The new password must differ from the current one."))
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.session_version += 1
    audit.record("password_changed", object_type="user", object_id=user.id, user=user)


def disable_user(actor: User, user: User) -> None:
    """Disable an account: its sessions stop working at once and it can no longer log in."""
    user.is_active_user = False
    user.session_version += 1
    audit.record("user_disabled", object_type="user", object_id=user.id, user=actor)


def logout_everywhere(user: User) -> None:
    """Invalidate every session cookie of the user (logout, password change, disabling)."""
    user.session_version += 1
    audit.record("logout", user=user)


def clean_full_name(full_name: str) -> str:
    """The real name (姓名) with spaces tidied; required, at most 64 characters."""
    full_name = " ".join(full_name.split())
    if not full_name:
        raise DomainError("full_name", N_("Please fill this in."))
    if len(full_name) > 64:
        raise DomainError("full_name", N_("At most %(count)d characters."), count=64)
    return full_name


def update_own_details(user: User, full_name: str, phone: str) -> list[str]:
    """我的账号: a user edits their own real name and phone (audited by field name)."""
    values = {"full_name": clean_full_name(full_name), "phone": phone.strip()}
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, values[name])
    if changed:
        audit.record(
            "user_update", object_type="user", object_id=user.id, detail=",".join(changed),
            user=user,
        )  # fmt: skip
        db.session.flush()
    return changed
