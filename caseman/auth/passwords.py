"""argon2id password hashing (Werkzeug's scrypt defaults are below ASVS 5.0's minimum) and the
password policy."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from caseman.rules.enums import N_

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
_DUMMY = _hasher.hash("timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; an unknown user still costs one verification (no timing oracle)."""
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """The committed list of common passwords (lower case; see common_passwords.txt)."""
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and line[0] != "#")


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is refused (an English msgid), or None when it is acceptable.

    ASVS 5.0 §6.2: at least 8 characters, checked against common passwords and the account's
    own name; no composition rules (a long passphrase of plain words is fine).
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return N_("The password needs at least 8 characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        return N_("The password can have at most 128 characters.")
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        return N_("This password is too common: choose another.")
    name = username.strip().lower()
    if name and (lowered == name or _letters(lowered) == _letters(name) != ""):
        return N_("The password must not be the username, even with digits or signs added.")
    return None


def _letters(text: str) -> str:
    """``text`` without digits, punctuation and spaces: wangfang2024! → wangfang."""
    return re.sub(r"[\d\W_]+", "", text)
