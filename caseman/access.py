"""Route access policies. Every view declares one; a test walks ``app.url_map`` to prove it.

Scope (which elders) is enforced by caseman.scope at the data layer; these decorators say who may
reach a route at all.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from caseman.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


def public(view: F) -> F:
    """Reachable without logging in (login page, static files, language switch)."""
    view.access_policy = "public"  # type: ignore[attr-defined]
    return view


def login_required(view: F) -> F:
    """Any active user; what they see is limited by their scope."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    wrapper.access_policy = "scoped"  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def roles_required(*roles: str) -> Callable[[F], F]:
    """Only users with one of ``roles`` (others get 404, like anything out of scope)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role.value not in roles:
                abort(404)
            return view(*args, **kwargs)

        wrapper.access_policy = "roles:" + ",".join(roles)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
