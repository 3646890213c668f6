"""The one place that turns a user into what they may see.

- district staff: every elder in their district;
- town staff: elders living in their town/street;
- village staff: elders living in their village/community (and its villager groups);
- workers: the elders actively assigned to them (an ended assignment no longer counts), plus
  their area's elders when bound to a village or group.

Every elder query goes through ``elder_filter``; lookups by id go through ``get_elder_or_404`` so an
elder outside scope answers 404, exactly like one that does not exist.

The same rule also holds at the data layer, so that a query that forgets ``elder_filter`` still
cannot leak: ``init_app`` adds a ``do_orm_execute`` session event that puts
``with_loader_criteria`` on every ORM SELECT for elders and for every row reachable from an elder
(:data:`SCOPED_CHILDREN`: visits, care records, versions, referrals, risks, follow-ups, status
changes, printed documents, signed scans, categories, family members). The criteria follow:

- inside a request: the logged-in user (an anonymous visitor sees no elder at all);
- :func:`acting_as` (``user``): a background job acting for a user gets that user's scope;
- :func:`system_access` (``reason``): the narrow escape hatch for system work (CLI commands, the
  audit page's look-ups, recording a denial). Entering it writes an audit row
  (``system_access``, with the reason), so every unscoped read is on record;
- anything else (a shell, a job that forgot to say whom it acts for) fails closed: a query that
  selects elders or their records raises :class:`UnscopedQuery`, and any other statement that
  reaches them (a count, a join, a subquery) sees none. Queries of areas and users still work,
  so ``flask areas`` or ``create-user`` need no declaration.

Column refreshes of rows already loaded are left alone (they were in scope when loaded).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import Flask, abort, g, has_request_context, request
from sqlalchemy import ColumnElement, event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import Role
from caseman.elders.models import Elder, ElderAssignment
from caseman.extensions import db

if TYPE_CHECKING:
    from caseman.auth.models import User


# A subtree with more areas than this is filtered by a subquery rather than a literal list (a
# city-wide login's thousands of villager groups would make a statement of thousands of parameters).
MAX_LITERAL_AREAS = 2000


def _area_subtree(area: Area) -> sa.Select[tuple[int]]:
    return select(Area.id).where(under_path(area.path))


def under_path(prefix: str) -> ColumnElement[bool]:
    """Areas whose path starts with ``prefix`` (an area and its subtree: "/1/5/" holds
    "/1/5/" and "/1/5/12/").

    On PostgreSQL as a range of the pattern operators: ix_areas_path (varchar_pattern_ops)
    answers it in a prepared statement's generic plan too, where ``LIKE $1 || '%'`` read every
    area (the pattern is not known when the plan is made)."""
    if db.engine.dialect.name == "postgresql" and prefix:
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return sa.and_(
            Area.path.op("~>=~", is_comparison=True)(prefix),
            Area.path.op("~<~", is_comparison=True)(upper),
        )
    return Area.path.startswith(prefix, autoescape=True)


def _request_cache(name: str) -> dict[Any, Any] | None:
    """A dict that lives as long as the current request (None outside one).

    Kept on ``flask.g`` with the request it belongs to: an application context can outlive a
    request (the test suite keeps one for a whole test), and nothing may carry over to the next.
    """
    current = _current_request()
    if current is None:
        return None
    held = g.get(name)
    if held is None or held[0] is not current:
        held = (current, {})
        setattr(g, name, held)
    cache: dict[Any, Any] = held[1]
    return cache


def _subtree_ids(area: Area) -> list[int] | None:
    """The ids of ``area`` and every area below it, once per request (None: too many to list).

    Inside a request the answer is kept on ``flask.g`` for the rest of the request: every scoped
    statement of a page (a case file runs about twenty) then carries the same literal list instead
    of a ``LIKE path%`` subquery over the areas. Outside a request it is looked up each time, so a
    job or a test that adds areas as it goes never works from a stale list.
    """
    cache = _request_cache("caseman_scope_areas")
    if cache is not None and area.path in cache:
        return cache[area.path]
    token = _resolving.set(True)  # the look-up itself is not to be scoped
    try:
        ids = list(
            db.session.scalars(
                _area_subtree(area).limit(MAX_LITERAL_AREAS + 1),
                execution_options={"caseman_unscoped": True},
            )
        )
    finally:
        _resolving.reset(token)
    found = None if len(ids) > MAX_LITERAL_AREAS else sorted(ids)
    if cache is not None:
        cache[area.path] = found
    return found


def _in_area(user: User, residence: Any) -> ColumnElement[bool]:
    ids = _subtree_ids(user.area)
    return residence.in_(_area_subtree(user.area) if ids is None else ids)


def elder_filter(user: User) -> ColumnElement[bool]:
    """A WHERE clause limiting ``Elder`` rows to the user's scope."""
    return _elder_criteria(user, Elder)


def _elder_criteria(user: User, elders: Any) -> ColumnElement[bool]:
    """The scope of ``user`` over the columns ``elders`` (the mapped class or its plain table)."""
    if not user.is_active:
        return sa.false()
    in_area = _in_area(user, elders.residence_area_id)
    if user.role != Role.WORKER:
        return in_area
    # Only active assignments count: an ended one is history (issue 16).
    assigned_ids = select(ElderAssignment.elder_id).where(
        ElderAssignment.user_id == user.id, ElderAssignment.ended_on.is_(None)
    )
    assigned = elders.id.in_(assigned_ids)
    if user.area.level in (AreaLevel.VILLAGE, AreaLevel.GROUP):
        return sa.or_(in_area, assigned)
    return assigned


def scoped_elders(user: User) -> sa.Select[tuple[Elder]]:
    return select(Elder).where(elder_filter(user))


def can_see_elder(user: User, elder_id: int) -> bool:
    return (
        db.session.scalar(select(Elder.id).where(Elder.id == elder_id, elder_filter(user)))
        is not None
    )


def get_elder_or_404(user: User, elder_id: int, *options: Any) -> Elder:
    """Load an elder in scope, or answer 404 (never 403: existence is not disclosed).

    ``options``: loader options of the statement (what to read with the elder)."""
    query = select(Elder).where(Elder.id == elder_id, elder_filter(user))
    elder = db.session.scalar(query.options(*options) if options else query)
    if elder is None:
        abort(404)
    return elder


def scoped_areas(user: User) -> sa.Select[tuple[Area]]:
    """Areas the user may register elders in or filter by."""
    return select(Area).where(under_path(user.area.path))


def area_in_scope(user: User, area_id: int | None) -> Area | None:
    """The area if the user may see it, else None."""
    if not area_id:
        return None
    return db.session.scalar(scoped_areas(user).where(Area.id == area_id))


# --- the data-layer filter -------------------------------------------------------------------


class UnscopedQuery(RuntimeError):
    """An elder-related query ran with no user and no declared system access."""


@dataclass(frozen=True)
class _Override:
    user: User | None  # None: system access
    request: object | None  # the request it was declared in (None: outside any request)


_override: ContextVar[_Override | None] = ContextVar("caseman_scope_override", default=None)
_resolving: ContextVar[bool] = ContextVar("caseman_scope_resolving", default=False)


def _scoped_children() -> tuple[type[Any], ...]:
    from caseman.benefits.models import BenefitApplication
    from caseman.documents.models import PrintedDocument, SignedScan
    from caseman.elders.models import ElderCategory, ElderVersion, FamilyMember
    from caseman.family.models import CareEntrustment, FamilyContact, FamilyDuty
    from caseman.forces.models import VisitContact
    from caseman.referrals.models import FollowUp, Referral, Risk, StatusChange
    from caseman.risk.models import ElderRiskLevel
    from caseman.visits.models import CareRecord, RecordVersion, Visit

    return (Visit, CareRecord, RecordVersion, Referral, Risk, FollowUp, StatusChange,
            PrintedDocument, SignedScan, ElderCategory, FamilyMember, ElderVersion,
            FamilyDuty, FamilyContact, CareEntrustment, BenefitApplication, ElderRiskLevel,
            VisitContact)  # fmt: skip


SCOPED_CHILDREN: tuple[type[Any], ...] = ()
_SCOPED: frozenset[type[Any]] = frozenset()


def _current_request() -> object | None:
    return request._get_current_object() if has_request_context() else None  # type: ignore[attr-defined]


@contextmanager
def acting_as(user: User) -> Iterator[None]:
    """Run queries with ``user``'s scope (a background job working for that user)."""
    token = _override.set(_Override(user, _current_request()))
    try:
        yield
    finally:
        _override.reset(token)


@contextmanager
def system_access(reason: str, *, record: bool = True) -> Iterator[None]:
    """Lift the data-layer scope for system work, and say why (audited as ``system_access``).

    For CLI commands, background jobs without a user, and look-ups the system itself needs
    (whether an id that answered 404 exists). ``record=False`` is for the test suite only.
    """
    if record:
        from caseman import audit

        audit.record("system_access", detail=reason)
    token = _override.set(_Override(None, _current_request()))
    try:
        yield
    finally:
        _override.reset(token)


_SYSTEM = object()


def _acting_user() -> object:
    """The user whose scope applies now, ``_SYSTEM``, or None outside a request (nobody)."""
    override = _override.get()
    current = _current_request()
    # An override counts only where it was declared: one set around a test (or a CLI command)
    # must not leak into a request handled in the same context.
    if override is not None and override.request is current:
        return _SYSTEM if override.user is None else override.user
    if current is not None:
        from flask_login import current_user

        return current_user._get_current_object()  # type: ignore[attr-defined]
    return None  # nobody: no elder at all


def _criteria_for(user: Any, elders: Any) -> ColumnElement[bool] | None:
    """The WHERE clause over ``elders`` (None: everything, e.g. the root area's staff)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return sa.false()
    if user.role != Role.WORKER and user.area.parent_id is None:
        return None  # the whole tree: no filter needed
    return _elder_criteria(user, elders)


# The elders table under its own name, for the child rows' criteria: a plain table is not an ORM
# entity, so the Elder criteria are not added again inside it.
_scope_elders = Elder.__table__.alias("scope_elders")


def _add_scope(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or _resolving.get():
        return
    if state.execution_options.get("caseman_unscoped"):
        return
    if state.is_relationship_load and not any(m.class_ in _SCOPED for m in state.all_mappers):
        # A lazy load of an area or a user (a many-to-one or a collection of one unscoped class):
        # the statement names no elder row, and the options would only cost compile time.
        return
    token = _resolving.set(True)  # loading the user below runs queries of its own
    try:
        user = _acting_user()
        if user is _SYSTEM:
            return
        if user is None and any(m.class_ in _SCOPED for m in state.all_mappers):
            raise UnscopedQuery(
                "An elder query ran outside a request: wrap it in scope.acting_as(user) "
                "or scope.system_access(reason)."
            )
        options = _options_for(user)
    finally:
        _resolving.reset(token)
    if options:
        state.statement = state.statement.options(*options)


def _options_for(user: Any) -> tuple[Any, ...]:
    """The loader-criteria options of ``user``'s scope (empty: no filter), built once a request."""
    cache = _request_cache("caseman_scope_options")
    key: Any = None
    if cache is not None and getattr(user, "is_authenticated", False):
        key = (user.id, user.area_id, user.role, user.is_active)
        if key in cache:
            return cache[key]
    else:
        cache = None
    criteria = _criteria_for(user, Elder)
    child_criteria = _criteria_for(user, _scope_elders.c)
    options: tuple[Any, ...] = ()
    if criteria is not None and child_criteria is not None:
        # A child row is in scope when its elder is: a correlated EXISTS probes the elder by
        # primary key per row (an ``IN (SELECT ...)`` would list every elder of the scope first).
        options = (
            # Lambdas: SQLAlchemy works out a lambda's cache key once, when the option is made,
            # where a plain expression is walked again for every statement that carries it.
            with_loader_criteria(Elder, lambda cls: criteria, include_aliases=True),
            _children_option(child_criteria),
        )
    if cache is not None:
        cache[key] = options
    return options


class _ElderRecords:
    """Every class of :data:`SCOPED_CHILDREN`, for one loader-criteria option over all of them.

    ``with_loader_criteria`` given an unmapped class applies its criteria to the mapped classes
    that SQLAlchemy finds among that class's ``__subclasses__()`` (the documented way to cover
    the users of a mixin), calling the lambda with each of them. Here that list is the scoped
    child classes, declared rather than inherited, so the models need no common base. One option
    instead of one per child class: each statement (and each lazy load, which inherits the
    options) carried eighteen, and working out their cache keys and bound values was about a
    fifth of the case file's time (issue 21).
    """

    # What the lambda reads on its first, sample run (before any mapped class is given).
    elder_id = sa.column("elder_id", sa.Integer)

    @classmethod
    def __subclasses__(cls) -> list[type[Any]]:  # type: ignore[override]
        return list(SCOPED_CHILDREN)


def _children_option(child_criteria: ColumnElement[bool]) -> Any:
    """The criteria of every child class: a correlated EXISTS on the row's elder, in scope.

    The closure's only SQL value is ``child_criteria``, whose bound values (the area ids) are
    taken from it each time, so one user's ids never stand in for another's.
    """
    return with_loader_criteria(
        _ElderRecords,
        lambda cls: sa.exists().where(_scope_elders.c.id == cls.elder_id, child_criteria),
        include_aliases=True,
    )


def init_app(app: Flask) -> None:
    """Install the data-layer scope on every ORM session."""
    global SCOPED_CHILDREN, _SCOPED
    SCOPED_CHILDREN = _scoped_children()
    _SCOPED = frozenset((Elder, *SCOPED_CHILDREN))
    if not event.contains(Session, "do_orm_execute", _add_scope):
        event.listen(Session, "do_orm_execute", _add_scope)
