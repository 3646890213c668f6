"""Jinja filters shared by the pages: masking, ages, field labels of versions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from caseman import clock
from caseman.elders import labels
from caseman.rules.id_number import age_on
from caseman.rules.masking import mask_certificate_for_role, mask_id_for_role, mask_phone

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def _plain(value: Any) -> str:
    """A saved value as text, with the ISO dates a snapshot stores shown as dates are on pages
    (2026年12月3日; a typed time keeps its wall-clock time)."""
    from caseman.i18n import cn_date, wall_datetime

    text = str(value)
    if _ISO_DATE.fullmatch(text):
        return cn_date(date.fromisoformat(text))
    if _ISO_MOMENT.fullmatch(text):
        return wall_datetime(datetime.fromisoformat(text))
    return text


_VALUE_LABELS = {
    "gender": labels.GENDER,
    "emergency_gender": labels.GENDER,
    "ability_level": labels.ABILITY,
}


def field_label(name: str) -> str:
    """The form label of a registration field (for the version history)."""
    from caseman.elders.forms import ElderForm

    unbound = getattr(ElderForm, name, None)
    if unbound is not None and "label" in unbound.kwargs:
        return str(unbound.kwargs["label"])
    if unbound is not None and unbound.args:
        return str(unbound.args[0])
    extra = {
        "birth_on": _("Birth date"),
        "members": _("Family"),
        "suggested_categories": _("Suggested categories"),
        "residence_area": _("Residence"),
        "household_area": _("Household registration"),
    }
    return str(extra.get(name, name))


def snapshot_value(value: Any, name: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "id_number":  # a saved version is shown like the case file: masked
        return _mask_id(str(value))
    if name == "disability_certificate_no":  # it carries the ID number: masked like it
        return _mask_certificate(str(value))
    if name in ("phone", "emergency_phone"):
        return mask_phone(str(value))
    if name in ("categories", "suggested_categories"):
        return "、".join(labels.label_of(labels.CATEGORY, v) for v in value)
    if name == "support_units":
        return "、".join(labels.label_of(labels.SUPPORT_UNIT, v) for v in value)
    if name in _VALUE_LABELS:
        return labels.label_of(_VALUE_LABELS[name], value)
    return _plain(value)


def percent(value: float | None) -> str:
    """A rate as a whole percentage ("—" when there is nothing to count)."""
    if value is None:
        return "—"
    return f"{value * 100:.0f}%" if value < 0.995 or value == 1 else "99%"


def record_value(value: Any, name: str) -> str:
    """A saved visit or care item (from a version snapshot) as the reader sees it."""
    from caseman.visits import labels as visit_labels

    mapping = {
        "method": visit_labels.METHOD,
        "family_change": visit_labels.FAMILY_CHANGE,
        "illness": visit_labels.ILLNESS,
        "gas_safety": visit_labels.SAFETY,
        "water_heating_safety": visit_labels.SAFETY,
        "electricity_safety": visit_labels.SAFETY,
        "need": visit_labels.NEED,
        "satisfaction": visit_labels.SATISFACTION,
    }
    for trend in ("expression", "mobility", "mood", "personal_hygiene", "home_hygiene",
                  "indoor_environment"):  # fmt: skip
        mapping[trend] = visit_labels.TREND
    if value is None or value == "":
        return ""
    if name == "needs":
        return "、".join(labels.label_of(visit_labels.NEED, v) for v in value)
    if name in mapping:
        return labels.label_of(mapping[name], value)
    return _plain(value)


def paren(text: Any) -> Markup:
    """``text`` in brackets: full-width in Chinese ("（82岁）"), "(…)" in English."""
    return escape(_("(%(text)s)", text="\x00")).replace("\x00", escape(text))


def _role() -> str | None:
    from flask_login import current_user

    return current_user.role.value if getattr(current_user, "is_authenticated", False) else None


def _mask_id(value: str | None) -> str:
    """The ID number masked for the logged-in user's role (caseman.rules.masking)."""
    return mask_id_for_role(value, _role())


def _mask_certificate(value: str | None) -> str:
    """The disability certificate number masked like the ID number it carries."""
    return mask_certificate_for_role(value, _role())


_ID_SENTINEL = 918273645  # an id no URL of ours holds otherwise


def id_url(endpoint: str, name: str, **values: Any) -> Callable[[int], str]:
    """``url_for(endpoint, name=<id>, **values)`` for many ids: the URL is built once, with a
    stand-in id, and each call puts the id in its place (a long list's rows each link to an
    elder, and url_for took 7 µs a call: 11 ms of a village's due list of 557 rows)."""
    url = url_for(endpoint, **{name: _ID_SENTINEL}, **values)
    prefix, suffix = url.split(str(_ID_SENTINEL), 1)
    return lambda value: f"{prefix}{int(value)}{suffix}"


def kept_fragment(name: str) -> Markup:
    """A part of every page that depends only on the user's role, the locale and the settings
    (the main menu, the offline texts: 60 translations and 25 URLs, a third of a kept case
    file's time), rendered once per worker for each of them. Its template reads ``role`` (None
    when nobody is logged in), never ``current_user``."""
    from caseman.approvals.services import approvals_enabled

    role = current_user.role.value if current_user.is_authenticated else None
    key = (name, role, str(get_locale()), approvals_enabled(), request.script_root,
           current_app.config.get("CASEMAN_TIMEZONE"))  # fmt: skip
    kept = current_app.extensions.setdefault("caseman_fragments", {})
    html = kept.get(key)
    if html is None:
        html = Markup(render_template(name, role=role))  # noqa: S704  # nosec B704 (autoescaped)
        kept[key] = html
    return html


def init_app(app: Flask) -> None:
    app.jinja_env.globals["kept_fragment"] = kept_fragment
    app.jinja_env.filters.update(
        mask_id=_mask_id,
        mask_phone=mask_phone,
        mask_certificate=_mask_certificate,
        age=lambda birth_on: age_on(birth_on, clock.today()),
        field_label=field_label,
        field_labels=lambda names: "、".join(field_label(n) for n in names or []),
        snapshot_value=snapshot_value,
        record_value=record_value,
        percent=percent,
    )
    # The colon after a label: full-width in Chinese ("风险：…"), ": " in English.
    app.jinja_env.globals["colon"] = _l(": ")
    app.jinja_env.globals["paren"] = paren
    app.jinja_env.globals["id_url"] = id_url
