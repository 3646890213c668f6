"""Users: creation and authentication (with a database-backed lockout)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import select

from caseman import audit
from caseman.areas.models import Area
from caseman.audit import AuditEvent
from caseman.auth.models import Role, User
from caseman.auth.passwords import hash_password, needs_rehash, verify_password
from caseman.db import utcnow
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.rules.enums import N_

MIN_PASSWORD_LENGTH = 8
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
COMMON_PASSWORDS = frozenset(
    {"12345678", "123456789", "1234567890", "password", "password1", "11111111", "88888888",
     "66666666", "qwertyui", "abcd1234", "a1234567", "iloveyou", "00000000", "abc12345",
     "12341234", "87654321", "qwerty123", "1q2w3e4r", "admin123", "woaini1314"}
)  # fmt: skip


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError("password", N_("The password needs at least 8 characters."))
    if password.lower() in COMMON_PASSWORDS:
        raise DomainError("password", N_("This password is too common: choose another."))


def create_user(
    username: str, password: str, role: Role, area: Area, full_name: str = "", phone: str = ""
) -> User:
    """Add a user bound to ``area``; the password is hashed with argon2id."""
    check_password_policy(password)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise DomainError("username", N_("This username is taken."))
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        area=area,
        full_name=full_name,
        phone=phone,
    )
    db.session.add(user)
    db.session.flush()
    return user


def is_locked_out(username: str) -> bool:
    """Five failures within 15 minutes lock the username (counted in the audit log)."""
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
            AuditEvent.action == "login_failed",
            AuditEvent.detail == username[:64],
            AuditEvent.at > since,
        )
    )
    return (failures or 0) >= LOCKOUT_FAILURES


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None; failures are audited."""
    username = username.strip()
    if is_locked_out(username):
        audit.record("login_locked", detail=username[:64])
        raise DomainError(
            None, N_("Too many failed attempts. Wait 15 minutes or ask your administrator.")
        )
    user = db.session.scalar(select(User).where(User.username == username))
    if not verify_password(user.password_hash if user else None, password) or user is None:
        audit.record("login_failed", detail=username[:64])
        return None
    if not user.is_active:
        audit.record("login_failed", detail=username[:64], user=user)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record("login", user=user)
    return user


def logout_everywhere(user: User) -> None:
    """Invalidate every session cookie of the user (logout, password change, disabling)."""
    user.session_version += 1
    audit.record("logout", user=user)
