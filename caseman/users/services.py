"""Staff accounts on the site: create with a one-time password, edit, disable and enable,
reset the password or the second factor. Every change is audited; services flush, never commit.

Who may do what (issue 16, item 3; caseman.rules.accounts): district staff manage every account
of their district; town staff manage only the village staff and workers of their own town.
Nobody is given a role above what their manager may give, nor an area outside the manager's
subtree; these checks are here, not only in the forms, so a forged request changes nothing.
"""

from __future__ import annotations

import secrets

from caseman import audit
from caseman.areas.models import Area
from caseman.auth import services as auth
from caseman.auth.models import Role, User
from caseman.auth.passwords import hash_password, password_problem
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.rules.accounts import role_fits_level, roles_managed_by
from caseman.rules.enums import N_

# No 0/O, 1/l/I: the password is read off a screen and typed or dictated once.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # noqa: S105  # nosec B105 (an alphabet, not a password)
PASSWORD_GROUPS = 3
PASSWORD_GROUP_LENGTH = 4


def one_time_password(username: str = "") -> str:
    """A random password of 12 letters and digits in groups (``k7qm-3xpz-9ab2``), about 60
    bits, that passes the password policy."""
    while True:
        password = "-".join(
            "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUP_LENGTH))
            for _ in range(PASSWORD_GROUPS)
        )
        if password_problem(password, username) is None:
            return password


def may_manage(actor: User, user: User) -> bool:
    """Whether ``actor`` may see and change the account ``user`` (else it answers 404)."""
    if user.role.value not in roles_managed_by(actor.role.value):
        return False
    return actor.area.contains(user.area)


def _check_placement(actor: User, role: Role, area: Area) -> None:
    if role.value not in roles_managed_by(actor.role.value):
        raise DomainError("role", N_("You cannot give this role."))
    if not actor.area.contains(area):
        raise DomainError("area_id", N_("Choose an area of your own."))
    if area.is_closed:
        raise DomainError("area_id", N_("This area is closed."))
    if not role_fits_level(role.value, area.level.value):
        raise DomainError("area_id", N_("This role cannot be bound to an area of this level."))


def create_account(
    actor: User, username: str, full_name: str, phone: str, role: Role, area: Area
) -> tuple[User, str]:
    """A new account and its one-time password (shown once; the user must change it at the
    first login). District and town accounts set up their second factor at that login too."""
    _check_placement(actor, role, area)
    full_name = auth.clean_full_name(full_name)
    password = one_time_password(username)
    user = auth.create_user(
        username, password, role, area, full_name=full_name, phone=phone.strip()
    )
    user.must_change_password = True
    audit.record(
        "user_create", object_type="user", object_id=user.id, detail=f"role={role.value}",
        user=actor,
    )  # fmt: skip
    return user, password


def update_account(
    actor: User, user: User, full_name: str, phone: str, role: Role, area: Area
) -> list[str]:
    """Change the real name, phone, role or area; the fields changed (audited by name).

    A change of role or area ends the user's sessions: their next request logs in afresh with
    the new rights.
    """
    if not may_manage(actor, user):
        raise DomainError(None, N_("You cannot change this account."))
    if user.id == actor.id and (role != user.role or area.id != user.area_id):
        raise DomainError("role", N_("You cannot change your own role or area."))
    if role != user.role or area.id != user.area_id:
        _check_placement(actor, role, area)
    values = {"full_name": auth.clean_full_name(full_name), "phone": phone.strip(), "role": role,
              "area_id": area.id}  # fmt: skip
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    if not changed:
        return []
    for name, value in values.items():
        setattr(user, name, value)
    user.area = area
    if "role" in changed or "area_id" in changed:
        user.session_version += 1
    audit.record(
        "user_update", object_type="user", object_id=user.id, detail=",".join(changed),
        user=actor,
    )  # fmt: skip
    db.session.flush()
    return changed


def disable_account(actor: User, user: User) -> None:
    """Disable the account: its sessions end at once and it can no longer log in."""
    if not may_manage(actor, user):
        raise DomainError(None, N_("You cannot change this account."))
    if user.id == actor.id:
        raise DomainError(None, N_("You cannot disable your own account."))
    if not user.is_active_user:
        raise DomainError(None, N_("This account is already disabled."))
    auth.disable_user(actor, user)
    db.session.flush()


def enable_account(actor: User, user: User) -> None:
    """Let a disabled account log in again (with its password as it was)."""
    if not may_manage(actor, user):
        raise DomainError(None, N_("You cannot change this account."))
    if user.is_active_user:
        raise DomainError(None, N_("This account is already enabled."))
    if user.area.is_closed:
        raise DomainError(None, N_("The account's area is closed: move the account first."))
    user.is_active_user = True
    audit.record("user_enabled", object_type="user", object_id=user.id, user=actor)
    db.session.flush()


def reset_password(actor: User, user: User) -> str:
    """A new one-time password (shown once): the old one stops working, every session of the
    user ends, and they must choose their own at the next login."""
    if not may_manage(actor, user):
        raise DomainError(None, N_("You cannot change this account."))
    if user.id == actor.id:
        raise DomainError(None, N_("Change your own password on My account."))
    password = one_time_password(user.username)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.session_version += 1
    audit.record("password_reset", object_type="user", object_id=user.id, user=actor)
    db.session.flush()
    return password


def reset_second_factor(actor: User, user: User) -> None:
    """Forget the user's second factor (a lost phone): they set it up again at the next login."""
    if not may_manage(actor, user):
        raise DomainError(None, N_("You cannot change this account."))
    if not user.totp_secret:
        raise DomainError(None, N_("This account has no second factor to reset."))
    auth.reset_totp(user)
    db.session.flush()
