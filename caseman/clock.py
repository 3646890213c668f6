"""One clock for the whole site: "today" and "now" in the configured zone, never the server's.

The zone is the setting ``CASEMAN_TIMEZONE`` (default Asia/Shanghai, Beijing time). Moments
recorded by the system (``created_at``, audit times, logins) are stored as naive UTC
(:func:`utcnow`); wall times a person types or reads (a risk's time, a visit's date) are in
the configured zone. Views, services, rules' callers, jobs and CLI commands ask this module, so
that a server whose clock runs in UTC or in any other zone behaves as one in Beijing.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_name() -> str:
    """The configured zone's name: the app's setting, else the environment, else Beijing."""
    from flask import current_app, has_app_context

    if has_app_context():
        return str(current_app.config.get("CASEMAN_TIMEZONE") or DEFAULT_TIMEZONE)
    return os.environ.get("CASEMAN_TIMEZONE", "").strip() or DEFAULT_TIMEZONE


def zone() -> ZoneInfo:
    return _zone(zone_name())


def moment() -> datetime:
    """The present moment, aware, in UTC: the one source every other function reads (tests
    freeze time by replacing this function, see the ``frozen_clock`` fixture)."""
    return datetime.now(UTC)


def utcnow() -> datetime:
    """Now in UTC, naive (how moments are stored on both databases)."""
    return moment().astimezone(UTC).replace(tzinfo=None)


def now() -> datetime:
    """The wall-clock time now in the configured zone, naive (as a person reads it)."""
    return moment().astimezone(zone()).replace(tzinfo=None)


def today() -> date:
    """Today's date in the configured zone."""
    return now().date()


def to_local(moment: datetime | None) -> datetime | None:
    """A stored moment (naive UTC, or aware) as naive wall-clock time in the configured zone."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone()).replace(tzinfo=None)


def to_utc(wall_time: datetime) -> datetime:
    """A naive wall-clock time of the configured zone as naive UTC (for storing a moment)."""
    if wall_time.tzinfo is None:
        wall_time = wall_time.replace(tzinfo=zone())
    return wall_time.astimezone(UTC).replace(tzinfo=None)
