"""Babel set-up: msgids are English; zh_Hans_CN is the default locale, English the second."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton
from flask import Flask, g, has_request_context, request, session
from flask_babel import (
    get_locale,
    get_translations,
    gettext,
    lazy_gettext,
    refresh,
)
from markupsafe import Markup

from caseman import clock

_ = gettext
_l = lazy_gettext

LOCALES = {"zh_Hans_CN": "中文", "en": "English"}
# Browsers send zh-CN, zh or en; Babel's best_match against "zh_Hans_CN" misses zh-CN.
_ACCEPT_MAP = {"zh_CN": "zh_Hans_CN", "zh": "zh_Hans_CN", "en": "en"}


DEFAULT_LOCALE = "zh_Hans_CN"


def select_locale() -> str:
    """The user's choice from the switch, else the browser's, else Chinese.

    Outside a request (a job in the queue's worker, a CLI command) there is no session nor
    browser: Chinese, unless the caller forced a locale (``flask_babel.force_locale``; jobs use
    the locale of the user who started them, see caseman.jobs.services).
    """
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = session.get("lang")
    if chosen in LOCALES:
        return chosen
    best = request.accept_languages.best_match(list(_ACCEPT_MAP)) if request else None
    return _ACCEPT_MAP.get(best or "", DEFAULT_LOCALE)


def html_lang() -> str:
    """A valid HTML lang value (Babel's zh_Hans_CN is not one; WeasyPrint needs zh-CN)."""
    return "en" if select_locale() == "en" else "zh-CN"


def cn_date(value: date | datetime | None, fmt: str = "long") -> str:
    """Dates the Chinese way in Chinese (2024年3月5日), the English way in English.

    A ``datetime`` given here is taken for a moment the system stored (naive UTC, such as
    ``created_at``) and shown as :func:`local_datetime`; a time a person typed (a risk's time)
    goes through :func:`wall_datetime` instead."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_datetime(value)
    return _day(value, fmt, str(get_locale()))


@lru_cache(maxsize=8192)
def _day(value: date, fmt: str, locale: str) -> str:
    """One day in one locale, formatted once: a due list of a town prints thousands of dates,
    mostly the same few dozen, and Babel's pattern formatting costs ~0.1 ms each."""
    return babel_format_date(value, fmt, locale=locale)


def wall_datetime(value: datetime | None, seconds: bool = False) -> str:
    """A wall-clock time of the configured zone as typed (2026年12月5日 14:20): no conversion."""
    if value is None:
        return ""
    clock_time = value.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{_day(value.date(), 'long', str(get_locale()))} {clock_time}"


def local_datetime(moment: datetime | None, seconds: bool = False) -> str:
    """A stored moment (naive UTC) in the configured zone's wall time (caseman.clock)."""
    return wall_datetime(clock.to_local(moment), seconds)


def cn_month(value: date | None) -> str:
    """A month: 2026年12月 in Chinese, Dec 2026 in English."""
    if value is None:
        return ""
    return format_skeleton("yMMM", value, locale=get_locale())


def local_date(moment: datetime | None) -> str:
    """The day (in the configured zone) of a stored moment."""
    local = clock.to_local(moment)
    return _day(local.date(), "long", str(get_locale())) if local else ""


def translate_message(message: str, params: dict | None = None) -> str:
    """Translate a msgid produced by rules or services, then fill its placeholders."""
    text = gettext(message)
    return text % params if params else text


def _translations() -> Any:
    """The request's translations, looked up once per request (a page calls ``_()`` hundreds of
    times, and Flask-Babel finds its context and locale again on every call)."""
    if not has_request_context():
        return get_translations()
    current = request._get_current_object()  # type: ignore[attr-defined]
    held = g.get("caseman_translations")
    if held is None or held[0] is not current:
        held = (current, get_translations())
        g.caseman_translations = held
    return held[1]


def init_app(app: Flask) -> None:
    # Babel caches the locale on the app context, which tests and CLI calls share between
    # requests: decide it afresh for each request.
    app.before_request(refresh)
    app.jinja_env.install_gettext_callables(  # Flask-Babel's, with the look-up kept per request
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters["cndate"] = cn_date
    app.jinja_env.filters["walltime"] = wall_datetime
    app.jinja_env.filters["localtime"] = local_datetime
    app.jinja_env.filters["localdate"] = local_date
    app.jinja_env.filters["cnmonth"] = cn_month
    app.jinja_env.globals["clock_today"] = clock.today
    app.jinja_env.globals["html_lang"] = html_lang
    app.jinja_env.globals["LOCALES"] = LOCALES
    app.jinja_env.globals["current_locale"] = select_locale
    app.jinja_env.globals["tmsg"] = lambda m, p=None: Markup.escape(translate_message(m, p))
