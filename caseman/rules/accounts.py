"""Staff accounts: which roles fit which level of area, and which roles a manager may give.

Issue 16 (3): district staff manage every account; town staff manage the village staff and
workers of their own town only, and can never give anyone town or district rights. The
levels follow the 004 notice's 区—镇（街道）—村（社区） chain of responsibility: 区民政局 at the
district, 镇街 staff at a town or street, 村（社区） staff at a village, community or villager
group; visitors (社工、养老助理、志愿者) at a village or group, or at a town for a town-wide
team.
"""

from __future__ import annotations

# role → the area levels an account of that role may be bound to
ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    "district": ("district",),
    "town": ("town",),
    "village": ("village", "group"),
    "worker": ("town", "village", "group"),
}

# manager's role → the roles they may give (and the roles of the accounts they manage)
MANAGED_ROLES: dict[str, tuple[str, ...]] = {
    "district": ("district", "town", "village", "worker"),
    "town": ("village", "worker"),
}


def role_fits_level(role: str, level: str) -> bool:
    """Whether an account of ``role`` may be bound to an area of ``level``."""
    return level in ROLE_LEVELS.get(role, ())


def roles_managed_by(role: str) -> tuple[str, ...]:
    """The roles a manager of ``role`` may create, give and manage (none for the others)."""
    return MANAGED_ROLES.get(role, ())


def levels_for(roles: tuple[str, ...]) -> tuple[str, ...]:
    """Every area level an account of one of ``roles`` may be bound to, top-down."""
    order = ("district", "town", "village", "group")
    wanted = {level for role in roles for level in ROLE_LEVELS.get(role, ())}
    return tuple(level for level in order if level in wanted)
